package integration

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestIsolation: for every ordered pair of the three accounts, every attempt
// of the attacker on the victim's bucket (read, head, list, overwrite,
// delete, batch delete, copy from, part copy from, presign) fails with
// AccessDenied or NoSuchBucket, and the victim's data is untouched. A bucket
// of the same name created by the attacker is the attacker's own, empty one.
func TestIsolation(t *testing.T) {
	sg := startSealgate(t, "fs")
	type owned struct {
		bucket, key string
		body        []byte
		etag        string
	}
	victims := make([]owned, len(sg.HTTP))
	for i, tg := range sg.HTTP {
		o := owned{bucket: fmt.Sprintf("iso-%d-%s", i, uniqueBucket("b")), key: "private/data.bin", body: randomBytes(uint64(100+i), 3000)}
		sdkCreateBucket(t, tg, o.bucket)
		o.etag = sdkPut(t, tg, o.bucket, o.key, o.body, map[string]string{"owner": accountNames[i]})
		victims[i] = o
	}
	for vi, v := range victims {
		for ai, attacker := range sg.HTTP {
			if ai == vi {
				continue
			}
			t.Run(fmt.Sprintf("%s-on-%s", accountNames[ai], accountNames[vi]), func(t *testing.T) {
				attack(t, attacker, v.bucket, v.key)
			})
		}
	}
	// The victims' data is intact and only theirs.
	for i, v := range victims {
		got, etag := sdkGet(t, sg.HTTP[i], v.bucket, v.key)
		if !bytes.Equal(got, v.body) || etag != v.etag {
			t.Errorf("%s's object changed: %d bytes, ETag %s (want %d, %s)", accountNames[i], len(got), etag, len(v.body), v.etag)
		}
		if keys := sdkKeys(t, sg.HTTP[i], v.bucket, ""); !slices.Equal(keys, []string{v.key}) {
			t.Errorf("%s's bucket lists %q, want only %q", accountNames[i], keys, v.key)
		}
	}
	// Same-name buckets: the attacker gets their own, empty namespace.
	bob, alice := sg.HTTP[1], victims[0]
	sdkCreateBucket(t, bob, alice.bucket)
	if keys := sdkKeys(t, bob, alice.bucket, ""); len(keys) != 0 {
		t.Errorf("bob's bucket named like alice's lists %q", keys)
	}
	sdkPut(t, bob, alice.bucket, alice.key, []byte("bob's own"), nil)
	if got, _ := sdkGet(t, sg.HTTP[0], alice.bucket, alice.key); !bytes.Equal(got, alice.body) {
		t.Errorf("bob's write into his same-named bucket changed alice's object")
	}
}

// denied fails unless err is an S3 error with one of the isolation codes.
func denied(t *testing.T, what string, err error) {
	t.Helper()
	codes := []string{"AccessDenied", "NoSuchBucket"}
	if err == nil {
		t.Errorf("%s: succeeded, want %v", what, codes)
		return
	}
	if c := errorCode(err); !slices.Contains(codes, c) {
		t.Errorf("%s: error code %q, want one of %v (%v)", what, c, codes, err)
	}
}

// attack runs every cross-user request of attacker against bucket/key.
func attack(t *testing.T, attacker target, bucket, key string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	c := sdkClient(t, attacker)
	b, k := aws.String(bucket), aws.String(key)

	if out, err := c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Errorf("ListBuckets: %v", err)
	} else {
		for _, x := range out.Buckets {
			if aws.ToString(x.Name) == bucket {
				t.Errorf("ListBuckets of the attacker shows the victim's bucket")
			}
		}
	}
	_, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	denied(t, "GetObject", err)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k, Range: aws.String("bytes=0-9")})
	denied(t, "GetObject range", err)
	_, err = c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: b})
	denied(t, "ListObjectsV2", err)
	_, err = c.ListObjects(ctx, &s3.ListObjectsInput{Bucket: b})
	denied(t, "ListObjects", err)
	_, err = c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: b})
	denied(t, "ListMultipartUploads", err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: k, Body: strings.NewReader("overwritten")})
	denied(t, "PutObject overwrite", err)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: b, Key: aws.String("new-by-attacker"), Body: strings.NewReader("x")})
	denied(t, "PutObject new key", err)
	_, err = c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: b, Key: k})
	denied(t, "DeleteObject", err)
	dout, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: b, Delete: &types.Delete{Objects: []types.ObjectIdentifier{{Key: k}}}})
	if err == nil && len(dout.Errors) == 0 {
		t.Errorf("DeleteObjects: succeeded without per-key errors")
	} else if err != nil {
		denied(t, "DeleteObjects", err)
	}
	_, err = c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: b, Key: k})
	denied(t, "CreateMultipartUpload", err)
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: b})
	denied(t, "DeleteBucket", err)

	// Copies from the victim's bucket into the attacker's own.
	own := uniqueBucket("attacker")
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &own}); err != nil {
		t.Fatalf("attacker CreateBucket: %v", err)
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: &own, Key: aws.String("stolen"), CopySource: aws.String(bucket + "/" + key)})
	denied(t, "CopyObject from victim", err)
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &own, Key: aws.String("stolen-mp")})
	if err != nil {
		t.Fatalf("attacker CreateMultipartUpload: %v", err)
	}
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: &own, Key: aws.String("stolen-mp"), UploadId: up.UploadId,
		PartNumber: aws.Int32(1), CopySource: aws.String(bucket + "/" + key)})
	denied(t, "UploadPartCopy from victim", err)
	_, _ = c.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &own, Key: aws.String("stolen-mp"), UploadId: up.UploadId})
	if keys := sdkKeys(t, attacker, own, ""); len(keys) != 0 {
		t.Errorf("attacker's bucket holds %q after the copy attempts", keys)
	}

	// HEAD has no body: the status must be 403 or 404.
	for _, req := range []struct {
		name string
		do   func() error
	}{
		{"HeadObject", func() error { _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: b, Key: k}); return err }},
		{"HeadBucket", func() error { _, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b}); return err }},
	} {
		err := req.do()
		if err == nil {
			t.Errorf("%s: succeeded, want 403 or 404", req.name)
		} else if st := httpStatus(err); st != http.StatusForbidden && st != http.StatusNotFound {
			t.Errorf("%s: %v, want 403 or 404", req.name, err)
		}
	}

	// A presigned GET the attacker makes for the victim's object.
	ps := s3.NewPresignClient(c)
	p, err := ps.PresignGetObject(ctx, &s3.GetObjectInput{Bucket: b, Key: k})
	if err != nil {
		t.Fatal(err)
	}
	if status, body := httpGet(t, attacker, p.URL); status != http.StatusForbidden && status != http.StatusNotFound {
		t.Errorf("attacker's presigned GET of the victim's object: status %d\n%s", status, tail(string(body)))
	} else if code := xmlCode(body); code != "AccessDenied" && code != "NoSuchBucket" {
		t.Errorf("attacker's presigned GET: code %q, want AccessDenied or NoSuchBucket", code)
	}
}
