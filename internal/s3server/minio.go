package s3server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/testenv"
)

// EnvMinIOBinary is the environment variable read by [StartMinIO]: the path
// of the minio binary.
const EnvMinIOBinary = "SEALGATE_MINIO"

const (
	minioBinaryName = "minio"
	minioDrives     = 4 // one erasure set
	// minioStartTimeout is longer than versitygw's: MinIO formats its
	// drives and loads IAM before it serves requests.
	minioStartTimeout = 60 * time.Second
	minioInstall      = "GOFLAGS= go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c"
)

// StartMinIO runs a MinIO server for the test, with an erasure set of four
// drive directories under [Server.Dir] and random root credentials, and
// stops it in tb.Cleanup. Its output goes to the test log only if the test
// failed. MinIO is AGPL software, run as a separate process, never linked.
func StartMinIO(tb testing.TB) *Server {
	tb.Helper()
	bin, err := MinIOBinary()
	if err != nil {
		testenv.SkipOrFail(tb, "s3server: no MinIO (%v); install it with: %s", err, minioInstall)
	}
	dir := tb.TempDir()
	s := &Server{
		Kind:            KindMinIO,
		Region:          region,
		AccessKeyID:     "root" + randHex(8),
		SecretAccessKey: randHex(20),
		Dir:             dir,
		bin:             bin,
		out:             &tailBuffer{max: maxLog},
	}
	for i := range minioDrives {
		if err := os.Mkdir(s.drive(i), 0o700); err != nil {
			tb.Fatal(err)
		}
	}
	certs := tb.TempDir() // keeps MinIO out of $HOME/.minio
	tb.Cleanup(func() { s.stop(tb) })
	if err := launch(func() error { return s.runMinIO(certs) }); err != nil {
		tb.Fatalf("s3server: %v\n%s", err, s.out.String())
	}
	return s
}

// MinIOBinary finds the minio executable: $SEALGATE_MINIO, PATH, then
// $(go env GOPATH)/bin.
func MinIOBinary() (string, error) { return findBinary(minioBinaryName, EnvMinIOBinary) }

// drive is the path of drive directory i (0-based).
func (s *Server) drive(i int) string {
	return filepath.Join(s.Dir, fmt.Sprintf("drive%d", i+1))
}

// runMinIO starts MinIO on free loopback ports and waits until it serves S3
// requests.
func (s *Server) runMinIO(certsDir string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	console, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"server", "--address", addr, "--console-address", console, "--certs-dir", certsDir}
	for i := range minioDrives {
		args = append(args, s.drive(i))
	}
	cmd := exec.Command(s.bin, args...)
	cmd.Env = append(cleanEnv(),
		"MINIO_ROOT_USER="+s.AccessKeyID, "MINIO_ROOT_PASSWORD="+s.SecretAccessKey,
		// Without it MinIO refuses drives on the root file system, as in a
		// temporary directory ("drive not found, will be retried").
		"MINIO_CI_CD=1",
		// No web console: it would fail on a taken port only after the S3
		// API is ready, killing a server already handed to the test. Its
		// address stays on a free loopback port all the same.
		"MINIO_BROWSER=off",
		"MINIO_UPDATE=off")
	s.Endpoint = "http://" + addr
	s.api = s3.New(s3.Options{
		Region: s.Region, BaseEndpoint: aws.String(s.Endpoint), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(s.AccessKeyID, s.SecretAccessKey, ""),
	})
	if err := s.spawn(cmd); err != nil {
		return err
	}
	return s.waitReady(minioStartTimeout, s.minioReady)
}

// minioReady reports whether MinIO serves S3 requests. /minio/health/ready
// alone is not enough: it answers 200 (with X-Minio-Server-Status: offline)
// while the drives are not yet online. So the write-quorum check
// /minio/health/cluster must answer 200, and then a signed ListBuckets
// must succeed (IAM loaded).
func (s *Server) minioReady() bool {
	for _, path := range []string{"/minio/health/ready", "/minio/health/cluster"} {
		resp, err := healthClient.Get(s.Endpoint + path)
		if err != nil {
			return false
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return false
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := s.api.ListBuckets(ctx, &s3.ListBucketsInput{}, func(o *s3.Options) { o.RetryMaxAttempts = 1 })
	return err == nil
}

// createBucketS3 creates a bucket with the S3 API as the root account.
func (s *Server) createBucketS3(tb testing.TB, name string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if _, err := s.api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		tb.Fatalf("s3server: %s: create bucket %q: %v", s.Kind, name, err)
	}
}

// NewLockedBucket creates a bucket with Object Lock (and so versioning)
// enabled, on MinIO only, and returns its name.
func (s *Server) NewLockedBucket(tb testing.TB) string {
	tb.Helper()
	if s.Kind != KindMinIO {
		tb.Fatalf("s3server: NewLockedBucket: %s", s.Kind)
	}
	name := fmt.Sprintf("sg-lock-%d-%s", bucketSeq.Add(1), randHex(4))
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	if _, err := s.api.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(name), ObjectLockEnabledForBucket: aws.Bool(true)}); err != nil {
		tb.Fatalf("s3server: create locked bucket %q: %v", name, err)
	}
	return name
}

// API is the root account's S3 client of a MinIO server (nil for
// versitygw): what the upstream's operator holds.
func (s *Server) API() *s3.Client { return s.api }
