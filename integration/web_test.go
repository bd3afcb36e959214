package integration

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/sealgate/sealgate/internal/testenv"
)

// xssName is a file name that is HTML; its content is a script. Listing
// and downloading it must open no dialog.
const xssName = "<img src=x onerror=alert(1)>.html"

// TestWebAppInBrowser drives the web app of one `sealgate serve` process
// (the built binary) with Debian's headless Chromium: sign-in through the
// form, a bucket and a folder made through the app's dialogs, three files
// uploaded through the file input (one named and made of HTML), listed,
// two downloaded and compared byte for byte; then sorting, a rename, a
// delete, folder navigation by breadcrumbs, one more file dropped on the
// folder (a synthetic drop event), sign-out, and the old cookie refused. Any
// JavaScript dialog or uncaught exception fails the test. Screenshots of
// the sign-in page and the folder view (desktop and phone width) go to
// $SEALGATE_SCREENSHOTS if set, else to the test's temp dir; the test logs
// where.
func TestWebAppInBrowser(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-alice-web"
	acct := c.addUserWith(0, "alice", pw)
	web := c.gws[0].URL["web"]
	b := newBrowser(t, chrome)
	files := map[string][]byte{"one.txt": []byte("first file\n"), "two.bin": randomBytes(2, 300_000), xssName: []byte("<script>alert(1)</script>")}
	paths := writeFiles(t, t.TempDir(), files)

	b.do("sign-in page", chromedp.Navigate(web), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.probeDialogs()
	b.shot("login.png")
	b.do("wrong password", chromedp.SendKeys(chromedp.ID("login-name"), "alice"), chromedp.SendKeys(chromedp.ID("login-password"), "nope"),
		chromedp.Click(chromedp.ID("login-submit")))
	b.poll("the wrong password is reported", `document.getElementById("login-error").textContent.includes("Wrong")`)
	b.do("sign in", chromedp.SetValue(chromedp.ID("login-password"), pw), chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("new-bucket")))
	b.dialog("new-bucket", "webtest")
	b.poll("the bucket is listed", rowJS("webtest"))
	b.do("open the bucket", chromedp.Click(chromedp.CSS(`#rows tr[data-name="webtest"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))

	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), paths))
	for name := range files {
		b.poll("uploaded "+name, rowJS(name))
	}
	b.poll("uploads done", `document.querySelectorAll("#uploads li:not([data-state='done'])").length === 0`)
	// A name parsed as HTML would make an element (the CSP would still
	// stop its onerror script, so no dialog alone does not prove it).
	if n := b.eval(`String(document.querySelectorAll("img, script:not([src])").length)`); n != "0" {
		t.Fatalf("a file name became %s element(s) of the page", n)
	}
	s3c := c.client(0, acct)
	for name, data := range files {
		if got := s3Get(t, s3c, "webtest", name); !bytes.Equal(got, data) {
			t.Fatalf("%s as S3 sees it: %d bytes, want %d", name, len(got), len(data))
		}
	}
	for _, name := range []string{"two.bin", xssName} {
		b.do("download "+name, chromedp.Click(chromedp.JSPath(rowJS(name)+`.querySelector("a")`)))
		if got := b.downloaded(t); !bytes.Equal(got, files[name]) {
			t.Fatalf("downloaded %s: %d bytes, want %d", name, len(got), len(files[name]))
		}
	}

	b.dialog("new-folder", "sub")
	b.poll("the folder is listed", rowJS("sub"))
	b.do("sort by size", chromedp.Click(chromedp.CSS(`button.sort[data-sort="size"]`)), chromedp.Click(chromedp.CSS(`button.sort[data-sort="size"]`)))
	order := b.eval(`[...document.querySelectorAll("#rows tr")].map(r => r.dataset.name).join("|")`)
	if want := "sub|two.bin|" + xssName + "|one.txt"; order != want {
		t.Fatalf("sorted by size, descending: %q, want %q", order, want)
	}
	b.shot("folder.png")
	b.do("phone width", chromedp.EmulateViewport(390, 844))
	b.shot("folder-phone.png")
	b.do("desktop width", chromedp.EmulateViewport(1200, 800))

	b.do("rename", chromedp.Click(chromedp.JSPath(rowJS("one.txt")+`.querySelector("button[data-action='rename']")`)))
	b.answer("renamed.txt")
	b.poll("renamed", rowJS("renamed.txt")+` && !(`+rowJS("one.txt")+`)`)
	if got := s3Get(t, s3c, "webtest", "renamed.txt"); !bytes.Equal(got, files["one.txt"]) {
		t.Fatalf("renamed file: %q", got)
	}
	b.do("delete", chromedp.Click(chromedp.JSPath(rowJS("two.bin")+`.querySelector("button[data-action='delete']")`)))
	b.answer("")
	b.poll("deleted", `!(`+rowJS("two.bin")+`)`)

	b.do("into the folder", chromedp.Click(chromedp.JSPath(rowJS("sub")+`.querySelector("a")`)))
	b.poll("the folder is open", `document.querySelector("#crumbs .here")?.textContent === "sub" && !document.getElementById("empty").hidden`)
	b.do("back by the breadcrumb", chromedp.Click(chromedp.CSS(`#crumbs a[href="#b=webtest"]`)))
	b.poll("back in the bucket", rowJS("renamed.txt"))
	b.eval(`(() => { const dt = new DataTransfer(); dt.items.add(new File(["dropped by drag"], "dropped.txt"));
		document.getElementById("drop").dispatchEvent(new DragEvent("drop", {dataTransfer: dt, bubbles: true, cancelable: true}));
		return "" })()`)
	b.poll("the dropped file is listed", rowJS("dropped.txt"))
	if got := s3Get(t, s3c, "webtest", "dropped.txt"); string(got) != "dropped by drag" {
		t.Fatalf("dropped file: %q", got)
	}

	cookie := b.sessionCookie(web)
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	if code := getWithCookie(t, web+"/api/buckets", cookie); code != http.StatusUnauthorized {
		t.Fatalf("the signed-out cookie: %d, want 401", code)
	}
	b.finish(t)
}

// signIn opens the app at web, checks that the dialog watcher works
// (probeDialogs) and signs in as name.
func (b *webBrowser) signIn(web, name, password string) {
	b.t.Helper()
	b.do("sign-in page", chromedp.Navigate(web), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.probeDialogs()
	b.do("sign in as "+name, chromedp.SendKeys(chromedp.ID("login-name"), name), chromedp.SendKeys(chromedp.ID("login-password"), password),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("new-bucket")))
}

// openNewBucket makes a bucket through the app's dialog and opens it.
func (b *webBrowser) openNewBucket(name string) {
	b.t.Helper()
	b.dialog("new-bucket", name)
	b.poll("the bucket is listed", rowJS(name))
	b.do("open the bucket", chromedp.Click(chromedp.CSS(`#rows tr[data-name="`+name+`"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
}

// findChromium returns the browser's path, or ends the test.
func findChromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	testenv.SkipOrFail(t, "chromium is not installed (apt-get install chromium; .ci/install-clients installs it)")
	return ""
}

// rowJS is a JavaScript expression: the listing row of name, or null.
func rowJS(name string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#rows tr")].find(r => r.dataset.name === %q)`, name)
}

// webBrowser is one headless Chromium tab and what it reported.
type webBrowser struct {
	t         *testing.T
	ctx       context.Context
	shots     string
	downloads chan string // paths of completed downloads
	mu        sync.Mutex
	problems  []string // dialogs and exceptions
}

func newBrowser(t *testing.T, chrome string) *webBrowser {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chrome), chromedp.WindowSize(1200, 800),
		chromedp.UserDataDir(t.TempDir()))
	if os.Geteuid() == 0 {
		opts = append(opts, chromedp.NoSandbox) // Chromium refuses to run as root with its sandbox
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelA() })
	b := &webBrowser{t: t, ctx: ctx, shots: os.Getenv("SEALGATE_SCREENSHOTS"), downloads: make(chan string, 8)}
	if b.shots == "" {
		b.shots = t.TempDir()
	}
	out, _ := exec.Command(chrome, "--version").Output()
	t.Logf("browser: %s; screenshots in %s", strings.TrimSpace(string(out)), b.shots)
	if err := chromedp.Do(ctx); err != nil { // start the browser and the tab
		t.Fatalf("start chromium: %v", err)
	}
	dl := filepath.Join(t.TempDir(), "downloads")
	if _, err := chromedp.CallBrowser(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
		Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dl, EventsEnabled: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	go b.watchDownloads(dl)
	go b.watchDialogs()
	go b.watchExceptions()
	return b
}

func (b *webBrowser) problem(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.problems = append(b.problems, s)
}

func (b *webBrowser) watchDialogs() {
	for ev, err := range chromedp.Events(b.ctx, page.JavascriptDialogOpening) {
		if err != nil {
			return
		}
		b.problem(fmt.Sprintf("a JavaScript %s dialog opened: %q", ev.Type, ev.Message))
		_, _ = chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
	}
}

func (b *webBrowser) watchExceptions() {
	for ev, err := range chromedp.Events(b.ctx, runtime.ExceptionThrown) {
		if err != nil {
			return
		}
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		b.problem(fmt.Sprintf("uncaught exception at %s:%d: %s", d.URL, d.LineNumber, msg))
	}
}

func (b *webBrowser) watchDownloads(dir string) {
	for ev, err := range chromedp.BrowserEvents(b.ctx, browser.DownloadProgress) {
		if err != nil {
			return
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			b.downloads <- filepath.Join(dir, ev.GUID)
		}
	}
}

// probeDialogs checks that the dialog watcher sees a dialog: it opens one
// (evaluated as DevTools, outside the page's CSP), waits for it to be
// reported, and forgets it.
func (b *webBrowser) probeDialogs() {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`setTimeout(() => alert("probe"), 0), true`)); err != nil {
		b.t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		b.mu.Lock()
		seen := len(b.problems) == 1 && strings.Contains(b.problems[0], "probe")
		if seen {
			b.problems = nil
		}
		b.mu.Unlock()
		if seen {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("the dialog watcher missed a probe dialog: %q", b.problems)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// downloaded waits for the next completed download and returns its bytes.
func (b *webBrowser) downloaded(t *testing.T) []byte {
	t.Helper()
	select {
	case p := <-b.downloads:
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return data
	case <-time.After(30 * time.Second):
		t.Fatal("no download completed within 30s")
	}
	return nil
}

// do runs steps, failing the test with what on error.
func (b *webBrowser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("%s: %v (problems: %q)", what, err, b.problems)
	}
}

// poll waits until the JavaScript expression is truthy.
func (b *webBrowser) poll(what, expr string) {
	b.t.Helper()
	b.do(what, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Poll[chromedp.Void](expr)(ctx, t)
		return err
	}))
}

func (b *webBrowser) eval(expr string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](expr))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// dialog clicks button and answers the app's dialog with value.
func (b *webBrowser) dialog(button, value string) {
	b.t.Helper()
	b.do("click "+button, chromedp.Click(chromedp.ID(button)))
	b.answer(value)
}

// answer fills the app's open dialog (if it has an input) and confirms.
func (b *webBrowser) answer(value string) {
	b.t.Helper()
	b.do("the dialog opens", chromedp.WaitVisible(chromedp.ID("ask-ok")))
	if value != "" {
		b.do("fill the dialog", chromedp.SetValue(chromedp.ID("ask-input"), value))
	}
	b.do("confirm", chromedp.Click(chromedp.ID("ask-ok")), chromedp.WaitNotVisible(chromedp.ID("ask-ok")))
}

func (b *webBrowser) shot(name string) {
	b.t.Helper()
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.WriteFile(filepath.Join(b.shots, name), png, 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// sessionCookie is the browser's sg_session cookie, which must be
// HttpOnly and SameSite=Strict.
func (b *webBrowser) sessionCookie(url string) string {
	b.t.Helper()
	res, err := chromedp.Call(b.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		b.t.Fatal(err)
	}
	for _, ck := range res.Cookies {
		if ck.Name == "sg_session" {
			if !ck.HTTPOnly || ck.SameSite != network.CookieSameSiteStrict || ck.Path != "/" {
				b.t.Fatalf("session cookie flags: HttpOnly %v, SameSite %q, Path %q", ck.HTTPOnly, ck.SameSite, ck.Path)
			}
			return ck.Value
		}
	}
	b.t.Fatal("no session cookie")
	return ""
}

// finish fails the test for any dialog or exception seen.
func (b *webBrowser) finish(t *testing.T) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		t.Error(p)
	}
}

func s3Get(t *testing.T, c *s3.Client, bucket, key string) []byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("S3 GetObject %s: %v", key, err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func getWithCookie(t *testing.T, url, cookie string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.AddCookie(&http.Cookie{Name: "sg_session", Value: cookie})
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}
