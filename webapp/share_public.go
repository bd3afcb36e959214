package webapp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// The public side of share links: pages and downloads for people
// without an account, found by the link's id alone. Every route logs the
// operation "share" and nothing of the id (the access log never has the
// path). A link that does not exist, expired, was revoked or used up,
// whose owner is gone or whose file changed answers 404 with one body
// for all, each such answer slowed per client address (AuthThrottle) so
// that ids cannot be guessed at speed.

// linkCookie holds a password-protected link's unlock token, scoped to
// the link's path; unlockLifetime is how long it lasts.
const (
	linkCookie     = "sg_link"
	unlockLifetime = time.Hour
)

// errNoLink is every refused link: 404, "not found".
var errNoLink = fmt.Errorf("%w: share link", errNotFound)

func (s *server) routePublicShares(mux *http.ServeMux) {
	mux.HandleFunc("GET /s/{id}", s.public("share", servePublicShare))
	mux.HandleFunc("GET /s/{id}/info", s.public("share", s.limited(s.shareInfo)))
	mux.HandleFunc("POST /s/{id}/unlock", s.public("share", s.limited(s.unlockShare)))
	mux.HandleFunc("GET /s/{id}/files", s.public("share", s.limited(s.shareFiles)))
	mux.HandleFunc("GET /s/{id}/download", s.public("share", s.limited(s.shareDownload)))
}

// limited serves a public request in a slot of the door's in-flight
// limit (Config.Limiter; 503 over it). A refused link or a wrong link
// password is then slowed per client address, out of the slot (a guesser
// waits without holding one).
func (s *server) limited(h func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		release, err := s.cfg.Limiter.Enter()
		if err != nil {
			return gateway.ErrSlowDown
		}
		err = h(w, r)
		release()
		if errors.Is(err, errNoLink) || errors.Is(err, errWrongLinkPassword) {
			s.fails.Wait(r.Context(), clientAddr(r))
		}
		return err
	}
}

// servePublicShare serves the link's page; what it shows comes from
// /info, so the page itself says nothing about the link.
func servePublicShare(w http.ResponseWriter, r *http.Request) error {
	return writeAsset(w, r, "share.html")
}

// openShare finds the request's link; with unlocked, a password-protected
// link also needs the request's unlock cookie (else errLocked).
func (s *server) openShare(r *http.Request, unlocked bool) (*gateway.Share, error) {
	links := s.cfg.Shares.Links
	if links == nil {
		return nil, errNotFound
	}
	id, err := gateway.ParseShareID(r.PathValue("id"))
	var sh *gateway.Share
	if err == nil {
		sh, err = links.Open(r.Context(), id)
	}
	if errors.Is(err, gateway.ErrNoSuchShare) {
		return nil, errNoLink
	}
	if err != nil {
		return nil, err
	}
	if unlocked && sh.Link.Password != nil && !s.unlocked(r, sh) {
		return nil, errLocked
	}
	return sh, nil
}

// errLocked: a password-protected link without its unlock cookie (401).
var errLocked = errors.New("this link needs its password")

// errWrongLinkPassword: a wrong link password (401 as errLocked, slowed).
var errWrongLinkPassword = fmt.Errorf("%w: wrong password", errLocked)

func (s *server) unlocked(r *http.Request, sh *gateway.Share) bool {
	c, err := r.Cookie(linkCookie)
	return err == nil && sh.CheckUnlock(c.Value, s.cfg.Now())
}

// linkInfoJSON is what the page learns of a link: only whether it needs
// a password until it is given.
type linkInfoJSON struct {
	Password bool       `json:"password"`
	Locked   bool       `json:"locked"`
	Name     string     `json:"name,omitempty"`
	Folder   bool       `json:"folder,omitempty"`
	Size     int64      `json:"size,omitempty"`
	Expires  *time.Time `json:"expires,omitempty"`
}

// shareInfo answers GET /s/{id}/info.
func (s *server) shareInfo(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r, false)
	if err != nil {
		return err
	}
	out := linkInfoJSON{Password: sh.Link.Password != nil}
	if out.Password && !s.unlocked(r, sh) {
		out.Locked = true
		writeJSON(w, http.StatusOK, out)
		return nil
	}
	exp := sh.Link.Expires
	out.Name, out.Folder, out.Expires = lastSegment(sh.Link.Key), sh.Link.Folder(), &exp
	if out.Name == "" {
		out.Name = sh.Link.Bucket
	}
	if !out.Folder {
		info, err := sh.NS.HeadObject(r.Context(), sh.Link.Bucket, sh.Link.Key, gateway.GetOptions{IfMatch: sh.Link.ETag})
		if err != nil {
			return linkErr(err)
		}
		out.Size = info.Size
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// linkErr answers a target that is gone or changed as a refused link.
func linkErr(err error) error {
	if errors.Is(err, gateway.ErrNoSuchShare) || errors.Is(err, gateway.ErrPreconditionFailed) ||
		errors.Is(err, gateway.ErrNoSuchKey) || errors.Is(err, gateway.ErrNoSuchBucket) {
		return errNoLink
	}
	return err
}

// unlockShare checks a link's password (POST /s/{id}/unlock,
// {"password": ...}) and sets the unlock cookie, scoped to the link's
// path. A wrong password is 401, slowed per client address.
func (s *server) unlockShare(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r, false)
	if err != nil {
		return err
	}
	var in struct {
		Password string `json:"password"`
	}
	if err := decodeJSON(r, maxLoginBody, &in); err != nil {
		return err
	}
	pw := []byte(in.Password)
	ok, err := s.cfg.Shares.Links.CheckPassword(r.Context(), sh, pw)
	clear(pw)
	if err != nil {
		return err
	}
	if !ok || sh.Link.Password == nil {
		return errWrongLinkPassword
	}
	exp := s.cfg.Now().Add(unlockLifetime)
	http.SetCookie(w, &http.Cookie{Name: linkCookie, Value: sh.UnlockToken(exp), Path: "/s/" + r.PathValue("id"),
		Expires: exp, HttpOnly: true, Secure: s.secure(r), SameSite: http.SameSiteStrictMode})
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// linkFileJSON is a file of a folder link.
type linkFileJSON struct {
	Path     string    `json:"path"` // below the folder
	Size     int64     `json:"size"`
	Modified time.Time `json:"modified"`
}

// linkFilesJSON is a page of a folder link's files.
type linkFilesJSON struct {
	Files []linkFileJSON `json:"files"`
	// Next is the path to ask the next page after (?after=), "" on the
	// last page; Truncated says there is one.
	Next      string `json:"next,omitempty"`
	Truncated bool   `json:"truncated"`
}

// shareFiles lists a page of a folder link's files, those after the path
// ?after= (from the first without it): GET /s/{id}/files.
func (s *server) shareFiles(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r, true)
	if err != nil {
		return err
	}
	files, next, err := sh.Files(r.Context(), r.URL.Query().Get("after"), gateway.MaxShareFiles)
	if err != nil {
		return linkErr(err)
	}
	out := linkFilesJSON{Files: make([]linkFileJSON, 0, len(files)), Next: next, Truncated: next != ""}
	for _, f := range files {
		out.Files = append(out.Files, linkFileJSON{Path: f.Key, Size: f.Size, Modified: f.LastModified})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// shareDownload streams the link's file, or one under its folder
// (?path=): GET /s/{id}/download, with one byte range if asked, always
// an attachment under the sandboxing CSP. Each GET counts one use of the
// link (a resumed download too), before any byte is sent; HEAD counts
// none.
func (s *server) shareDownload(w http.ResponseWriter, r *http.Request) error {
	sh, err := s.openShare(r, true)
	if err != nil {
		return err
	}
	var opts gateway.GetOptions
	if r.Header.Get("If-Range") == "" {
		opts.Range = parseRange(r.Header.Get("Range"))
	}
	obj, key, err := sh.Get(r.Context(), r.URL.Query().Get("path"), opts)
	if err != nil {
		return linkErr(rangeErr(w, obj, err))
	}
	defer func() { _ = obj.Body.Close() }()
	if r.Method != http.MethodHead {
		if err := s.countUse(w, r, sh); err != nil {
			return linkErr(err)
		}
	}
	s.sendDownload(w, r, obj, key, "private, no-store")
	return nil
}

// countUse counts a download of the link before it starts. A link with a
// limit is refused when the count cannot be taken; one without a limit
// is counted on a best-effort basis (its count is only for its owner).
func (s *server) countUse(w http.ResponseWriter, r *http.Request, sh *gateway.Share) error {
	limited := sh.Link.Limit > 0
	err := s.cfg.Shares.Links.Use(context.WithoutCancel(r.Context()), sh)
	if err != nil && !limited && !errors.Is(err, gateway.ErrNoSuchShare) {
		s.cfg.Logger.Warn().Str("request_id", w.Header().Get("X-Request-Id")).Err(err).Msg("share link use not counted")
		return nil
	}
	return err
}
