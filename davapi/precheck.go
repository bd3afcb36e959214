package davapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// maxXMLBody bounds PROPFIND, PROPPATCH and LOCK bodies.
const maxXMLBody = 1 << 20

// errBadPath: NUL, dot segments or an encoded slash in a path (400).
var errBadPath = errors.New("davapi: invalid path")

// finiteDepthBody is the RFC 4918 §9.1 precondition element.
const finiteDepthBody = `<?xml version="1.0" encoding="utf-8"?>` + "\n" +
	`<D:error xmlns:D="DAV:"><D:propfind-finite-depth/></D:error>` + "\n"

// checkPath refuses paths that x/net or the namespace would misread.
func checkPath(u *url.URL) error {
	if strings.Contains(strings.ToLower(u.EscapedPath()), "%2f") || strings.Contains(strings.ToLower(u.RawPath), "%2f") {
		return fmt.Errorf("%w: encoded slash", errBadPath)
	}
	if strings.ContainsRune(u.Path, 0) {
		return fmt.Errorf("%w: NUL", errBadPath)
	}
	for _, seg := range strings.Split(u.Path, "/") {
		if seg == "." || seg == ".." {
			return fmt.Errorf("%w: dot segment", errBadPath)
		}
	}
	return nil
}

// precheck fixes or refuses what x/net/webdav gets wrong, before it sees
// the request. It returns a status and message when it answered.
func (h *server) precheck(r *http.Request, ls *lockSystem) (int, string) {
	switch r.Method {
	case "PROPFIND":
		if d := r.Header.Get("Depth"); d == "" || strings.EqualFold(d, "infinity") {
			return http.StatusForbidden, finiteDepthBody
		}
		data, status, msg := readXMLBody(r)
		if status != 0 {
			return status, msg
		}
		stateOf(r.Context()).setLiveOnly(data)
	case "PROPPATCH", "LOCK":
		if _, status, msg := readXMLBody(r); status != 0 {
			return status, msg
		}
	case "COPY", "MOVE":
		if status, msg := checkDestination(r); status != 0 {
			return status, msg
		}
	}
	if r.Method == "LOCK" {
		capTimeout(r, h.cfg.MaxLockTimeout)
	}
	return h.checkIf(r, ls)
}

// readXMLBody reads a bounded XML body, checks it and puts it back.
func readXMLBody(r *http.Request) ([]byte, int, string) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxXMLBody+1))
	if err != nil {
		return nil, http.StatusBadRequest, "unreadable body"
	}
	if len(data) > maxXMLBody {
		return nil, http.StatusRequestEntityTooLarge, "XML body too large"
	}
	if err := checkXML(data); err != nil {
		return nil, http.StatusBadRequest, err.Error()
	}
	r.Body = io.NopCloser(bytes.NewReader(data))
	return data, 0, ""
}

// checkDestination validates COPY/MOVE targets; a missing Overwrite header
// means T (RFC 4918 §10.6; x/net reads it as F).
func checkDestination(r *http.Request) (int, string) {
	switch ow := r.Header.Get("Overwrite"); ow {
	case "":
		r.Header.Set("Overwrite", "T")
	case "T", "F":
	default:
		return http.StatusBadRequest, "Overwrite must be T or F"
	}
	u, err := url.Parse(r.Header.Get("Destination"))
	if err != nil || r.Header.Get("Destination") == "" {
		return http.StatusBadRequest, "invalid Destination"
	}
	if err := checkPath(u); err != nil {
		return http.StatusBadRequest, err.Error()
	}
	src, dst := cleanPath(r.URL.Path), cleanPath(u.Path)
	if src != "/" && strings.HasPrefix(dst, src+"/") {
		return http.StatusForbidden, "destination inside the source"
	}
	return 0, ""
}

// capTimeout makes the LOCK Timeout header say what the lock system grants,
// so that the response shows the capped timeout.
func capTimeout(r *http.Request, maxTimeout time.Duration) {
	first, _, _ := strings.Cut(r.Header.Get("Timeout"), ",")
	first = strings.TrimSpace(first)
	capped := "Second-" + strconv.FormatInt(int64(maxTimeout/time.Second), 10)
	if first == "" || strings.EqualFold(first, "Infinite") {
		r.Header.Set("Timeout", capped)
		return
	}
	if n, ok := strings.CutPrefix(first, "Second-"); ok {
		if v, err := strconv.ParseInt(n, 10, 64); err == nil && time.Duration(v)*time.Second > maxTimeout {
			r.Header.Set("Timeout", capped)
		}
	}
}

// checkIf evaluates the If header (RFC 4918 §10.4) with ETags and Not,
// which x/net ignores: 412 if no list holds. Otherwise the header is
// rewritten to the holding lists' lock tokens for x/net's lock check, or
// removed when a holding list needs no token. Lock tokens are checked
// against the request's snapshot of the shared lock table, the one x/net's
// Confirm then uses (read once, only if the header names a token).
func (h *server) checkIf(r *http.Request, ls *lockSystem) (int, string) {
	raw := r.Header.Get("If")
	if raw == "" || r.Method == "LOCK" || r.Method == "UNLOCK" {
		return 0, ""
	}
	ih, err := parseIf(raw)
	if err != nil {
		return http.StatusBadRequest, err.Error()
	}
	ev := ifEval{ctx: r.Context(), fs: h.fs, host: r.Host, reqPath: r.URL.Path, now: h.cfg.Now(), etags: map[string]string{}}
	if ih.hasToken() {
		t, err := ls.load()
		if err != nil {
			return statusOf(err)
		}
		ev.locks = t
	}
	out := ifHeader{tagged: ih.tagged}
	anyTrue := false
	for _, l := range ih.lists {
		if !ev.holds(l) {
			continue
		}
		anyTrue = true
		pos := ifList{tag: l.tag}
		for _, c := range l.conds {
			if !c.not && c.token != "" {
				pos.conds = append(pos.conds, c)
			}
		}
		if len(pos.conds) > 0 {
			out.lists = append(out.lists, pos)
		}
	}
	switch {
	case !anyTrue:
		return http.StatusPreconditionFailed, "If header: no condition list holds"
	case len(out.lists) == 0:
		r.Header.Del("If")
	default:
		r.Header.Set("If", out.String())
	}
	return 0, ""
}

// ifEval evaluates If lists against one user's resources and locks.
type ifEval struct {
	ctx     context.Context
	fs      *davFS
	locks   *lockTable // nil when no condition is a token
	host    string
	reqPath string
	now     time.Time
	etags   map[string]string
}

// resource is the path a list applies to, or "" if it is not ours.
func (e *ifEval) resource(tag string) string {
	if tag == "" {
		return cleanPath(e.reqPath)
	}
	u, err := url.Parse(tag)
	if err != nil || (u.Host != "" && u.Host != e.host) || checkPath(u) != nil {
		return ""
	}
	return cleanPath(u.Path)
}

func (e *ifEval) holds(l ifList) bool {
	res := e.resource(l.tag)
	for _, c := range l.conds {
		var ok bool
		if c.token != "" {
			ok = res != "" && e.locks.coveredBy(res, []string{c.token}, e.now)
		} else {
			ok = res != "" && etagMatches(c.etag, e.etag(res))
		}
		if ok == c.not {
			return false
		}
	}
	return true
}

// etag is the resource's current quoted ETag, "" if none.
func (e *ifEval) etag(res string) string {
	if v, ok := e.etags[res]; ok {
		return v
	}
	v := ""
	if fi, err := e.fs.stat(e.ctx, res); err == nil {
		v, _ = fi.ETag(e.ctx)
	}
	e.etags[res] = v
	return v
}
