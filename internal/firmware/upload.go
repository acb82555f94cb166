package firmware

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"github.com/fyberpay/cpe/internal/actor"
	"github.com/fyberpay/cpe/internal/audit"
	"github.com/fyberpay/cpe/internal/db"
	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/org"
	"github.com/fyberpay/cpe/internal/validation"
)

// Upload streams an image (body, size bytes when known, else -1) to
// GenieACS under the organization's name for it and records it; limit
// bounds its size (ErrTooLarge, measured while streaming). The name is
// reserved first, so two uploads of one name never race in GenieACS; an
// upload that fails or is abandoned leaves neither a row nor a file.
func (s *Service) Upload(ctx context.Context, a actor.Actor, m Meta, body io.Reader, size, limit int64) (Image, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return Image{}, err
	}
	m, err := m.Validate()
	if err != nil {
		return Image{}, err
	}
	if s.acs == nil {
		return Image{}, validation.Errors{"file": "GenieACS is not configured (GENIEACS_NBI_URL)"}
	}
	if size > limit {
		return Image{}, &TooLargeError{Limit: limit}
	}
	br := bufio.NewReaderSize(body, 64<<10)
	if _, err := br.Peek(1); errors.Is(err, io.EOF) {
		return Image{}, validation.Errors{"file": "is empty"}
	} else if err != nil {
		return Image{}, fmt.Errorf("read the image: %w", err)
	}
	o, err := org.ByID(ctx, s.pool, a.OrgID)
	if err != nil {
		return Image{}, err
	}
	stored := StoredName(o.Slug, m.Filename)
	id, err := s.reserve(ctx, a, m, stored)
	if err != nil {
		return Image{}, err
	}

	mt := &meter{r: br, limit: limit, hash: sha256.New()}
	length := int64(0) // unknown: chunked
	if size > 0 {
		length = size
	}
	err = s.acs.PutFile(ctx, stored, genieacs.FileMeta{FileType: genieacs.FileTypeFirmware, OUI: m.OUI, ProductClass: m.ProductClass, Version: m.Version}, mt, length)
	if err == nil && size > 0 && mt.n != size {
		err = fmt.Errorf("the image ended after %d of %d bytes", mt.n, size)
	}
	if err != nil {
		s.abandon(ctx, id, stored)
		if mt.over {
			return Image{}, &TooLargeError{Limit: limit}
		}
		return Image{}, err
	}

	var img Image
	err = db.InTx(ctx, s.pool, func(tx pgx.Tx) error {
		img, err = db.One[Image](ctx, tx, `UPDATE firmware_images SET size = $3, sha256 = $4, state = 'ready', uploaded_at = now()
			WHERE org_id = $1 AND id = $2 AND state = 'uploading' RETURNING `+imageColumns,
			a.OrgID, id, mt.n, hex.EncodeToString(mt.hash.Sum(nil)))
		if err != nil {
			return db.MapErr(err)
		}
		return audit.Record(ctx, tx, a, audit.Entry{
			Action: "firmware.upload", TargetType: "firmware", TargetID: img.ID.String(),
			Summary: fmt.Sprintf("uploaded %s (%s %s version %s, %s, sha256 %s)", img.Filename, img.OUI, img.ProductClass, img.Version, Bytes(img.Size), img.SHA256),
		})
	})
	if err != nil {
		s.abandon(ctx, id, stored)
		return Image{}, err
	}
	return img, nil
}

// reserve claims the organization's file name (a reservation older than
// three hours, longer than an upload may take, was left by a crashed
// upload and is taken over).
func (s *Service) reserve(ctx context.Context, a actor.Actor, m Meta, stored string) (uuid.UUID, error) {
	var id uuid.UUID
	err := s.pool.QueryRow(ctx, `INSERT INTO firmware_images (org_id, filename, stored_name, oui, product_class, version, uploaded_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (org_id, filename) DO UPDATE SET oui = EXCLUDED.oui, product_class = EXCLUDED.product_class,
			version = EXCLUDED.version, uploaded_by = EXCLUDED.uploaded_by, created_at = now()
			WHERE firmware_images.state = 'uploading' AND firmware_images.created_at < now() - interval '3 hours'
		RETURNING id`, a.OrgID, m.Filename, stored, m.OUI, m.ProductClass, m.Version, a.Label).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) || errors.Is(db.MapErr(err), db.ErrConflict) {
		return uuid.Nil, ErrNameTaken
	}
	if err != nil {
		return uuid.Nil, fmt.Errorf("reserve the image name: %w", err)
	}
	return id, nil
}

// abandon gives a failed upload's name back and removes whatever part of
// it GenieACS may hold (best effort: the caller's error is what counts).
func (s *Service) abandon(ctx context.Context, id uuid.UUID, stored string) {
	ctx = context.WithoutCancel(ctx)
	_, _ = s.pool.Exec(ctx, `DELETE FROM firmware_images WHERE id = $1 AND state = 'uploading'`, id)
	_ = s.acs.DeleteFile(ctx, stored) // ErrNotFound: GenieACS kept nothing

}

// UploadBase64 is Upload of the spec's JSON body: data is the image in
// standard base64, checked (and measured) before anything is sent, then
// decoded while it streams.
func (s *Service) UploadBase64(ctx context.Context, a actor.Actor, m Meta, data string) (Image, error) {
	if err := a.Require(actor.PermFirmwareDeploy); err != nil {
		return Image{}, err
	}
	if _, err := m.Validate(); err != nil {
		return Image{}, err
	}
	if data == "" {
		return Image{}, validation.Errors{"data": "is required: the image in base64"}
	}
	limit := s.JSONMaxBytes
	n, err := io.Copy(io.Discard, io.LimitReader(base64.NewDecoder(base64.StdEncoding, strings.NewReader(data)), limit+1))
	switch {
	case err != nil:
		return Image{}, validation.Errors{"data": "is not valid base64 (standard alphabet, with padding): " + err.Error()}
	case n > limit:
		return Image{}, &TooLargeError{Limit: limit}
	}
	return s.Upload(ctx, a, m, base64.NewDecoder(base64.StdEncoding, strings.NewReader(data)), n, limit)
}

// meter passes an image through, counting and hashing it, and fails once
// it passes limit.
type meter struct {
	r     io.Reader
	limit int64
	n     int64
	hash  interface {
		io.Writer
		Sum([]byte) []byte
	}
	over bool
}

// WriteTo sends the image on in large pieces (a multipart part yields a
// few KiB per read, and each write toward GenieACS is an HTTP chunk) and
// hashes each piece on another core while the next is read and sent.
func (m *meter) WriteTo(w io.Writer) (int64, error) {
	const size, ring = 256 << 10, 4
	bufs := make([][]byte, ring)
	for i := range bufs {
		bufs[i] = make([]byte, size)
	}
	pieces := make(chan []byte, ring-2) // at most ring-1 buffers away from the reader
	hashed := make(chan struct{})
	go func() {
		for p := range pieces {
			_, _ = m.hash.Write(p)
		}
		close(hashed)
	}()
	defer func() {
		close(pieces)
		<-hashed
	}()
	var total int64
	for i := 0; ; i++ {
		buf := bufs[i%ring]
		n, err := io.ReadFull(m.counted(), buf)
		if n > 0 {
			pieces <- buf[:n]
			wn, werr := w.Write(buf[:n])
			total += int64(wn)
			if werr != nil {
				return total, werr
			}
		}
		switch {
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			return total, nil
		case err != nil:
			return total, err
		}
	}
}

// counted reads the image counting (not hashing) it: WriteTo hashes.
func (m *meter) counted() io.Reader { return countingReader{m} }

type countingReader struct{ m *meter }

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.m.r.Read(p)
	c.m.n += int64(n)
	if c.m.n > c.m.limit {
		c.m.over = true
		return 0, &TooLargeError{Limit: c.m.limit}
	}
	return n, err
}

func (m *meter) Read(p []byte) (int, error) {
	n, err := m.r.Read(p)
	m.n += int64(n)
	if m.n > m.limit {
		m.over = true
		return 0, &TooLargeError{Limit: m.limit}
	}
	_, _ = m.hash.Write(p[:n])
	return n, err
}

// MultipartReader reads r's multipart/form-data body through a 1 MiB
// buffer: multipart.Reader reads 4 KiB at a time, one system call each
// from the connection (65,536 of them for a 256 MiB image).
func MultipartReader(r *http.Request) (*multipart.Reader, error) {
	ct, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || ct != "multipart/form-data" || params["boundary"] == "" {
		return nil, http.ErrNotMultipart
	}
	return multipart.NewReader(bufio.NewReaderSize(r.Body, 1<<20), params["boundary"]), nil
}

// ReadMultipart reads an upload form from mr up to its file part, which it
// returns for the caller to stream: the fields oui, productClass, version
// (and optionally filename; else the file part's own name) must come
// before the part "file", as a browser sends them in form order.
func ReadMultipart(mr *multipart.Reader) (Meta, *multipart.Part, error) {
	var m Meta
	seen := 0
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			return m, nil, validation.Errors{"file": "is required"}
		}
		if err != nil {
			return m, nil, validation.Errors{"file": "the form could not be read: " + err.Error()}
		}
		name := p.FormName()
		if name == "file" {
			if m.Filename == "" {
				m.Filename = rawFileName(p)
			}
			missing := validation.Errors{}
			for field, v := range map[string]string{"oui": m.OUI, "productClass": m.ProductClass, "version": m.Version} {
				if strings.TrimSpace(v) == "" {
					missing.Add(field, "is required (form fields come before the file)")
				}
			}
			if len(missing) > 0 {
				return m, nil, missing
			}
			return m, p, nil
		}
		if seen++; seen > 20 {
			return m, nil, validation.Errors{"file": "the form has too many fields before the file"}
		}
		v, err := io.ReadAll(io.LimitReader(p, 1<<10+1))
		if err != nil {
			return m, nil, validation.Errors{"file": "the form could not be read: " + err.Error()}
		}
		if len(v) > 1<<10 {
			return m, nil, validation.Errors{name: "is too long"}
		}
		switch name {
		case "filename":
			m.Filename = string(v)
		case "oui":
			m.OUI = string(v)
		case "productClass":
			m.ProductClass = string(v)
		case "version":
			m.Version = string(v)
		}
	}
}

// rawFileName is the file name as the client sent it (multipart.Part's
// FileName drops directories, which would hide a name's "../").
func rawFileName(p *multipart.Part) string {
	_, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil {
		return p.FileName()
	}
	return params["filename"]
}
