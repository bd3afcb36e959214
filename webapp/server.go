package webapp

import (
	"errors"
	"net/http"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/reqid"
)

// Logins finds accounts for the web app. Login checks the account name and
// account password, as the WebDAV door's Logins does: wrong credentials are
// gateway.ErrAccessDenied, gateway.ErrSlowDown (no password check free)
// answers 503, any other error is logged and answers 401 as well. Lookup
// returns an active account by name without a password, for a request
// that carries a session: gateway.ErrNoSuchUser or gateway.ErrAccessDenied
// (disabled) end the session.
type Logins interface {
	Login(name string, password []byte) (User, error)
	Lookup(name string) (User, error)
}

// User is an account, its namespace and its session key.
type User struct {
	Name string
	NS   gateway.Namespace
	// SessionKey signs the account's session tokens and CSRF tokens. It
	// must be the same on every gateway of a deployment, secret, and
	// change when the account's password changes (which ends every
	// session of the account).
	SessionKey SessionKey
}

// SessionKey is a secret key; it never prints.
type SessionKey [32]byte

// String returns "[REDACTED]".
func (SessionKey) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (SessionKey) GoString() string { return "[REDACTED]" }

// Config configures the web app door.
type Config struct {
	Logins Logins
	Logger zerolog.Logger
	// SessionLifetime is how long a sign-in lasts (default 12h).
	SessionLifetime time.Duration
	// RecheckAfter is how long a gateway trusts the revocations it read
	// for an account (default 2s): a sign-out through another gateway
	// takes effect here within it.
	RecheckAfter time.Duration
	// SecureCookie gives the session cookie the Secure attribute also
	// when the door itself serves plain HTTP: for TLS ended by a proxy in
	// front of it (which must pass the Host header on).
	SecureCookie bool
	// Now is the clock of sessions and the access log (default time.Now).
	Now func() time.Time
	// Limiter bounds the requests in flight (nil: no bound); over it the
	// door answers 503 with Retry-After.
	Limiter *gateway.Limiter
	// Observe, if set, receives a record of every finished request.
	Observe gateway.Observer
	// Shares configures share links (share.go).
	Shares ShareConfig
	// Security, if set, adds the account page and the sign-in code step
	// (account.go).
	Security Security
}

var errNoLogins = errors.New("webapp: Config.Logins is nil")

// server is the web app door.
type server struct {
	cfg   Config
	fails *gateway.AuthThrottle
	revs  *revocations
}

// handlerFunc serves a request of a signed-in user. An error it returns
// before writing anything is answered from the error table.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session) error

// New returns the web app handler.
func New(cfg Config) (http.Handler, error) {
	if cfg.Logins == nil {
		return nil, errNoLogins
	}
	if cfg.SessionLifetime <= 0 {
		cfg.SessionLifetime = 12 * time.Hour
	}
	if cfg.RecheckAfter <= 0 {
		cfg.RecheckAfter = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &server{cfg: cfg, fails: gateway.NewAuthThrottle(cfg.Now), revs: newRevocations(cfg.RecheckAfter, cfg.Now)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.public("page", servePage))
	mux.HandleFunc("GET /assets/{name}", s.public("asset", serveAsset))
	mux.HandleFunc("POST /api/login", s.public("login", s.login))
	s.route(mux, "GET /api/session", "session", s.sessionInfo)
	s.route(mux, "POST /api/logout", "logout", s.logout)
	s.route(mux, "GET /api/buckets", "list-buckets", listBuckets)
	s.route(mux, "POST /api/buckets", "create-bucket", createBucket)
	s.route(mux, "DELETE /api/buckets", "delete-bucket", deleteBucket)
	s.route(mux, "GET /api/list", "list", listFolder)
	s.route(mux, "POST /api/folder", "create-folder", createFolder)
	s.route(mux, "DELETE /api/folder", "delete-folder", deleteFolder)
	s.route(mux, "PUT /api/object", "upload", upload)
	s.route(mux, "GET /api/object", "download", s.download)
	s.route(mux, "DELETE /api/object", "delete", deleteObject)
	s.route(mux, "POST /api/rename", "rename", rename)
	s.routeMultipart(mux)
	s.route(mux, "GET /api/preview", "preview", s.preview)
	s.route(mux, "GET /api/usage", "usage", usage)
	s.routeShares(mux)
	s.routeAccount(mux)
	return s.top(mux), nil
}

// top wraps every request: the security headers, the request id and the
// access log.
func (s *server) top(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		start := s.cfg.Now()
		w := &statusWriter{ResponseWriter: rw, op: "other"}
		rid := reqid.Of(r)
		setSecurityHeaders(w.Header())
		w.Header().Set("X-Request-Id", rid)
		defer func() { s.logAccess(r, w, rid, start) }()
		next.ServeHTTP(w, r)
	})
}

// public serves a route that needs no session; a state-changing one must
// still come from this origin.
func (s *server) public(op string, h func(http.ResponseWriter, *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		setOp(w, op)
		if unsafeMethod(r.Method) {
			if err := checkOrigin(r); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	}
}

// route registers a route of a signed-in user: the origin check and the
// session, then the CSRF token of a state-changing request, then a slot
// of the in-flight limits.
func (s *server) route(mux *http.ServeMux, pattern, op string, h handlerFunc) {
	mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		setOp(w, op)
		if err := s.serveUser(w, r, h); err != nil {
			s.fail(w, r, err)
		}
	})
}

func (s *server) serveUser(w http.ResponseWriter, r *http.Request, h handlerFunc) error {
	unsafe := unsafeMethod(r.Method)
	if unsafe {
		if err := checkOrigin(r); err != nil {
			return err
		}
	}
	sess, err := s.authenticate(r)
	if err != nil {
		return err
	}
	setUser(w, sess.user.Name)
	if unsafe && !sess.checkCSRF(r.Header.Get(csrfHeader)) {
		return errBadCSRF
	}
	release, err := s.cfg.Limiter.Enter()
	if err != nil {
		return gateway.ErrSlowDown
	}
	defer release()
	releaseUser, err := s.cfg.Limiter.EnterUser(sess.user.Name)
	if err != nil {
		return gateway.ErrSlowDown
	}
	defer releaseUser()
	return h(w, r, sess)
}

// fail answers err from the error table, as JSON; a request without a
// valid session also has its cookie cleared. A failed upload has the rest
// of its body read (bounded), so that the browser still sending gets the
// answer.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status >= 500 {
		s.cfg.Logger.Warn().Str("request_id", w.Header().Get("X-Request-Id")).Err(err).Msg("web request failed")
	}
	if errors.Is(err, errNoSession) {
		s.clearCookie(w, r)
	}
	if status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", "1")
	}
	drainBody(r)
	writeJSON(w, status, map[string]string{"error": msg})
}
