package s3api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func TestReadOnlyProbes(t *testing.T) { testReadOnlyProbes(t, envOpts{}) }

func testReadOnlyProbes(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "probe")
	mustPut(t, c, "probe", "k", "v")
	b, k := aws.String("probe"), aws.String("k")
	call := func(f func() error) error { return f() }
	tests := []struct {
		name string
		err  error
		code string
		st   int
	}{
		{"object-lock", call(func() error {
			_, err := c.GetObjectLockConfiguration(ctx, &s3.GetObjectLockConfigurationInput{Bucket: b})
			return err
		}), "ObjectLockConfigurationNotFoundError", 404},
		{"lifecycle", call(func() error {
			_, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: b})
			return err
		}), "NoSuchLifecycleConfiguration", 404},
		{"cors", call(func() error { _, err := c.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: b}); return err }), "NoSuchCORSConfiguration", 404},
		{"policy", call(func() error { _, err := c.GetBucketPolicy(ctx, &s3.GetBucketPolicyInput{Bucket: b}); return err }), "NoSuchBucketPolicy", 404},
		{"acl of missing bucket", call(func() error {
			_, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String("nobucket")})
			return err
		}), "NoSuchBucket", 404},
		{"acl of missing object", call(func() error {
			_, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: aws.String("nokey")})
			return err
		}), "NoSuchKey", 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantCode(t, tt.err, tt.code, tt.st) })
	}
	t.Run("acl", func(t *testing.T) {
		for _, key := range []*string{nil, k} {
			var grants []types.Grant
			if key == nil {
				out, err := c.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: b})
				if err != nil {
					t.Fatal(err)
				}
				grants = out.Grants
			} else {
				out, err := c.GetObjectAcl(ctx, &s3.GetObjectAclInput{Bucket: b, Key: key})
				if err != nil {
					t.Fatal(err)
				}
				grants = out.Grants
			}
			if len(grants) != 1 || grants[0].Permission != types.PermissionFullControl {
				t.Fatalf("grants %+v", grants)
			}
		}
	})
	t.Run("versioning", func(t *testing.T) {
		out, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: b})
		if err != nil || out.Status != "" {
			t.Fatalf("%v %+v", err, out)
		}
	})
	t.Run("tagging", func(t *testing.T) {
		_, err := c.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b})
		wantCode(t, err, "NoSuchTagSet", 404) // a bucket without tags, as on AWS
		ot, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: b, Key: k})
		if err != nil || len(ot.TagSet) != 0 {
			t.Fatalf("%v %+v", err, ot)
		}
	})
	t.Run("location", func(t *testing.T) {
		out, err := c.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b})
		if err != nil || out.LocationConstraint != "" {
			t.Fatalf("%v %+v", err, out)
		}
	})
	t.Run("head bucket", func(t *testing.T) {
		out, err := c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: b})
		if err != nil || aws.ToString(out.BucketRegion) != "us-east-1" {
			t.Fatalf("%v %+v", err, out)
		}
		_, err = c.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String("nobucket")})
		wantCode(t, err, "NotFound", 404)
	})
}

// Writes to unsupported subresources answer 501 before any backend call.
func TestUnsupportedWrites501(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "w501")
	mustPut(t, c, "w501", "k", "original")
	fake := e.alice.(*fakeNS)
	before := fake.putCalls
	b, k := aws.String("w501"), aws.String("k")
	calls := map[string]func() error{
		"PutObjectAcl": func() error {
			_, err := c.PutObjectAcl(ctx, &s3.PutObjectAclInput{Bucket: b, Key: k, ACL: types.ObjectCannedACLPrivate})
			return err
		},
		"PutBucketAcl": func() error {
			_, err := c.PutBucketAcl(ctx, &s3.PutBucketAclInput{Bucket: b, ACL: types.BucketCannedACLPrivate})
			return err
		},
		"PutBucketPolicy": func() error {
			_, err := c.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: b, Policy: aws.String("{}")})
			return err
		},
		"DeleteBucketPolicy": func() error { _, err := c.DeleteBucketPolicy(ctx, &s3.DeleteBucketPolicyInput{Bucket: b}); return err },
		"PutBucketEncryption": func() error {
			_, err := c.PutBucketEncryption(ctx, &s3.PutBucketEncryptionInput{Bucket: b, ServerSideEncryptionConfiguration: &types.ServerSideEncryptionConfiguration{
				Rules: []types.ServerSideEncryptionRule{{ApplyServerSideEncryptionByDefault: &types.ServerSideEncryptionByDefault{SSEAlgorithm: types.ServerSideEncryptionAwsKms}}}}})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			wantCode(t, call(), "NotImplemented", 501)
			if got := mustGet(t, c, "w501", "k"); got != "original" {
				t.Fatalf("object changed: %q", got)
			}
		})
	}
	if fake.putCalls != before {
		t.Fatalf("a 501 reached the backend: %d writes", fake.putCalls-before)
	}
}

func TestDeleteObjects(t *testing.T) { testDeleteObjects(t, envOpts{}) }

func testDeleteObjects(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "del")
	for _, k := range []string{"a", "b", "c"} {
		mustPut(t, c, "del", k, k)
	}
	out, err := c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Objects: []types.ObjectIdentifier{
		{Key: aws.String("a")}, {Key: aws.String("b"), VersionId: aws.String("null")}, {Key: aws.String("absent")}}}})
	if err != nil || len(out.Deleted) != 3 || len(out.Errors) != 0 {
		t.Fatalf("%v %+v", err, out)
	}
	out, err = c.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: aws.String("del"), Delete: &types.Delete{Quiet: aws.Bool(true),
		Objects: []types.ObjectIdentifier{{Key: aws.String("c")}}}})
	if err != nil || len(out.Deleted) != 0 {
		t.Fatalf("quiet: %v %+v", err, out)
	}
	l, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("del")})
	if err != nil || len(l.Contents) != 0 {
		t.Fatalf("left: %v %+v", err, l.Contents)
	}
	resp := e.signed(t, mustReq(t, http.MethodPost, e.srv.URL+"/del?delete", strings.NewReader("<Delete><Object>")), aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(body), "<Code>MalformedXML</Code>") {
		t.Fatalf("malformed: %d %s", resp.StatusCode, body)
	}
}

func TestBuckets(t *testing.T) { testBuckets(t, envOpts{}) }

func testBuckets(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "bkt")
	_, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "BucketAlreadyOwnedByYou", 409)
	for _, bad := range []string{"ab", "Upper", "a..b", "192.168.1.1", "-ab", strings.Repeat("a", 64)} {
		resp := e.signed(t, mustReq(t, http.MethodPut, e.srv.URL+"/"+bad, nil), aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		if body, _ := io.ReadAll(resp.Body); resp.StatusCode != 400 || !strings.Contains(string(body), "InvalidBucketName") {
			t.Errorf("%q: %d %s", bad, resp.StatusCode, body)
		}
	}
	mustPut(t, c, "bkt", "k", "v")
	_, err = c.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: aws.String("bkt")})
	wantCode(t, err, "BucketNotEmpty", 409)
	lb, err := c.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 1 || aws.ToString(lb.Buckets[0].Name) != "bkt" || aws.ToString(lb.Owner.DisplayName) == "GoFakeS3" {
		t.Fatalf("%v %+v", err, lb)
	}
	// Isolation: bob sees none of it.
	bob := e.client(t, bobAK, bobSK)
	lb, err = bob.ListBuckets(ctx, &s3.ListBucketsInput{})
	if err != nil || len(lb.Buckets) != 0 {
		t.Fatalf("bob sees %v %+v", err, lb.Buckets)
	}
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("bkt"), Key: aws.String("k")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = bob.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("bkt"), Key: aws.String("x"), CopySource: aws.String("bkt/k")})
	wantCode(t, err, "NoSuchBucket", 404)
	long := strings.Repeat("k", 1025)
	_, err = c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("bkt"), Key: aws.String(long), Body: strings.NewReader("x")})
	wantCode(t, err, "KeyTooLongError", 400)
}

func TestVirtualHostStyle(t *testing.T) { testVirtualHostStyle(t, envOpts{}) }

func testVirtualHostStyle(t *testing.T, o envOpts) {
	o.domains = []string{"s3.localhost"}
	e := newEnv(t, o)
	path := e.aliceClient(t)
	mustBucket(t, path, "vhost")
	port := e.srv.URL[strings.LastIndex(e.srv.URL, ":"):]
	vc := e.client(t, aliceAK, aliceSK, func(o *s3.Options) {
		o.UsePathStyle = false
		o.BaseEndpoint = aws.String("http://s3.localhost" + port)
		o.HTTPClient = dialTo(e.srv.Listener.Addr().String())
	})
	mustPut(t, vc, "vhost", "dir/k", "virtual")
	if got := mustGet(t, path, "vhost", "dir/k"); got != "virtual" {
		t.Fatalf("got %q", got)
	}
	l, err := vc.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String("vhost")})
	if err != nil || len(l.Contents) != 1 {
		t.Fatalf("%v %+v", err, l)
	}
}
