package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/chromedp/chromedp"
)

// TestWebAppBuckets moves a file and a folder into another bucket, then
// deletes buckets from the bucket list, in Chromium. A wrong name typed in
// the confirmation deletes nothing; the right one deletes the bucket with
// its files, as S3 then sees; a versioned bucket holding versions is
// refused with why, and keeps them.
func TestWebAppBuckets(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-frank-web"
	acct := c.addUserWith(0, "frank", pw)
	s3c := c.client(0, acct)
	ctx := context.Background()
	for _, b := range []string{"full", "history"} {
		if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(b)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s3c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: aws.String("history"),
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		t.Fatal(err)
	}
	put := func(bucket, key string) {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(key)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range [][2]string{{"full", "a/b.txt"}, {"full", "c.txt"}, {"history", "kept.txt"}} {
		put(o[0], o[1])
	}
	b := newBrowser(t, chrome)
	b.signIn(c.gws[0].URL["web"], "frank", pw)
	b.poll("the buckets are listed", rowJS("full")+` && `+rowJS("history"))
	button := func(name, action string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.JSPath(rowJS(name) + `.querySelector("button[data-action='` + action + `']")`))
	}
	deleteButton := func(name string) chromedp.Action[chromedp.Void] { return button(name, "delete") }
	status := `document.getElementById("status").textContent`

	b.do("open full", chromedp.Click(chromedp.CSS(`#rows tr[data-name="full"] a`)), chromedp.WaitVisible(chromedp.ID("upload-button")))
	b.poll("full is listed", rowJS("c.txt")+` && `+rowJS("a"))
	b.do("move c.txt", button("c.txt", "move"))
	b.answer("history/in/")
	b.poll("c.txt left", `!(`+rowJS("c.txt")+`)`)
	b.do("move the folder a", button("a", "move"))
	b.answer("history/")
	b.poll("a left", `!(`+rowJS("a")+`) && `+status+` === ""`)
	for key, want := range map[string]string{"in/c.txt": "c.txt", "a/b.txt": "a/b.txt"} {
		if got := s3Get(t, s3c, "history", key); string(got) != want {
			t.Fatalf("history/%s after the move: %q", key, got)
		}
	}
	b.do("back to the buckets", chromedp.Click(chromedp.CSS(`#crumbs a[href="#"]`)))
	b.poll("the buckets are listed again", rowJS("full")+` && `+rowJS("history"))
	put("full", "d.txt") // a file to delete with the bucket

	b.do("delete full", deleteButton("full"))
	b.answer("fill")
	b.poll("a wrong name is refused", status+`.includes("nothing was deleted")`)
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("full")}); err != nil {
		t.Fatalf("a wrong name deleted the bucket: %v", err)
	}

	b.do("delete full", deleteButton("full"))
	b.answer("full")
	b.poll("the bucket is gone", `!(`+rowJS("full")+`) && `+rowJS("history"))
	if _, err := s3c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("full")}); err == nil {
		t.Fatal("S3 still sees the deleted bucket")
	}

	b.do("delete history", deleteButton("history"))
	b.answer("history")
	b.poll("a bucket with versions is refused", status+`.includes("keeps versions")`)
	b.shot("bucket-keeps-versions.png")
	if got := s3Get(t, s3c, "history", "kept.txt"); string(got) != "kept.txt" {
		t.Fatalf("the refused delete changed the file: %q", got)
	}
	b.poll("the bucket is still listed", rowJS("history"))
	b.finish(t)
}
