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

// TestWebAppDeleteBucket deletes buckets from the bucket list in
// Chromium. A wrong name typed in the confirmation deletes nothing; the
// right one deletes the bucket with its files, as S3 then sees; a
// versioned bucket holding versions is refused with why, and keeps them.
func TestWebAppDeleteBucket(t *testing.T) {
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
	for _, o := range [][2]string{{"full", "a/b.txt"}, {"full", "c.txt"}, {"history", "kept.txt"}} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String(o[0]), Key: aws.String(o[1]), Body: strings.NewReader(o[1])}); err != nil {
			t.Fatal(err)
		}
	}
	b := newBrowser(t, chrome)
	b.signIn(c.gws[0].URL["web"], "frank", pw)
	b.poll("the buckets are listed", rowJS("full")+` && `+rowJS("history"))
	deleteButton := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.JSPath(rowJS(name) + `.querySelector("button[data-action='delete']")`))
	}
	status := `document.getElementById("status").textContent`

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
