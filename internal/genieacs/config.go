package genieacs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Provision is a stored provision script.
type Provision struct {
	ID     string `json:"_id"`
	Script string `json:"script"`
}

// ErrScript is a provision GenieACS refused to compile (400 SyntaxError).
var ErrScript = errors.New("GenieACS refused the script")

// PutProvision stores (creates or replaces) a provision script.
func (c *Client) PutProvision(ctx context.Context, name, script string) error {
	resp, err := c.do(ctx, request{method: http.MethodPut, path: "/provisions/" + pathEscape(name), body: strings.NewReader(script)})
	if err != nil {
		var he *HTTPError
		if errors.As(err, &he) && he.Status == http.StatusBadRequest {
			return fmt.Errorf("%w: %s", ErrScript, strings.TrimSpace(he.Body))
		}
		return err
	}
	return resp.Body.Close()
}

// GetProvision reads a provision (GET /provisions/<name> is 405 on the real
// NBI, so this is a query on _id). ok is false when it does not exist.
func (c *Client) GetProvision(ctx context.Context, name string) (Provision, bool, error) {
	return oneByID[Provision](ctx, c, "provisions", "provision", name)
}

// DeleteProvision removes a provision (200 whether or not it existed).
func (c *Client) DeleteProvision(ctx context.Context, name string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/provisions/" + pathEscape(name)})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Preset binds configurations (provisions) to events and a precondition.
type Preset struct {
	ID             string          `json:"_id,omitempty"`
	Weight         int             `json:"weight"`
	Channel        string          `json:"channel"`
	Events         map[string]bool `json:"events"`
	Precondition   string          `json:"precondition"`
	Configurations []Configuration `json:"configurations"`
	Schedule       string          `json:"schedule,omitempty"`
}

// Configuration is one preset entry; for Type "provision", Name and Args
// (a JSON array, or null; kept as sent).
type Configuration struct {
	Type  string          `json:"type"`
	Name  string          `json:"name,omitempty"`
	Args  json.RawMessage `json:"args,omitempty"`
	Tag   string          `json:"tag,omitempty"`
	Value any             `json:"value,omitempty"`
	Age   any             `json:"age,omitempty"`
}

// PutPreset stores a preset (stored as sent, plus _id).
func (c *Client) PutPreset(ctx context.Context, name string, p Preset) error {
	p.ID = ""
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	resp, err := c.do(ctx, request{method: http.MethodPut, path: "/presets/" + pathEscape(name), body: strings.NewReader(string(body)),
		header: http.Header{"Content-Type": {"application/json"}}})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// GetPreset reads a preset; ok is false when it does not exist.
func (c *Client) GetPreset(ctx context.Context, name string) (Preset, bool, error) {
	return oneByID[Preset](ctx, c, "presets", "preset", name)
}

// Presets lists all presets.
func (c *Client) Presets(ctx context.Context) ([]Preset, error) {
	return listOf[Preset](ctx, c, "presets", "preset", nil)
}

// DeletePreset removes a preset (200 whether or not it existed).
func (c *Client) DeletePreset(ctx context.Context, name string) error {
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/presets/" + pathEscape(name)})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// File types GenieACS (TR-069 Download) knows.
const FileTypeFirmware = "1 Firmware Upgrade Image"

// FileMeta is a file's metadata; missing values are stored as null.
type FileMeta struct {
	FileType     string `json:"fileType,omitempty"`
	OUI          string `json:"oui,omitempty"`
	ProductClass string `json:"productClass,omitempty"`
	Version      string `json:"version,omitempty"`
}

// File is a stored file (GridFS fs.files document).
type File struct {
	ID         string    `json:"_id"`
	Length     int64     `json:"length"`
	ChunkSize  int64     `json:"chunkSize"`
	UploadDate time.Time `json:"uploadDate"`
	Filename   string    `json:"filename"`
	Metadata   struct {
		FileType     *string `json:"fileType"`
		OUI          *string `json:"oui"`
		ProductClass *string `json:"productClass"`
		Version      *string `json:"version"`
	} `json:"metadata"`
}

// PutFile uploads a file, streaming body (size bytes; 0 when unknown, sent
// chunked), replacing any file of that name. An upload may relay a
// firmware image from a slow link: it gets two hours (the caller's context
// ends it sooner when its client goes away).
func (c *Client) PutFile(ctx context.Context, name string, meta FileMeta, body io.Reader, size int64) error {
	h := http.Header{"Content-Type": {"application/octet-stream"}}
	for k, v := range map[string]string{"fileType": meta.FileType, "oui": meta.OUI, "productClass": meta.ProductClass, "version": meta.Version} {
		if v != "" {
			h[k] = []string{v} // GenieACS reads these exact (lower-camel) header names
		}
	}
	resp, err := c.do(ctx, request{method: http.MethodPut, path: "/files/" + fileNameEscape(name), body: body, length: size,
		header: h, timeout: 2 * time.Hour, ok: []int{http.StatusCreated, http.StatusOK}})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}

// Files lists files matching filter (e.g. {"_id": name}).
func (c *Client) Files(ctx context.Context, filter map[string]any) ([]File, error) {
	return listOf[File](ctx, c, "files", "file", filter)
}

// DeleteFile removes a file. GenieACS drops the connection for a missing
// file, so existence is checked first (ErrNotFound).
func (c *Client) DeleteFile(ctx context.Context, name string) error {
	fs, err := c.Files(ctx, map[string]any{"_id": name})
	if err != nil {
		return err
	}
	if len(fs) == 0 {
		return fmt.Errorf("%w: file %s", ErrNotFound, name)
	}
	resp, err := c.do(ctx, request{method: http.MethodDelete, path: "/files/" + fileNameEscape(name)})
	if err != nil {
		return err
	}
	return resp.Body.Close()
}
