package webapp

import (
	"net/http"
	"time"
)

// usageJSON is GET /api/usage's answer: the account's storage quota (0:
// none) and the bytes in use, its quota of objects (0: none) and the
// objects stored, as this gateway knows them (gateway/quota.go).
type usageJSON struct {
	Limit       int64      `json:"limit"`
	Used        int64      `json:"used"`
	ObjectLimit int64      `json:"object_limit"`
	Objects     int64      `json:"objects"`
	Reconciled  *time.Time `json:"reconciled,omitempty"`
}

// usage serves GET /api/usage. The page checks the files' sizes and
// number against it before an upload starts; the gateway refuses a write
// over the quota anyway (507, errors.go).
func usage(w http.ResponseWriter, r *http.Request, s *session) error {
	u, err := s.user.NS.Usage(r.Context())
	if err != nil {
		return err
	}
	out := usageJSON{Limit: u.Limit, Used: u.Bytes, ObjectLimit: u.ObjectLimit, Objects: u.Objects}
	if !u.Reconciled.IsZero() {
		out.Reconciled = &u.Reconciled
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
