package s3api

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// DeleteObject's conditions reach the gateway (real gateway): a mismatch
// is 412 and keeps the object; a header that does not parse is 400.
func TestDeleteObjectConditions(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "delcond")
	etag := mustPut(t, c, "delcond", "k", "dummy")
	for _, in := range []*s3.DeleteObjectInput{
		{IfMatch: aws.String(`"incorrect_etag"`)},
		{IfMatchSize: aws.Int64(23234)},
		{IfMatchLastModifiedTime: aws.Time(time.Now().AddDate(-1, 0, 0))},
	} {
		in.Bucket, in.Key = aws.String("delcond"), aws.String("k")
		_, err := c.DeleteObject(ctx, in)
		wantCode(t, err, "PreconditionFailed", 412)
	}
	for _, h := range []string{"X-Amz-If-Match-Size", "X-Amz-If-Match-Last-Modified-Time"} {
		req := mustReq(t, http.MethodDelete, e.srv.URL+"/delcond/k", nil)
		req.Header.Set(h, "soon")
		resp := e.signed(t, req, aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		if got := readAPIError(t, resp); got.Code != "InvalidArgument" {
			t.Fatalf("%s: %+v", h, got)
		}
	}
	mustGet(t, c, "delcond", "k") // still there
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("delcond"), Key: aws.String("k"), IfMatch: aws.String(etag), IfMatchSize: aws.Int64(5)}); err != nil {
		t.Fatal(err)
	}
}

// AbortMultipartUpload with x-amz-if-match-initiated-time (real gateway):
// 412 for another time, 204 for the time the upload began, and 204 for an
// upload that no longer exists.
func TestAbortIfInitiatedTime(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "abortif")
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("abortif"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("abortif")})
	if err != nil || len(list.Uploads) != 1 {
		t.Fatal(list, err)
	}
	began := aws.ToTime(list.Uploads[0].Initiated)
	abort := func(at time.Time) error {
		_, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("abortif"), Key: aws.String("k"),
			UploadId: up.UploadId, IfMatchInitiatedTime: aws.Time(at)})
		return err
	}
	wantCode(t, abort(began.AddDate(-1, 0, 1)), "PreconditionFailed", 412)
	if err := abort(began); err != nil {
		t.Fatal(err)
	}
	if err := abort(began); err != nil {
		t.Fatalf("gone: %v", err)
	}
	_, err = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("nosuchbucket"), Key: aws.String("k"),
		UploadId: up.UploadId, IfMatchInitiatedTime: aws.Time(began)})
	wantCode(t, err, "NoSuchBucket", 404)
}
