package davapi

import (
	"errors"
	"net"
	"net/http"

	"github.com/sealgate/sealgate/gateway"
)

// authenticate checks Basic credentials; on failure it has answered 401.
func (s *server) authenticate(w http.ResponseWriter, r *http.Request) (User, bool) {
	name, pw, ok := r.BasicAuth()
	if ok {
		u, err := s.cfg.Logins.Login(name, []byte(pw))
		if err == nil {
			return u, true
		}
		if errors.Is(err, gateway.ErrSlowDown) {
			slowDown(w)
			return User{}, false
		}
		if !errors.Is(err, gateway.ErrAccessDenied) {
			s.cfg.Logger.Warn().Err(err).Msg("webdav login failed")
		}
		s.slowDown(r)
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="sealgate", charset="UTF-8"`)
	http.Error(w, "authentication required", http.StatusUnauthorized)
	return User{}, false
}

// slowDown records a failure of the client's address and waits its delay.
func (s *server) slowDown(r *http.Request) {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	s.fails.Wait(r.Context(), host)
}
