package secret

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/fyberpay/cpe/internal/config"
)

func key(id string, b byte) config.Key { return config.Key{ID: id, Bytes: bytes.Repeat([]byte{b}, 32)} }

func TestBox(t *testing.T) {
	t.Parallel()
	t.Run("RoundTripWithAdditionalData", func(t *testing.T) {
		t.Parallel()
		box, err := NewBox([]config.Key{key("k1", 1)})
		require.NoError(t, err)
		ct, kid := box.Seal([]byte("pppoe-pass"), []byte("row-1"))
		require.Equal(t, "k1", kid)
		require.NotContains(t, string(ct), "pppoe-pass")
		pt, err := box.Open(ct, kid, []byte("row-1"))
		require.NoError(t, err)
		require.Equal(t, "pppoe-pass", string(pt))

		_, err = box.Open(ct, kid, []byte("row-2"))
		require.Error(t, err, "a ciphertext moved to another row must not open")
	})

	t.Run("RotationOpensOldKeysSealsWithNew", func(t *testing.T) {
		t.Parallel()
		old, err := NewBox([]config.Key{key("k1", 1)})
		require.NoError(t, err)
		ct, kid := old.Seal([]byte("s"), nil)

		rotated, err := NewBox([]config.Key{key("k2", 2), key("k1", 1)})
		require.NoError(t, err)
		pt, err := rotated.Open(ct, kid, nil)
		require.NoError(t, err)
		require.Equal(t, "s", string(pt))
		_, kid2 := rotated.Seal([]byte("s"), nil)
		require.Equal(t, "k2", kid2)
	})

	t.Run("UnknownKeyAndTampering", func(t *testing.T) {
		t.Parallel()
		box, err := NewBox([]config.Key{key("k1", 1)})
		require.NoError(t, err)
		ct, _ := box.Seal([]byte("s"), nil)
		_, err = box.Open(ct, "k9", nil)
		require.ErrorIs(t, err, ErrUnknownKey)
		ct[len(ct)-1] ^= 1
		_, err = box.Open(ct, "k1", nil)
		require.Error(t, err)
		_, err = box.Open([]byte{1, 2}, "k1", nil)
		require.Error(t, err)
	})
}
