package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// bigUpload is the size of the large file: 25 parts of 8 MiB.
const (
	bigUpload = 200 << 20
	bigParts  = 25
)

// TestWebAppLargeUploadResumePreview drives the web app's resumable
// uploads, previews and phone layout in headless Chromium against one
// `sealgate serve`: four files picked at once (one of 200 MiB, sent in
// parts; one named and made of HTML), the progress read until 100%, the
// large one downloaded back and compared byte for byte; a second 200 MiB
// upload interrupted by a page reload between 20% and 80% and resumed by
// picking the file again, with the gateway's metrics showing that only the
// parts it did not have were sent; a third one whose connection drops
// (DevTools offline) for a few seconds, its failed parts retried until it
// completes intact; previews of an image, a text file and
// the hostile HTML file (shown as text, no dialog); the folder at 375 px
// wide without horizontal scrolling. Uploads are throttled in the browser
// (DevTools network emulation) so that the reload lands mid-upload.
// Screenshots go to $SEALGATE_SCREENSHOTS, else the test's temp dir.
func TestWebAppLargeUploadResumePreview(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-carol-web"
	acct := c.addUserWith(0, "carol", pw)
	web := c.gws[0].URL["web"]
	b := newBrowser(t, chrome)
	dir := t.TempDir()
	big, bigSum := writeRandomFile(t, dir, "big.bin", bigUpload)
	resume := filepath.Join(dir, "resume.bin")
	if err := os.Link(big, resume); err != nil {
		t.Fatal(err)
	}
	small := map[string][]byte{"notes.txt": []byte("plain notes\nline two\n"), "photo.png": testPNG(t, 64, 48), xssName: []byte("<script>alert(1)</script>")}
	paths := writeFiles(t, dir, small)

	b.do("sign-in page", chromedp.Navigate(web), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.probeDialogs()
	b.shot("signin.png")
	b.do("sign in", chromedp.SendKeys(chromedp.ID("login-name"), "carol"), chromedp.SendKeys(chromedp.ID("login-password"), pw),
		chromedp.Click(chromedp.ID("login-submit")), chromedp.WaitVisible(chromedp.ID("new-bucket")))
	b.openNewBucket("uploads")
	b.throttleUploads(t, 60e6)

	// Several files at once, the large one last.
	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), append(paths, big)))
	b.pollFor("the large upload is under way", progressJS("big.bin")+" >= 0.2", time.Minute)
	b.shot("upload-progress.png")
	b.pollFor("the large upload reached 100%", `(() => { const li = `+uploadRowJS("big.bin")+`; const p = li && li.querySelector("progress");
		return !!p && li.dataset.state === "done" && p.value === p.max && p.max === `+strconv.Itoa(bigUpload)+` })()`, 3*time.Minute)
	for name := range small {
		b.poll("uploaded "+name, rowJS(name))
	}
	b.poll("the large file is listed", rowJS("big.bin"))
	b.do("download big.bin", chromedp.Click(chromedp.JSPath(rowJS("big.bin")+`.querySelector("a")`)))
	if got := sha256.Sum256(b.downloaded(t)); got != bigSum {
		t.Fatal("the downloaded 200 MiB file differs from the one uploaded")
	}
	b.shot("folder.png")

	// A reload mid-upload, then the same file picked again.
	s3c := c.client(0, acct)
	before := partPuts(t, c)
	b.do("upload resume.bin", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{resume}))
	b.pollFor("resume.bin at 20% or more", progressJS("resume.bin")+" >= 0.2", time.Minute)
	frac := b.eval(`String(` + progressJS("resume.bin") + `)`)
	b.shot("upload-listing.png")
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("upload-button")))
	time.Sleep(2 * time.Second) // parts cut by the reload end, stored or not
	stored := storedParts(t, s3c, "uploads", "resume.bin")
	mid := partPuts(t, c)
	if f, _ := strconv.ParseFloat(frac, 64); f > 0.8 || stored < 1 || stored >= bigParts {
		t.Fatalf("reloaded at %s of the upload with %d of %d parts stored: not mid-upload", frac, stored, bigParts)
	}
	b.do("pick the file again", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{resume}))
	b.pollFor("the resumed upload is done", rowJS("resume.bin"), 3*time.Minute)
	after := partPuts(t, c)
	t.Logf("reloaded at %s: %d parts stored, %d part PUTs before the reload, %d after", frac, stored, mid-before, after-mid)
	if after-mid != bigParts-stored {
		t.Fatalf("after the reload %d parts were sent, want %d (%d of %d were stored)", after-mid, bigParts-stored, stored, bigParts)
	}
	if got := s3Sum(t, s3c, "uploads", "resume.bin"); got != bigSum {
		t.Fatal("the resumed file differs from the one picked")
	}
	if n := b.eval(`String(Object.keys(localStorage).filter(k => k.startsWith("sg-upload:")).length)`); n != "0" {
		t.Fatalf("%s upload records left in localStorage", n)
	}
	if n := storedUploads(t, s3c, "uploads"); n != 0 {
		t.Fatalf("%d unfinished uploads left", n)
	}

	// A connection that drops for a few seconds mid-upload: the parts that
	// fail are sent again (with backoff) and the upload completes.
	retry := filepath.Join(dir, "retry.bin")
	if err := os.Link(big, retry); err != nil {
		t.Fatal(err)
	}
	b.do("upload retry.bin", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{retry}))
	b.pollFor("retry.bin at 20% or more", progressJS("retry.bin")+" >= 0.2", time.Minute)
	b.network(t, true, 60e6)
	b.pollFor("a part is retried", uploadRowJS("retry.bin")+`?.dataset.retries >= 1`, 20*time.Second)
	time.Sleep(2 * time.Second)
	b.network(t, false, 60e6)
	b.pollFor("the upload that lost its connection is done", rowJS("retry.bin"), 3*time.Minute)
	if got := s3Sum(t, s3c, "uploads", "retry.bin"); got != bigSum {
		t.Fatal("the file uploaded across a dropped connection differs from the one picked")
	}

	checkPreviews(t, b, small)
	b.do("phone width", chromedp.EmulateViewport(375, 812))
	b.shot("phone.png")
	if w := b.eval(`String(document.documentElement.scrollWidth)`); w != "375" {
		t.Fatalf("at 375 px the page is %s px wide", w)
	}
	if off := b.eval(offscreenJS); off != "" {
		t.Fatalf("at 375 px these controls leave the screen: %s", off)
	}
	b.do("phone preview", chromedp.Click(chromedp.JSPath(rowJS("photo.png")+`.querySelector("button[data-action='preview']")`)))
	b.poll("the image shows", `document.getElementById("preview-img")?.naturalWidth === 64`)
	b.shot("phone-preview.png")
	b.finish(t)
}

// checkPreviews previews an image, a text file and the hostile HTML file.
func checkPreviews(t *testing.T, b *webBrowser, small map[string][]byte) {
	t.Helper()
	open := func(name string) {
		b.do("preview "+name, chromedp.Click(chromedp.JSPath(rowJS(name)+`.querySelector("button[data-action='preview']")`)),
			chromedp.WaitVisible(chromedp.ID("preview")))
		b.poll("the preview names "+name, fmt.Sprintf(`document.getElementById("preview-name").textContent === %q`, name))
	}
	closePreview := func() {
		b.do("close the preview", chromedp.Click(chromedp.ID("preview-close")), chromedp.WaitNotVisible(chromedp.ID("preview")))
	}
	open("photo.png")
	b.poll("the image shows", `document.getElementById("preview-img")?.complete && document.getElementById("preview-img").naturalWidth === 64`)
	b.shot("preview.png")
	closePreview()
	for _, name := range []string{"notes.txt", xssName} {
		open(name)
		b.poll("the text shows", fmt.Sprintf(`document.getElementById("preview-text").textContent === %q`, small[name]))
		if n := b.eval(`String(document.querySelectorAll("img, script:not([src]), iframe, object, embed").length)`); n != "0" {
			t.Fatalf("previewing %q made %s active element(s)", name, n)
		}
		if name == xssName {
			b.shot("preview-text.png")
		}
		closePreview()
	}
}

// offscreenJS lists the toolbar buttons and row controls that end past
// the viewport's right edge ("" if none).
const offscreenJS = `[...document.querySelectorAll(".toolbar button:not([hidden]), .toolbar label:not([hidden]), #rows button, #rows a, #logout")]
	.filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 0.5)
	.map(e => e.textContent).join(", ")`

// uploadRowJS is the upload progress row of a file name, or null.
func uploadRowJS(name string) string {
	return fmt.Sprintf(`[...document.querySelectorAll("#uploads li")].find(li => li.dataset.name === %q)`, name)
}

// progressJS is the fraction of a file's upload done, read from its
// progress element (0 without one).
func progressJS(name string) string {
	return `(() => { const li = ` + uploadRowJS(name) + `; const p = li && li.querySelector("progress"); return p ? p.value / p.max : 0 })()`
}

// throttleUploads limits what the browser sends to bytesPerSec.
func (b *webBrowser) throttleUploads(t *testing.T, bytesPerSec float64) {
	t.Helper()
	if _, err := chromedp.Call(b.ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	b.network(t, false, bytesPerSec)
}

// network sets the browser's emulated network: offline, or uploads
// limited to bytesPerSec.
func (b *webBrowser) network(t *testing.T, offline bool, bytesPerSec float64) {
	t.Helper()
	_, err := chromedp.Call(b.ctx, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: bytesPerSec, Offline: offline}}})
	if err != nil {
		t.Fatal(err)
	}
}

// pollFor is poll with a timeout of its own.
func (b *webBrowser) pollFor(what, expr string, timeout time.Duration) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, timeout)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[chromedp.Void](expr)); err != nil {
		b.t.Fatalf("%s: %v (problems: %q)", what, err, b.problems)
	}
}

// partPuts counts the web door's stored parts (PUTs answered 200) in the
// gateway's metrics.
func partPuts(t *testing.T, c *cluster) int {
	t.Helper()
	for line := range strings.Lines(c.metrics(0)) {
		if strings.HasPrefix(line, `sealgate_requests_total{door="web",op="upload-part",status="200"}`) {
			n, err := strconv.ParseFloat(strings.TrimSpace(line[strings.LastIndexByte(line, ' ')+1:]), 64)
			if err != nil {
				t.Fatal(err)
			}
			return int(n)
		}
	}
	return 0
}

// storedParts counts the parts of the one unfinished upload of key.
func storedParts(t *testing.T, c *s3.Client, bucket, key string) int {
	t.Helper()
	ctx := context.Background()
	ups, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket), Prefix: aws.String(key)})
	if err != nil || len(ups.Uploads) != 1 {
		t.Fatalf("unfinished uploads of %s: %v %v", key, ups, err)
	}
	parts, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String(bucket), Key: aws.String(key), UploadId: ups.Uploads[0].UploadId})
	if err != nil {
		t.Fatal(err)
	}
	return len(parts.Parts)
}

func storedUploads(t *testing.T, c *s3.Client, bucket string) int {
	t.Helper()
	ups, err := c.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	return len(ups.Uploads)
}

// s3Sum is the SHA-256 of an object read through the S3 door.
func s3Sum(t *testing.T, c *s3.Client, bucket, key string) [32]byte {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = out.Body.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, out.Body); err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

// writeRandomFile writes n pseudo-random bytes and returns the path and
// their SHA-256.
func writeRandomFile(t *testing.T, dir, name string, n int64) (string, [32]byte) {
	t.Helper()
	p := filepath.Join(dir, name)
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	h := sha256.New()
	if _, err := io.CopyN(io.MultiWriter(f, h), rand.NewChaCha8([32]byte{7}), n); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	var sum [32]byte
	copy(sum[:], h.Sum(nil))
	return p, sum
}

// testPNG is a w×h PNG image.
func testPNG(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{R: uint8(4 * x), G: uint8(5 * y), B: 160, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
