package s3api

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/sealgate/sealgate/internal/etagtest"
)

func payload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/4096)
	}
	return b
}

func TestUploadManager(t *testing.T) { testUploadManager(t, envOpts{}) }

func testUploadManager(t *testing.T, o envOpts) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			e := newEnv(t, withTLS(o, tls))
			c := e.aliceClient(t)
			mustBucket(t, c, "mpu")
			data := payload(12<<20 + 123)
			//nolint:staticcheck // the brief names feature/s3/manager: what deployed tools use today
			up := manager.NewUploader(c, func(u *manager.Uploader) { u.PartSize = 5 << 20; u.Concurrency = 2 })
			out, err := up.Upload( //nolint:staticcheck // see above
				context.Background(), &s3.PutObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big"),
					Body: bytes.NewReader(data), Metadata: map[string]string{"kind": "big"}})
			if err != nil {
				t.Fatal(err)
			}
			want := `"` + etagtest.Even(data, 5<<20) + `"`
			if aws.ToString(out.ETag) != want {
				t.Fatalf("ETag %s want %s", aws.ToString(out.ETag), want)
			}
			h, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("mpu"), Key: aws.String("big")})
			if err != nil || aws.ToString(h.ETag) != want || h.Metadata["kind"] != "big" {
				t.Fatalf("head: %v %v", err, h)
			}
			if got := mustGet(t, c, "mpu", "big"); got != string(data) {
				t.Fatal("multipart body differs")
			}
		})
	}
}

func TestMultipartLowLevel(t *testing.T) { testMultipartLowLevel(t, envOpts{}) }

func testMultipartLowLevel(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "mpl")
	mustPut(t, c, "mpl", "src", string(payload(6<<20)))
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpl"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	id := cr.UploadId
	p1, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpl"), Key: aws.String("dst"), UploadId: id,
		PartNumber: aws.Int32(1), CopySource: aws.String("mpl/src"), CopySourceRange: aws.String("bytes=0-5242879")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpl"), Key: aws.String("dst"), UploadId: id,
		PartNumber: aws.Int32(2), Body: strings.NewReader("tail")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("mpl"), Key: aws.String("dst"), UploadId: id,
		PartNumber: aws.Int32(3), CopySource: aws.String("mpl/src"), CopySourceRange: aws.String("bytes=0-99999999")})
	wantCode(t, err, "InvalidArgument", 400) // AWS's, naming the source's size

	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpl"), Key: aws.String("dst"), UploadId: id})
	if err != nil || len(lp.Parts) != 2 || aws.ToInt64(lp.Parts[1].Size) != 4 {
		t.Fatalf("ListParts: %v %+v", err, lp)
	}
	lu, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpl")})
	if err != nil || len(lu.Uploads) != 1 || aws.ToString(lu.Uploads[0].UploadId) != aws.ToString(id) {
		t.Fatalf("ListMultipartUploads: %v %+v", err, lu)
	}
	complete := func(parts ...types.CompletedPart) (*s3.CompleteMultipartUploadOutput, error) {
		return c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpl"), Key: aws.String("dst"),
			UploadId: id, MultipartUpload: &types.CompletedMultipartUpload{Parts: parts}})
	}
	part := func(n int32, etag *string) types.CompletedPart {
		return types.CompletedPart{PartNumber: aws.Int32(n), ETag: etag}
	}
	_, err = complete(part(2, p2.ETag), part(1, p1.CopyPartResult.ETag))
	wantCode(t, err, "InvalidPartOrder", 400)
	_, err = complete(part(1, aws.String(`"ffff"`)), part(2, p2.ETag))
	wantCode(t, err, "InvalidPart", 400)
	out, err := complete(part(1, p1.CopyPartResult.ETag), part(2, p2.ETag))
	if err != nil {
		t.Fatal(err)
	}
	again, err := complete(part(1, p1.CopyPartResult.ETag), part(2, p2.ETag))
	if err != nil || aws.ToString(again.ETag) != aws.ToString(out.ETag) || !strings.HasSuffix(aws.ToString(out.ETag), `-2"`) {
		t.Fatalf("repeated complete: %v %s %s", err, aws.ToString(again.ETag), aws.ToString(out.ETag))
	}
	if got := mustGet(t, c, "mpl", "dst"); got != string(payload(6 << 20)[:5<<20])+"tail" {
		t.Fatal("UploadPartCopy content differs")
	}
}

func TestMultipartAbortAndErrors(t *testing.T) { testMultipartAbortAndErrors(t, envOpts{}) }

func testMultipartAbortAndErrors(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "mpa")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String("k")})
	if err != nil {
		t.Fatal(err)
	}
	p1, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("small")})
	if err != nil {
		t.Fatal(err)
	}
	p2, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(2), Body: strings.NewReader("small")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{
			{PartNumber: aws.Int32(1), ETag: p1.ETag}, {PartNumber: aws.Int32(2), ETag: p2.ETag}}}})
	wantCode(t, err, "EntityTooSmall", 400)
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(10001), Body: strings.NewReader("x")})
	wantCode(t, err, "InvalidArgument", 400)
	if _, err := c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId}); err != nil {
		t.Fatal(err)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("x")})
	wantCode(t, err, "NoSuchUpload", 404)
	_, err = c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpa"), Key: aws.String("k"), UploadId: cr.UploadId})
	wantCode(t, err, "NoSuchUpload", 404)
	resp := e.signed(t, mustReq(t, http.MethodPost, e.srv.URL+"/mpa/k?uploadId="+aws.ToString(cr.UploadId), strings.NewReader("<Complete")), aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(b), "<Code>MalformedXML</Code>") {
		t.Fatalf("malformed complete: %d %s", resp.StatusCode, b)
	}
}
