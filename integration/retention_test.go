package integration

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/backends/mem"
	s3store "github.com/sealgate/sealgate/backends/s3"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/s3server"
)

// TestUpstreamRetention: over an upstream bucket with Object Lock (MinIO),
// a version locked through sealgate is retained on the upstream object
// itself: the upstream's own root credentials cannot delete that upstream
// version, neither while it is current nor after an overwrite set it
// aside.
func TestUpstreamRetention(t *testing.T) {
	t.Parallel()
	srv := s3server.StartMinIO(t)
	bucket := srv.NewLockedBucket(t)
	ctx := context.Background()
	st, err := s3store.New(ctx, s3store.Config{Bucket: bucket, Endpoint: srv.Endpoint, Region: srv.Region, PathStyle: true,
		AccessKeyID: srv.AccessKeyID, SecretAccessKey: srv.SecretAccessKey})
	if err != nil {
		t.Fatal(err)
	}
	accts, err := accounts.Open(ctx, accounts.Config{Store: mem.New(), DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = accts.Close() })
	creds, err := accts.Create(ctx, "erin", []byte("erin password"))
	if err != nil {
		t.Fatal(err)
	}
	a, err := accts.ByAccessKey(creds.AccessKeyID)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := gateway.NewService(gateway.Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	ns := svc.Namespace(a)
	if err := ns.CreateLockedBucket(ctx, "vault"); err != nil {
		t.Fatal(err)
	}
	lock := &gateway.ObjectLock{Mode: gateway.RetentionCompliance, RetainUntil: time.Now().Add(time.Hour)}
	if _, err := ns.PutObject(ctx, "vault", "ledger", bytes.NewReader([]byte("v1")), 2, gateway.PutOptions{Lock: lock}); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.PutObject(ctx, "vault", "ledger", bytes.NewReader([]byte("v2")), 2, gateway.PutOptions{Lock: lock}); err != nil {
		t.Fatal(err)
	}
	up := srv.API()
	out, err := up.ListObjectVersions(ctx, &s3.ListObjectVersionsInput{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	tried := 0
	for _, v := range out.Versions {
		if strings.HasPrefix(aws.ToString(v.Key), ".sealgate/locks/") || strings.HasPrefix(aws.ToString(v.Key), ".sealgate/keystore") ||
			aws.ToInt64(v.Size) < cryptolayer.PrefixSize {
			continue // records, not data
		}
		tried++
		_, err := up.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(bucket), Key: v.Key, VersionId: v.VersionId,
			BypassGovernanceRetention: aws.Bool(true)})
		if err == nil {
			t.Errorf("the upstream's root deleted locked data %s (version %s)", aws.ToString(v.Key), aws.ToString(v.VersionId))
		}
	}
	if tried < 2 {
		t.Fatalf("found %d data versions upstream, want the current one and the one set aside: %+v", tried, out.Versions)
	}
	got, err := ns.GetObject(ctx, "vault", "ledger", gateway.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = got.Body.Close() }()
}
