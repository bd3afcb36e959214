package webapp

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// upload streams the request body into a file:
// PUT /api/object?bucket=&key=[&overwrite=1]. The body goes straight to
// Namespace.PutObject (nothing is buffered here) and the file appears only
// if it ended cleanly with its Content-Length. Without overwrite=1 an
// existing file is kept and the answer is 412.
func upload(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if err := checkObject(bucket, key); err != nil {
		return err
	}
	if r.ContentLength < 0 {
		return errLengthRequired
	}
	opts := gateway.PutOptions{Meta: gateway.Meta{"content-type": uploadType(r.Header.Get("Content-Type"))}}
	if q.Get("overwrite") != "1" {
		opts.IfNoneMatch = "*"
	}
	info, err := s.user.NS.PutObject(r.Context(), bucket, key, r.Body, r.ContentLength, opts)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, fileJSON{Name: lastSegment(key), Key: key, Size: info.Size, Modified: info.LastModified})
	return nil
}

// uploadType is the type a browser gave a file, if it is one; else
// application/octet-stream.
func uploadType(ct string) string {
	if ct == "" || len(ct) > 200 {
		return "application/octet-stream"
	}
	mt, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "application/octet-stream"
	}
	return mime.FormatMediaType(mt, params)
}

// deleteObject removes a file: DELETE /api/object?bucket=&key=. An absent
// file is not an error.
func deleteObject(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if err := checkObject(bucket, key); err != nil {
		return err
	}
	if err := s.user.NS.DeleteObject(r.Context(), bucket, key); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// download streams a file: GET /api/object?bucket=&key=, with a single
// byte range (206) if asked. User content is never shown as part of the
// app: every download is an attachment, under a sandboxing CSP, with
// nosniff, whatever its type.
func (s *server) download(w http.ResponseWriter, r *http.Request, sess *session) error {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if err := checkObject(bucket, key); err != nil {
		return err
	}
	var opts gateway.GetOptions
	if r.Header.Get("If-Range") == "" { // a conditional range is served whole
		opts.Range = parseRange(r.Header.Get("Range"))
	}
	obj, err := sess.user.NS.GetObject(r.Context(), bucket, key, opts)
	if err != nil {
		return rangeErr(w, obj, err)
	}
	defer func() { _ = obj.Body.Close() }()
	s.sendDownload(w, r, obj, key, "private, no-cache")
	return nil
}

// rangeErr returns err, after naming the object's size in Content-Range
// when err is an unsatisfiable range (416).
func rangeErr(w http.ResponseWriter, obj *gateway.ObjectReader, err error) error {
	if errors.Is(err, gateway.ErrInvalidRange) && obj != nil {
		w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", obj.Info.Size))
	}
	return err
}

// sendDownload answers with obj as a download (downloadHeaders, then
// cacheControl), and its body unless r is a HEAD; a failure after the
// header went out aborts the connection.
func (s *server) sendDownload(w http.ResponseWriter, r *http.Request, obj *gateway.ObjectReader, key, cacheControl string) {
	status, length := downloadHeaders(w.Header(), obj, key)
	w.Header().Set("Cache-Control", cacheControl)
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if rerr, werr := copyBody(w, obj.Body, length); rerr != nil || werr != nil {
		s.abort(w, rerr, werr)
	}
}

// downloadHeaders sets the headers of a download and returns its status
// and length.
func downloadHeaders(h http.Header, obj *gateway.ObjectReader, key string) (int, int64) {
	info := obj.Info
	h.Set("Content-Security-Policy", downloadCSP)
	h.Set("Content-Type", downloadType(info.Meta["content-type"]))
	h.Set("Content-Disposition", attachment(key))
	h.Set("ETag", `"`+info.ETag+`"`)
	h.Set("Last-Modified", info.LastModified.UTC().Format(http.TimeFormat))
	h.Set("Accept-Ranges", "bytes")
	status, length := http.StatusOK, info.Size
	if rg := obj.Range; rg != nil {
		status, length = http.StatusPartialContent, rg.End-rg.Start+1
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rg.Start, rg.End, info.Size))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	return status, length
}

// downloadType is the stored type when it parses, else
// application/octet-stream. (It is safe to keep an active type: the
// response is an attachment under a sandboxing CSP.)
func downloadType(ct string) string {
	if ct == "" {
		return "application/octet-stream"
	}
	return uploadType(ct)
}

// attachment is the Content-Disposition of a download: the file's last
// name segment (RFC 6266; non-ASCII names as filename*).
func attachment(key string) string {
	name := lastSegment(key)
	if v := mime.FormatMediaType("attachment", map[string]string{"filename": name}); v != "" {
		return v
	}
	return "attachment"
}

// parseRange reads a single "bytes=a-b", "bytes=a-" or "bytes=-n" range;
// anything else (several ranges, another unit, garbage) is ignored and the
// file is served whole, as RFC 9110 allows.
func parseRange(v string) *gateway.Range {
	spec, ok := strings.CutPrefix(v, "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil
	}
	if first == "" {
		n, err := strconv.ParseInt(last, 10, 64)
		if err != nil || n <= 0 {
			return nil
		}
		return &gateway.Range{Start: -n, End: -1}
	}
	start, err := strconv.ParseInt(first, 10, 64)
	if err != nil || start < 0 {
		return nil
	}
	if last == "" {
		return &gateway.Range{Start: start, End: -1}
	}
	end, err := strconv.ParseInt(last, 10, 64)
	if err != nil || end < start {
		return nil
	}
	return &gateway.Range{Start: start, End: end}
}

// copyBody copies a download's body and reports a read error (the
// upstream failed, or the data failed authentication) apart from a write
// error (the client went away), and a body shorter than announced.
func copyBody(w io.Writer, body io.Reader, length int64) (readErr, writeErr error) {
	buf := make([]byte, 256<<10)
	var n int64
	for {
		k, err := body.Read(buf)
		if k > 0 {
			if _, werr := w.Write(buf[:k]); werr != nil {
				return nil, werr
			}
			n += int64(k)
		}
		if errors.Is(err, io.EOF) {
			if n != length {
				return io.ErrUnexpectedEOF, nil
			}
			return nil, nil
		}
		if err != nil {
			return err, nil
		}
	}
}

// abort ends a download that failed after its header went out: the
// connection is cut, so that the browser never takes a truncated file for
// a complete one. A client that went away is logged as 499.
func (s *server) abort(w http.ResponseWriter, readErr, writeErr error) {
	if writeErr != nil {
		setLogStatus(w, 499)
		return
	}
	status, _ := statusOf(readErr)
	setLogStatus(w, status)
	s.cfg.Logger.Warn().Str("request_id", w.Header().Get("X-Request-Id")).Err(readErr).Msg("web download aborted")
	panic(http.ErrAbortHandler)
}
