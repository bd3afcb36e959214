package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// startServe runs `sealgate serve` on ephemeral loopback ports and returns
// its endpoints and a stop function that waits for a graceful exit.
func startServe(t testing.TB, dir string, extra ...string) (map[string]string, func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	ready := make(chan map[string]string, 1)
	done := make(chan error, 1)
	var out, errb bytes.Buffer
	vars := map[string]string{"SEALGATE_DATA_DIR": dir, "SEALGATE_S3_ADDR": "127.0.0.1:0", "SEALGATE_DAV_ADDR": "127.0.0.1:0",
		"SEALGATE_WEB_ADDR": "127.0.0.1:0", "SEALGATE_ADMIN_ADDR": "127.0.0.1:0", "SEALGATE_LOG_LEVEL": "warn"}
	e := env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] },
		ready: func(a map[string]string) { ready <- a }}
	go func() { done <- cmdServe(ctx, extra, e) }()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("serve's log:\n%s", errb.String())
		}
	})
	select {
	case a := <-ready:
		return a, func() error { cancel(); return <-done }
	case err := <-done:
		cancel()
		t.Fatalf("serve exited: %v\n%s", err, errb.String())
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("serve did not start")
	}
	return nil, nil
}

// firstAccountLine returns the value of a "label:" line of the first-account
// file serve wrote into dir.
func firstAccountLine(t testing.TB, dir, label string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "first-account.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, label+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	t.Fatalf("first-account.txt has no %q line", label)
	return ""
}

func firstCreds(t *testing.T, dir string) (string, string) {
	t.Helper()
	return firstAccountLine(t, dir, "access key id"), firstAccountLine(t, dir, "secret access key")
}

func TestServeEndToEnd(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir)
	ak, sk := firstCreds(t, dir)
	fi, _ := os.Stat(filepath.Join(dir, "first-account.txt"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file mode %v", fi.Mode())
	}
	cl := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(addrs["s3"]), UsePathStyle: true,
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")})
	ctx := context.Background()
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("e2e")}); err != nil {
		t.Fatal(err)
	}
	body := bytes.Repeat([]byte("sealgate "), 20000)
	if _, err := cl.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("e2e"), Key: aws.String("a/b.txt"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	got, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("e2e"), Key: aws.String("a/b.txt")})
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(got.Body)
	_ = got.Body.Close()
	if !bytes.Equal(data, body) {
		t.Fatalf("read back %d bytes", len(data))
	}
	for _, p := range []string{"/healthz", "/readyz", "/metrics"} {
		resp, err := http.Get(addrs["admin"] + p)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("%s: %v %v", p, resp, err)
		}
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if p == "/metrics" && (!strings.Contains(string(b), `sealgate_requests_total{door="s3",op="PutObject",status="200"} 1`) ||
			!strings.Contains(string(b), "sealgate_meta_cache_hits_total")) {
			t.Fatalf("metrics lack the request counters:\n%s", b)
		}
	}
	// A second serve on the same data dir fails fast.
	var errb bytes.Buffer
	vars := map[string]string{"SEALGATE_DATA_DIR": dir}
	code := run(context.Background(), []string{"serve", "--s3-addr", "127.0.0.1:0"}, env{stdout: io.Discard, stderr: &errb, getenv: func(k string) string { return vars[k] }})
	if code != 1 || !strings.Contains(errb.String(), "in use by another sealgate serve") {
		t.Fatalf("second serve: %d %q", code, errb.String())
	}
	if err := stop(); err != nil {
		t.Fatalf("graceful stop: %v", err)
	}
	// Upstream holds no plaintext.
	_ = filepath.Walk(filepath.Join(dir, "store"), func(p string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			b, _ := os.ReadFile(p)
			// Names are compared by segment: base32 upstream names may
			// contain "e2e" by chance.
			if bytes.Contains(b, []byte("sealgate sealgate")) || slices.Contains(strings.Split(p, string(filepath.Separator)), "b.txt") ||
				slices.Contains(strings.Split(p, string(filepath.Separator)), "e2e") {
				t.Errorf("plaintext upstream in %s", p)
			}
		}
		return nil
	})
}

func TestServeFailsFast(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = ln.Close() }()
	dir := filepath.Join(t.TempDir(), "data")
	code, _, errOut := runCmd(t, "", map[string]string{"SEALGATE_DATA_DIR": dir, "SEALGATE_ADMIN_ADDR": "off", "SEALGATE_DAV_ADDR": "off", "SEALGATE_WEB_ADDR": "off"},
		"serve", "--s3-addr", ln.Addr().String())
	if code != 1 || !strings.Contains(errOut, "cannot listen on") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("occupied port: %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", map[string]string{"SEALGATE_DATA_DIR": dir, "SEALGATE_ADMIN_ADDR": "off", "SEALGATE_DAV_ADDR": "off", "SEALGATE_WEB_ADDR": "off"}, "serve", "--upstream", "s3",
		"--upstream-bucket", "nope", "--upstream-endpoint", "http://127.0.0.1:1", "--s3-addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "does not answer") {
		t.Fatalf("wrong upstream endpoint: %d %q", code, errOut)
	}
	_ = os.Remove(filepath.Join(dir, "root.key"))
	code, _, errOut = runCmd(t, "", map[string]string{"SEALGATE_DATA_DIR": dir}, "user", "list")
	if code != 1 || !strings.Contains(errOut, "root key") {
		t.Fatalf("missing root key: %d %q", code, errOut)
	}
}

func TestServeWebDAV(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	addrs, stop := startServe(t, dir)
	defer func() { _ = stop() }()
	pw := firstAccountLine(t, dir, "password")
	do := func(method, path, body string) int {
		req, _ := http.NewRequest(method, addrs["webdav"]+path, strings.NewReader(body))
		req.SetBasicAuth("admin", pw)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		return resp.StatusCode
	}
	if c := do("MKCOL", "/davbucket/", ""); c != http.StatusCreated {
		t.Fatalf("MKCOL: %d", c)
	}
	if c := do("PUT", "/davbucket/hello.txt", "hello over webdav"); c != http.StatusCreated {
		t.Fatalf("PUT: %d", c)
	}
	req, _ := http.NewRequest("GET", addrs["webdav"]+"/davbucket/hello.txt", nil)
	req.SetBasicAuth("admin", "wrong")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("wrong password: %v %v", resp, err)
	}
	_ = resp.Body.Close()
}
