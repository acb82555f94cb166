// Package secret encrypts secrets at rest (webhook signing secrets, PPPoE
// passwords) with AES-256-GCM. Each ciphertext is stored beside the id of the
// key that sealed it, so keys can be rotated: the first key seals, every
// configured key opens.
package secret

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"github.com/fyberpay/cpe/internal/config"
)

// ErrUnknownKey means a ciphertext names a key that is not configured.
var ErrUnknownKey = errors.New("secret: sealed with a key that is not configured")

// Box seals and opens secrets.
type Box struct {
	current string
	aeads   map[string]cipher.AEAD
}

// NewBox builds a Box from the configured keys; the first is current.
func NewBox(keys []config.Key) (*Box, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no encryption key")
	}
	b := &Box{current: keys[0].ID, aeads: map[string]cipher.AEAD{}}
	for _, k := range keys {
		block, err := aes.NewCipher(k.Bytes)
		if err != nil {
			return nil, fmt.Errorf("secret: key %s: %w", k.ID, err)
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		b.aeads[k.ID] = aead
	}
	return b, nil
}

// Seal encrypts plaintext. additional binds the ciphertext to its row (for
// example the row id), so a ciphertext copied to another row does not open.
func (b *Box) Seal(plaintext, additional []byte) (ciphertext []byte, keyID string) {
	aead := b.aeads[b.current]
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return aead.Seal(nonce, nonce, plaintext, additional), b.current
}

// Open decrypts a ciphertext sealed by Seal with the same additional data.
func (b *Box) Open(ciphertext []byte, keyID string, additional []byte) ([]byte, error) {
	aead, ok := b.aeads[keyID]
	if !ok {
		return nil, fmt.Errorf("%w (%s)", ErrUnknownKey, keyID)
	}
	n := aead.NonceSize()
	if len(ciphertext) < n+aead.Overhead() {
		return nil, errors.New("secret: ciphertext too short")
	}
	pt, err := aead.Open(nil, ciphertext[:n], ciphertext[n:], additional)
	if err != nil {
		return nil, errors.New("secret: ciphertext does not authenticate")
	}
	return pt, nil
}
