package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// TestQuota sets a quota with `sealgate user quota` while three gateway
// processes run over one upstream, and drives each door through another
// gateway: aws cli's PUT is refused with 403 QuotaExceeded, a WebDAV PUT
// with 507, a web app upload with 507 and a message (and /api/usage tells
// the page beforehand); a delete over the quota goes through and makes
// room; `sealgate user list` shows the usage and the quota. Then a quota
// of objects (quotaObjects).
func TestQuota(t *testing.T) {
	c := newCluster(t, "fs", 3)
	a := c.addUser(0, "quser")
	ctx := context.Background()
	g0 := c.client(0, a)
	if _, err := g0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("quota-data")}); err != nil {
		t.Fatal(err)
	}
	put(t, c.client(1, a), "quota-data", "existing.bin", bytes.Repeat([]byte("x"), 600<<10))

	out := c.cli(2, "", "user", "quota", "quser", "1MiB")
	if !strings.Contains(out, "1.0 MiB") || !strings.Contains(out, "600.0 KiB in use") {
		t.Fatalf("user quota: %q", out)
	}
	if f := strings.Fields(userLine(t, c.cli(0, "", "user", "list"), "quser")); strings.Join(f[len(f)-6:], " ") != "600.0 KiB 1.0 MiB 1 none" {
		t.Fatalf("user list: %q", f)
	}

	t.Run("aws cli", func(t *testing.T) {
		cli := newAWSCLI(t, target{Name: "sealgate", Endpoint: c.gws[0].URL["s3"], AccessKey: a.Access, Secret: a.Secret}, 2)
		file := filepath.Join(t.TempDir(), "big.bin")
		if err := os.WriteFile(file, bytes.Repeat([]byte("y"), 512<<10), 0o600); err != nil {
			t.Fatal(err)
		}
		_, errOut, err := cli.try(shortTimeout, cli.env, cli.bin, "--endpoint-url", cli.tg.Endpoint,
			"s3api", "put-object", "--bucket", "quota-data", "--key", "big.bin", "--body", file)
		if err == nil || !strings.Contains(errOut, "QuotaExceeded") || !strings.Contains(errOut, "quota") {
			t.Fatalf("aws s3api put-object over the quota: %v\n%s", err, errOut)
		}
	})
	t.Run("webdav", func(t *testing.T) {
		req, _ := http.NewRequest("PUT", c.gws[1].URL["webdav"]+"/quota-data/dav.bin", bytes.NewReader(make([]byte, 512<<10)))
		req.SetBasicAuth("quser", "quser password")
		status, body := quotaSend(t, http.DefaultClient, req)
		if status != http.StatusInsufficientStorage || !strings.Contains(body, "quota") {
			t.Fatalf("WebDAV PUT over the quota: %d %q", status, body)
		}
	})
	t.Run("web app", func(t *testing.T) {
		web := webLogin(t, c.gws[2].URL["web"], "quser", "quser password")
		var u struct{ Limit, Used int64 }
		if err := json.Unmarshal([]byte(web.must("GET", "/api/usage", nil, 200)), &u); err != nil || u.Limit != 1<<20 || u.Used < 600<<10 {
			t.Fatalf("usage: %+v %v", u, err)
		}
		q := url.Values{"bucket": {"quota-data"}, "key": {"web.bin"}}
		status, body := web.do("PUT", "/api/object?"+q.Encode(), make([]byte, 512<<10))
		if status != http.StatusInsufficientStorage || !strings.Contains(body, "quota") {
			t.Fatalf("web upload over the quota: %d %q", status, body)
		}
	})
	t.Run("browser", func(t *testing.T) { quotaInBrowser(t, c, a) })
	if _, err := c.client(1, a).DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quota-data"), Key: aws.String("existing.bin")}); err != nil {
		t.Fatalf("delete over the quota: %v", err)
	}
	// The room a delete through gateway 1 freed shows on gateway 0 once 1
	// has flushed its delta (every 2 s) and 0 has re-read the record (when
	// its copy is 2 s old).
	start := time.Now()
	for {
		_, err := g0.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("quota-data"), Key: aws.String("fits.bin"),
			Body: bytes.NewReader(bytes.Repeat([]byte("z"), 512<<10))})
		if err == nil {
			t.Logf("room freed through gateway 1 usable on gateway 0 after %v", time.Since(start).Round(100*time.Millisecond))
			break
		}
		if code(err) != "QuotaExceeded" || time.Since(start) > 6*time.Second {
			t.Fatalf("put after the delete: %v", err)
		}
		time.Sleep(250 * time.Millisecond)
	}
	for i := range c.gws {
		if _, cd := getBody(c.client(i, a), "quota-data", "big.bin"); cd != "NoSuchKey" {
			t.Fatalf("a refused write is visible through gateway %d: %s", i, cd)
		}
	}
	quotaObjects(t, c, a)
}

// quotaObjects replaces the byte quota by one of two objects (one is
// stored: fits.bin); a second object goes in through gateway 0, and then
// a third is refused by the S3 door of gateway 2 (403 QuotaExceeded) and
// the WebDAV door of gateway 1 (507) once they have the count (each
// gateway flushes its count and re-reads the record every 2 s).
func quotaObjects(t *testing.T, c *cluster, a account) {
	ctx := context.Background()
	out := c.cli(1, "", "user", "quota", "quser", "none", "--objects", "2")
	if !strings.Contains(out, "2 objects (1 in use)") || strings.Contains(out, "MiB") {
		t.Fatalf("user quota --objects: %q", out)
	}
	put(t, c.client(0, a), "quota-data", "second.bin", []byte("2"))
	s3c := c.client(2, a)
	refusedWithin(t, "S3 PUT of a third object", func() string {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("quota-data"), Key: aws.String("third.bin"), Body: strings.NewReader("3")})
		if err != nil {
			return code(err)
		}
		if _, err := s3c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quota-data"), Key: aws.String("third.bin")}); err != nil {
			t.Fatal(err)
		}
		return "stored"
	}, "QuotaExceeded")
	dav := func(method string) int {
		req, _ := http.NewRequest(method, c.gws[1].URL["webdav"]+"/quota-data/third-dav.bin", strings.NewReader("3"))
		req.SetBasicAuth("quser", "quser password")
		status, _ := quotaSend(t, http.DefaultClient, req)
		return status
	}
	refusedWithin(t, "WebDAV PUT of a third object", func() string {
		status := dav("PUT")
		if status < 300 && dav("DELETE") >= 300 {
			t.Fatal("WebDAV DELETE failed")
		}
		return http.StatusText(status)
	}, http.StatusText(http.StatusInsufficientStorage))
	if f := strings.Fields(userLine(t, c.cli(0, "", "user", "list"), "quser")); f[len(f)-2] != "2" || f[len(f)-1] != "2" {
		t.Fatalf("user list: %q, want 2 objects of 2", f)
	}
	// The page says so before an upload starts, and sends nothing.
	b := newBrowser(t, findChromium(t))
	files := writeFiles(t, t.TempDir(), map[string][]byte{"one-more.txt": []byte("x")})
	b.signIn(c.gws[2].URL["web"], "quser", "quser password")
	b.do("open the bucket", chromedp.Click(chromedp.CSS(`#rows tr[data-name="quota-data"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
	b.poll("the usage line", `document.getElementById("usage").textContent === "2 of 2 files"`)
	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), files))
	b.poll("refused before it starts", `document.getElementById("status").textContent.startsWith("Too many files")`)
	if n := b.eval(`String(document.querySelectorAll("#uploads li").length)`); n != "0" {
		t.Fatalf("%s upload rows: the upload started", n)
	}
	b.finish(t)
}

// refusedWithin retries try until it answers want, for at most 6 s (the
// quota and the other gateways' counts reach a gateway within 4 s). A try
// whose write went through deletes it again, so that the count stays put.
func refusedWithin(t *testing.T, what string, try func() string, want string) {
	t.Helper()
	start := time.Now()
	for {
		got := try()
		if got == want {
			t.Logf("%s refused after %v", what, time.Since(start).Round(100*time.Millisecond))
			return
		}
		if time.Since(start) > 6*time.Second {
			t.Fatalf("%s: %q, want %q", what, got, want)
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// userLine returns the line of `user list` output for name.
func userLine(t *testing.T, out, name string) string {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.HasPrefix(l, name+" ") {
			return strings.TrimSpace(l)
		}
	}
	t.Fatalf("no %s in %q", name, out)
	return ""
}

// webClient is a signed-in web app session, driven at the API level.
type webClient struct {
	t    *testing.T
	base string
	hc   *http.Client
	csrf string
}

func webLogin(t *testing.T, base, name, password string) *webClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	w := &webClient{t: t, base: base, hc: &http.Client{Jar: jar}}
	in, _ := json.Marshal(map[string]string{"name": name, "password": password})
	var sess struct{ CSRF string }
	if err := json.Unmarshal([]byte(w.must("POST", "/api/login", in, 200)), &sess); err != nil || sess.CSRF == "" {
		t.Fatalf("login: %v", err)
	}
	w.csrf = sess.CSRF
	return w
}

func (w *webClient) do(method, path string, body []byte) (int, string) {
	w.t.Helper()
	req, _ := http.NewRequest(method, w.base+path, bytes.NewReader(body))
	req.Header.Set("X-CSRF-Token", w.csrf)
	if strings.HasPrefix(path, "/api/login") {
		req.Header.Set("Content-Type", "application/json")
	}
	return quotaSend(w.t, w.hc, req)
}

func (w *webClient) must(method, path string, body []byte, want int) string {
	w.t.Helper()
	status, out := w.do(method, path, body)
	if status != want {
		w.t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, out)
	}
	return out
}

// quotaSend sends a request and returns the status and the body.
func quotaSend(t *testing.T, hc *http.Client, req *http.Request) (int, string) {
	t.Helper()
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// quotaInBrowser: the page shows the usage and says, before an upload
// starts, that a file does not fit; nothing is sent.
func quotaInBrowser(t *testing.T, c *cluster, a account) {
	b := newBrowser(t, findChromium(t))
	file := filepath.Join(t.TempDir(), "too-big.bin")
	if err := os.WriteFile(file, make([]byte, 600<<10), 0o600); err != nil {
		t.Fatal(err)
	}
	b.do("sign in", chromedp.Navigate(c.gws[2].URL["web"]), chromedp.WaitVisible(chromedp.ID("login-form")),
		chromedp.SendKeys(chromedp.ID("login-name"), "quser"), chromedp.SendKeys(chromedp.ID("login-password"), "quser password"),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("new-bucket")))
	b.do("open the bucket", chromedp.Click(chromedp.CSS(`#rows tr[data-name="quota-data"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
	b.poll("the usage line", `document.getElementById("usage").textContent === "600 KiB of 1.0 MiB used"`)
	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{file}))
	b.poll("refused before it starts", `document.getElementById("status").textContent.startsWith("Not enough room")`)
	if n := b.eval(`String(document.querySelectorAll("#uploads li").length)`); n != "0" {
		t.Fatalf("%s upload rows: the upload started", n)
	}
	if _, cd := getBody(c.client(0, a), "quota-data", "too-big.bin"); cd != "NoSuchKey" {
		t.Fatalf("too-big.bin: %s", cd)
	}
	b.shot("quota.png")
	b.finish(t)
}
