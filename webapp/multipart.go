package webapp

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// maxPartSize bounds one part of a web upload. The page sends 8 MiB parts;
// the bound leaves room for other clients of this API without letting one
// request hold a slot for long.
const maxPartSize = 64 << 20

// maxPartNumber is S3's (and the gateway's) highest part number.
const maxPartNumber = 10000

// maxCompleteBody bounds the JSON of a completion: 10000 parts of about 60
// bytes each.
const maxCompleteBody = 1 << 20

// errPartTooLarge: a part over maxPartSize (413).
var errPartTooLarge = errors.New("an upload part is at most 64 MiB")

// routeMultipart registers the resumable upload API (multipart uploads,
// whose state the gateway keeps sealed in the upstream, so that any
// gateway, after any reload, continues one).
func (s *server) routeMultipart(mux *http.ServeMux) {
	s.route(mux, "POST /api/multipart", "upload-start", startUpload)
	s.route(mux, "GET /api/multipart", "upload-list", listUploads)
	s.route(mux, "PUT /api/multipart/part", "upload-part", uploadPart)
	s.route(mux, "GET /api/multipart/parts", "upload-parts", listParts)
	s.route(mux, "POST /api/multipart/complete", "upload-complete", completeUpload)
	s.route(mux, "DELETE /api/multipart", "upload-abort", abortUpload)
}

// startRequest is the body of POST /api/multipart.
type startRequest struct {
	Bucket string `json:"bucket"`
	Key    string `json:"key"`
	Type   string `json:"type"`
}

// uploadJSON names an upload in progress.
type uploadJSON struct {
	Upload    string    `json:"upload"`
	Key       string    `json:"key"`
	Initiated time.Time `json:"initiated,omitzero"`
}

// startUpload begins a multipart upload: POST /api/multipart with
// {bucket, key, type}; 201 {upload}. Nothing is visible until it is
// completed.
func startUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	var in startRequest
	if err := decodeJSON(r, 8<<10, &in); err != nil {
		return err
	}
	if err := checkObject(in.Bucket, in.Key); err != nil {
		return err
	}
	opts := gateway.PutOptions{Meta: gateway.Meta{"content-type": uploadType(in.Type)}}
	id, err := s.user.NS.CreateMultipartUpload(r.Context(), in.Bucket, in.Key, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, uploadJSON{Upload: id, Key: in.Key})
	return nil
}

// listUploads lists the unfinished uploads of one file:
// GET /api/multipart?bucket=&key=; {uploads: [{upload, key, initiated}]}.
func listUploads(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if err := checkObject(bucket, key); err != nil {
		return err
	}
	out := []uploadJSON{}
	keyMarker, idMarker := "", ""
	for {
		ups, more, err := s.user.NS.ListMultipartUploads(r.Context(), bucket, key, keyMarker, idMarker, 1000)
		if err != nil {
			return err
		}
		for _, u := range ups {
			if u.Key == key {
				out = append(out, uploadJSON{Upload: u.UploadID, Key: u.Key, Initiated: u.Initiated})
			}
			keyMarker, idMarker = u.Key, u.UploadID
		}
		if !more || len(ups) == 0 || keyMarker != key {
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"uploads": out})
	return nil
}

// uploadParams are the parameters naming an upload (and a part).
type uploadParams struct {
	bucket, key, id string
	part            int
}

// readUpload reads bucket, key and upload (and part, if withPart) from the
// query.
func readUpload(r *http.Request, withPart bool) (uploadParams, error) {
	q := r.URL.Query()
	p := uploadParams{bucket: q.Get("bucket"), key: q.Get("key"), id: q.Get("upload")}
	if err := checkObject(p.bucket, p.key); err != nil {
		return p, err
	}
	if p.id == "" || len(p.id) > 128 {
		return p, badRequest("an upload id is required")
	}
	if !withPart {
		return p, nil
	}
	n, err := strconv.Atoi(q.Get("part"))
	if err != nil || n < 1 || n > maxPartNumber {
		return p, badRequest("the part number must be 1 to 10000")
	}
	p.part = n
	return p, nil
}

// uploadPart streams one part: PUT /api/multipart/part?bucket=&key=&upload=&part=
// with a Content-Length (411 without, 413 over 64 MiB); {etag}. A part
// sent again replaces the stored one; a part cut short is not stored.
func uploadPart(w http.ResponseWriter, r *http.Request, s *session) error {
	p, err := readUpload(r, true)
	if err != nil {
		return err
	}
	if r.ContentLength < 0 {
		return errLengthRequired
	}
	if r.ContentLength > maxPartSize {
		return errPartTooLarge
	}
	etag, err := s.user.NS.UploadPart(r.Context(), p.bucket, p.key, p.id, p.part, r.Body, r.ContentLength)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"etag": etag})
	return nil
}

// partJSON is a stored part.
type partJSON struct {
	Number int    `json:"number"`
	Size   int64  `json:"size"`
	ETag   string `json:"etag"`
}

// listParts lists the parts stored so far, in order:
// GET /api/multipart/parts?bucket=&key=&upload=; {parts: [{number, size, etag}]}.
func listParts(w http.ResponseWriter, r *http.Request, s *session) error {
	p, err := readUpload(r, false)
	if err != nil {
		return err
	}
	out := []partJSON{}
	marker := 0
	for {
		page, err := s.user.NS.ListParts(r.Context(), p.bucket, p.key, p.id, marker, 1000)
		if err != nil {
			return err
		}
		for _, pi := range page.Parts {
			out = append(out, partJSON{Number: pi.Number, Size: pi.Size, ETag: pi.ETag})
			marker = pi.Number
		}
		if !page.Truncated || len(page.Parts) == 0 {
			break
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"parts": out})
	return nil
}

// completeRequest is the body of POST /api/multipart/complete.
type completeRequest struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	Upload    string `json:"upload"`
	Overwrite bool   `json:"overwrite"`
	Parts     []struct {
		Number int    `json:"number"`
		ETag   string `json:"etag"`
	} `json:"parts"`
}

// completeUpload makes the file of the parts named, in order:
// POST /api/multipart/complete with {bucket, key, upload, parts, overwrite};
// 201 with the file. Without overwrite an existing file is kept (412).
func completeUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	var in completeRequest
	if err := decodeJSON(r, maxCompleteBody, &in); err != nil {
		return err
	}
	if err := checkObject(in.Bucket, in.Key); err != nil {
		return err
	}
	if in.Upload == "" || len(in.Parts) == 0 || len(in.Parts) > maxPartNumber {
		return badRequest("an upload id and 1 to 10000 parts are required")
	}
	parts := make([]gateway.CompletedPart, len(in.Parts))
	for i, p := range in.Parts {
		parts[i] = gateway.CompletedPart{Number: p.Number, ETag: p.ETag}
	}
	var opts gateway.PutOptions
	if !in.Overwrite {
		opts.IfNoneMatch = "*"
	}
	info, err := s.user.NS.CompleteMultipartUpload(r.Context(), in.Bucket, in.Key, in.Upload, parts, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, fileJSON{Name: lastSegment(in.Key), Key: in.Key, Size: info.Size, Modified: info.LastModified})
	return nil
}

// abortUpload drops an upload and its parts:
// DELETE /api/multipart?bucket=&key=&upload=; 204.
func abortUpload(w http.ResponseWriter, r *http.Request, s *session) error {
	p, err := readUpload(r, false)
	if err != nil {
		return err
	}
	if err := s.user.NS.AbortMultipartUpload(r.Context(), p.bucket, p.key, p.id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
