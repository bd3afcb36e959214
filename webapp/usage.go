package webapp

import (
	"net/http"
	"time"
)

// usageJSON is GET /api/usage's answer: the account's storage quota (0:
// none) and the bytes in use, as this gateway knows them (gateway/quota.go).
type usageJSON struct {
	Limit      int64      `json:"limit"`
	Used       int64      `json:"used"`
	Reconciled *time.Time `json:"reconciled,omitempty"`
}

// usage serves GET /api/usage. The page checks a file's size against it
// before an upload starts; the gateway refuses a write over the quota
// anyway (507, errors.go).
func usage(w http.ResponseWriter, r *http.Request, s *session) error {
	u, err := s.user.NS.Usage(r.Context())
	if err != nil {
		return err
	}
	out := usageJSON{Limit: u.Limit, Used: u.Bytes}
	if !u.Reconciled.IsZero() {
		out.Reconciled = &u.Reconciled
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
