package s3

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/internal/s3server"
)

// upstream is one real S3 server with one bucket, shared by the subtests of
// a test.
type upstream struct {
	srv    *s3server.Server
	bucket string
}

func newUpstream(t *testing.T, srv *s3server.Server) *upstream {
	t.Helper()
	return &upstream{srv: srv, bucket: srv.NewBucket(t)}
}

// servers are the real S3 servers that tests run against with
// forEachServer.
var servers = []struct {
	kind  string
	start func(testing.TB) *s3server.Server
}{
	{s3server.KindVersitygw, s3server.Start},
	{s3server.KindMinIO, s3server.StartMinIO},
}

// forEachServer runs test in a subtest per server, each with a server of
// its own.
func forEachServer(t *testing.T, test func(t *testing.T, u *upstream)) {
	for _, srv := range servers {
		t.Run(srv.kind, func(t *testing.T) { test(t, newUpstream(t, srv.start(t))) })
	}
}

// config is a root-account Config for the bucket with a fresh prefix.
func (u *upstream) config() Config {
	return Config{
		Bucket:          u.bucket,
		Prefix:          "t" + randHex(6) + "/",
		Endpoint:        u.srv.Endpoint,
		Region:          u.srv.Region,
		PathStyle:       true,
		AccessKeyID:     u.srv.AccessKeyID,
		SecretAccessKey: u.srv.SecretAccessKey,
		PartSize:        minPartSize,
		Concurrency:     3,
		MaxRetries:      1,
	}
}

// emptyStore returns an empty Store: under a fresh prefix on versitygw; in
// a fresh bucket without a prefix on MinIO, which counts the prefix in its
// 1024-byte key limit (TestMinIOLimits), so that the suite's 1024-byte key
// fits.
func (u *upstream) emptyStore(t *testing.T) *Store {
	t.Helper()
	if u.srv.Kind != s3server.KindMinIO {
		return u.store(t, nil)
	}
	bucket := u.srv.NewBucket(t)
	return u.store(t, func(c *Config) { c.Bucket, c.Prefix = bucket, "" })
}

// store returns a Store under a fresh prefix; mod may change the config.
func (u *upstream) store(t *testing.T, mod func(*Config)) *Store {
	t.Helper()
	cfg := u.config()
	if mod != nil {
		mod(&cfg)
	}
	s, err := New(t.Context(), cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// data returns n pseudo-random bytes.
func data(n int) []byte {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b
}

func mustPut(t *testing.T, s *Store, key string, b []byte, opts backends.PutOptions) backends.ObjectInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(b), int64(len(b)), opts)
	if err != nil {
		t.Fatalf("Put(%q, %d bytes): %v", key, len(b), err)
	}
	if info.Key != key || info.Size != int64(len(b)) || info.ETag == "" || info.ModTime.IsZero() {
		t.Fatalf("Put(%q) info = %+v", key, info)
	}
	return info
}

// mustRead reads the whole object and checks it equals want.
func mustRead(t *testing.T, s *Store, key string, want []byte) backends.ObjectInfo {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, 0, -1)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q) read: %v", key, err)
	}
	if !bytes.Equal(got, want) || info.Size != int64(len(want)) {
		t.Fatalf("Get(%q) = %d bytes (info size %d), want %d bytes", key, len(got), info.Size, len(want))
	}
	return info
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: error %v, want %v", what, err, target)
	}
}

// uploadsLeft counts the unfinished multipart uploads under the store's prefix.
func uploadsLeft(t *testing.T, s *Store) int {
	t.Helper()
	out, err := s.client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{
		Bucket: &s.cfg.Bucket, Prefix: &s.cfg.Prefix,
	})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	return len(out.Uploads)
}
