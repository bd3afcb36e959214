package s3api

import (
	"context"
	"crypto/md5"
	"encoding/base64"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// TestSSE: AES256 is accepted and stated on object answers; SSE-KMS is
// refused with 501 and writes nothing; malformed SSE-C headers and another
// value are InvalidArgument.
func TestSSE(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "sse")
	p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("sse"), Key: aws.String("k"),
		Body: strings.NewReader("v"), ServerSideEncryption: types.ServerSideEncryptionAes256})
	if err != nil || p.ServerSideEncryption != types.ServerSideEncryptionAes256 || aws.ToInt64(p.Size) != 1 {
		t.Fatalf("PutObject AES256: %v %q size %v", err, p.ServerSideEncryption, p.Size)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse"), Key: aws.String("k")})
	if err != nil || h.ServerSideEncryption != types.ServerSideEncryptionAes256 {
		t.Fatalf("HeadObject: %v %q", err, h.ServerSideEncryption)
	}
	key := aws.String(strings.Repeat("k", 32))
	for _, tt := range []struct {
		name string
		in   *s3.PutObjectInput
		code string
		st   int
	}{
		{"SSE-KMS", &s3.PutObjectInput{ServerSideEncryption: types.ServerSideEncryptionAwsKms}, "NotImplemented", 501},
		{"KMS key id", &s3.PutObjectInput{SSEKMSKeyId: aws.String("arn:aws:kms:k")}, "NotImplemented", 501},
		{"SSE-C key not base64 of 32 bytes", &s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: key, SSECustomerKeyMD5: aws.String("x")}, "InvalidArgument", 400},
		{"SSE-C with SSE-S3", &s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(b64Key), SSECustomerKeyMD5: aws.String(b64MD5),
			ServerSideEncryption: types.ServerSideEncryptionAes256}, "InvalidArgument", 400},
		{"SSE-C MD5 wrong", &s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(b64Key), SSECustomerKeyMD5: aws.String(b64Key)}, "InvalidArgument", 400},
		{"SSE-C other algorithm", &s3.PutObjectInput{SSECustomerAlgorithm: aws.String("AES128"), SSECustomerKey: aws.String(b64Key), SSECustomerKeyMD5: aws.String(b64MD5)}, "InvalidArgument", 400},
		{"unknown", &s3.PutObjectInput{ServerSideEncryption: "ROT13"}, "InvalidArgument", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Bucket, tt.in.Key, tt.in.Body = aws.String("sse"), aws.String("refused"), strings.NewReader("x")
			_, err := c.PutObject(ctx, tt.in)
			wantCode(t, err, tt.code, tt.st)
		})
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("sse"), Key: aws.String("refused")}); err == nil {
		t.Fatal("a refused PUT wrote the object")
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("sse"), Key: aws.String("k"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: key, SSECustomerKeyMD5: aws.String("x")})
	wantCode(t, err, "InvalidArgument", 400)

	aes := &types.ServerSideEncryptionConfiguration{Rules: []types.ServerSideEncryptionRule{{
		ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAes256}}}}
	if _, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("sse"), ServerSideEncryptionConfiguration: aes}); err != nil {
		t.Fatalf("PutBucketEncryption AES256: %v", err)
	}
	g, err := c.GetBucketEncryption(ctx, &s3.GetBucketEncryptionInput{Bucket: aws.String("sse")})
	if err != nil || g.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault.SSEAlgorithm != types.ServerSideEncryptionAes256 {
		t.Fatalf("GetBucketEncryption: %v %+v", err, g)
	}
	if _, err := c.DeleteBucketEncryption(ctx, &s3.DeleteBucketEncryptionInput{Bucket: aws.String("sse")}); err != nil {
		t.Fatalf("DeleteBucketEncryption: %v", err)
	}
	_, err = c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: aws.String("nosuch"), ServerSideEncryptionConfiguration: aes})
	wantCode(t, err, "NoSuchBucket", 404)
}

// TestCannedACLs: private and bucket-owner-full-control are accepted on
// writes; other canned ACLs and grants get 501 and write nothing.
func TestCannedACLs(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("acl"), ACL: types.BucketCannedACLPrivate}); err != nil {
		t.Fatalf("CreateBucket private: %v", err)
	}
	for _, acl := range []types.ObjectCannedACL{types.ObjectCannedACLPrivate, types.ObjectCannedACLBucketOwnerFullControl} {
		if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("acl"), Key: aws.String("k"), ACL: acl, Body: strings.NewReader("v")}); err != nil {
			t.Fatalf("PutObject %s: %v", acl, err)
		}
	}
	for name, in := range map[string]*s3.PutObjectInput{
		"public-read": {ACL: types.ObjectCannedACLPublicRead},
		"grant":       {GrantRead: aws.String("uri=http://acs.amazonaws.com/groups/global/AllUsers")},
	} {
		t.Run(name, func(t *testing.T) {
			in.Bucket, in.Key, in.Body = aws.String("acl"), aws.String("refused"), strings.NewReader("x")
			_, err := c.PutObject(ctx, in)
			wantCode(t, err, "NotImplemented", 501)
		})
	}
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub"), ACL: types.BucketCannedACLPublicRead})
	wantCode(t, err, "NotImplemented", 501)
	_, err = c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("pub"), ACL: "no-such-acl"})
	wantCode(t, err, "InvalidArgument", 400)
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("acl"), Key: aws.String("refused")}); err == nil {
		t.Fatal("a refused PUT wrote the object")
	}
}

// TestUnbuiltHeaders: Object Lock headers get AWS's answers for a bucket
// without Object Lock (the fake namespace has none), and write nothing.
func TestUnbuiltHeaders(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "unb")
	future, past := aws.Time(time.Now().Add(time.Hour)), aws.Time(time.Now().Add(-time.Hour))
	for _, tt := range []struct {
		name   string
		in     *s3.PutObjectInput
		code   string
		status int
	}{
		{"lock", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: future}, "InvalidRequest", 400},
		{"legal hold", &s3.PutObjectInput{ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}, "InvalidRequest", 400},
		{"mode without date", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeGovernance}, "InvalidArgument", 400},
		{"unknown mode", &s3.PutObjectInput{ObjectLockMode: "FOREVER", ObjectLockRetainUntilDate: future}, "InvalidArgument", 400},
		{"date in the past", &s3.PutObjectInput{ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: past}, "InvalidArgument", 400},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.in.Bucket, tt.in.Key, tt.in.Body = aws.String("unb"), aws.String("refused"), strings.NewReader("x")
			_, err := c.PutObject(ctx, tt.in)
			wantCode(t, err, tt.code, tt.status)
		})
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("unb"), Key: aws.String("refused")}); err == nil {
		t.Fatal("a refused PUT wrote the object")
	}
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("unlocked"), ObjectLockEnabledForBucket: aws.Bool(false)}); err != nil {
		t.Fatalf("CreateBucket without Object Lock: %v", err)
	}
}

// TestExpectedBucketOwner: a request that expects another owner is denied
// and changes nothing; the user's own owner ID passes.
func TestExpectedBucketOwner(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "own")
	mustPut(t, c, "own", "k", "v")
	_, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("own"), Key: aws.String("k"), ExpectedBucketOwner: aws.String("123456789012")})
	wantCode(t, err, "AccessDenied", 403)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("own"), Key: aws.String("c"), CopySource: aws.String("own/k"),
		ExpectedSourceBucketOwner: aws.String("123456789012")})
	wantCode(t, err, "AccessDenied", 403)
	if got := mustGet(t, c, "own", "k"); got != "v" {
		t.Fatalf("k = %q", got)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("own"), Key: aws.String("k"),
		ExpectedBucketOwner: aws.String(ownerOf("alice").ID)}); err != nil {
		t.Fatalf("the owner's own ID: %v", err)
	}
}

// TestGetObjectAttributes: the attributes asked for, from the object's
// metadata; bad attribute lists get AWS's errors.
func TestGetObjectAttributes(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "attr")
	etag := mustPut(t, c, "attr", "k", "hello")
	out, err := c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag, types.ObjectAttributesObjectSize, types.ObjectAttributesStorageClass}})
	if err != nil || aws.ToInt64(out.ObjectSize) != 5 || out.StorageClass != types.StorageClassStandard ||
		aws.ToString(out.ETag) != strings.Trim(etag, `"`) || out.ObjectParts != nil {
		t.Fatalf("%v %+v", err, out)
	}
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("k"),
		ObjectAttributes: []types.ObjectAttributes{"Colour"}})
	wantCode(t, err, "InvalidArgument", 400)
	_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String("attr"), Key: aws.String("nope"),
		ObjectAttributes: []types.ObjectAttributes{types.ObjectAttributesEtag}})
	wantCode(t, err, "NoSuchKey", 404)
	// no attribute named: InvalidRequest, but a missing bucket is named first
	for _, tt := range []struct{ bucket, code string }{{"attr", "InvalidRequest"}, {"nosuchbucket", "NoSuchBucket"}} {
		_, err = c.GetObjectAttributes(ctx, &s3.GetObjectAttributesInput{Bucket: aws.String(tt.bucket), Key: aws.String("k"),
			ObjectAttributes: []types.ObjectAttributes{}})
		wantCode(t, err, tt.code, statusOf(tt.code))
	}
}

// TestWebsiteRedirect: the redirect location is stored and served back,
// validated, and not copied from a copy's source unless given again.
func TestWebsiteRedirect(t *testing.T) { testWebsiteRedirect(t, envOpts{}) }

func testWebsiteRedirect(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "web")
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("k"),
		Body: strings.NewReader("v"), WebsiteRedirectLocation: aws.String("/elsewhere")}); err != nil {
		t.Fatal(err)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("web"), Key: aws.String("k")})
	if err != nil || aws.ToString(h.WebsiteRedirectLocation) != "/elsewhere" {
		t.Fatalf("HeadObject: %v %v", err, h.WebsiteRedirectLocation)
	}
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("web"), Key: aws.String("bad"),
		Body: strings.NewReader("v"), WebsiteRedirectLocation: aws.String("ftp://x")})
	wantCode(t, err, "InvalidRedirectLocation", 400)
	for _, tt := range []struct{ redirect, want string }{{"", ""}, {"https://example.com/", "https://example.com/"}} {
		in := &s3.CopyObjectInput{Bucket: aws.String("web"), Key: aws.String("copy"), CopySource: aws.String("web/k")}
		if tt.redirect != "" {
			in.WebsiteRedirectLocation = aws.String(tt.redirect)
		}
		if _, err := c.CopyObject(ctx, in); err != nil {
			t.Fatal(err)
		}
		h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("web"), Key: aws.String("copy")})
		if err != nil || aws.ToString(h.WebsiteRedirectLocation) != tt.want {
			t.Fatalf("copy with %q: %v %q", tt.redirect, err, aws.ToString(h.WebsiteRedirectLocation))
		}
	}
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("web"), Key: aws.String("k"), CopySource: aws.String("web/k"),
		WebsiteRedirectLocation: aws.String("/new")}); err != nil {
		t.Fatalf("a copy onto itself that changes the redirect: %v", err)
	}
}

// b64Key and b64MD5 are a valid SSE-C key and its MD5, as clients send them.
var b64Key, b64MD5 = func() (string, string) {
	k := []byte("0123456789abcdef0123456789abcdef")
	sum := md5.Sum(k)
	return base64.StdEncoding.EncodeToString(k), base64.StdEncoding.EncodeToString(sum[:])
}()

// testSSEC: an object written with a customer key reads back only with it;
// the answers echo its MD5 and state no AES256; a copy needs the source's
// key. Against the real gateway (the fake keeps no keys).
func testSSEC(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "ssec")
	withKey := func(in *s3.GetObjectInput) *s3.GetObjectInput {
		in.SSECustomerAlgorithm, in.SSECustomerKey, in.SSECustomerKeyMD5 = aws.String("AES256"), aws.String(b64Key), aws.String(b64MD5)
		return in
	}
	p, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), Body: strings.NewReader("secret"),
		SSECustomerAlgorithm: aws.String("AES256"), SSECustomerKey: aws.String(b64Key), SSECustomerKeyMD5: aws.String(b64MD5)})
	if err != nil || aws.ToString(p.SSECustomerKeyMD5) != b64MD5 || p.ServerSideEncryption != "" {
		t.Fatalf("put: %v md5 %q sse %q", err, aws.ToString(p.SSECustomerKeyMD5), p.ServerSideEncryption)
	}
	g, err := c.GetObject(ctx, withKey(&s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k")}))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(g.Body)
	_ = g.Body.Close()
	if string(body) != "secret" || aws.ToString(g.SSECustomerKeyMD5) != b64MD5 {
		t.Fatalf("get: %q %q", body, aws.ToString(g.SSECustomerKeyMD5))
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k")})
	wantCode(t, err, "InvalidRequest", 400)
	other := []byte("another key, 32 bytes long......")
	sum := md5.Sum(other)
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("k"), SSECustomerAlgorithm: aws.String("AES256"),
		SSECustomerKey: aws.String(base64.StdEncoding.EncodeToString(other)), SSECustomerKeyMD5: aws.String(base64.StdEncoding.EncodeToString(sum[:]))})
	wantCode(t, err, "AccessDenied", 403)
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain-copy"), CopySource: aws.String("ssec/k")})
	wantCode(t, err, "InvalidRequest", 400)
	if _, err := c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("ssec"), Key: aws.String("plain-copy"), CopySource: aws.String("ssec/k"),
		CopySourceSSECustomerAlgorithm: aws.String("AES256"), CopySourceSSECustomerKey: aws.String(b64Key),
		CopySourceSSECustomerKeyMD5: aws.String(b64MD5)}); err != nil {
		t.Fatalf("copy with the source key: %v", err)
	}
	if got := mustGet(t, c, "ssec", "plain-copy"); got != "secret" {
		t.Fatalf("copy %q", got)
	}
	testCustomerKeyMultipart(t, c)
}

// testCustomerKeyMultipart: a multipart upload with a customer key takes
// it on every part (a copied one too) and on the Complete; the object
// reads with it only.
func testCustomerKeyMultipart(t *testing.T, c *s3.Client) {
	ctx := context.Background()
	alg, key, sum := aws.String("AES256"), aws.String(b64Key), aws.String(b64MD5)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"),
		SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: sum})
	if err != nil || aws.ToString(cr.SSECustomerKeyMD5) != b64MD5 {
		t.Fatalf("create: %v %+v", err, cr)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader("mp secret")})
	wantCode(t, err, "InvalidRequest", 400)
	first := strings.Repeat("m", 5<<20)
	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: strings.NewReader(first), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: sum})
	if err != nil || aws.ToString(up.SSECustomerKeyMD5) != b64MD5 {
		t.Fatalf("part: %v %+v", err, up)
	}
	// Part 2 is copied from ssec/k ("secret", under the same customer key):
	// the copy names the source's key and the upload's.
	_, err = c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("ssec/k"),
		CopySourceSSECustomerAlgorithm: alg, CopySourceSSECustomerKey: key, CopySourceSSECustomerKeyMD5: sum})
	wantCode(t, err, "InvalidRequest", 400)
	cp, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(2), CopySource: aws.String("ssec/k"),
		CopySourceSSECustomerAlgorithm: alg, CopySourceSSECustomerKey: key, CopySourceSSECustomerKeyMD5: sum,
		SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: sum})
	if err != nil || aws.ToString(cp.SSECustomerKeyMD5) != b64MD5 {
		t.Fatalf("copied part: %v %+v", err, cp)
	}
	_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: up.ETag},
			{PartNumber: aws.Int32(2), ETag: cp.CopyPartResult.ETag}}},
		SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: sum})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp")})
	wantCode(t, err, "InvalidRequest", 400)
	g, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("ssec"), Key: aws.String("mp"), SSECustomerAlgorithm: alg, SSECustomerKey: key, SSECustomerKeyMD5: sum})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(g.Body)
	_ = g.Body.Close()
	if string(body) != first+"secret" {
		t.Fatalf("multipart SSE-C object: %d bytes", len(body))
	}
}
