package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestWebShareLinks drives share links through two headless Chromiums of
// one `sealgate serve`: the owner makes links in the app (a plain one, a
// password-protected one, one limited to one download, one to a file
// whose name and body are HTML, one to a folder); a visitor's fresh
// browser, without an account or any cookie, opens each and downloads the
// files, compared byte for byte; a wrong password is refused; the used-up
// link, a revoked one (revoked in "My links") and an expired one (made
// through the API, expiring in 2 s) show the "not available" page; the
// password-protected link gets a new password in "My links", after which
// the visitor's unlock is void and another fresh browser is refused the
// old password and let in by the new one. Any
// JavaScript dialog or uncaught exception, on either side, fails the
// test. Screenshots go where TestWebAppInBrowser's do.
func TestWebShareLinks(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-alice-share"
	acct := c.addUserWith(0, "alice", pw)
	web := c.gws[0].URL["web"]
	s3c := c.client(0, acct)
	if _, err := s3c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("shares")}); err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{"report.bin": randomBytes(7, 200_000), xssName: []byte("<script>alert(1)</script>"),
		"dir/a.txt": []byte("in the folder\n")}
	for name, data := range files {
		put(t, s3c, "shares", name, data)
	}

	owner := newBrowser(t, chrome)
	owner.do("sign in", chromedp.Navigate(web), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-name"), "alice"), chromedp.SendKeys(chromedp.ID("login-password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("new-bucket")))
	owner.do("open the bucket", chromedp.Navigate(web+"/#b=shares"))
	owner.poll("the files are listed", rowJS("report.bin"))
	plain := shareInApp(owner, "report.bin", "", "")
	locked := shareInApp(owner, "report.bin", "link-secret", "")
	once := shareInApp(owner, "report.bin", "", "1")
	hostile := shareInApp(owner, xssName, "", "")
	folder := shareInApp(owner, "dir", "", "")
	expired := shareByAPI(t, web, "alice", pw, `{"bucket":"shares","key":"report.bin","expires_in":2}`)
	owner.do("phone width", chromedp.EmulateViewport(375, 812))
	off := owner.eval(shareOffscreenJS)
	for try := 0; off != "" && try < 20; try++ { // the new viewport may take a frame to apply
		time.Sleep(100 * time.Millisecond)
		off = owner.eval(shareOffscreenJS)
	}
	owner.shot("share-phone.png")
	if off != "" {
		t.Fatalf("at 375 px these controls leave the screen: %s", off)
	}
	owner.do("desktop width", chromedp.EmulateViewport(1200, 800))

	v := newBrowser(t, chrome)
	v.probeDialogs()
	visit := func(url, shown string) {
		t.Helper()
		v.do("open "+shown, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.ID(shown)))
	}
	download := func(sel, name string) {
		t.Helper()
		v.do("download "+name, chromedp.Click(chromedp.CSS(sel)))
		if got := v.downloaded(t); !bytes.Equal(got, files[name]) {
			t.Fatalf("downloaded %s: %d bytes, want %d", name, len(got), len(files[name]))
		}
	}
	visit(plain, "link-file")
	v.shot("share-file.png")
	if got := v.eval(`document.getElementById("link-name").textContent`); got != "report.bin" {
		t.Fatalf("name shown: %q", got)
	}
	download("#link-download", "report.bin")

	visit(locked, "link-unlock")
	v.shot("share-password.png")
	v.do("wrong password", chromedp.SendKeys(chromedp.ID("link-password"), "nope"), chromedp.Click(chromedp.ID("link-unlock-submit")))
	v.poll("the wrong password is reported", `document.getElementById("link-error").textContent.includes("Wrong")`)
	v.do("right password", chromedp.SetValue(chromedp.ID("link-password"), "link-secret"),
		chromedp.Click(chromedp.ID("link-unlock-submit")), chromedp.WaitVisible(chromedp.ID("link-file")))
	download("#link-download", "report.bin")

	visit(once, "link-file")
	download("#link-download", "report.bin")
	visit(once, "link-gone")

	visit(hostile, "link-file")
	if got := v.eval(`document.getElementById("link-name").textContent`); got != xssName {
		t.Fatalf("hostile name shown as %q", got)
	}
	if n := v.eval(`String(document.querySelectorAll("img, script:not([src])").length)`); n != "0" {
		t.Fatalf("a file name became %s element(s) of the page", n)
	}
	download("#link-download", xssName)

	visit(folder, "link-folder")
	v.poll("the folder's file is listed", `document.querySelector("#link-rows a")?.textContent === "a.txt"`)
	v.shot("share-folder.png")
	download("#link-rows a", "dir/a.txt")

	time.Sleep(2500 * time.Millisecond)
	visit(expired, "link-gone")

	owner.do("my links", chromedp.Click(chromedp.ID("my-links")), chromedp.WaitVisible(chromedp.ID("links-dialog")))
	owner.poll("my links are listed", `document.querySelectorAll("#links-rows tr").length === 6`)
	owner.shot("my-links.png")
	if uses := owner.eval(`document.querySelector("#links-rows tr td.num").textContent`); uses != "1" {
		t.Fatalf("the first link's downloads: %q", uses)
	}
	owner.do("revoke the first link", chromedp.Click(chromedp.CSS(`#links-rows tr:first-child button[data-action="revoke"]`)))
	owner.poll("revoked", `document.querySelectorAll("#links-rows tr").length === 5`)
	visit(plain, "link-gone")
	v.shot("share-gone.png")

	// A new password for the locked link, now the first row: the visitor's
	// unlock of the old one is void, and a fresh browser needs the new one.
	owner.do("edit the locked link", chromedp.Click(chromedp.CSS(`#links-rows tr:first-child button[data-action="edit"]`)),
		chromedp.WaitVisible(chromedp.ID("edit-link-dialog")), chromedp.SetValue(chromedp.ID("edit-link-password-mode"), "set"))
	owner.eval(`(() => { document.getElementById("edit-link-password-mode").dispatchEvent(new Event("change")); return "" })()`)
	owner.do("new password", chromedp.SendKeys(chromedp.ID("edit-link-password"), "changed-secret"))
	owner.shot("share-edit.png")
	owner.do("save", chromedp.Click(chromedp.ID("edit-link-save")), chromedp.WaitNotVisible(chromedp.ID("edit-link-dialog")))
	visit(locked, "link-unlock")
	fresh := newBrowser(t, chrome)
	fresh.do("open the edited link", chromedp.Navigate(locked), chromedp.WaitVisible(chromedp.ID("link-unlock")))
	fresh.do("the old password", chromedp.SendKeys(chromedp.ID("link-password"), "link-secret"), chromedp.Click(chromedp.ID("link-unlock-submit")))
	fresh.poll("the old password is refused", `document.getElementById("link-error").textContent.includes("Wrong")`)
	fresh.do("the new password", chromedp.SetValue(chromedp.ID("link-password"), "changed-secret"),
		chromedp.Click(chromedp.ID("link-unlock-submit")), chromedp.WaitVisible(chromedp.ID("link-file")))
	fresh.do("download", chromedp.Click(chromedp.CSS("#link-download")))
	if got := fresh.downloaded(t); !bytes.Equal(got, files["report.bin"]) {
		t.Fatalf("downloaded through the edited link: %d bytes", len(got))
	}
	fresh.finish(t)

	if ck := cookiesOf(t, v, web); strings.Contains(ck, "sg_session") {
		t.Fatalf("the visitor has a session: %s", ck)
	}
	owner.finish(t)
	v.finish(t)
}

// shareInApp makes a link to the listed entry name through the app's
// Share dialog and returns the URL it shows.
func shareInApp(b *webBrowser, name, password, limit string) string {
	b.t.Helper()
	b.do("share "+name, chromedp.Click(chromedp.JSPath(rowJS(name)+`.querySelector("button[data-action='share']")`)),
		chromedp.WaitVisible(chromedp.ID("share-create")))
	if password != "" {
		b.do("link password", chromedp.SetValue(chromedp.ID("share-password"), password))
	}
	if limit != "" {
		b.do("link limit", chromedp.SetValue(chromedp.ID("share-limit"), limit))
	}
	b.do("create the link", chromedp.Click(chromedp.ID("share-create")), chromedp.WaitVisible(chromedp.ID("share-url")))
	url := b.eval(`document.getElementById("share-url").value`)
	if name == "report.bin" && password != "" {
		b.shot("share-dialog.png")
	}
	b.do("close", chromedp.Click(chromedp.ID("share-close")), chromedp.WaitNotVisible(chromedp.ID("share-dialog")))
	if !strings.Contains(url, "/s/") {
		b.t.Fatalf("link %q", url)
	}
	return url
}

// shareByAPI signs in through the JSON API and makes a link.
func shareByAPI(t *testing.T, web, name, password, body string) string {
	t.Helper()
	login, _ := json.Marshal(map[string]string{"name": name, "password": password})
	resp := webPost(t, web+"/api/login", string(login), nil, "")
	var sess struct{ CSRF string }
	_ = json.NewDecoder(resp.Body).Decode(&sess)
	_ = resp.Body.Close()
	resp = webPost(t, web+"/api/shares", body, resp.Cookies(), sess.CSRF)
	defer func() { _ = resp.Body.Close() }()
	var link struct{ URL string }
	if err := json.NewDecoder(resp.Body).Decode(&link); err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("create a link: %d %v", resp.StatusCode, err)
	}
	return web + link.URL
}

func webPost(t *testing.T, url, body string, cookies []*http.Cookie, csrf string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest("POST", url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", csrf)
	for _, c := range cookies {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode >= 300 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("POST %s: %d %s", strings.SplitN(url, "/api/", 2)[1], resp.StatusCode, b)
	}
	return resp
}

// cookiesOf lists the browser's cookie names for url.
func cookiesOf(t *testing.T, b *webBrowser, url string) string {
	t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, ck := range res.Cookies {
		names = append(names, fmt.Sprintf("%s(path %s)", ck.Name, ck.Path))
	}
	return strings.Join(names, " ")
}

// shareOffscreenJS lists the toolbar and row controls (the Share buttons
// and My links among them) that end past the viewport's right edge, or
// a page wider than the viewport ("" if none).
const shareOffscreenJS = `[...document.querySelectorAll(".toolbar button:not([hidden]), #rows button, #rows a")]
	.filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
	.map(e => e.textContent).concat(document.documentElement.scrollWidth > window.innerWidth ? ["the page"] : []).join(", ")`
