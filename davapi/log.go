package davapi

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/rs/zerolog"
)

// requestID is the client's X-Request-Id when sane, else a random id.
func requestID(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= 64 {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// logAccess writes the one access line of a request: no credentials, and
// the path only at debug level.
func (s *server) logAccess(r *http.Request, w *statusWriter, rid, user string, start time.Time) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	ev := s.cfg.Logger.Info()
	if status >= 500 {
		ev = s.cfg.Logger.Warn()
	}
	ev = ev.Str("door", "webdav").Str("rid", rid).Str("user", user).
		Str("method", r.Method).Int("status", status).Int64("bytes", w.bytes).
		Dur("dur", s.cfg.Now().Sub(start))
	if s.cfg.Logger.GetLevel() <= zerolog.DebugLevel {
		ev = ev.Str("path", r.URL.Path)
	}
	ev.Msg("access")
}
