package webapp

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// ShareConfig configures share links; with Links nil there are none (the
// routes answer 404).
type ShareConfig struct {
	Links *gateway.ShareLinks
	// DefaultExpiry is a new link's lifetime when the user names none
	// (default 7 days); MaxExpiry the longest allowed (default 90 days).
	DefaultExpiry, MaxExpiry time.Duration
}

// Defaults of ShareConfig.
const (
	defaultShareExpiry = 7 * 24 * time.Hour
	defaultShareMax    = 90 * 24 * time.Hour
)

// shares is the configuration with its defaults.
func (s *server) shares() ShareConfig {
	c := s.cfg.Shares
	if c.DefaultExpiry <= 0 {
		c.DefaultExpiry = defaultShareExpiry
	}
	if c.MaxExpiry <= 0 {
		c.MaxExpiry = defaultShareMax
	}
	c.DefaultExpiry = min(c.DefaultExpiry, c.MaxExpiry)
	return c
}

// routeShares registers the share-link routes: the owner's API and the
// public pages (share_public.go).
func (s *server) routeShares(mux *http.ServeMux) {
	s.route(mux, "POST /api/shares", "share-create", s.createShare)
	s.route(mux, "GET /api/shares", "share-list", s.listShares)
	s.route(mux, "DELETE /api/shares", "share-revoke", s.revokeShare)
	s.route(mux, "PATCH /api/shares", "share-edit", s.editShare)
	s.routePublicShares(mux)
}

// shareRequest is the body of POST /api/shares. ExpiresIn is in seconds
// (0: the default); Limit 0 means no limit.
type shareRequest struct {
	Bucket    string `json:"bucket"`
	Key       string `json:"key"`
	ExpiresIn int64  `json:"expires_in"`
	Password  string `json:"password"`
	Limit     int64  `json:"limit"`
}

// shareJSON is a link in "my links" (and the answer to its creation).
type shareJSON struct {
	Handle   string    `json:"handle"`
	Bucket   string    `json:"bucket"`
	Key      string    `json:"key"`
	Folder   bool      `json:"folder"`
	Created  time.Time `json:"created"`
	Expires  time.Time `json:"expires"`
	Expired  bool      `json:"expired"`
	Limit    int64     `json:"limit"`
	Uses     int64     `json:"uses"`
	Password bool      `json:"password"`
	// URL is the link's path, only in the answer to its creation (the id
	// is stored nowhere: it cannot be shown again).
	URL string `json:"url,omitempty"`
}

func shareOf(e gateway.ShareEntry, now time.Time) shareJSON {
	l := e.Link
	return shareJSON{Handle: e.Handle, Bucket: l.Bucket, Key: l.Key, Folder: l.Folder(), Created: l.Created,
		Expires: l.Expires, Expired: !now.Before(l.Expires), Limit: l.Limit, Uses: l.Uses, Password: l.Password != nil}
}

// createShare makes a link: POST /api/shares. The answer holds its URL,
// shown once.
func (s *server) createShare(w http.ResponseWriter, r *http.Request, sess *session) error {
	cfg := s.shares()
	if cfg.Links == nil {
		return errNotFound
	}
	var in shareRequest
	if err := decodeJSON(r, maxSmallBody, &in); err != nil {
		return err
	}
	life, err := shareLifetime(in, cfg)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	spec := gateway.ShareSpec{Bucket: in.Bucket, Key: in.Key, Expires: now.Add(life), Limit: in.Limit}
	if in.Password != "" {
		spec.Password = []byte(in.Password)
		defer clear(spec.Password)
	}
	id, err := cfg.Links.Create(r.Context(), sess.user.NS, spec)
	if err != nil {
		return err
	}
	out := shareJSON{Bucket: in.Bucket, Key: in.Key, Folder: in.Key == "" || in.Key[len(in.Key)-1] == '/',
		Created: now.UTC(), Expires: spec.Expires.UTC(), Limit: in.Limit, Password: in.Password != "",
		URL: "/s/" + id.Encode()}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// shareLifetime checks a request's bucket, limit, password and expiry
// and returns the link's lifetime.
func shareLifetime(in shareRequest, cfg ShareConfig) (time.Duration, error) {
	switch {
	case in.Bucket == "":
		return 0, badRequest("bucket is required")
	case in.Limit < 0 || in.Limit > gateway.MaxShareLimit:
		return 0, badRequest("the download limit must be between 0 (none) and 1000000")
	case len(in.Password) > 1024:
		return 0, badRequest("the password is too long")
	case in.ExpiresIn < 0:
		return 0, badRequest("the expiry must be positive")
	case in.ExpiresIn == 0:
		return cfg.DefaultExpiry, nil
	case in.ExpiresIn > int64(cfg.MaxExpiry/time.Second):
		return 0, badRequest("the expiry is longer than this server allows (" + cfg.MaxExpiry.String() + ")")
	}
	return time.Duration(in.ExpiresIn) * time.Second, nil
}

// listShares answers the user's links with their use counts: GET
// /api/shares.
func (s *server) listShares(w http.ResponseWriter, r *http.Request, sess *session) error {
	cfg := s.shares()
	if cfg.Links == nil {
		return errNotFound
	}
	entries, err := cfg.Links.List(r.Context(), sess.user.NS)
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	out := make([]shareJSON, 0, len(entries))
	for _, e := range entries {
		out = append(out, shareOf(e, now))
	}
	writeJSON(w, http.StatusOK, map[string]any{"links": out})
	return nil
}

// revokeShare ends one of the user's links: DELETE /api/shares?handle=.
func (s *server) revokeShare(w http.ResponseWriter, r *http.Request, sess *session) error {
	cfg := s.shares()
	if cfg.Links == nil {
		return errNotFound
	}
	err := cfg.Links.Revoke(r.Context(), sess.user.NS, r.URL.Query().Get("handle"))
	if errors.Is(err, gateway.ErrNoSuchShare) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// shareEditRequest is the body of PATCH /api/shares?handle=: an absent
// field keeps what the link has. ExpiresIn (seconds from now) sets a new
// expiry; Limit a new download limit (0: none); Password a new password,
// "" removing it.
type shareEditRequest struct {
	ExpiresIn *int64  `json:"expires_in"`
	Limit     *int64  `json:"limit"`
	Password  *string `json:"password"`
}

// editShare changes one of the user's links, keeping its address and use
// count: PATCH /api/shares?handle=. It answers the link as changed.
func (s *server) editShare(w http.ResponseWriter, r *http.Request, sess *session) error {
	cfg := s.shares()
	if cfg.Links == nil {
		return errNotFound
	}
	var in shareEditRequest
	if err := decodeJSON(r, maxSmallBody, &in); err != nil {
		return err
	}
	edit, err := shareEditOf(in, cfg, s.cfg.Now())
	if err != nil {
		return err
	}
	if edit.Password != nil {
		defer clear(*edit.Password)
	}
	handle := r.URL.Query().Get("handle")
	l, err := cfg.Links.Update(r.Context(), sess.user.NS, handle, edit)
	switch {
	case errors.Is(err, gateway.ErrNoSuchShare):
		return errNotFound
	case errors.Is(err, gateway.ErrInvalidArgument): // the limit below the downloads made
		return badRequest(strings.TrimPrefix(err.Error(), gateway.ErrInvalidArgument.Error()+": "))
	case err != nil:
		return err
	}
	writeJSON(w, http.StatusOK, shareOf(gateway.ShareEntry{Handle: handle, Link: l}, s.cfg.Now()))
	return nil
}

// shareEditOf checks an edit request against the configuration.
func shareEditOf(in shareEditRequest, cfg ShareConfig, now time.Time) (gateway.ShareEdit, error) {
	var e gateway.ShareEdit
	if in.ExpiresIn != nil {
		switch {
		case *in.ExpiresIn <= 0:
			return e, badRequest("the expiry must be positive")
		case *in.ExpiresIn > int64(cfg.MaxExpiry/time.Second):
			return e, badRequest("the expiry is longer than this server allows (" + cfg.MaxExpiry.String() + ")")
		}
		exp := now.Add(time.Duration(*in.ExpiresIn) * time.Second)
		e.Expires = &exp
	}
	if in.Limit != nil {
		if *in.Limit < 0 || *in.Limit > gateway.MaxShareLimit {
			return e, badRequest("the download limit must be between 0 (none) and 1000000")
		}
		e.Limit = in.Limit
	}
	if in.Password != nil {
		if len(*in.Password) > 1024 {
			return e, badRequest("the password is too long")
		}
		pw := []byte(*in.Password)
		e.Password = &pw
	}
	return e, nil
}
