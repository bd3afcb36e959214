package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/fetch"
	"github.com/chromedp/chromedp"
)

// TestWebAppCancelUpload cancels two uploads in headless Chromium: a
// 64 MiB one in parts (uploads throttled so that it is slow) after a
// fifth of it was sent, and a small file waiting behind it. Both rows end
// "cancelled"; neither file is listed or stored, the gateway keeps no
// unfinished upload (S3 ListMultipartUploads), and the page kept no
// resume record in localStorage. Then a 12 MiB file, sent in one request,
// cancelled at a fifth of its body: it is not stored or listed. Last, a
// cancel that comes too late (cancelTooLate).
func TestWebAppCancelUpload(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-dave-web"
	acct := c.addUserWith(0, "dave", pw)
	web := c.gws[0].URL["web"]
	b := newBrowser(t, chrome)
	dir := t.TempDir()
	big, _ := writeRandomFile(t, dir, "big.bin", 64<<20)
	later := filepath.Join(dir, "later.txt")
	if err := os.WriteFile(later, []byte("sent after big.bin"), 0o600); err != nil {
		t.Fatal(err)
	}

	b.signIn(web, "dave", pw)
	b.openNewBucket("cancel")
	b.throttleUploads(t, 8e6)

	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{big, later}))
	b.pollFor("big.bin at 20%", progressJS("big.bin")+" >= 0.2", time.Minute)
	if got := b.eval(`String(Object.keys(localStorage).filter(k => k.startsWith("sg-upload:")).length)`); got != "1" {
		t.Fatalf("resume records while uploading: %s, want 1", got)
	}
	b.shot("upload-cancel.png")
	for _, name := range []string{"later.txt", "big.bin"} {
		b.do("cancel "+name, chromedp.Click(chromedp.JSPath(uploadRowJS(name)+`.querySelector("button.cancel")`)))
	}
	for _, name := range []string{"big.bin", "later.txt"} {
		b.pollFor(name+" is cancelled", uploadRowJS(name)+`?.dataset.state === "cancelled"`, time.Minute)
	}
	if got := b.eval(`String(Object.keys(localStorage).filter(k => k.startsWith("sg-upload:")).length)`); got != "0" {
		t.Fatalf("resume records after the cancel: %s, want 0", got)
	}
	if got := b.eval(`String(!!(` + rowJS("big.bin") + `) || !!(` + rowJS("later.txt") + `))`); got != "false" {
		t.Fatal("a cancelled file is listed")
	}
	s3c := c.client(0, acct)
	ctx := context.Background()
	ups, err := s3c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("cancel")})
	if err != nil {
		t.Fatal(err)
	}
	if len(ups.Uploads) != 0 {
		t.Fatalf("%d unfinished upload(s) left after the cancel", len(ups.Uploads))
	}
	list, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cancel")})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Contents) != 0 {
		t.Fatalf("%d object(s) stored after the cancel", len(list.Contents))
	}

	// A file sent in one request (12 MiB), cancelled mid-body: the request
	// is aborted, and the body cut short commits nothing.
	mid, _ := writeRandomFile(t, dir, "mid.bin", 12<<20)
	b.do("upload mid.bin", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{mid}))
	b.pollFor("mid.bin at 20%", progressJS("mid.bin")+" >= 0.2", time.Minute)
	b.do("cancel mid.bin", chromedp.Click(chromedp.JSPath(uploadRowJS("mid.bin")+`.querySelector("button.cancel")`)))
	b.pollFor("mid.bin is cancelled", uploadRowJS("mid.bin")+`?.dataset.state === "cancelled"`, time.Minute)
	time.Sleep(time.Second) // the gateway sees the request cut
	if list, err = s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("cancel")}); err != nil || len(list.Contents) != 0 {
		t.Fatalf("stored after the cancel of a single request: %v %v", list, err)
	}
	if got := b.eval(`String(!!(` + rowJS("mid.bin") + `))`); got != "false" {
		t.Fatal("the cancelled single request's file is listed")
	}
	b.cancelTooLate(t, s3c, dir)
	b.finish(t)
}

// cancelTooLate cancels a single-request upload whose whole body was sent
// and stored, its answer held by DevTools: the cancel comes too late, so
// the row must read "done" (not "cancelled") and the file be listed.
func (b *webBrowser) cancelTooLate(t *testing.T, s3c *s3.Client, dir string) {
	t.Helper()
	paused := make(chan fetch.RequestID, 1)
	go func() {
		for ev, err := range chromedp.Events(b.ctx, fetch.RequestPaused) {
			if err != nil {
				return
			}
			paused <- ev.RequestID
		}
	}()
	hold := []*fetch.RequestPattern{{URLPattern: "*/api/object?*", RequestStage: fetch.RequestStageResponse}}
	if _, err := chromedp.Call(b.ctx, fetch.Enable, fetch.EnableParams{Patterns: hold}); err != nil {
		t.Fatal(err)
	}
	late := writeFiles(t, dir, map[string][]byte{"late.txt": []byte("stored before the cancel")})
	b.do("upload late.txt", chromedp.SetUploadFiles(chromedp.ID("file-input"), late))
	var id fetch.RequestID
	select {
	case id = <-paused:
	case <-time.After(30 * time.Second):
		t.Fatal("the upload's answer was not held")
	}
	if got := s3Get(t, s3c, "cancel", "late.txt"); string(got) != "stored before the cancel" {
		t.Fatalf("late.txt stored as %q", got)
	}
	b.do("cancel late.txt", chromedp.Click(chromedp.JSPath(uploadRowJS("late.txt")+`.querySelector("button.cancel")`)))
	time.Sleep(500 * time.Millisecond) // an abort would be now
	_, _ = chromedp.Call(b.ctx, fetch.ContinueResponse, fetch.ContinueResponseParams{RequestID: id})
	if _, err := chromedp.Call(b.ctx, fetch.Disable, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	b.pollFor("late.txt is done", uploadRowJS("late.txt")+`?.dataset.state === "done"`, 20*time.Second)
	b.poll("late.txt is listed", rowJS("late.txt"))
}

// TestWebAppDiscardLeftover reloads the page while a 64 MiB upload in
// parts is sent (uploads throttled), leaving it unfinished on the server;
// while it was sent, the folder listed again did not offer it. The bucket
// then lists it under the unfinished uploads, and its Discard
// button aborts it: no unfinished upload is left (S3
// ListMultipartUploads), no resume record stays in localStorage, nothing
// is listed or stored, and after another reload the list stays empty.
func TestWebAppDiscardLeftover(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-erin-web"
	acct := c.addUserWith(0, "erin", pw)
	web := c.gws[0].URL["web"]
	b := newBrowser(t, chrome)
	big, _ := writeRandomFile(t, t.TempDir(), "big.bin", 64<<20)
	s3c := c.client(0, acct)
	const leftover = `document.querySelector('#leftovers li[data-key="big.bin"]')`

	b.signIn(web, "erin", pw)
	b.openNewBucket("left")
	b.throttleUploads(t, 8e6)
	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), []string{big}))
	b.pollFor("big.bin at 15%", progressJS("big.bin")+" >= 0.15", time.Minute)
	b.eval(`(() => { dispatchEvent(new HashChangeEvent("hashchange")); return "" })()`) // the folder listed again
	time.Sleep(time.Second)                                                             // and its unfinished uploads asked for
	if got := b.eval(`String(!document.getElementById("leftovers").hidden)`); got != "false" {
		t.Fatal("the upload being sent is offered for discarding")
	}
	b.do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("upload-button")))
	if n := storedUploads(t, s3c, "left"); n != 1 {
		t.Fatalf("%d unfinished uploads after the reload, want 1", n)
	}
	b.pollFor("the unfinished upload is listed", leftover+` && !document.getElementById("leftovers").hidden`, 20*time.Second)
	b.shot("upload-leftover.png")
	otherAccountLeavesIt(t, b, c, web)
	b.signIn(web, "erin", pw)
	b.do("open left again", chromedp.Click(chromedp.CSS(`#rows tr[data-name="left"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
	b.pollFor("listed again for its account", leftover+` && !document.getElementById("leftovers").hidden`, 20*time.Second)
	b.do("discard", chromedp.Click(chromedp.JSPath(leftover+`.querySelector("button.discard")`)))
	b.pollFor("the unfinished upload is discarded", `!`+leftover+` && document.getElementById("leftovers").hidden`, 20*time.Second)
	if got := b.eval(`String(Object.keys(localStorage).filter(k => k.startsWith("sg-upload:")).length)`); got != "0" {
		t.Fatalf("resume records after the discard: %s, want 0", got)
	}
	if n := storedUploads(t, s3c, "left"); n != 0 {
		t.Fatalf("%d unfinished uploads after the discard", n)
	}
	list, err := s3c.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("left")})
	if err != nil || len(list.Contents) != 0 {
		t.Fatalf("stored after the discard: %v %v", list, err)
	}
	b.do("reload again", chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("upload-button")))
	b.poll("the folder is listed", `document.getElementById("status").textContent === ""`)
	if got := b.eval(`String(!!` + leftover + ` || !!(` + rowJS("big.bin") + `))`); got != "false" {
		t.Fatal("the discarded upload is listed after a reload")
	}
	b.finish(t)
}

// otherAccountLeavesIt signs out and in as another account of the same
// browser, with a bucket of the same name: the first account's unfinished
// upload is neither offered to it nor forgotten (its record stays in
// localStorage), though its server has no such upload. It signs out again.
func otherAccountLeavesIt(t *testing.T, b *webBrowser, c *cluster, web string) {
	t.Helper()
	fred := c.addUserWith(0, "fred", "pw-fred-web")
	if _, err := c.client(0, fred).CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String("left")}); err != nil {
		t.Fatal(err)
	}
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
	b.signIn(web, "fred", "pw-fred-web")
	b.do("open fred's left", chromedp.Click(chromedp.CSS(`#rows tr[data-name="left"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
	time.Sleep(time.Second) // its unfinished uploads asked for
	if got := b.eval(`String(document.getElementById("leftovers").hidden)`); got != "true" {
		t.Fatal("another account's unfinished upload is offered")
	}
	if got := b.eval(`String(Object.keys(localStorage).filter(k => k.startsWith("sg-upload:")).length)`); got != "1" {
		t.Fatalf("resume records after another account opened its bucket: %s, want 1", got)
	}
	b.do("sign out", chromedp.Click(chromedp.ID("logout")), chromedp.WaitVisible(chromedp.ID("login-form")))
}
