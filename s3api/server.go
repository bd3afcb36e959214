package s3api

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/s3api/sigv4"
)

// User is an authenticated S3 principal and its namespace.
type User struct {
	Name   string
	Secret []byte
	NS     gateway.Namespace
}

// Users finds users by access key id; gateway.ErrNoSuchUser when unknown.
type Users interface {
	ByAccessKey(accessKeyID string) (User, error)
}

// Config configures the S3 door.
type Config struct {
	Users   Users
	Region  string   // default us-east-1
	Domains []string // virtual-host base domains, e.g. "s3.localhost"
	Logger  zerolog.Logger
	Now     func() time.Time
	// Limiter bounds the requests in flight (nil: no bound); over it the
	// door answers 503 SlowDown with Retry-After.
	Limiter *gateway.Limiter
	// Observe, if set, receives a record of every finished request.
	Observe gateway.Observer
	// KeepAlive is the interval of the spaces a slow CompleteMultipartUpload
	// sends after its early 200 (see complete.go); 0 means 10 s. It must be
	// well under any idle timeout the server enforces.
	KeepAlive time.Duration
	// CORS finds the rules that answer anonymous CORS preflights (nil: every
	// preflight is refused as for a bucket without CORS).
	CORS CORSFinder
}

// server is the S3 door.
type server struct {
	users    Users
	region   string
	domains  []string
	log      zerolog.Logger
	now      func() time.Time
	verifier sigv4.Verifier
	limiter  *gateway.Limiter
	observe  gateway.Observer
	fails    *gateway.AuthThrottle
	cors     CORSFinder
	// keepAlive paces a slow CompleteMultipartUpload (Config.KeepAlive).
	keepAlive time.Duration
}

// New returns the S3 door as an http.Handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Users == nil {
		return nil, errors.New("s3api: Config.Users is required")
	}
	s := &server{users: cfg.Users, region: cfg.Region, domains: cfg.Domains, log: cfg.Logger, now: cfg.Now, limiter: cfg.Limiter, observe: cfg.Observe,
		fails: gateway.NewAuthThrottle(cfg.Now), cors: cfg.CORS}
	if s.region == "" {
		s.region = "us-east-1"
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.keepAlive = cfg.KeepAlive; s.keepAlive <= 0 {
		s.keepAlive = defaultKeepAlive
	}
	s.verifier = sigv4.Verifier{
		Region:            s.region,
		Now:               s.now,
		VirtualHostBucket: sigv4.HostBucket(cfg.Domains...),
	}
	return s, nil
}

// reqCtx is one request as the handlers see it.
type reqCtx struct {
	srv *server
	id  string
	w   http.ResponseWriter
	r   *http.Request
	// reqBody is r's body as it came (before any verifying reader), nil
	// when there is none.
	reqBody *trackedBody
	user    User
	auth    *sigv4.Auth
	bucket  string
	key     string
	op      string
	code    string // the S3 error code answered, if any
	// admitted: authenticated and within the in-flight limits.
	admitted bool
	// lateStatus, if set, is the status logs and metrics show instead of
	// the one sent: of an error found after the header went out (sent in a
	// slow CompleteMultipartUpload's 200, or ending an aborted body), or
	// 499 for a client that closed the request (failure.go).
	lateStatus int
}

func newRequestID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%X", b[:])
}

// ServeHTTP authenticates, routes and logs one request.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := s.now()
	rec := &recorder{ResponseWriter: w}
	r, body := trackBody(r)
	rc := &reqCtx{srv: s, id: newRequestID(), w: rec, r: r, reqBody: body, op: "Unknown"}
	h := rec.Header()
	h.Set("x-amz-request-id", rc.id)
	h.Set("x-amz-id-2", hex.EncodeToString([]byte(rc.id)))
	h.Set("Server", serverName)
	h.Set("Date", start.UTC().Format(http.TimeFormat))
	customer := rc.r.Header.Get(sseCPrefix+"Algorithm") != ""
	rec.onHeader = func(status int) { markSSE(h, rc.op, status, customer) }
	if strings.EqualFold(r.Header.Get("Expect"), "100-continue") {
		// botocore (aws cli v1) intermittently fails to parse the final
		// response that follows "100 Continue" on a reused connection and
		// then waits for its read timeout (60 s). Closing the connection after
		// such requests, as versitygw does, avoids the stall; clients that
		// send Expect open a new connection per upload anyway.
		h.Set("Connection", "close")
	}
	defer func() { s.logAccess(rc, rec, start) }()
	if err := s.serve(rc); err != nil {
		rc.fail(rec, err)
	}
}

const serverName = "sealgate"

// maxHeaderSection is AWS's limit on a request's header section (8 KiB).
const maxHeaderSection = 8 << 10

// checkHeaderSection answers AWS's RequestHeaderSectionTooLarge for a
// request whose header fields, as sent ("Name: value\r\n"), exceed
// maxHeaderSection.
func checkHeaderSection(h http.Header) error {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	if n > maxHeaderSection {
		e := errCode("RequestHeaderSectionTooLarge")
		e.MaxSizeAllowed = maxHeaderSection
		return e
	}
	return nil
}

func (s *server) serve(rc *reqCtx) error {
	if err := checkHeaderSection(rc.r.Header); err != nil {
		return err
	}
	// Preflights and browser POST uploads carry no request signature.
	switch {
	case rc.r.Method == http.MethodOptions:
		return s.preflight(rc)
	case s.isPostUpload(rc.r):
		return s.postObject(rc)
	}
	// Authenticate (cheap HMACs; failures are slowed per address) before
	// taking a slot, so that a flood of bad signatures holds none of the
	// slots legitimate users need.
	if err := s.authenticate(rc); err != nil {
		return err
	}
	release, err := s.limiter.Enter()
	if err != nil {
		return err
	}
	defer release()
	releaseUser, err := s.limiter.EnterUser(rc.user.Name)
	if err != nil {
		return err
	}
	defer releaseUser()
	rc.admitted = true
	bucket, key, err := s.addressOf(rc.r)
	if err != nil {
		return err
	}
	rc.bucket, rc.key = bucket, key
	if err := s.applyCORS(rc); err != nil {
		return err
	}
	return s.route(rc)
}

// userLookup is what a request's verifier found: the user of the access
// key it was given, that key, and a lookup failure other than "no such
// user".
type userLookup struct {
	user User
	akid string
	err  error
}

// verifierFor is a copy of the door's verifier whose Lookup records into
// l (a copy per request, so that it captures that request's user).
func (s *server) verifierFor(l *userLookup) sigv4.Verifier {
	v := s.verifier
	v.Lookup = func(akid string) ([]byte, bool) {
		l.akid = akid
		u, err := s.users.ByAccessKey(akid)
		if err != nil {
			if !errors.Is(err, gateway.ErrNoSuchUser) {
				l.err = err
			}
			return nil, false
		}
		l.user = u
		return u.Secret, true
	}
	return v
}

// authenticate verifies the signature and finds the user.
func (s *server) authenticate(rc *reqCtx) error {
	var l userLookup
	v := s.verifierFor(&l)
	auth, err := v.Verify(rc.r)
	if l.err != nil {
		return fmt.Errorf("s3api: user lookup: %w", l.err)
	}
	if err != nil {
		if badCredentials(err) {
			s.fails.Wait(rc.r.Context(), clientHost(rc.r))
		}
		return err
	}
	if l.user.NS == nil {
		return errCode("AccessDenied")
	}
	rc.user, rc.auth = l.user, auth
	return nil
}

func (rc *reqCtx) logErr(err error) {
	rc.srv.log.Error().Str("request_id", rc.id).Str("user", rc.user.Name).
		Str("op", rc.op).Err(err).Msg("s3 request failed")
}

func (s *server) logAccess(rc *reqCtx, rec *recorder, start time.Time) {
	status := rec.status
	switch {
	case rc.lateStatus != 0:
		status = rc.lateStatus
	case status == 0:
		status = http.StatusOK
	}
	ev := s.log.Info().Str("request_id", rc.id).Str("user", rc.user.Name).
		Str("op", rc.op).Str("method", rc.r.Method).Str("bucket", rc.bucket).
		Int("status", status).Str("error", rc.code).Int64("bytes", rec.bytes).
		Dur("duration", s.now().Sub(start))
	if s.log.GetLevel() <= zerolog.DebugLevel {
		ev = ev.Str("key", rc.key).Str("url", sigv4.Redact(rc.r.URL))
	}
	ev.Msg("s3")
	if s.observe != nil {
		s.observe(gateway.RequestRecord{Door: "s3", Op: rc.op, Status: status, BytesIn: max(rc.r.ContentLength, 0),
			BytesOut: rec.bytes, Duration: s.now().Sub(start)})
	}
}

// recorder remembers the status and counts body bytes; onHeader, if set,
// runs just before the header is written.
type recorder struct {
	http.ResponseWriter
	status   int
	bytes    int64
	onHeader func(status int)
}

func (w *recorder) WriteHeader(code int) {
	if w.status != 0 {
		return
	}
	w.status = code
	if w.onHeader != nil {
		w.onHeader(code)
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *recorder) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.WriteHeader(http.StatusOK)
	}
	n, err := w.ResponseWriter.Write(p)
	w.bytes += int64(n)
	return n, err
}

// Flush lets streaming handlers push bytes.
func (w *recorder) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap supports http.ResponseController.
func (w *recorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// badCredentials reports whether an authentication error means wrong
// credentials (paced per address), rather than a clock or format problem.
func badCredentials(err error) bool {
	return errors.Is(err, sigv4.ErrSignatureDoesNotMatch) || errors.Is(err, sigv4.ErrInvalidAccessKeyID)
}

// clientHost is the client's address without its port.
func clientHost(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
