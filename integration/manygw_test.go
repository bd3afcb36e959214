package integration

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/sealgate/sealgate/internal/gwproc"
)

// TestManyGateways runs three gateway processes over one upstream — a
// shared directory, and real S3 servers: versitygw ("s3") and MinIO — and
// sends each request of a scenario to another gateway than the one before:
// they must behave as one S3 and WebDAV service.
func TestManyGateways(t *testing.T) {
	for _, upstream := range []string{"fs", "s3", "minio"} {
		t.Run(upstream, func(t *testing.T) {
			c := newCluster(t, upstream, 3)
			alice := c.addUser(1, "alice")
			t.Run("objects", func(t *testing.T) { objectsAcross(t, c, alice) })
			t.Run("bucket delete", func(t *testing.T) { bucketDeleteAcross(t, c, alice) })
			t.Run("multipart", func(t *testing.T) { multipartAcross(t, c, alice) })
			t.Run("accounts", func(t *testing.T) { accountsAcross(t, c) })
			t.Run("concurrent adds", func(t *testing.T) { concurrentAdds(t, c) })
			t.Run("webdav lock", func(t *testing.T) { lockAcross(t, c) })
			t.Run("kill mid-upload", func(t *testing.T) { killMidUpload(t, c, alice) })
			t.Run("rollback", func(t *testing.T) { rollbackRefused(t, c) })
		})
	}
}

func put(t *testing.T, cl *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("put %s/%s: %v", bucket, key, err)
	}
}

// getBody returns an object's bytes, or the error's S3 code.
func getBody(cl *s3.Client, bucket, key string) ([]byte, string) {
	out, err := cl.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, code(err)
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, err.Error()
	}
	return b, ""
}

func code(err error) string {
	if err == nil {
		return ""
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return err.Error()
}

// listed returns key → size of a bucket's listing.
func listed(t *testing.T, cl *s3.Client, bucket string) map[string]int64 {
	t.Helper()
	out, err := cl.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatalf("list %s: %v", bucket, err)
	}
	m := map[string]int64{}
	for _, o := range out.Contents {
		m[*o.Key] = *o.Size
	}
	return m
}

// objectsAcross: read-after-write, list-after-write, overwrite and delete,
// each step through another gateway.
func objectsAcross(t *testing.T, c *cluster, a account) {
	ctx := context.Background()
	g0, g1, g2 := c.client(0, a), c.client(1, a), c.client(2, a)
	if _, err := g0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("shared")}); err != nil {
		t.Fatal(err)
	}
	v1 := bytes.Repeat([]byte("version one "), 1000)
	put(t, g1, "shared", "doc.txt", v1)
	if got, cd := getBody(g2, "shared", "doc.txt"); !bytes.Equal(got, v1) {
		t.Fatalf("read-after-write on another gateway: %s", cd)
	}
	if l := listed(t, g0, "shared"); l["doc.txt"] != int64(len(v1)) {
		t.Fatalf("list-after-write on another gateway: %v", l)
	}
	v2 := []byte("version two")
	put(t, g2, "shared", "doc.txt", v2)
	if got, cd := getBody(g0, "shared", "doc.txt"); !bytes.Equal(got, v2) {
		t.Fatalf("read after an overwrite elsewhere: %q %s", got, cd)
	}
	if l := listed(t, g1, "shared"); l["doc.txt"] != int64(len(v2)) {
		t.Fatalf("list after an overwrite elsewhere: %v", l)
	}
	if _, err := g0.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("shared"), Key: aws.String("doc.txt")}); err != nil {
		t.Fatal(err)
	}
	if _, cd := getBody(g1, "shared", "doc.txt"); cd != "NoSuchKey" {
		t.Fatalf("read after a delete elsewhere: %s", cd)
	}
	if l := listed(t, g2, "shared"); len(l) != 0 {
		t.Fatalf("list after a delete elsewhere: %v", l)
	}
}

// bucketDeleteAcross: a bucket deleted through one gateway is gone on all:
// a put through another answers NoSuchBucket and leaves nothing behind.
func bucketDeleteAcross(t *testing.T, c *cluster, a account) {
	ctx := context.Background()
	g0, g1, g2 := c.client(0, a), c.client(1, a), c.client(2, a)
	if _, err := g0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("short-lived")}); err != nil {
		t.Fatal(err)
	}
	put(t, g2, "short-lived", "warm", []byte("makes gateway 2 know the bucket"))
	if _, err := g2.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("short-lived"), Key: aws.String("warm")}); err != nil {
		t.Fatal(err)
	}
	if _, err := g1.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("short-lived")}); err != nil {
		t.Fatal(err)
	}
	_, err := g2.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("short-lived"), Key: aws.String("orphan"), Body: strings.NewReader("x")})
	if code(err) != "NoSuchBucket" {
		t.Fatalf("put into a bucket deleted elsewhere: %v", err)
	}
	if _, err := g0.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("short-lived")}); err != nil {
		t.Fatal(err)
	}
	if l := listed(t, g2, "short-lived"); len(l) != 0 {
		t.Fatalf("the re-made bucket holds an orphan: %v", l)
	}
}

// multipartAcross: create on one gateway, parts on the two others, list
// and complete on yet others.
func multipartAcross(t *testing.T, c *cluster, a account) {
	ctx := context.Background()
	gs := []*s3.Client{c.client(0, a), c.client(1, a), c.client(2, a)}
	up, err := gs[0].CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("shared"), Key: aws.String("big")})
	if err != nil {
		t.Fatal(err)
	}
	parts := [][]byte{randomBytes(1, 5*mib), randomBytes(2, mib+17)}
	var done []types.CompletedPart
	for i, p := range parts {
		out, err := gs[1+i].UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("shared"), Key: aws.String("big"),
			UploadId: up.UploadId, PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("part %d on gateway %d: %v", i+1, i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: out.ETag})
	}
	lp, err := gs[0].ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("shared"), Key: aws.String("big"), UploadId: up.UploadId})
	if err != nil || len(lp.Parts) != 2 {
		t.Fatalf("list parts on gateway 0: %v", err)
	}
	if _, err := gs[2].CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("shared"), Key: aws.String("big"),
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}}); err != nil {
		t.Fatalf("complete on gateway 2: %v", err)
	}
	if got, cd := getBody(gs[1], "shared", "big"); !bytes.Equal(got, append(append([]byte(nil), parts[0]...), parts[1]...)) {
		t.Fatalf("read of the completed upload: %s", cd)
	}
}

// accountsAcross: an account made, given new keys and deleted through one
// gateway's settings is seen by every gateway within 2 s.
func accountsAcross(t *testing.T, c *cluster) {
	ctx := context.Background()
	bob := c.addUser(2, "bob")
	for i := range c.gws {
		if _, err := c.client(i, bob).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("a new account on gateway %d: %v", i, err)
		}
	}
	var fresh account
	if err := jsonInto(c.cli(0, "", "user", "keys", "bob", "--json"), &fresh); err != nil {
		t.Fatal(err)
	}
	for i := range c.gws {
		gwproc.Within(t, 2*time.Second, fmt.Sprintf("gateway %d refuses bob's old key", i), func() bool {
			_, err := c.client(i, bob).ListBuckets(ctx, &s3.ListBucketsInput{})
			return code(err) == "InvalidAccessKeyId"
		})
		if _, err := c.client(i, fresh).ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
			t.Fatalf("bob's new key on gateway %d: %v", i, err)
		}
	}
	c.cli(1, "", "user", "delete", "bob")
	for i := range c.gws {
		gwproc.Within(t, 2*time.Second, fmt.Sprintf("gateway %d refuses a deleted account", i), func() bool {
			_, err := c.client(i, fresh).ListBuckets(ctx, &s3.ListBucketsInput{})
			return err != nil
		})
	}
}

// concurrentAdds: eight `user add` at once through the three gateways'
// settings all land.
func concurrentAdds(t *testing.T, c *cluster) {
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			if _, errOut, err := c.try(i%3, fmt.Sprintf("pw %d\n", i), "user", "add", fmt.Sprintf("crowd%d", i), "--password-stdin"); err != nil {
				t.Errorf("user add crowd%d: %v %s", i, err, errOut)
			}
		})
	}
	wg.Wait()
	out := c.cli(2, "", "user", "list")
	for i := range 8 {
		if !strings.Contains(out, fmt.Sprintf("crowd%d ", i)) {
			t.Errorf("crowd%d lost:\n%s", i, out)
		}
	}
}

// lockAcross: a WebDAV lock taken through one gateway blocks a tokenless
// write through another, and its token works everywhere.
func lockAcross(t *testing.T, c *cluster) {
	c.addUser(0, "dave")
	// dav sends one request through gateway i and returns its status and
	// header (the body is read and closed).
	dav := func(i int, method, path, ifHeader string, body string) (int, http.Header) {
		req, _ := http.NewRequest(method, c.gws[i].URL["webdav"]+path, strings.NewReader(body))
		req.SetBasicAuth("dave", "dave password")
		if ifHeader != "" {
			req.Header.Set("If", ifHeader)
		}
		if method == "LOCK" {
			req.Header.Set("Timeout", "Second-600")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
		return resp.StatusCode, resp.Header
	}
	if st, _ := dav(0, "MKCOL", "/dave-docs", "", ""); st != http.StatusCreated {
		t.Fatalf("MKCOL: %d", st)
	}
	lockBody := `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>` +
		`<D:locktype><D:write/></D:locktype><D:owner>test</D:owner></D:lockinfo>`
	st, hdr := dav(0, "LOCK", "/dave-docs/report.odt", "", lockBody)
	token := strings.Trim(hdr.Get("Lock-Token"), "<>")
	if st/100 != 2 || token == "" {
		t.Fatalf("LOCK through gateway 0: %d", st)
	}
	if st, _ := dav(1, "PUT", "/dave-docs/report.odt", "", "sneaky"); st != http.StatusLocked {
		t.Fatalf("tokenless PUT through gateway 1: %d, want 423", st)
	}
	if st, _ := dav(2, "PUT", "/dave-docs/report.odt", "(<"+token+">)", "owner's write"); st/100 != 2 {
		t.Fatalf("PUT with the token through gateway 2: %d", st)
	}
	req, _ := http.NewRequest("UNLOCK", c.gws[1].URL["webdav"]+"/dave-docs/report.odt", nil)
	req.SetBasicAuth("dave", "dave password")
	req.Header.Set("Lock-Token", "<"+token+">")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("UNLOCK through gateway 1: %d", resp.StatusCode)
	}
	if st, _ := dav(0, "PUT", "/dave-docs/report.odt", "", "free again"); st/100 != 2 {
		t.Fatalf("PUT after UNLOCK: %d", st)
	}
}

func jsonInto(s string, v any) error { return json.Unmarshal([]byte(s), v) }
