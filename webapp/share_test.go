package webapp

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/testclock"
	"github.com/sealgate/sealgate/internal/testlog"
)

// newShareEnv is n web doors (gateways) with share links over one
// upstream and one set of accounts (alice and bob), and a clock.
func newShareEnv(t *testing.T, n int) []*env {
	t.Helper()
	store := mem.New()
	e0 := newEnvOn(t, store) // makes the accounts
	clock := testclock.New(time.Now())
	out := make([]*env, n)
	for i := range out {
		out[i] = newShareGateway(t, store, e0.acc, clock)
	}
	return out
}

// newShareGateway is newGateway with share links wired as cmd does.
func newShareGateway(t *testing.T, store backends.Store, acc *accounts.Accounts, clock *testclock.Clock) *env {
	t.Helper()
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	owner := func(id [16]byte) (gateway.Account, error) {
		a, err := acc.ByID(id)
		if err != nil {
			return nil, err
		}
		if a.Status() != accounts.AccountActive {
			return nil, gateway.ErrAccessDenied
		}
		return a, nil
	}
	links := gateway.NewShareLinks(svc, gateway.ShareConfig{Owner: owner, PasswordParams: cryptolayer.MinPasswordParams, Now: clock.Now})
	logs := &testlog.Buffer{}
	h, err := New(Config{Logins: testLogins{acc, svc}, Logger: zerolog.New(logs).Level(zerolog.DebugLevel),
		Now: clock.Now, RecheckAfter: time.Hour, Shares: ShareConfig{Links: links, MaxExpiry: 30 * 24 * time.Hour}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store, svc: svc, acc: acc, logs: logs, clock: clock}
}

// anon is a browser without an account or cookies, on e.
func anon(e *env) *client { return &client{e: e} }

// share creates a link as c and returns its URL path and handle.
func (c *client) share(body string) shareJSON {
	c.e.t.Helper()
	var out shareJSON
	decode(c.e.t, c.must(201, "POST", "/api/shares", body), &out)
	if !strings.HasPrefix(out.URL, "/s/") || len(out.URL) != 3+22 {
		c.e.t.Fatalf("link url %q", out.URL)
	}
	return out
}

func (c *client) myLinks() []shareJSON {
	c.e.t.Helper()
	var out struct{ Links []shareJSON }
	decode(c.e.t, c.must(200, "GET", "/api/shares", ""), &out)
	return out.Links
}

// setupFiles gives alice bucket "docs" with f.txt and dir/{a,b}.txt.
func setupFiles(c *client) {
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(201, "PUT", objPath("docs", "f.txt"), "file body", "Content-Type", "text/plain")
	c.must(201, "PUT", objPath("docs", "dir/a.txt"), "A")
	c.must(201, "PUT", objPath("docs", "dir/sub/b.txt"), "BB")
}

const notFoundBody = "{\"error\":\"not found\"}\n"

func TestShareAPI(t *testing.T) {
	es := newShareEnv(t, 1)
	e := es[0]
	c := e.login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt"}`)
	if want := e.clock.Now().Add(defaultShareExpiry); !link.Expires.Equal(want.UTC()) {
		t.Fatalf("default expiry %v, want %v", link.Expires, want)
	}
	a := anon(e)
	if page := a.must(200, "GET", link.URL, ""); !strings.Contains(page, "share-page.js") {
		t.Fatalf("page: %s", page)
	}
	var info linkInfoJSON
	decode(t, a.must(200, "GET", link.URL+"/info", ""), &info)
	if info.Name != "f.txt" || info.Size != 9 || info.Password || info.Folder {
		t.Fatalf("info %+v", info)
	}
	resp := a.do("GET", link.URL+"/download", nil)
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "file body" || resp.Header.Get("Content-Security-Policy") != downloadCSP ||
		!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("download %d %q %v", resp.StatusCode, body, resp.Header)
	}
	if code, b := a.call("GET", link.URL+"/download", "", "Range", "bytes=5-"); code != 206 || b != "body" {
		t.Fatalf("range: %d %q", code, b)
	}
	links := c.myLinks()
	if len(links) != 1 || links[0].Uses != 2 || links[0].Key != "f.txt" || links[0].URL != "" || links[0].Handle == "" {
		t.Fatalf("my links %+v", links)
	}
	// Bob neither sees nor revokes alice's links.
	bob := e.login("bob")
	if l := bob.myLinks(); len(l) != 0 {
		t.Fatalf("bob sees %+v", l)
	}
	bob.must(404, "DELETE", "/api/shares?handle="+url.QueryEscape(links[0].Handle), "")
	c.must(204, "DELETE", "/api/shares?handle="+url.QueryEscape(links[0].Handle), "")
	c.must(404, "DELETE", "/api/shares?handle="+url.QueryEscape(links[0].Handle), "")
	for _, p := range []string{"/info", "/download", "/files"} {
		if code, b := a.call("GET", link.URL+p, ""); code != 404 || b != notFoundBody {
			t.Fatalf("revoked %s: %d %q", p, code, b)
		}
	}
	if len(c.myLinks()) != 0 {
		t.Fatal("a revoked link listed")
	}
}

func TestShareCreateRefused(t *testing.T) {
	es := newShareEnv(t, 1)
	c := es[0].login("alice")
	setupFiles(c)
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"key":"f.txt"}`, 400},
		{`{"bucket":"docs","key":"f.txt","expires_in":-1}`, 400},
		{`{"bucket":"docs","key":"f.txt","expires_in":2592001}`, 400}, // over MaxExpiry (30 days here)
		{`{"bucket":"docs","key":"f.txt","limit":-1}`, 400},
		{`{"bucket":"docs","key":"nope.txt"}`, 404},
		{`{"bucket":"docs","key":"nope/"}`, 404},
		{`{"bucket":"nobucket","key":"f.txt"}`, 404},
		{`{"bucket":"docs","key":"f.txt","extra":1}`, 400},
	} {
		if code, b := c.call("POST", "/api/shares", tc.body); code != tc.want {
			t.Errorf("%s: %d, want %d: %s", tc.body, code, tc.want, b)
		}
	}
	anon(es[0]).must(401, "GET", "/api/shares", "")
	c.must(403, "POST", "/api/shares", `{"bucket":"docs","key":"f.txt"}`, csrfHeader, "")
}

func TestShareExpiry(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt","expires_in":60}`)
	anon(e).must(200, "GET", link.URL+"/download", "")
	e.clock.Advance(61 * time.Second)
	if code, b := anon(e).call("GET", link.URL+"/download", ""); code != 404 || b != notFoundBody {
		t.Fatalf("expired: %d %q", code, b)
	}
	if l := c.myLinks(); len(l) != 1 || !l[0].Expired {
		t.Fatalf("my links %+v", l)
	}
}

// TestShareLimitTwoGateways: a limit of 2 allows 2 downloads over both
// gateways together.
func TestShareLimitTwoGateways(t *testing.T) {
	es := newShareEnv(t, 2)
	c := es[0].login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt","limit":2}`)
	anon(es[0]).must(200, "GET", link.URL+"/download", "")
	anon(es[1]).must(200, "HEAD", link.URL+"/download", "") // a HEAD is no download
	anon(es[1]).must(200, "GET", link.URL+"/download", "")
	for _, e := range es {
		if code, b := anon(e).call("GET", link.URL+"/download", ""); code != 404 || b != notFoundBody {
			t.Fatalf("over the limit: %d %q", code, b)
		}
	}
	if l := c.on(es[1]).myLinks(); len(l) != 1 || l[0].Uses != 2 || l[0].Limit != 2 {
		t.Fatalf("my links %+v", l)
	}
}

func TestSharePassword(t *testing.T) {
	es := newShareEnv(t, 2)
	c := es[0].login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt","password":"open sesame"}`)
	other := c.share(`{"bucket":"docs","key":"f.txt","password":"open sesame"}`)
	a := anon(es[1])
	var info linkInfoJSON
	decode(t, a.must(200, "GET", link.URL+"/info", ""), &info)
	if !info.Password || !info.Locked || info.Name != "" {
		t.Fatalf("locked info %+v", info)
	}
	a.must(401, "GET", link.URL+"/download", "")
	a.must(401, "POST", link.URL+"/unlock", `{"password":"wrong"}`)
	resp := a.do("POST", link.URL+"/unlock", strings.NewReader(`{"password":"open sesame"}`))
	_ = resp.Body.Close()
	var ck *http.Cookie
	for _, k := range resp.Cookies() {
		if k.Name == linkCookie {
			ck = k
		}
	}
	if resp.StatusCode != 204 || ck == nil || ck.Path != link.URL || !ck.HttpOnly || strings.Contains(ck.Value, link.URL[3:]) {
		t.Fatalf("unlock: %d %+v", resp.StatusCode, ck)
	}
	a.cookie = ck
	b := &client{e: es[0], cookie: ck} // the cookie works on any gateway
	if got := b.must(200, "GET", link.URL+"/download", ""); got != "file body" {
		t.Fatalf("unlocked download %q", got)
	}
	a.must(401, "GET", other.URL+"/download", "") // scoped to its link
	a.must(403, "POST", link.URL+"/unlock", `{"password":"open sesame"}`, "Sec-Fetch-Site", "cross-site")
}

func TestShareFolder(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"dir/"}`)
	a := anon(e)
	var files struct {
		Files     []linkFileJSON
		Truncated bool
	}
	decode(t, a.must(200, "GET", link.URL+"/files", ""), &files)
	if len(files.Files) != 2 || files.Files[0].Path != "a.txt" || files.Files[1].Path != "sub/b.txt" {
		t.Fatalf("files %+v", files)
	}
	if got := a.must(200, "GET", link.URL+"/download?path="+url.QueryEscape("sub/b.txt"), ""); got != "BB" {
		t.Fatalf("got %q", got)
	}
	a.must(404, "GET", link.URL+"/download", "")
	a.must(404, "GET", link.URL+"/download?path=nope", "")
}

// TestShareUnknownPaced: unknown ids answer the body of a revoked link,
// slower and slower per address; no id reaches the logs.
func TestShareUnknownPaced(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	setupFiles(c)
	link := c.share(`{"bucket":"docs","key":"f.txt"}`)
	anon(e).must(200, "GET", link.URL+"/download", "")
	a := anon(e)
	start := time.Now()
	for i := range 7 {
		id := gateway.NewShareID().Encode()
		if code, b := a.call("GET", "/s/"+id+"/info", ""); code != 404 || b != notFoundBody {
			t.Fatalf("unknown %d: %d %q", i, code, b)
		}
	}
	a.must(404, "GET", "/s/not-an-id/info", "")
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Fatalf("7 unknown ids in %v: not paced", d)
	}
	logs := e.logs.String()
	if strings.Contains(logs, link.URL[3:]) || !strings.Contains(logs, `"op":"share"`) {
		t.Fatalf("logs:\n%s", logs)
	}
}

// TestShareHostileName: a file whose name and body are HTML is served as
// an attachment under the sandbox CSP, its name never as markup.
func TestShareHostileName(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	name := `<img src=x onerror=alert(1)>.html`
	c.must(201, "PUT", objPath("docs", name), "<script>alert(2)</script>", "Content-Type", "text/html")
	link := c.share(`{"bucket":"docs","key":` + jsonString(name) + `}`)
	resp := anon(e).do("GET", link.URL+"/download", nil)
	_ = resp.Body.Close()
	h := resp.Header
	if resp.StatusCode != 200 || h.Get("Content-Security-Policy") != downloadCSP || h.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("hostile download: %d %v", resp.StatusCode, h)
	}
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

// TestShareDiesWithItsTarget: a file link dies when its file is replaced
// by other bytes or deleted, and every link when its account is deleted.
func TestShareDiesWithItsTarget(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	setupFiles(c)
	file := c.share(`{"bucket":"docs","key":"f.txt"}`)
	folder := c.share(`{"bucket":"docs","key":"dir/"}`)
	c.must(201, "PUT", objPath("docs", "f.txt", "overwrite", "1"), "file body") // the same bytes
	anon(e).must(200, "GET", file.URL+"/download", "")
	c.must(201, "PUT", objPath("docs", "f.txt", "overwrite", "1"), "other bytes")
	if code, b := anon(e).call("GET", file.URL+"/download", ""); code != 404 || b != notFoundBody {
		t.Fatalf("replaced: %d %q", code, b)
	}
	anon(e).must(404, "GET", file.URL+"/info", "")
	anon(e).must(200, "GET", folder.URL+"/files", "")
	if _, err := e.acc.Delete(t.Context(), "alice"); err != nil {
		t.Fatal(err)
	}
	if code, b := anon(e).call("GET", folder.URL+"/files", ""); code != 404 || b != notFoundBody {
		t.Fatalf("account deleted: %d %q", code, b)
	}
}

// TestShareFolderPages: a folder link of more files than a page lists
// them all, page after page (?after= the previous page's next).
func TestShareFolderPages(t *testing.T) {
	e := newShareEnv(t, 1)[0]
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	const n = gateway.MaxShareFiles + 2
	for i := range n {
		c.must(201, "PUT", objPath("docs", fmt.Sprintf("big/f%05d", i)), "x")
	}
	link := c.share(`{"bucket":"docs","key":"big/"}`)
	a := anon(e)
	seen, pages := 0, 0
	for after := ""; ; pages++ {
		var page linkFilesJSON
		decode(t, a.must(200, "GET", link.URL+"/files?after="+url.QueryEscape(after), ""), &page)
		for _, f := range page.Files {
			if want := fmt.Sprintf("f%05d", seen); f.Path != want {
				t.Fatalf("file %d is %q, want %q", seen, f.Path, want)
			}
			seen++
		}
		if page.Truncated != (page.Next != "") {
			t.Fatalf("truncated %v with next %q", page.Truncated, page.Next)
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	if seen != n || pages != 1 {
		t.Fatalf("%d files in %d pages, want %d in 2", seen, pages+1, n)
	}
}
