package s3server_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

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
	resp, err := http.Get(srv.Endpoint + "/" + name + "?list-type=2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Fatalf("anonymous list: status %d, want 403", resp.StatusCode)
	}
}

// TestBinaryEnv: $SEALGATE_VERSITYGW wins and must exist.
func TestBinaryEnv(t *testing.T) {
	t.Setenv(s3server.EnvBinary, filepath.Join(t.TempDir(), "missing"))
	if p, err := s3server.Binary(); err == nil {
		t.Fatalf("Binary() = %q with a missing $%s", p, s3server.EnvBinary)
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv(s3server.EnvBinary, self)
	if p, err := s3server.Binary(); err != nil || p != self {
		t.Fatalf("Binary() = %q, %v; want %q", p, err, self)
	}
}
