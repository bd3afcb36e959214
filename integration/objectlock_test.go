package integration

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/internal/gwproc"
)

// testAWSCLILock: aws cli on a bucket created with Object Lock: retention
// and legal hold round trips, and a COMPLIANCE retention that refuses the
// deletion of its version until it expires.
func testAWSCLILock(t *testing.T, tg target) {
	a := newAWSCLI(t, tg, 2)
	bucket := uniqueBucket("awslock")
	a.aws("s3api", "create-bucket", "--bucket", bucket, "--object-lock-enabled-for-bucket")
	if out := a.aws("s3api", "get-object-lock-configuration", "--bucket", bucket); !strings.Contains(out, `"Enabled"`) {
		t.Fatalf("get-object-lock-configuration: %s", out)
	}
	work := t.TempDir()
	writeFile(t, work, "v", 1, 100)
	src := filepath.Join(work, "v")
	a.aws("s3", "cp", src, "s3://"+bucket+"/held")
	// The retention must outlast the calls before the shortening below,
	// which take seconds each on a loaded machine; the test then waits for
	// it to expire.
	start := time.Now()
	until := start.Add(20 * time.Second).UTC().Truncate(time.Second)
	var put struct {
		VersionID string `json:"VersionId"`
	}
	mustJSON(t, a.aws("s3api", "put-object", "--bucket", bucket, "--key", "kept", "--body", src,
		"--object-lock-mode", "COMPLIANCE", "--object-lock-retain-until-date", until.Format(time.RFC3339)), &put)
	var ret struct {
		Retention struct{ Mode, RetainUntilDate string }
	}
	mustJSON(t, a.aws("s3api", "get-object-retention", "--bucket", bucket, "--key", "kept"), &ret)
	if ret.Retention.Mode != "COMPLIANCE" {
		t.Fatalf("get-object-retention: %+v", ret)
	}
	if out, err := a.attempt("s3api", "delete-object", "--bucket", bucket, "--key", "kept", "--version-id", put.VersionID); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("a COMPLIANCE version was deleted: %v\n%s", err, out)
	}
	// Shorter, yet still in the future: a past date is refused for that
	// reason instead (InvalidArgument), which would prove nothing.
	shorter := time.Now().Add(5 * time.Second).UTC().Truncate(time.Second)
	if !shorter.Before(until) {
		t.Fatalf("the calls after the locked PUT took %v; no future date is left that shortens the retention", time.Since(start))
	}
	if out, err := a.attempt("s3api", "put-object-retention", "--bucket", bucket, "--key", "kept", "--bypass-governance-retention",
		"--retention", "Mode=COMPLIANCE,RetainUntilDate="+shorter.Format(time.RFC3339)); err == nil || !strings.Contains(out, "AccessDenied") {
		t.Fatalf("a COMPLIANCE retention was shortened: %v\n%s", err, out)
	}
	a.aws("s3api", "put-object-legal-hold", "--bucket", bucket, "--key", "held", "--legal-hold", "Status=ON")
	if out := a.aws("s3api", "get-object-legal-hold", "--bucket", bucket, "--key", "held"); !strings.Contains(out, `"ON"`) {
		t.Fatalf("get-object-legal-hold: %s", out)
	}
	a.aws("s3api", "put-object-legal-hold", "--bucket", bucket, "--key", "held", "--legal-hold", "Status=OFF")
	time.Sleep(time.Until(until) + time.Second)
	a.aws("s3api", "delete-object", "--bucket", bucket, "--key", "kept", "--version-id", put.VersionID)
}

// attempt runs aws like aws, returning its output (stdout and stderr) and
// error instead of failing the test.
func (a *awsCLI) attempt(args ...string) (string, error) {
	out, errOut, err := a.clientEnv.try(longTimeout, a.env, a.bin, append([]string{"--endpoint-url", a.tg.Endpoint, "--cli-read-timeout", "20"}, args...)...)
	return out + errOut, err
}

// TestAccountDeleteWithLockedVersions: `user delete` refuses to destroy
// versions under Object Lock unless told to.
func TestAccountDeleteWithLockedVersions(t *testing.T) {
	t.Parallel()
	c := newCluster(t, "fs", 1)
	carol := c.addUser(0, "carol")
	s3c := c.client(0, carol)
	ctx := context.Background()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("vault"), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("vault"), Key: aws.String("k"), Body: strings.NewReader("x"),
		ObjectLockLegalHoldStatus: types.ObjectLockLegalHoldStatusOn}); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := c.try(0, "", "user", "delete", "carol")
	if err == nil || !strings.Contains(errOut, "--discard-locked") {
		t.Fatalf("user delete with a locked version: %v\n%s", err, errOut)
	}
	if _, err := s3c.ListBuckets(ctx, &s3.ListBucketsInput{}); err != nil {
		t.Fatalf("the refused delete removed the account: %v", err)
	}
	c.cli(0, "", "user", "delete", "carol", "--discard-locked")
}

// TestLifecycleInTheBackground: a rule whose expiration date has passed
// empties its prefix within a few runs of the gateways' background work
// (lifecycle.interval 1s), through three gateways taking turns by lease;
// the aws cli reads the configuration back.
func TestLifecycleInTheBackground(t *testing.T) {
	t.Parallel()
	c := newClusterWith(t, "fs", 3, "SEALGATE_LIFECYCLE_INTERVAL=1s")
	dave := c.addUser(0, "dave")
	s3c := c.client(1, dave)
	ctx := context.Background()
	if _, err := s3c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("logs")}); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"tmp/a", "tmp/b", "keep/c"} {
		if _, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("logs"), Key: aws.String(k), Body: strings.NewReader(k)}); err != nil {
			t.Fatal(err)
		}
	}
	yesterday := time.Now().UTC().Truncate(24 * time.Hour).Add(-24 * time.Hour)
	if _, err := s3c.PutBucketLifecycleConfiguration(ctx, &s3.PutBucketLifecycleConfigurationInput{Bucket: aws.String("logs"),
		LifecycleConfiguration: &types.BucketLifecycleConfiguration{Rules: []types.LifecycleRule{{
			ID: aws.String("purge-tmp"), Status: types.ExpirationStatusEnabled,
			Filter:     &types.LifecycleRuleFilter{Prefix: aws.String("tmp/")},
			Expiration: &types.LifecycleExpiration{Date: &yesterday}}}}}); err != nil {
		t.Fatal(err)
	}
	out, err := s3c.GetBucketLifecycleConfiguration(ctx, &s3.GetBucketLifecycleConfigurationInput{Bucket: aws.String("logs")})
	if err != nil || len(out.Rules) != 1 || aws.ToString(out.Rules[0].ID) != "purge-tmp" {
		t.Fatalf("get lifecycle: %+v %v", out, err)
	}
	gwproc.Within(t, 20*time.Second, "the expired prefix is emptied", func() bool {
		l, err := s3c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("logs")})
		return err == nil && len(l.Contents) == 1 && aws.ToString(l.Contents[0].Key) == "keep/c"
	})
}
