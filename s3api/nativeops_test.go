package s3api

import (
	"context"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestListUploadsDelimiter: with a delimiter, uploads under a folder fold
// into one common prefix that counts as one entry of the page, and paging
// by NextKeyMarker never repeats a prefix.
func TestListUploadsDelimiter(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "ups")
	for _, k := range []string{"a", "d/1", "d/2", "e/x/1", "f", "g/1"} {
		if _, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ups"), Key: aws.String(k)}); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	in := &s3.ListMultipartUploadsInput{Bucket: aws.String("ups"), Delimiter: aws.String("/"), MaxUploads: aws.Int32(2)}
	for page := 0; ; page++ {
		out, err := c.ListMultipartUploads(ctx, in)
		if err != nil || page > 5 {
			t.Fatalf("page %d: %v", page, err)
		}
		for _, u := range out.Uploads {
			got = append(got, *u.Key)
		}
		for _, p := range out.CommonPrefixes {
			got = append(got, "P:"+*p.Prefix)
		}
		if !aws.ToBool(out.IsTruncated) {
			break
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
	if want := "a P:d/ P:e/ f P:g/"; strings.Join(sortedEntries(got), " ") != want {
		t.Fatalf("entries %q, want %q", got, want)
	}
}

// sortedEntries orders page entries by key, prefixes by their prefix.
func sortedEntries(es []string) []string {
	out := append([]string(nil), es...)
	key := func(s string) string { return strings.TrimPrefix(s, "P:") }
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && key(out[j]) < key(out[j-1]); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// TestNativeOpsBadInput: each bad request gets AWS's code and changes
// nothing.
func TestNativeOpsBadInput(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "bad")
	mustPut(t, c, "bad", "keep", "v")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("bad"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	id := *up.UploadId
	var many strings.Builder
	many.WriteString("<Delete>")
	for i := 0; i <= maxDeleteKeys; i++ {
		fmt.Fprintf(&many, "<Object><Key>keep%d</Key></Object>", i)
	}
	many.WriteString("<Object><Key>keep</Key></Object></Delete>")
	for _, tt := range []struct {
		name, method, path, body, code string
		status                         int
	}{
		{"max-parts not a number", "GET", "/bad/k?uploadId=" + id + "&max-parts=x", "", "InvalidArgument", 400},
		{"negative part-number-marker", "GET", "/bad/k?uploadId=" + id + "&part-number-marker=-1", "", "InvalidArgument", 400},
		{"negative max-uploads", "GET", "/bad?uploads&max-uploads=-2", "", "InvalidArgument", 400},
		{"parts of a missing upload", "GET", "/bad/k?uploadId=nope", "", "NoSuchUpload", 404},
		{"abort in a missing bucket", "DELETE", "/nobucket/k?uploadId=" + id, "", "NoSuchBucket", 404},
		{"abort a missing upload", "DELETE", "/bad/k?uploadId=nope", "", "NoSuchUpload", 404},
		{"uploads of a missing bucket", "GET", "/nobucket?uploads", "", "NoSuchBucket", 404},
		{"over 1000 keys", "POST", "/bad?delete", many.String(), "MalformedXML", 400},
		// A malformed version id fails its own entry, as on AWS, not the request.
		{"a version id", "POST", "/bad?delete", "<Delete><Object><Key>keep</Key><VersionId>3HL4kqtJ</VersionId></Object></Delete>", "InvalidArgument", 200},
		{"another region", "PUT", "/newb", "<CreateBucketConfiguration><LocationConstraint>eu-west-1</LocationConstraint></CreateBucketConfiguration>", "InvalidLocationConstraint", 400},
		{"configuration not XML", "PUT", "/newb", "<CreateBucketConfiguration>", "MalformedXML", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			resp := e.signed(t, mustReq(t, tt.method, e.srv.URL+tt.path, body), aliceAK, aliceSK)
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(b), "<Code>"+tt.code+"</Code>") {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, b, tt.status, tt.code)
			}
		})
	}
	if got := mustGet(t, c, "bad", "keep"); got != "v" {
		t.Fatalf("keep = %q", got)
	}
	if _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("newb")}); err == nil {
		t.Fatal("a refused CreateBucket created the bucket")
	}
	if _, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bad"), Key: aws.String("k"), UploadId: up.UploadId}); err != nil {
		t.Fatalf("the upload is gone: %v", err)
	}
	// AWS's us-east-1 takes no LocationConstraint: naming it is refused.
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("newb"),
		CreateBucketConfiguration: &types.CreateBucketConfiguration{LocationConstraint: "us-east-1"}})
	wantCode(t, err, "InvalidLocationConstraint", 400)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("newb")}); err != nil {
		t.Fatalf("CreateBucket without a body: %v", err)
	}
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("bad"), Key: aws.String("k"), UploadId: up.UploadId}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, func() error {
		_, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("bad"), Key: aws.String("k"), UploadId: up.UploadId})
		return err
	}(), "NoSuchUpload", 404)
}
