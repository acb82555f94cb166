// Package firmware is an organization's firmware image library on
// GenieACS's file server: uploads streamed to GenieACS while their sha256
// is computed (an image is never held whole in memory or on disk), the
// list with how many of the organization's devices run each image, and
// deletion. It owns the firmware_images table.
//
// An image is stored in GenieACS as "<slug>_<filename>" (organization
// slugs have no underscore, so two organizations' names never meet and
// neither sees the other's files) with GenieACS's metadata: fileType
// "1 Firmware Upgrade Image", oui, productClass and version.
package firmware

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/fyberpay/cpe/internal/genieacs"
	"github.com/fyberpay/cpe/internal/outbox"
	"github.com/fyberpay/cpe/internal/validation"
)

// Image is one uploaded firmware image.
type Image struct {
	ID           uuid.UUID `json:"id" db:"id"`
	Filename     string    `json:"filename" db:"filename"`
	StoredName   string    `json:"storedName" db:"stored_name"`
	OUI          string    `json:"oui" db:"oui"`
	ProductClass string    `json:"productClass" db:"product_class"`
	Version      string    `json:"version" db:"version"`
	Size         int64     `json:"size" db:"size"`
	SHA256       string    `json:"sha256" db:"sha256"`
	UploadedBy   string    `json:"uploadedBy" db:"uploaded_by"`
	UploadedAt   time.Time `json:"uploadedAt" db:"uploaded_at"`
}

// imageColumns are read into an Image by name.
const imageColumns = `id, filename, stored_name, oui, product_class, version, size, sha256, uploaded_by, uploaded_at`

// Meta is what an upload says about its image.
type Meta struct {
	Filename     string `json:"filename"`
	OUI          string `json:"oui"`
	ProductClass string `json:"productClass"`
	Version      string `json:"version"`
}

// Errors the edges map to statuses.
var (
	// ErrTooLarge: the image passed the upload's size limit (413); nothing
	// of it is kept.
	ErrTooLarge = errors.New("the image is larger than the upload limit")
	// ErrNameTaken: the organization already has an image of that file
	// name (409); delete it first.
	ErrNameTaken = errors.New("an image of that file name exists; delete it first or upload under another name")
)

// TooLargeError says by how much.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("the image is larger than the upload limit of %s", Bytes(e.Limit))
}

// Is makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Is(target error) bool { return target == ErrTooLarge }

// Defaults of the upload limits (FIRMWARE_MAX_BYTES, FIRMWARE_JSON_MAX_BYTES).
const (
	DefaultMaxBytes     = 512 << 20
	DefaultJSONMaxBytes = 64 << 20
)

// Service is the image library.
type Service struct {
	pool *pgxpool.Pool
	acs  *genieacs.Client
	jobs outbox.JobInserter
	// MaxBytes bounds a streamed (multipart) upload, JSONMaxBytes a
	// base64 one, decoded.
	MaxBytes, JSONMaxBytes int64
	// FollowEvery is how often a deployment's job reads its devices back
	// from GenieACS and sends the next downloads (default 10 s).
	FollowEvery time.Duration
}

// NewService builds the library and deployments on pool and GenieACS (nil
// when it is not configured: uploads, deletes and deployments then fail
// clearly); jobs enqueues deployments' jobs and outbox events.
func NewService(pool *pgxpool.Pool, acs *genieacs.Client, jobs outbox.JobInserter) *Service {
	return &Service{pool: pool, acs: acs, jobs: jobs, MaxBytes: DefaultMaxBytes, JSONMaxBytes: DefaultJSONMaxBytes}
}

// fileNameRE is what an image's file name may hold: a CPE fetches it as
// the last segment of a URL, so no separators, spaces or escapes.
var fileNameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._+~-]*$`)

var ouiRE = regexp.MustCompile(`^[0-9A-F]{6}$`)

// Validate checks and normalises an upload's metadata (the OUI upper-case).
func (m Meta) Validate() (Meta, error) {
	errs := validation.Errors{}
	m.Filename = strings.TrimSpace(m.Filename)
	switch {
	case m.Filename == "":
		errs.Add("filename", "is required")
	case len(m.Filename) > 255:
		errs.Add("filename", "must be at most 255 bytes")
	case validation.TextProblem(m.Filename) != "":
		errs.Add("filename", validation.TextProblem(m.Filename))
	case strings.ContainsAny(m.Filename, `/\`):
		errs.Add("filename", "must be a file name, without / or \\")
	case strings.Contains(m.Filename, ".."):
		errs.Add("filename", "must not contain ..")
	case !fileNameRE.MatchString(m.Filename):
		errs.Add("filename", "may hold letters, digits and . _ - + ~ only, starting with a letter or digit (a CPE fetches it by URL)")
	}
	m.OUI = strings.ToUpper(strings.TrimSpace(m.OUI))
	switch {
	case m.OUI == "":
		errs.Add("oui", "is required")
	case !ouiRE.MatchString(m.OUI):
		errs.Add("oui", "must be 6 hexadecimal digits, as the device reports it (e.g. 00259E)")
	}
	m.ProductClass = validation.Text(errs, "productClass", m.ProductClass, 1, 64)
	m.Version = validation.Text(errs, "version", m.Version, 1, 64)
	return m, errs.Err()
}

// StoredName is the image's name in GenieACS.
func StoredName(slug, filename string) string { return slug + "_" + filename }

// Bytes formats a size for people (binary units).
func Bytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}

// Base64Len is the length of n bytes in padded standard base64.
func Base64Len(n int64) int64 { return (n + 2) / 3 * 4 }
