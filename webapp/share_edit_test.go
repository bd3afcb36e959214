package webapp

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestShareEdit changes a link's password, limit and expiry through one
// gateway and uses it through another: the address stays, the old
// password no longer unlocks it, bad edits are 400 and change nothing,
// and another account's handle is 404.
func TestShareEdit(t *testing.T) {
	es := newShareEnv(t, 2)
	c := es[0].login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt","password":"old one","limit":5}`)
	h := c.myLinks()[0].Handle
	patch := "/api/shares?handle=" + url.QueryEscape(h)
	a := anon(es[1])
	a.cookie = unlockCookie(t, a, link.URL, "old one")
	if b := a.must(200, "GET", link.URL+"/download", ""); b != "file body" {
		t.Fatalf("unlocked download %q", b)
	}
	for _, body := range []string{`{"limit":-1}`, `{"limit":1000001}`, `{"expires_in":0}`, `{"expires_in":-5}`,
		`{"expires_in":` + strconv.FormatInt(int64(31*24*time.Hour/time.Second), 10) + `}`, `{"password":"` + strings.Repeat("x", 1025) + `"}`, `{"limit":`} {
		c.must(400, "PATCH", patch, body)
	}
	var got shareJSON
	decode(t, c.must(200, "PATCH", patch, `{"password":"new one","limit":7,"expires_in":3600}`), &got)
	if !got.Password || got.Limit != 7 || !got.Expires.Equal(es[0].clock.Now().Add(time.Hour).UTC()) || got.Handle != h {
		t.Fatalf("edited %+v", got)
	}
	fresh := anon(es[1])
	fresh.must(401, "POST", link.URL+"/unlock", `{"password":"old one"}`)
	fresh.must(204, "POST", link.URL+"/unlock", `{"password":"new one"}`)
	a.must(401, "GET", link.URL+"/download", "") // the old password's cookie is void
	decode(t, c.must(200, "PATCH", patch, `{"password":"","limit":0}`), &got)
	if got.Password || got.Limit != 0 {
		t.Fatalf("password and limit removed: %+v", got)
	}
	if b := anon(es[1]).must(200, "GET", link.URL+"/download", ""); b != "file body" {
		t.Fatalf("download without a password: %q", b)
	}
	decode(t, c.must(200, "PATCH", patch, `{"limit":2}`), &got) // two downloads made: the link is used up
	anon(es[1]).must(404, "GET", link.URL+"/download", "")
	c.must(400, "PATCH", patch, `{"limit":0,"password":"x","expires_in":-1}`)
	c.must(400, "PATCH", patch, `{"limit":1}`) // below the downloads made
	if l := c.myLinks()[0]; l.Limit != 2 || l.Password || l.Uses != 2 {
		t.Fatalf("a refused edit changed the link: %+v", l)
	}
	bob := es[1].login("bob")
	bob.must(404, "PATCH", patch, `{"limit":0}`)
	c.must(404, "PATCH", "/api/shares?handle=nope", `{"limit":0}`)
	c.must(403, "PATCH", patch, `{"limit":0}`, "Sec-Fetch-Site", "cross-site")
}

// unlockCookie unlocks a link with password as c and returns its cookie.
func unlockCookie(t *testing.T, c *client, linkURL, password string) *http.Cookie {
	t.Helper()
	resp := c.do("POST", linkURL+"/unlock", strings.NewReader(`{"password":"`+password+`"}`))
	_ = resp.Body.Close()
	for _, k := range resp.Cookies() {
		if k.Name == linkCookie && resp.StatusCode == 204 {
			return k
		}
	}
	t.Fatalf("unlock: %d, no cookie", resp.StatusCode)
	return nil
}
