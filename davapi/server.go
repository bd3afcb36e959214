package davapi

import (
	"errors"
	"net/http"
	"time"

	"github.com/rs/zerolog"
	"golang.org/x/net/webdav"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/reqid"
)

// Logins checks WebDAV credentials: the account name and account password.
// Wrong credentials are gateway.ErrAccessDenied; gateway.ErrSlowDown (no
// password check free) answers 503; any other error is logged and answers
// 401 as well.
type Logins interface {
	Login(name string, password []byte) (User, error)
}

// User is an authenticated account and its namespace.
type User struct {
	Name string
	NS   gateway.Namespace
}

// Config configures the WebDAV door.
type Config struct {
	Logins         Logins
	Logger         zerolog.Logger
	MaxLockTimeout time.Duration // default 1h; longer and infinite locks are capped
	// Now is the clock of lock expiry and the access log (default
	// time.Now).
	Now func() time.Time
	// Limiter bounds the requests in flight (nil: no bound); over it the
	// door answers 503 with Retry-After.
	Limiter *gateway.Limiter
	// Observe, if set, receives a record of every finished request.
	Observe gateway.Observer
}

// errNoLogins: Config.Logins is required.
var errNoLogins = errors.New("davapi: Config.Logins is nil")

// server is the WebDAV door.
type server struct {
	cfg   Config
	fs    *davFS
	fails *gateway.AuthThrottle
}

// New returns the WebDAV handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Logins == nil {
		return nil, errNoLogins
	}
	if cfg.MaxLockTimeout <= 0 {
		cfg.MaxLockTimeout = time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &server{cfg: cfg, fs: &davFS{}, fails: gateway.NewAuthThrottle(cfg.Now)}, nil
}

func (s *server) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	start := s.cfg.Now()
	st := newState(r)
	w := &statusWriter{ResponseWriter: rw, st: st}
	user, rid := "", reqid.Of(r)
	w.Header().Set("X-Request-Id", rid)
	defer func() { s.logAccess(r, w, rid, user, start) }()

	if r.Method == http.MethodOptions {
		writeOptions(w)
		return
	}
	if err := checkPath(r.URL); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	// Authenticate before taking a slot: a failed login may be slowed down
	// (and Argon2id is bounded by its own slots), and must not hold a slot
	// of the legitimate users while it waits.
	u, ok := s.authenticate(w, r)
	if !ok {
		return
	}
	release, err := s.cfg.Limiter.Enter()
	if err != nil {
		slowDown(w)
		return
	}
	defer release()
	releaseUser, err := s.cfg.Limiter.EnterUser(u.Name)
	if err != nil {
		slowDown(w)
		return
	}
	defer releaseUser()
	user, st.ns = u.Name, u.NS
	s.serveUser(w, st.bind(r), st, u.Name, rid)
}

// serveUser serves an authenticated request with x/net's handler over the
// shared file system and a lock system of its own (locks.go): both reach
// the user's namespace through the request state, so nothing is kept per
// user between requests.
func (s *server) serveUser(w *statusWriter, r *http.Request, st *reqState, user, rid string) {
	ls := newLockSystem(r.Context(), st, s.cfg.MaxLockTimeout, s.cfg.Now)
	if status, msg := s.precheck(r, ls); status != 0 {
		writeMessage(w, status, msg)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		s.setContentType(w, r)
	}
	h := &webdav.Handler{FileSystem: s.fs, LockSystem: ls, Logger: func(r *http.Request, err error) {
		if err != nil {
			s.cfg.Logger.Debug().Str("user", user).Str("method", r.Method).Err(err).Msg("webdav")
		}
	}}
	h.ServeHTTP(w, r)
	s.settle(w, r, rid, user)
}

// slowDown answers a request over the in-flight limits.
func slowDown(w http.ResponseWriter) {
	w.Header().Set("Retry-After", "1")
	http.Error(w, "sealgate: too many requests in flight, retry later", http.StatusServiceUnavailable)
}

// writeOptions answers OPTIONS on any path, before authentication (the
// Windows redirector probes "/" first).
func writeOptions(w http.ResponseWriter) {
	h := w.Header()
	h.Set("DAV", "1, 2")
	h.Set("MS-Author-Via", "DAV")
	h.Set("Allow", "OPTIONS, GET, HEAD, PUT, DELETE, MKCOL, COPY, MOVE, LOCK, UNLOCK, PROPFIND, PROPPATCH")
	h.Set("Content-Length", "0")
	w.WriteHeader(http.StatusOK)
}

func writeMessage(w http.ResponseWriter, status int, msg string) {
	if len(msg) > 0 && msg[0] == '<' {
		w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	} else {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		msg += "\n"
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(msg))
}

// setContentType gives GET/HEAD the stored content type, so that
// http.ServeContent neither guesses nor sniffs the body.
func (s *server) setContentType(w http.ResponseWriter, r *http.Request) {
	fi, err := s.fs.stat(r.Context(), r.URL.Path)
	if err != nil || fi.dir {
		return
	}
	if ct, err := fi.ContentType(r.Context()); err == nil {
		w.Header().Set("Content-Type", ct)
	}
}
