package acssim

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// maxFileSize bounds an upload held in memory.
const maxFileSize = 512 << 20

// putFile is PUT /files/<name>: the raw body plus metadata headers, 201.
// The body is read straight into one buffer of its announced length.
func (s *Sim) putFile(q *request, rawName string) {
	name, err := decodeURIComponent(rawName)
	if err != nil {
		s.drop(q.w)
		return
	}
	var data pieces
	size := 0
	if n := q.r.ContentLength; n >= 0 {
		if n > maxFileSize {
			plain(q.w, http.StatusRequestEntityTooLarge, "413 Payload Too Large")
			return
		}
		one := make([]byte, n)
		if _, err := io.ReadFull(q.r.Body, one); err != nil {
			return
		}
		data, size = pieces{one}, int(n)
	} else {
		// Chunked, as GenieACS streams it into GridFS: kept in the pieces
		// read (a growing buffer would clear and copy it many times).
		// Only the chunked body's clean end stores it: an upload the client
		// aborted (the connection closed mid-body) leaves no file, as
		// GridFS writes a file's document only when its stream finishes.
		for done := false; !done; {
			piece := make([]byte, 1<<20)
			n := 0
			for n < len(piece) {
				m, err := q.r.Body.Read(piece[n:])
				n += m
				if errors.Is(err, io.EOF) {
					done = true
					break
				}
				if err != nil {
					return // aborted: nothing stored
				}
			}
			data, size = append(data, piece[:n]), size+n
			if size > maxFileSize {
				plain(q.w, http.StatusRequestEntityTooLarge, "413 Payload Too Large")
				return
			}
		}
	}
	header := func(k string) *string {
		v, ok := q.r.Header[http.CanonicalHeaderKey(k)]
		if !ok || len(v) == 0 {
			return nil
		}
		return &v[0]
	}
	f := &file{
		name: name, data: data, size: size, uploaded: s.now().UTC().Truncate(time.Millisecond),
		fileType: header("fileType"), oui: header("oui"), productClass: header("productClass"), version: header("version"),
	}
	sum := md5.Sum([]byte(fmt.Sprintf("%s-%d-%d", name, f.uploaded.UnixMilli(), size)))
	f.etag = hex.EncodeToString(sum[:])
	s.mu.Lock()
	if _, exists := s.files[name]; exists {
		s.removeFileID(name)
	}
	s.files[name] = f
	s.fileIDs = append(s.fileIDs, name)
	s.mu.Unlock()
	plain(q.w, http.StatusCreated, "")
}

func (s *Sim) removeFileID(name string) {
	for i, n := range s.fileIDs {
		if n == name {
			s.fileIDs = append(s.fileIDs[:i:i], s.fileIDs[i+1:]...)
			return
		}
	}
}

// deleteFile is DELETE /files/<name>; a missing file crashes the real NBI.
func (s *Sim) deleteFile(q *request, rawName string) error {
	name, err := decodeURIComponent(rawName)
	if err != nil {
		return err
	}
	s.mu.Lock()
	_, ok := s.files[name]
	if ok {
		delete(s.files, name)
		s.removeFileID(name)
	}
	s.mu.Unlock()
	if !ok {
		return crash("MongoRuntimeError: File not found for id %s", name)
	}
	plain(q.w, http.StatusOK, "")
	return nil
}

// FS returns the genieacs-fs handler: GET|HEAD /<filename>, with Range
// and conditional requests.
func (s *Sim) FS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header()["Allow"] = []string{"GET, HEAD"}
			plain(w, http.StatusMethodNotAllowed, "405 Method Not Allowed")
			return
		}
		raw := r.URL.EscapedPath()
		name, err := decodeURIComponent(strings.TrimPrefix(raw, "/"))
		if err != nil {
			plain(w, http.StatusBadRequest, "")
			return
		}
		s.mu.RLock()
		f := s.files[name]
		s.mu.RUnlock()
		if f == nil {
			plain(w, http.StatusNotFound, "")
			return
		}
		if inm := r.Header.Get("If-None-Match"); inm != "" && (inm == f.etag || inm == strconv.Quote(f.etag) || inm == "*") {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if im := r.Header.Get("If-Match"); im != "" && im != f.etag && im != strconv.Quote(f.etag) && im != "*" {
			w.WriteHeader(http.StatusPreconditionFailed)
			return
		}
		h := w.Header()
		h["Content-Type"] = []string{"application/octet-stream"}
		h["ETag"] = []string{f.etag}
		// ServeContent does Range, If-Modified-Since and Content-Length; the
		// pieces are never copied.
		http.ServeContent(w, r, "", f.uploaded, f.reader())
	})
}
