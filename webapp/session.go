package webapp

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// cookieName is the session cookie.
const cookieName = "sg_session"

// maxLoginBody bounds a sign-in request.
const maxLoginBody = 8 << 10

// session is a signed-in request: the account and its verified token.
type session struct {
	user User
	tok  token
}

func (s *session) checkCSRF(got string) bool { return checkCSRF(s.user.SessionKey, s.tok.ID, got) }

// sessionJSON is what the page learns about its session.
type sessionJSON struct {
	User    string    `json:"user"`
	CSRF    string    `json:"csrf"`
	Expires time.Time `json:"expires"`
}

func (s *session) info() sessionJSON {
	return sessionJSON{User: s.user.Name, CSRF: csrfToken(s.user.SessionKey, s.tok.ID), Expires: s.tok.Expires}
}

// authenticate finds the request's session: a cookie whose token is well
// formed, not expired, sealed under its account's current key, and not
// revoked. A forged token counts as a failed sign-in of the client's
// address. Any of these failing is errNoSession (401); the revocation
// record failing to read is that error.
func (s *server) authenticate(r *http.Request) (*session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, errNoSession
	}
	p, err := parseToken(c.Value)
	if err != nil || !s.cfg.Now().Before(p.Expires) {
		return nil, errNoSession
	}
	u, err := s.cfg.Logins.Lookup(p.Name)
	if errors.Is(err, gateway.ErrNoSuchUser) || errors.Is(err, gateway.ErrAccessDenied) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, err
	}
	if !p.verify(u.SessionKey) {
		s.fails.Wait(r.Context(), clientAddr(r))
		return nil, errNoSession
	}
	ended, err := s.revs.ended(r.Context(), u, p.token)
	if err != nil {
		return nil, err
	}
	if ended {
		return nil, errNoSession
	}
	return &session{user: u, tok: p.token}, nil
}

// loginRequest is the body of POST /api/login.
type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Code     string `json:"code,omitempty"` // with two-factor sign-in on
}

// login checks the account name and password, and the code when the
// account has two-factor sign-in, and starts a session. A failure is
// slowed per client address, as the WebDAV door's are. A right password
// without a needed code answers 401 {"code_required": true}.
func (s *server) login(w http.ResponseWriter, r *http.Request) error {
	var in loginRequest
	if err := decodeJSON(r, maxLoginBody, &in); err != nil {
		return err
	}
	if in.Name == "" || in.Password == "" {
		return badRequest("account name and password are required")
	}
	pw := []byte(in.Password)
	u, err := s.cfg.Logins.Login(in.Name, pw)
	clear(pw)
	if errors.Is(err, gateway.ErrSlowDown) {
		return err
	}
	if err != nil {
		if !errors.Is(err, gateway.ErrAccessDenied) {
			s.cfg.Logger.Warn().Err(err).Msg("web login failed")
		}
		s.fails.Wait(r.Context(), clientAddr(r))
		return errWrongLogin
	}
	if err := s.secondFactor(r, u.Name, in.Code); err != nil {
		return codeAnswer(w, err)
	}
	sess := s.newSession(u)
	http.SetCookie(w, sessionCookie(sess.tok.seal(u.SessionKey), sess.tok.Expires, s.secure(r)))
	setUser(w, u.Name)
	writeJSON(w, http.StatusOK, sess.info())
	return nil
}

func (s *server) newSession(u User) *session {
	now := s.cfg.Now()
	t := token{Issued: now, Expires: now.Add(s.cfg.SessionLifetime), Name: u.Name}
	_, _ = rand.Read(t.ID[:])
	return &session{user: u, tok: t}
}

// sessionInfo tells the page who is signed in and its CSRF token.
func (s *server) sessionInfo(w http.ResponseWriter, _ *http.Request, sess *session) error {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, sess.info())
	return nil
}

// logout ends the session on every gateway (it is revoked in the
// account's shared record) and clears the cookie; with ?everywhere=1 it
// ends every session of the account issued until now.
func (s *server) logout(w http.ResponseWriter, r *http.Request, sess *session) error {
	everywhere := r.URL.Query().Get("everywhere") == "1"
	err := s.revs.revoke(r.Context(), sess.user, func(rec *revocation) {
		if everywhere {
			rec.endAll(s.cfg.Now())
			return
		}
		rec.add(sess.tok, s.cfg.Now())
	})
	if err != nil {
		return err
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func sessionCookie(value string, expires time.Time, secure bool) *http.Cookie {
	return &http.Cookie{Name: cookieName, Value: value, Path: "/", Expires: expires, HttpOnly: true,
		Secure: secure, SameSite: http.SameSiteStrictMode}
}

// secure reports whether the cookie gets the Secure attribute: when the
// door serves TLS, or always with Config.SecureCookie (TLS ended by a
// proxy in front of the door).
func (s *server) secure(r *http.Request) bool { return r.TLS != nil || s.cfg.SecureCookie }

// clearCookie tells the browser to forget the session cookie.
func (s *server) clearCookie(w http.ResponseWriter, r *http.Request) {
	c := sessionCookie("", time.Unix(0, 0), s.secure(r))
	c.MaxAge = -1
	http.SetCookie(w, c)
}

// clientAddr is the client's IP address, the key of the sign-in throttle.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// decodeJSON reads a JSON body of at most limit bytes into v; anything
// else is a 400 with a message.
func decodeJSON(r *http.Request, limit int64, v any) error {
	dec := json.NewDecoder(io.LimitReader(r.Body, limit+1))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badRequest("the request body is not the expected JSON (or is too long)")
	}
	if dec.More() {
		return badRequest("the request body holds more than one JSON value")
	}
	return nil
}

// writeJSON answers v as JSON, never cached.
func writeJSON(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	if h.Get("Cache-Control") == "" {
		h.Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
