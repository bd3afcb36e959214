package s3api

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// getOptions reads the RFC 7232 conditions of a GET or HEAD.
func getOptions(h http.Header) gateway.GetOptions { return conditions(h, "") }

// conditions reads the headers prefix + If-Match, If-None-Match,
// If-Modified-Since and If-Unmodified-Since.
func conditions(h http.Header, prefix string) gateway.GetOptions {
	return gateway.GetOptions{
		IfMatch:           unquoteETag(h.Get(prefix + "If-Match")),
		IfNoneMatch:       unquoteETag(h.Get(prefix + "If-None-Match")),
		IfModifiedSince:   parseHTTPTime(h.Get(prefix + "If-Modified-Since")),
		IfUnmodifiedSince: parseHTTPTime(h.Get(prefix + "If-Unmodified-Since")),
	}
}

func parseHTTPTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := http.ParseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// readPartNumber reads ?partNumber of a GET or HEAD (0 if absent): 1 to
// 10000, and not with a Range header.
func readPartNumber(r *http.Request, q url.Values) (int, error) {
	p, ok := q["partNumber"]
	if !ok {
		return 0, nil
	}
	n, err := strconv.Atoi(p[0])
	if err != nil || len(p) != 1 || n < 1 || n > 10000 {
		return 0, errMsg("InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive")
	}
	if r.Header.Get("Range") != "" {
		return 0, errMsg("InvalidRequest", "Cannot specify both Range header and partNumber query parameter")
	}
	return n, nil
}

// setPartsCount adds x-amz-mp-parts-count to a read by part number of an
// object a multipart upload made.
func setPartsCount(h http.Header, info gateway.ObjectInfo, q url.Values) {
	if _, ok := q["partNumber"]; ok && info.PartsCount > 0 {
		h.Set("x-amz-mp-parts-count", strconv.Itoa(info.PartsCount))
	}
}

// unsatisfiable answers 416 InvalidRange with the object's size in
// Content-Range, as S3 does. For a Range header that does not parse, the
// object is looked up first (with the request's conditions), so that a
// missing object is still NoSuchKey and a failed condition still 412.
func (rc *reqCtx) unsatisfiable() error {
	opts, err := versionedGetOptions(rc.r.Header, rc.r.URL.Query())
	if err != nil {
		return err
	}
	info, err := rc.user.NS.HeadObject(rc.r.Context(), rc.bucket, rc.key, opts)
	if err != nil {
		return rc.notModified(info, err)
	}
	return rc.invalidRange(info)
}

// invalidRange is the 416 for the object info describes.
func (rc *reqCtx) invalidRange(info gateway.ObjectInfo) error {
	rc.w.Header().Set("Content-Range", fmt.Sprintf("bytes */%d", info.Size))
	return errCode("InvalidRange")
}

// getObject passes the Range header, unresolved, to the gateway, which
// checks the conditions and resolves it against the version it reads: one
// upstream lookup, and no window between a size check and the read.
func (s *server) getObject(rc *reqCtx, q url.Values) error {
	part, err := readPartNumber(rc.r, q)
	if err != nil {
		return err
	}
	opts, err := versionedGetOptions(rc.r.Header, q)
	if err != nil {
		return err
	}
	opts.PartNumber = part
	rg, err := parseRangeHeader(rc.r.Header.Get("Range"))
	if err != nil {
		return rc.unsatisfiable()
	}
	opts.Range = rg
	or, err := rc.user.NS.GetObject(rc.r.Context(), rc.bucket, rc.key, opts)
	if err != nil {
		return rc.objectErr(or, err)
	}
	defer func() { _ = or.Body.Close() }()
	head, err := readHead(or.Body, bodyLength(or.Info, or.Range))
	if err != nil {
		return err
	}
	length := rc.writeObjectHeaders(or.Info, or.Range, q)
	if _, err := rc.w.Write(head); err != nil {
		return fmt.Errorf("%w: %w", errClientGone, err)
	}
	return copyBody(rc.w, or.Body, length-int64(len(head)), head)
}

// headSize is how much of an object body a GET reads before its header.
const headSize = 64 << 10

// readHead reads the first bytes of an object body (up to headSize of n)
// before the response header goes out: an upstream that fails at once,
// the usual case, then gets an error answer (a 503 the client retries)
// rather than a 200 cut short.
func readHead(body io.Reader, n int64) ([]byte, error) {
	buf := make([]byte, min(headSize, n))
	m, err := io.ReadFull(body, buf)
	switch {
	case err == nil:
		return buf, nil
	case err == io.EOF || err == io.ErrUnexpectedEOF: //nolint:errorlint // ReadFull's own: the body ended early
		return nil, fmt.Errorf("s3api: object body ended after %d of %d bytes", m, n)
	}
	return nil, fmt.Errorf("s3api: reading object body: %w", err)
}

// bodyLength is the length of a GET's body: the range's, or the object's.
func bodyLength(info gateway.ObjectInfo, rg *gateway.Range) int64 {
	if rg != nil {
		return rg.End - rg.Start + 1
	}
	return info.Size
}

func (s *server) headObject(rc *reqCtx, q url.Values) error {
	part, err := readPartNumber(rc.r, q)
	if err != nil {
		return err
	}
	opts, err := versionedGetOptions(rc.r.Header, q)
	if err != nil {
		return err
	}
	info, err := rc.user.NS.HeadObject(rc.r.Context(), rc.bucket, rc.key, opts)
	if err != nil {
		return rc.notModified(info, err)
	}
	rg, err := parseRange(rc.r.Header.Get("Range"), info.Size)
	if err != nil {
		return rc.invalidRange(info)
	}
	if part > 0 {
		if rg, err = gateway.PartRange(info, part); err != nil {
			return err
		}
	}
	rc.writeObjectHeaders(info, rg, q)
	return nil
}

// objectErr answers a failed GET, using the object info the gateway
// returns with a 304 or a 416.
func (rc *reqCtx) objectErr(or *gateway.ObjectReader, err error) error {
	if or == nil {
		markerHeaders(rc.w.Header(), err)
		return err
	}
	if errors.Is(err, gateway.ErrInvalidRange) {
		return rc.invalidRange(or.Info)
	}
	return rc.notModified(or.Info, err)
}

// notModified adds the object's ETag and Last-Modified to a 304, as AWS
// does; other errors pass through.
func (rc *reqCtx) notModified(info gateway.ObjectInfo, err error) error {
	markerHeaders(rc.w.Header(), err)
	if errors.Is(err, gateway.ErrNotModified) {
		rc.w.Header().Set("ETag", quoteETag(info.ETag))
		rc.w.Header().Set("Last-Modified", info.LastModified.UTC().Format(httpTime))
	}
	return err
}

// writeObjectHeaders sends the status and headers of a GET/HEAD and returns
// the body length announced.
func (rc *reqCtx) writeObjectHeaders(info gateway.ObjectInfo, rg *gateway.Range, q url.Values) int64 {
	h := rc.w.Header()
	h.Set("Content-Type", "binary/octet-stream")
	for k, v := range info.Meta {
		if strings.HasPrefix(k, metaPrefix) {
			h[k] = []string{v}
		} else if contentHeaders[k] {
			h.Set(k, v)
		}
	}
	for _, k := range []string{"content-type", "content-language", "expires", "cache-control", "content-disposition", "content-encoding"} {
		if v := q.Get("response-" + k); v != "" {
			h.Set(k, v)
		}
	}
	h.Set("ETag", quoteETag(info.ETag))
	h.Set("Last-Modified", info.LastModified.UTC().Format(httpTime))
	h.Set("Accept-Ranges", "bytes")
	setVersionID(h, info.VersionID)
	setLockHeaders(h, info.Lock)
	setTagCount(h, info)
	setPartsCount(h, info, q)
	sseCHeaders(h, info.CustomerKeyMD5)
	// The stored checksum covers the whole object: like S3, send it only
	// when the whole object is sent (clients verify it against the body).
	if rg == nil && strings.EqualFold(rc.r.Header.Get("X-Amz-Checksum-Mode"), "ENABLED") {
		if name, v := checksumHeader(info); name != "" {
			h.Set(name, v)
			if info.Checksum.Composite {
				h.Set("x-amz-checksum-type", "COMPOSITE")
			} else {
				h.Set("x-amz-checksum-type", "FULL_OBJECT")
			}
		}
	}
	length, status := bodyLength(info, rg), http.StatusOK
	if rg != nil {
		status = http.StatusPartialContent
		h.Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", rg.Start, rg.End, info.Size))
	}
	h.Set("Content-Length", strconv.FormatInt(length, 10))
	rc.w.WriteHeader(status)
	return length
}

// errClientGone: the client stopped reading; not worth an error log line.
var errClientGone = errors.New("s3api: client went away")

// copyBody streams exactly n bytes of body to w through buf (the head
// already sent, reused: a body longer than the head has a full one). Any
// failure after the header went out is returned, and ServeHTTP aborts the
// connection so the client never sees a complete-looking truncated object.
func copyBody(w io.Writer, body io.Reader, n int64, buf []byte) error {
	if n <= 0 {
		return nil
	}
	if len(buf) == 0 {
		buf = make([]byte, min(headSize, n))
	}
	var done int64
	for done < n {
		m, rerr := body.Read(buf[:min(int64(len(buf)), n-done)])
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return fmt.Errorf("%w: %w", errClientGone, werr)
			}
			done += int64(m)
		}
		if rerr == io.EOF && done < n {
			return fmt.Errorf("s3api: object body ended after %d of %d bytes: %w", done, n, io.ErrUnexpectedEOF)
		}
		if rerr != nil && rerr != io.EOF {
			return fmt.Errorf("s3api: reading object body: %w", rerr)
		}
	}
	return nil
}
