package s3api

import (
	"bytes"
	"encoding/xml"
	"io"
	"net/http"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"github.com/johannesboyne/gofakes3"
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
)

// fakeEntry is one user's gofakes3 instance and the adapter it serves from.
type fakeEntry struct {
	handler http.Handler
	be      *backend
}

// fakesCache holds the per-user gofakes3 instances, bounded (LRU).
type fakesCache struct {
	c *lru.Cache[string, *fakeEntry]
}

func newFakesCache(size int) (*fakesCache, error) {
	if size <= 0 {
		size = 1024
	}
	c, err := lru.New[string, *fakeEntry](size)
	if err != nil {
		return nil, err
	}
	return &fakesCache{c: c}, nil
}

// get returns the user's gofakes3 handler, creating it on first use. It is
// keyed by the access key the request was signed with: an account deleted
// and re-created under the same name has new keys, so it never shares an
// instance with requests of the old one. The adapter always serves from
// the namespace of the latest request.
func (f *fakesCache) get(accessKeyID string, u User, log zerolog.Logger, now func() time.Time) http.Handler {
	if e, ok := f.c.Get(accessKeyID); ok {
		e.be.setNS(u.NS)
		return e.handler
	}
	be := &backend{user: u.Name, log: log}
	be.setNS(u.NS)
	g := gofakes3.New(be,
		gofakes3.WithoutVersioning(),
		gofakes3.WithTimeSkewLimit(0),      // sigv4 checked the date
		gofakes3.WithIntegrityCheck(false), // sigv4 verified Content-MD5
		gofakes3.WithTimeSource(clock(now)),
		gofakes3.WithLogger(gofakes3.DiscardLog()),
	)
	e := &fakeEntry{handler: g.Server(), be: be}
	f.c.Add(accessKeyID, e)
	return e.handler
}

type clock func() time.Time

func (c clock) Now() time.Time                  { return c() }
func (c clock) Since(t time.Time) time.Duration { return c().Sub(t) }

// maxXMLBody bounds the XML request bodies read whole (DeleteObjects,
// CompleteMultipartUpload: 10,000 parts fit).
const maxXMLBody = 2 << 20

// viaFakes passes the request, rewritten to path style, to the user's
// gofakes3 instance. Its error responses are caught and re-rendered by
// writeError so that codes, statuses and request ids come from one table.
func (s *server) viaFakes(rc *reqCtx) error {
	h := s.fakes.get(rc.auth.AccessKeyID, rc.user, s.log, s.now)
	r := rc.r.Clone(rc.r.Context())
	u := *r.URL
	u.Path = "/" + rc.bucket
	if rc.key != "" {
		u.Path += "/" + rc.key
	}
	u.RawPath = ""
	r.URL = &u
	if r.Body != nil {
		// Read and verify the whole body before gofakes3 acts on it: its XML
		// decoder stops at the closing tag, and the verifying reader reports a
		// bad payload hash or chunk signature only at EOF. A DeleteObjects
		// body that fails verification must never be acted upon.
		body, err := readVerifiedBody(rc)
		if err != nil {
			return err
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		r.ContentLength = int64(len(body))
	}
	iw := &interceptWriter{w: rc.w}
	h.ServeHTTP(iw, r)
	return iw.result()
}

// interceptWriter forwards success responses and captures error ones.
type interceptWriter struct {
	w      http.ResponseWriter
	status int
	failed bool
	buf    bytes.Buffer
}

func (iw *interceptWriter) Header() http.Header { return iw.w.Header() }

func (iw *interceptWriter) WriteHeader(code int) {
	if iw.status != 0 {
		return
	}
	iw.status = code
	if code >= 300 {
		iw.failed = true
		return
	}
	iw.w.WriteHeader(code)
}

func (iw *interceptWriter) Write(p []byte) (int, error) {
	if iw.status == 0 {
		iw.WriteHeader(http.StatusOK)
	}
	if iw.failed {
		if iw.buf.Len() < 64<<10 {
			iw.buf.Write(p)
		}
		return len(p), nil
	}
	return iw.w.Write(p)
}

// result is nil for a forwarded success, or the captured error.
func (iw *interceptWriter) result() error {
	if !iw.failed {
		if iw.status == 0 {
			iw.w.WriteHeader(http.StatusOK)
		}
		return nil
	}
	var body struct {
		Code    string `xml:"Code"`
		Message string `xml:"Message"`
	}
	_ = xml.Unmarshal(iw.buf.Bytes(), &body)
	return fakesError(iw.status, body.Code, body.Message)
}

// fakesError builds the apiError for a gofakes3 error response. A code
// s3api knows gets its status and standard message from s3api's table; any
// other code keeps the status gofakes3 chose, so that a gofakes3 code missing
// from the table never turns into a 500. A body-less response keeps its
// status too: its code is only a name guessed from that status.
func fakesError(status int, code, message string) *apiError {
	_, known := statuses[code]
	if code == "" {
		code = codeForStatus(status)
	}
	e := errCode(code)
	if !known {
		e.status = status
	}
	if message != "" && message != code {
		e.Message = message
	}
	return e
}

// codeForStatus names the error of a body-less (HEAD) gofakes3 error.
// A 404 is "NotFound", as AWS names body-less 404s: the status alone does
// not tell which resource is missing.
func codeForStatus(status int) string {
	switch status {
	case http.StatusNotFound:
		return "NotFound"
	case http.StatusForbidden:
		return "AccessDenied"
	case http.StatusConflict:
		return "BucketNotEmpty"
	case http.StatusMethodNotAllowed:
		return "MethodNotAllowed"
	case http.StatusNotImplemented:
		return "NotImplemented"
	case http.StatusServiceUnavailable:
		return "ServiceUnavailable"
	case http.StatusBadRequest:
		return "InvalidRequest"
	}
	return "InternalError"
}

// nsBox lets the adapter swap namespaces atomically.
type nsBox struct{ ns gateway.Namespace }

func (b *backend) setNS(ns gateway.Namespace) { b.nsp.Store(&nsBox{ns}) }

func (b *backend) ns() gateway.Namespace { return b.nsp.Load().ns }

// fakesErr converts a gateway error for gofakes3, which renders it; the
// interceptWriter then re-renders it through writeError.
func (b *backend) fakesErr(err error) error {
	if err == nil {
		return nil
	}
	e := toAPIError(err, "")
	if e.status >= 500 {
		b.log.Error().Str("user", b.user).Err(err).Msg("s3 backend call failed")
	}
	return &gofakes3.ErrorResponse{Code: gofakes3.ErrorCode(e.Code), Message: e.Message}
}
