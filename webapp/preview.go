package webapp

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// maxPreviewText is how much of a file a text preview shows.
const maxPreviewText = 1 << 20

// maxPreviewPDF is the largest PDF the page is sent to render: the page
// holds it whole (pdf.js parses it from memory).
const maxPreviewPDF = 64 << 20

// errNoPreview: a file that has no preview of the kind asked (415).
var errNoPreview = errors.New("no preview for this kind of file")

// previewImages is the allow-list of raster image types a preview serves,
// by the key's extension. SVG is not one of them: it is a document that
// can hold script, so it is previewed as text at most.
var previewImages = map[string]string{
	".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp",
}

// previewCSP is the policy of a preview: as downloadCSP, nothing may load
// or run and the document is sandboxed, should it be opened on its own.
// (An <img> of the page is not a document: the page's img-src 'self'
// lets it load, and this policy does not apply to it.)
const previewCSP = downloadCSP

// preview serves a file for the page to show:
// GET /api/preview?bucket=&key=&as=image|pdf|text. An image (png, jpeg,
// gif, webp by the name's extension, else 415) is served whole under that
// fixed type; a PDF (a name ending in .pdf, at most maxPreviewPDF bytes,
// else 415) whole as application/pdf, for the page's pdf.js to draw on a
// canvas; text is the file's first MiB as text/plain; charset=utf-8 (415
// if it holds a NUL byte: not text), with X-Preview-Truncated: 1 when the
// file is longer. Every answer is an attachment under the sandboxing CSP,
// with nosniff: the page inserts text with textContent, shows images with
// <img> and PDF pages as canvas pixels, so user content never runs as the
// app.
func (s *server) preview(w http.ResponseWriter, r *http.Request, sess *session) error {
	q := r.URL.Query()
	bucket, key := q.Get("bucket"), q.Get("key")
	if err := checkObject(bucket, key); err != nil {
		return err
	}
	ext := strings.ToLower(path.Ext(key))
	switch q.Get("as") {
	case "image":
		ctype, ok := previewImages[ext]
		if !ok {
			return errNoPreview
		}
		return s.previewWhole(w, r, sess, bucket, key, ctype, -1)
	case "pdf":
		if ext != ".pdf" {
			return errNoPreview
		}
		return s.previewWhole(w, r, sess, bucket, key, "application/pdf", maxPreviewPDF)
	case "text":
		return previewText(w, r, sess, bucket, key)
	}
	return badRequest("as must be image, pdf or text")
}

// previewWhole serves the whole file under ctype, if it is at most limit
// bytes (limit < 0: any size; a larger file is errNoPreview).
func (s *server) previewWhole(w http.ResponseWriter, r *http.Request, sess *session, bucket, key, ctype string, limit int64) error {
	obj, err := sess.user.NS.GetObject(r.Context(), bucket, key, gateway.GetOptions{})
	if err != nil {
		return err
	}
	defer func() { _ = obj.Body.Close() }()
	if limit >= 0 && obj.Info.Size > limit {
		return errNoPreview
	}
	previewHeaders(w.Header(), key, ctype, obj.Info.Size)
	w.WriteHeader(http.StatusOK)
	if rerr, werr := copyBody(w, obj.Body, obj.Info.Size); rerr != nil || werr != nil {
		s.abort(w, rerr, werr)
	}
	return nil
}

func previewText(w http.ResponseWriter, r *http.Request, sess *session, bucket, key string) error {
	obj, err := sess.user.NS.GetObject(r.Context(), bucket, key, gateway.GetOptions{Range: &gateway.Range{Start: 0, End: maxPreviewText - 1}})
	if errors.Is(err, gateway.ErrInvalidRange) { // an empty file
		previewHeaders(w.Header(), key, "text/plain; charset=utf-8", 0)
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if err != nil {
		return err
	}
	defer func() { _ = obj.Body.Close() }()
	buf, err := io.ReadAll(io.LimitReader(obj.Body, maxPreviewText))
	if err != nil {
		return err
	}
	if bytes.IndexByte(buf, 0) >= 0 {
		return errNoPreview
	}
	if obj.Info.Size > int64(len(buf)) {
		w.Header().Set("X-Preview-Truncated", "1")
	}
	previewHeaders(w.Header(), key, "text/plain; charset=utf-8", int64(len(buf)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf)
	return nil
}

// previewHeaders sets the headers of a preview.
func previewHeaders(h http.Header, key, ctype string, length int64) {
	h.Set("Content-Security-Policy", previewCSP)
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", attachment(key))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Length", strconv.FormatInt(length, 10))
}
