package integration

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/chromedp/chromedp"
)

// TestWebAppCancelUpload cancels two uploads in headless Chromium: a
// 64 MiB one in parts (uploads throttled so that it is slow) after a
// fifth of it was sent, and a small file waiting behind it. Both rows end
// "cancelled"; neither file is listed or stored, the gateway keeps no
// unfinished upload (S3 ListMultipartUploads), and the page kept no
// resume record in localStorage.
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
	b.finish(t)
}
