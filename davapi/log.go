package davapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
)

// logAccess writes the one access line of a request: no credentials, and
// the path only at debug level. A server error (5xx) is a warning with its
// cause: the gateway's error, which names upstream (encrypted) keys, never
// a plaintext name or a secret.
func (s *server) logAccess(r *http.Request, w *statusWriter, rid, user string, start time.Time) {
	status := w.status
	switch {
	case w.logStatus != 0:
		status = w.logStatus
	case status == 0:
		status = http.StatusOK
	}
	ev := s.cfg.Logger.Info()
	if status >= 500 {
		ev = s.cfg.Logger.Warn()
		if err := w.st.recorded(); err != nil {
			ev = ev.Err(err)
		}
	}
	dur := s.cfg.Now().Sub(start)
	ev = ev.Str("request_id", rid).Str("user", user).Str("op", r.Method).Str("bucket", bucketOf(r.URL.Path)).
		Int("status", status).Int64("bytes", w.bytes).Dur("duration", dur)
	if s.cfg.Logger.GetLevel() <= zerolog.DebugLevel {
		ev = ev.Str("path", r.URL.Path)
	}
	ev.Msg("webdav")
	if s.cfg.Observe != nil {
		s.cfg.Observe(gateway.RequestRecord{Door: "webdav", Op: methodLabel(r.Method), Status: status,
			BytesIn: max(r.ContentLength, 0), BytesOut: w.bytes, Duration: dur})
	}
}

// bucketOf is the first segment of a path: the bucket (user data, but as
// S3's access log shows it).
func bucketOf(p string) string {
	b, _, _ := strings.Cut(strings.TrimPrefix(p, "/"), "/")
	return b
}

// methodLabel is the method as a metrics label: a fixed set, so a client
// inventing methods cannot create unbounded metric series.
func methodLabel(m string) string {
	switch m {
	case "OPTIONS", "GET", "HEAD", "PUT", "DELETE", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "PROPFIND", "PROPPATCH", "POST":
		return m
	}
	return "OTHER"
}
