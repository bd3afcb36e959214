// Package s3server starts real S3 servers for tests, each on free loopback
// ports in a temporary directory, stopped at the test's cleanup. It is an
// ordinary package so that tests anywhere in the module can import it.
//
//   - [Start] runs versitygw with its posix backend and internal IAM: a root
//     account and a second account.
//   - [StartMinIO] runs MinIO with an erasure set of four drive directories
//     and its root account only.
//
// A server's output (for versitygw its request log with
// SEALGATE_VERSITYGW_VERBOSE=1) is shown in the test log when the test
// fails.
//
// The binaries are looked up in $SEALGATE_VERSITYGW and $SEALGATE_MINIO,
// then in PATH, then in $(go env GOPATH)/bin. When one is missing, the test
// is skipped, or failed when SEALGATE_REQUIRE_EXTERNAL=1 (CI sets that, so
// that a missing tool cannot pass silently). Install them with
//
//	GOFLAGS= go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//	GOFLAGS= go install github.com/minio/minio@v0.0.0-20260212201848-7aac2a2c5b7c
//
// MinIO is AGPL software: it is only run as a separate process by tests,
// never linked into sealgate.
//
// Both servers verify SigV4 signatures, so credentials matter: the root
// account ([Server.AccessKeyID]) may do anything; versitygw's second
// account ([Server.UserAccessKeyID], IAM role "user") only what its buckets
// allow.
package s3server

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/testenv"
)

// Environment variables read by [Start].
const (
	EnvBinary  = "SEALGATE_VERSITYGW"         // path of the versitygw binary
	EnvVerbose = "SEALGATE_VERSITYGW_VERBOSE" // "1": log every request (shown on failure)
)

// Kinds of server, as in [Server.Kind].
const (
	KindVersitygw = "versitygw"
	KindMinIO     = "minio"
)

const (
	binaryName   = "versitygw"
	region       = "us-east-1"
	startTimeout = 20 * time.Second
	startTries   = 3 // a free port can be taken between probe and start
	maxLog       = 64 << 10
)

// healthClient probes health endpoints during start.
var healthClient = &http.Client{Timeout: time.Second}

// Server is a running versitygw or MinIO. Its fields are read-only.
type Server struct {
	Kind            string // KindVersitygw or KindMinIO
	Endpoint        string // http://127.0.0.1:port, path-style addressing
	Region          string
	AccessKeyID     string // root account
	SecretAccessKey string
	// UserAccessKeyID and UserSecretAccessKey belong to versitygw's second
	// account, with IAM role "user": it sees only buckets it owns or is
	// granted. MinIO has no second account: both are empty.
	UserAccessKeyID     string
	UserSecretAccessKey string
	// Dir is, for versitygw, the posix backend's root: one directory per
	// bucket. For MinIO it holds the four drive directories drive1..drive4.
	Dir string

	bin  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  *tailBuffer
	api  *s3.Client // MinIO: root-account client, for buckets
}

var bucketSeq atomic.Int64

// Start runs a versitygw for the test and stops it in tb.Cleanup. Its output
// goes to the test log only if the test failed.
func Start(tb testing.TB) *Server {
	tb.Helper()
	bin, err := Binary()
	if err != nil {
		testenv.SkipOrFail(tb, "s3server: no real S3 server (%v); "+
			"install it with: GOFLAGS= go install github.com/versity/versitygw/cmd/versitygw@v1.8.0", err)
	}
	dir := tb.TempDir()
	s := &Server{
		Kind:                KindVersitygw,
		Region:              region,
		AccessKeyID:         "root" + randHex(8),
		SecretAccessKey:     randHex(20),
		UserAccessKeyID:     "user" + randHex(8),
		UserSecretAccessKey: randHex(20),
		Dir:                 filepath.Join(dir, "data"),
		bin:                 bin,
		out:                 &tailBuffer{max: maxLog},
	}
	for _, d := range []string{s.Dir, filepath.Join(dir, "iam")} {
		if err := os.Mkdir(d, 0o700); err != nil {
			tb.Fatal(err)
		}
	}
	tb.Cleanup(func() { s.stop(tb) })
	if err := launch(func() error { return s.run(filepath.Join(dir, "iam")) }); err != nil {
		tb.Fatalf("s3server: %v\n%s", err, s.out.String())
	}
	s.admin(tb, "create-user", "-a", s.UserAccessKeyID, "-s", s.UserSecretAccessKey, "-r", "user")
	return s
}

// Binary finds the versitygw executable.
func Binary() (string, error) { return findBinary(binaryName, EnvBinary) }

// run starts versitygw on a free port and waits for its health endpoint.
func (s *Server) run(iamDir string) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	args := []string{"--port", addr, "--iam-dir", iamDir, "--health", "/health", "--region", s.Region}
	if os.Getenv(EnvVerbose) != "1" {
		args = append(args, "--quiet")
	}
	cmd := exec.Command(s.bin, append(args, "posix", s.Dir)...)
	cmd.Env = append(cleanEnv(), "ROOT_ACCESS_KEY="+s.AccessKeyID, "ROOT_SECRET_KEY="+s.SecretAccessKey)
	s.Endpoint = "http://" + addr
	if err := s.spawn(cmd); err != nil {
		return err
	}
	return s.waitReady(startTimeout, s.healthy)
}

// healthy reports whether versitygw's health endpoint answers 200.
func (s *Server) healthy() bool {
	resp, err := healthClient.Get(s.Endpoint + "/health")
	if err != nil {
		return false
	}
	_ = resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// CreateBucket creates a bucket owned by the root account: with versitygw's
// admin command, or with MinIO's S3 API.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	if s.Kind == KindMinIO {
		s.createBucketS3(tb, name)
		return
	}
	s.admin(tb, "create-bucket", "--owner", s.AccessKeyID, "--bucket", name)
}

// CreateUserBucket creates a bucket owned by versitygw's user account; with
// MinIO, which has no such account, it fails the test.
func (s *Server) CreateUserBucket(tb testing.TB, name string) {
	tb.Helper()
	if s.Kind != KindVersitygw {
		tb.Fatalf("s3server: CreateUserBucket(%q): %s runs without a user account", name, s.Kind)
	}
	s.admin(tb, "create-bucket", "--owner", s.UserAccessKeyID, "--bucket", name)
}

// NewBucket creates a bucket with a fresh name, owned by the root account,
// and returns the name.
func (s *Server) NewBucket(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("sg-%d-%s", bucketSeq.Add(1), randHex(4))
	s.CreateBucket(tb, name)
	return name
}

// admin runs a "versitygw admin" command with the root credentials.
func (s *Server) admin(tb testing.TB, args ...string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), startTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, s.bin, append([]string{"admin", "--er", s.Endpoint}, args...)...)
	cmd.Env = append(cleanEnv(), "ADMIN_ACCESS_KEY="+s.AccessKeyID, "ADMIN_SECRET_KEY="+s.SecretAccessKey)
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("s3server: versitygw admin %s: %v\n%s", args[0], err, out)
	}
}
