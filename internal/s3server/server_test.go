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
