package s3server_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/s3server"
)

// TestStart checks that the server starts, makes buckets for both accounts
// and refuses anonymous requests.
func TestStart(t *testing.T) {
	start := time.Now()
	srv := s3server.Start(t)
	t.Logf("versitygw ready in %v at %s", time.Since(start), srv.Endpoint)
	name := srv.NewBucket(t)
	srv.CreateUserBucket(t, "user-bucket")
	for _, b := range []string{name, "user-bucket"} {
		if fi, err := os.Stat(filepath.Join(srv.Dir, b)); err != nil || !fi.IsDir() {
			t.Fatalf("bucket %s: not a directory in the posix root: %v", b, err)
		}
	}
	wantAnonymousRefused(t, srv, name)
}

// TestBinaryEnv: $SEALGATE_VERSITYGW and $SEALGATE_MINIO win and must
// exist.
func TestBinaryEnv(t *testing.T) {
	for _, tc := range []struct {
		env  string
		find func() (string, error)
	}{{s3server.EnvBinary, s3server.Binary}, {s3server.EnvMinIOBinary, s3server.MinIOBinary}} {
		t.Run(tc.env, func(t *testing.T) {
			t.Setenv(tc.env, filepath.Join(t.TempDir(), "missing"))
			if p, err := tc.find(); err == nil {
				t.Fatalf("found %q with a missing $%s", p, tc.env)
			}
			self, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			t.Setenv(tc.env, self)
			if p, err := tc.find(); err != nil || p != self {
				t.Fatalf("found %q, %v; want %q", p, err, self)
			}
		})
	}
}

// TestStartMinIO checks that MinIO starts as one erasure set over its four
// drive directories, makes buckets with the S3 API and refuses anonymous
// and wrongly signed requests.
func TestStartMinIO(t *testing.T) {
	start := time.Now()
	srv := s3server.StartMinIO(t)
	t.Logf("minio ready in %v at %s", time.Since(start), srv.Endpoint)
	if srv.Kind != s3server.KindMinIO || srv.UserAccessKeyID != "" {
		t.Fatalf("Kind %q, user %q; want %q and no user account", srv.Kind, srv.UserAccessKeyID, s3server.KindMinIO)
	}
	name := srv.NewBucket(t)
	for i := 1; i <= 4; i++ {
		d := filepath.Join(srv.Dir, fmt.Sprintf("drive%d", i))
		if fi, err := os.Stat(filepath.Join(d, name)); err != nil || !fi.IsDir() {
			t.Fatalf("bucket %s: not on drive %s: %v", name, d, err)
		}
	}
	ctx := context.Background()
	root := minioClient(srv, srv.AccessKeyID, srv.SecretAccessKey)
	if _, err := root.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("HeadBucket(%s) as root: %v", name, err)
	}
	if _, err := root.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name + "-none")}); err == nil {
		t.Fatal("HeadBucket of a bucket never made succeeded")
	}
	wrong := minioClient(srv, srv.AccessKeyID, "wrong"+srv.SecretAccessKey)
	if _, err := wrong.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)}); err == nil {
		t.Fatal("HeadBucket with a wrong secret succeeded")
	}
	wantAnonymousRefused(t, srv, name)
}

func minioClient(srv *s3server.Server, id, secret string) *s3.Client {
	return s3.New(s3.Options{Region: srv.Region, BaseEndpoint: aws.String(srv.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(id, secret, ""), RetryMaxAttempts: 1})
}

// wantAnonymousRefused fails unless an unsigned listing of bucket is 403.
func wantAnonymousRefused(t *testing.T, srv *s3server.Server, bucket string) {
	t.Helper()
	resp, err := http.Get(srv.Endpoint + "/" + bucket + "?list-type=2")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous list: status %d, want 403", resp.StatusCode)
	}
}
