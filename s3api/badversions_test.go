package s3api

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// testBadVersionInputs: malformed versioning, lock, lifecycle and tagging
// bodies; a version id of another key, bucket or user; a COMPLIANCE
// retention shortened; an SSE-C key of the wrong length. Each gets AWS's
// error and changes nothing. Against the real gateway.
func testBadVersionInputs(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c, bob := e.aliceClient(t), e.client(t, bobAK, bobSK)
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	mustBucket(t, c, "other")
	until := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	put, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("k"), Body: strings.NewReader("v1"),
		ObjectLockMode: types.ObjectLockModeCompliance, ObjectLockRetainUntilDate: &until})
	if err != nil {
		t.Fatal(err)
	}
	vid := aws.ToString(put.VersionId)
	mustPut(t, c, "vault", "k2", "other key")
	mustPut(t, c, "other", "k", "other bucket")
	if _, err := bob.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("k"), Body: strings.NewReader("bob")}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, method, path, body, code string
		status                         int
	}{
		{"versioning status", "PUT", "/vault?versioning", "<VersioningConfiguration><Status>Sometimes</Status></VersioningConfiguration>", "MalformedXML", 400},
		{"versioning not XML", "PUT", "/vault?versioning", "<VersioningConfiguration>", "MalformedXML", 400},
		{"lock mode", "PUT", "/vault?object-lock", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>FOREVER</Mode><Days>1</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML", 400},
		{"lock days and years", "PUT", "/vault?object-lock", "<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>1</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", "MalformedXML", 400},
		{"lifecycle status", "PUT", "/vault?lifecycle", "<LifecycleConfiguration><Rule><Status>Maybe</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>", "MalformedXML", 400},
		{"lifecycle without action", "PUT", "/vault?lifecycle", "<LifecycleConfiguration><Rule><Status>Enabled</Status><Filter><Prefix>a</Prefix></Filter></Rule></LifecycleConfiguration>", "InvalidArgument", 400},
		{"tagging not XML", "PUT", "/vault/k?tagging", "<Tagging><TagSet>", "MalformedXML", 400},
		{"tagging repeated key", "PUT", "/vault/k?tagging", "<Tagging><TagSet><Tag><Key>a</Key><Value>1</Value></Tag><Tag><Key>a</Key><Value>2</Value></Tag></TagSet></Tagging>", "InvalidTag", 400},
		{"retention shortened", "PUT", "/vault/k?retention&versionId=" + vid, "<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>" + until.Add(-time.Minute).Format(time.RFC3339) + "</RetainUntilDate></Retention>", "AccessDenied", 403},
		{"retention to governance", "PUT", "/vault/k?retention&versionId=" + vid, "<Retention><Mode>GOVERNANCE</Mode><RetainUntilDate>" + until.Add(time.Hour).Format(time.RFC3339) + "</RetainUntilDate></Retention>", "AccessDenied", 403},
		{"version of another key", "GET", "/vault/k2?versionId=" + vid, "", "NoSuchVersion", 404},
		{"version of another bucket", "GET", "/other/k?versionId=" + vid, "", "NoSuchVersion", 404},
		{"locked version deleted", "DELETE", "/vault/k?versionId=" + vid, "", "AccessDenied", 403},
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
	// A version id of another user's object names nothing of bob's.
	_, err = bob.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("vault"), Key: aws.String("k"), VersionId: &vid})
	wantCode(t, err, "NoSuchVersion", 404)
	// Nothing changed.
	if v, err := c.GetBucketVersioning(ctx, &s3.GetBucketVersioningInput{Bucket: aws.String("vault")}); err != nil || v.Status != types.BucketVersioningStatusEnabled {
		t.Fatalf("versioning: %v %v", v, err)
	}
	if _, err := c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("vault")}); err == nil {
		t.Fatal("a refused lifecycle configuration was stored")
	}
	r, err := c.GetObjectRetention(ctx, &s3.GetObjectRetentionInput{Bucket: aws.String("vault"), Key: aws.String("k"), VersionId: &vid})
	if err != nil || r.Retention.Mode != types.ObjectLockRetentionModeCompliance || !aws.ToTime(r.Retention.RetainUntilDate).Equal(until) {
		t.Fatalf("retention: %+v %v", r, err)
	}
	if tg, err := c.GetObjectTagging(ctx, &s3.GetObjectTaggingInput{Bucket: aws.String("vault"), Key: aws.String("k")}); err != nil || len(tg.TagSet) != 0 {
		t.Fatalf("tags: %+v %v", tg, err)
	}
	if got := mustGet(t, c, "vault", "k"); got != "v1" {
		t.Fatalf("object %q", got)
	}
	// An SSE-C key of 16 bytes writes nothing.
	short := "MDEyMzQ1Njc4OWFiY2RlZg==" // 16 bytes
	req := mustReq(t, http.MethodPut, e.srv.URL+"/other/ssec", strings.NewReader("x"))
	req.Header.Set("X-Amz-Server-Side-Encryption-Customer-Algorithm", "AES256")
	req.Header.Set("X-Amz-Server-Side-Encryption-Customer-Key", short)
	req.Header.Set("X-Amz-Server-Side-Encryption-Customer-Key-Md5", "x")
	resp := e.signed(t, req, aliceAK, aliceSK)
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("SSE-C short key: %d", resp.StatusCode)
	}
	if _, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("other"), Key: aws.String("ssec")}); err == nil {
		t.Fatal("a refused SSE-C write stored the object")
	}
}
