package integration

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestWebDAVClients drives real WebDAV clients (litmus, cadaver, rclone,
// davfs2) against the WebDAV door of one `sealgate serve` process (the
// built binary, started as the cluster tests start it) over an fs
// upstream, each client in a bucket of its own. The S3 door of the same
// process is the witness of what they stored. A missing client skips its
// subtest loudly, or fails it when SEALGATE_REQUIRE_EXTERNAL=1
// (.ci/install-dav-clients installs them all).
func TestWebDAVClients(t *testing.T) {
	t.Parallel()
	e := newDAVEnv(t)
	t.Run("litmus", func(t *testing.T) { testLitmus(t, e) })
	t.Run("cadaver", func(t *testing.T) { testCadaver(t, e) })
	t.Run("rclone", func(t *testing.T) { testRcloneDAV(t, e) })
	t.Run("davfs2", func(t *testing.T) { testDavfs2(t, e) })
}

// davPassword is alice's password on the WebDAV door, redacted from every
// log. It has no white space: .netrc and davfs2's secrets file split on it.
const davPassword = "pw-alice-dav"

// davEnv is a gateway process with the account alice: its WebDAV door and
// an S3 client of alice's on its S3 door.
type davEnv struct {
	url string // the WebDAV door, without a trailing slash
	s3  *s3.Client
}

func newDAVEnv(t *testing.T) *davEnv {
	t.Helper()
	c := newCluster(t, "fs", 1)
	a := c.addUserWith(0, "alice", davPassword)
	return &davEnv{url: c.gws[0].URL["webdav"], s3: c.client(0, a)}
}

// davSandbox is a client sandbox that redacts alice's password, with a
// UTF-8 locale for the clients' file names.
func davSandbox(t *testing.T) *clientEnv {
	t.Helper()
	c := newSandbox(t, davPassword)
	c.env = c.with("LANG=C.UTF-8", "LC_ALL=C.UTF-8")
	return c
}

// call sends a request as alice and returns the status and body.
func (e *davEnv) call(t *testing.T, method, path, body string, hdr ...string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.SetBasicAuth("alice", davPassword)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// mkcol makes a bucket (a top-level collection) through the WebDAV door.
func (e *davEnv) mkcol(t *testing.T, bucket string) {
	t.Helper()
	if code, body := e.call(t, "MKCOL", "/"+bucket, ""); code != http.StatusCreated {
		t.Fatalf("MKCOL /%s: status %d: %s", bucket, code, body)
	}
}

// propfind returns a PROPFIND allprop of path (Depth 0).
func (e *davEnv) propfind(t *testing.T, path string) string {
	t.Helper()
	const allprop = `<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`
	code, body := e.call(t, "PROPFIND", path, allprop, "Depth", "0", "Content-Type", "application/xml")
	if code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND %s: status %d: %s", path, code, body)
	}
	return body
}

// s3View is what the S3 door shows under prefix: every key but folder
// markers, relative to prefix, with the SHA-256 of its bytes. The listing
// and GetObject must agree on the ETag, and it must be the MD5 of the
// bytes (the WebDAV door stores every file in one part).
func (e *davEnv) s3View(bucket, prefix string) (map[string]string, error) {
	ctx := context.Background()
	out, err := e.s3.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String(bucket), Prefix: aws.String(prefix)})
	if err != nil {
		return nil, err
	}
	if aws.ToBool(out.IsTruncated) {
		return nil, fmt.Errorf("listing of %s/%s is longer than a page", bucket, prefix)
	}
	view := map[string]string{}
	for _, o := range out.Contents {
		key := aws.ToString(o.Key)
		if strings.HasSuffix(key, "/") {
			continue
		}
		b, etag, err := e.get(ctx, bucket, key)
		if err != nil {
			return nil, fmt.Errorf("GetObject %s: %w", key, err)
		}
		if etag != aws.ToString(o.ETag) || etag != `"`+md5Hex(b)+`"` {
			return nil, fmt.Errorf("%s: listing ETag %s, GetObject ETag %s, MD5 %s", key, aws.ToString(o.ETag), etag, md5Hex(b))
		}
		view[strings.TrimPrefix(key, prefix)] = sha256Hex(b)
	}
	return view, nil
}

// get returns an object's bytes and ETag.
func (e *davEnv) get(ctx context.Context, bucket, key string) ([]byte, string, error) {
	out, err := e.s3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = out.Body.Close() }()
	b, err := io.ReadAll(out.Body)
	return b, aws.ToString(out.ETag), err
}

// checkS3 fails unless the S3 view under prefix is exactly want (path →
// SHA-256).
func checkS3(t *testing.T, e *davEnv, bucket, prefix string, want map[string]string) {
	t.Helper()
	view, err := e.s3View(bucket, prefix)
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, "S3 view of "+bucket+"/"+prefix, want, view)
}

// eventuallyS3 waits (davfs2 uploads after close, asynchronously) until
// the S3 view under prefix is want, then checks it.
func eventuallyS3(t *testing.T, e *davEnv, bucket, prefix string, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if view, err := e.s3View(bucket, prefix); err == nil && treeDiff(want, view) == nil {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkS3(t, e, bucket, prefix, want)
}

// s3Keys lists every key of a bucket, folder markers included.
func s3Keys(t *testing.T, e *davEnv, bucket string) []string {
	t.Helper()
	out, err := e.s3.ListObjectsV2(context.Background(), &s3.ListObjectsV2Input{Bucket: aws.String(bucket)})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(out.Contents))
	for _, o := range out.Contents {
		keys = append(keys, aws.ToString(o.Key))
	}
	return keys
}

// writeFiles writes files (relative path → content) under dir and returns
// their paths.
func writeFiles(t *testing.T, dir string, files map[string][]byte) []string {
	t.Helper()
	var paths []string
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// sampleTree is a tree with nested folders, Unicode names and spaces, a
// few sizes (empty, small, beyond one 64 KiB chunk, a few MiB).
func sampleTree() map[string][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	blob := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.UintN(256))
		}
		return b
	}
	return map[string][]byte{
		"readme.txt":                        []byte("hello sealgate\n"),
		"empty file":                        {},
		"docs/a b c.txt":                    []byte("spaces in names\n"),
		"docs/ünïcödé – ñame.md":            []byte("# ünïcödé\n"),
		"docs/日本語/ファイル 1.txt":               []byte("日本語の内容\n"),
		"deep/er/still deeper/leaf.bin":     blob(200 << 10),
		"deep/er/big.bin":                   blob(3 << 20),
		"emoji 🙂/smile & co (1).txt":        []byte("🙂\n"),
		"Ωmega/percent%20and+plus#hash.txt": []byte("odd characters\n"),
	}
}
