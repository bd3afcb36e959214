// Package s3server starts a real S3 server for tests: versitygw with its
// posix backend in a temporary directory, internal IAM, on a free loopback
// port. It is an ordinary package so that tests anywhere in the module can
// import it.
//
// The server's output (its request log with SEALGATE_VERSITYGW_VERBOSE=1)
// is shown in the test log when the test fails.
//
// The versitygw binary is looked up in $SEALGATE_VERSITYGW, then in PATH,
// then in $(go env GOPATH)/bin. When it is missing, [Start] skips the test,
// or fails it when SEALGATE_REQUIRE_EXTERNAL=1 (CI sets that, so that a
// missing tool cannot pass silently). Install it with
//
//	GOFLAGS= go install github.com/versity/versitygw/cmd/versitygw@v1.8.0
//
// versitygw verifies SigV4 signatures, so credentials matter: the root
// account ([Server.AccessKeyID]) may do anything, the second account
// ([Server.UserAccessKeyID], IAM role "user") only what its buckets allow.
package s3server

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/internal/testenv"
)

// Environment variables read by [Start].
const (
	EnvBinary  = "SEALGATE_VERSITYGW"         // path of the versitygw binary
	EnvVerbose = "SEALGATE_VERSITYGW_VERBOSE" // "1": log every request (shown on failure)
)

const (
	binaryName   = "versitygw"
	region       = "us-east-1"
	startTimeout = 20 * time.Second
	startTries   = 3 // a free port can be taken between probe and start
	maxLog       = 64 << 10
)

// Server is a running versitygw. Its fields are read-only.
type Server struct {
	Endpoint        string // http://127.0.0.1:port, path-style addressing
	Region          string
	AccessKeyID     string // root account
	SecretAccessKey string
	// UserAccessKeyID and UserSecretAccessKey belong to a second account
	// with IAM role "user": it sees only buckets it owns or is granted.
	UserAccessKeyID     string
	UserSecretAccessKey string
	// Dir is the posix backend's root: one directory per bucket.
	Dir string

	bin  string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited
	out  *tailBuffer
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
	if err := s.launch(filepath.Join(dir, "iam")); err != nil {
		tb.Fatalf("s3server: %v\n%s", err, s.out.String())
	}
	s.admin(tb, "create-user", "-a", s.UserAccessKeyID, "-s", s.UserSecretAccessKey, "-r", "user")
	return s
}

// Binary finds the versitygw executable.
func Binary() (string, error) {
	if p := os.Getenv(EnvBinary); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", EnvBinary, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath(binaryName); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, gopath := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(gopath, "bin", binaryName)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s not found in $%s, PATH or $(go env GOPATH)/bin", binaryName, EnvBinary)
}

// launch starts the process on a free port and waits until it answers,
// trying another port if the chosen one was taken meanwhile.
func (s *Server) launch(iamDir string) error {
	var err error
	for range startTries {
		var addr string
		if addr, err = freeAddr(); err != nil {
			return err
		}
		if err = s.run(addr, iamDir); err == nil {
			return nil
		}
	}
	return err
}

// run starts versitygw on addr and waits for its health endpoint.
func (s *Server) run(addr, iamDir string) error {
	args := []string{"--port", addr, "--iam-dir", iamDir, "--health", "/health", "--region", s.Region}
	if os.Getenv(EnvVerbose) != "1" {
		args = append(args, "--quiet")
	}
	cmd := exec.Command(s.bin, append(args, "posix", s.Dir)...)
	cmd.Env = append(cleanEnv(), "ROOT_ACCESS_KEY="+s.AccessKeyID, "ROOT_SECRET_KEY="+s.SecretAccessKey)
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done, s.Endpoint = cmd, done, "http://"+addr
	return s.waitReady()
}

// waitReady polls the health endpoint until it answers 200.
func (s *Server) waitReady() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(startTimeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return errors.New("versitygw exited during start")
		default:
		}
		resp, err := client.Get(s.Endpoint + "/health")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	return fmt.Errorf("versitygw did not answer on %s within %v", s.Endpoint, startTimeout)
}

// stop ends the process and shows its output if the test failed.
func (s *Server) stop(tb testing.TB) {
	s.kill()
	if tb.Failed() {
		tb.Logf("s3server: versitygw output:\n%s", s.out.String())
	}
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// CreateBucket creates a bucket owned by the root account.
func (s *Server) CreateBucket(tb testing.TB, name string) {
	tb.Helper()
	s.admin(tb, "create-bucket", "--owner", s.AccessKeyID, "--bucket", name)
}

// CreateUserBucket creates a bucket owned by the user account.
func (s *Server) CreateUserBucket(tb testing.TB, name string) {
	tb.Helper()
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

// cleanEnv is the environment without settings that would change versitygw.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "VGW_") || strings.HasPrefix(name, "ROOT_") || strings.HasPrefix(name, "ADMIN_") {
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
