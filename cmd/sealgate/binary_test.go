package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/internal/gwproc"
)

// server is a running `sealgate serve` of the built binary on a data dir
// (internal/gwproc): the S3 and WebDAV doors on free ports, no admin door.
type server struct {
	*gwproc.Gateway
	s3, dav string // host:port
}

// startBinary starts the binary on dataDir with env added (SEALGATE_*).
func startBinary(t *testing.T, dataDir string, env ...string) *server {
	t.Helper()
	env = append([]string{"SEALGATE_DATA_DIR=" + dataDir, "SEALGATE_ADMIN_ADDR=off"}, env...)
	g := gwproc.Start(t, gwproc.Build(t), env...)
	return &server{Gateway: g, s3: strings.TrimPrefix(g.URL["s3"], "http://"), dav: strings.TrimPrefix(g.URL["webdav"], "http://")}
}

func (s *server) client(ak, sk string) *s3.Client {
	return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://" + s.s3), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""), RetryMaxAttempts: 1})
}

func davDo(t *testing.T, base, user, pw, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, "http://"+base+path, bytes.NewReader(body))
	req.SetBasicAuth(user, pw)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// TestBinaryLifecycle drives the built binary as an operator would: start,
// add a user while serving, S3 and WebDAV round trips, password change,
// deletion with the data unreadable afterwards, graceful stop.
func TestBinaryLifecycle(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	s := startBinary(t, dir)
	var cr map[string]string
	if err := json.Unmarshal([]byte(s.CLI(t, "first-pass-123\n", "user", "add", "carol", "--json", "--password-stdin")), &cr); err != nil {
		t.Fatal(err)
	}
	c := s.client(cr["access_key_id"], cr["secret_access_key"])
	ctx := context.Background()
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("carol-data")}); err != nil {
		t.Fatalf("new account cannot use S3 at once: %v", err)
	}
	body := bytes.Repeat([]byte("carol's secret data "), 5000)
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("carol-data"), Key: aws.String("doc.txt"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if code, got := davDo(t, s.dav, "carol", "first-pass-123", "GET", "/carol-data/doc.txt", nil); code != 200 || !bytes.Equal(got, body) {
		t.Fatalf("WebDAV GET of the S3 object: %d, %d bytes", code, len(got))
	}
	if code, _ := davDo(t, s.dav, "carol", "first-pass-123", "PUT", "/carol-data/dav.txt", []byte("from webdav")); code != 201 {
		t.Fatalf("WebDAV PUT: %d", code)
	}
	out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("carol-data"), Key: aws.String("dav.txt")})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(out.Body)
	_ = out.Body.Close()
	if string(got) != "from webdav" {
		t.Fatalf("S3 GET of the WebDAV file: %q", got)
	}
	if out := s.CLI(t, "", "verify", "--user", "carol"); !strings.Contains(out, "verified: 2 objects") || !strings.Contains(out, "failures: none") {
		t.Fatalf("verify: %q", out)
	}
	if out := s.CLI(t, "", "user", "rotate", "carol"); !strings.Contains(out, "epoch 1 destroyed") {
		t.Fatalf("rotate: %q", out)
	}
	if code, got := davDo(t, s.dav, "carol", "first-pass-123", "GET", "/carol-data/doc.txt", nil); code != 200 || !bytes.Equal(got, body) {
		t.Fatalf("object unreadable after rotation: %d", code)
	}
	if out := s.CLI(t, "", "gc", "--dry-run"); !strings.Contains(out, "would remove 0 upstream objects") {
		t.Fatalf("gc: %q", out)
	}
	s.CLI(t, "second-pass-456\n", "user", "passwd", "carol", "--password-stdin")
	gwproc.Within(t, 2*time.Second, "the old password is refused", func() bool {
		code, _ := davDo(t, s.dav, "carol", "first-pass-123", "GET", "/carol-data/doc.txt", nil)
		return code == 401
	})
	if code, _ := davDo(t, s.dav, "carol", "second-pass-456", "GET", "/carol-data/doc.txt", nil); code != 200 {
		t.Fatalf("new password refused: %d", code)
	}
	s.CLI(t, "", "user", "delete", "carol")
	gwproc.Within(t, 2*time.Second, "the deleted account is refused", func() bool {
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("carol-data")})
		return err != nil
	})
	assertNoUpstreamData(t, filepath.Join(dir, "store"), body)
	s.Stop(t)
}

// assertNoUpstreamData: after deletion no upstream file of the account
// remains (and none ever held plaintext).
func assertNoUpstreamData(t *testing.T, store string, plain []byte) {
	t.Helper()
	n := 0
	_ = filepath.Walk(filepath.Join(store, "data"), func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() && fi.Name() == ".sealgate" {
			return filepath.SkipDir // the keystore and other shared records
		}
		if err == nil && !fi.IsDir() {
			n++
			if b, _ := os.ReadFile(p); bytes.Contains(b, plain[:40]) {
				t.Errorf("plaintext in %s", p)
			}
		}
		return nil
	})
	// The first account (admin) has no data; carol's objects are purged.
	if n != 0 {
		t.Fatalf("%d upstream files remain after deleting the only account with data", n)
	}
}
