package davapi

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/testenv"
)

// Real WebDAV clients (rclone, cadaver, davfs2) against a live door. A
// missing client skips its test loudly, or fails it when
// SEALGATE_REQUIRE_EXTERNAL=1 (.ci/install-dav-clients installs them all).

// clientPassword is alice's password in newEnv; never logged (redact).
const clientPassword = "pw-alice"

// needClient returns the path of a client binary, or skips (fails under
// SEALGATE_REQUIRE_EXTERNAL=1) when it is not installed.
func needClient(t *testing.T, bin, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(bin)
	if err == nil {
		return p
	}
	testenv.SkipOrFail(t, "%s is not installed (run .ci/install-dav-clients or apt-get install %s)", bin, pkg)
	return ""
}

// newFSEnv is a live door over the real gateway on a backends/fs store.
func newFSEnv(t *testing.T) *env {
	t.Helper()
	store, err := fs.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return newEnvOn(t, store)
}

// tool runs external commands with a private HOME and a time bound.
type tool struct {
	t    *testing.T
	home string
	env  []string
}

func newTool(t *testing.T, env ...string) *tool {
	t.Helper()
	home := t.TempDir()
	base := []string{"HOME=" + home, "PATH=" + os.Getenv("PATH"), "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "TMPDIR=" + t.TempDir()}
	return &tool{t: t, home: home, env: append(base, env...)}
}

// run runs a command and returns its output (password redacted); a failure
// or timeout is fatal unless allowFail.
func (tl *tool) run(timeout time.Duration, stdin string, allowFail bool, name string, args ...string) string {
	tl.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir, cmd.WaitDelay = tl.env, tl.home, 5*time.Second
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	text := redact(string(out))
	if ctx.Err() != nil {
		tl.t.Fatalf("%s %s: timed out after %v:\n%s", filepath.Base(name), redact(strings.Join(args, " ")), timeout, text)
	}
	if err != nil && !allowFail {
		tl.t.Fatalf("%s %s: %v:\n%s", filepath.Base(name), redact(strings.Join(args, " ")), err, text)
	}
	return text
}

func redact(s string) string { return strings.ReplaceAll(s, clientPassword, "<password>") }

// writeFiles writes files (relative path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for rel, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
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

// s3Object is what the S3 door shows of an object.
type s3Object struct {
	data []byte
	etag string
}

// s3Files is the S3 view under prefix: every key but folder markers,
// relative to prefix, with its bytes; the listing and GetObject must agree
// on the ETag.
func s3Files(t *testing.T, e *env, bucket, prefix string) map[string]s3Object {
	t.Helper()
	out, err := s3Snapshot(e.ns("alice"), bucket, prefix)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// s3Snapshot reads the S3 view under prefix; an object that changes
// between the listing and its GetObject is an error.
func s3Snapshot(ns gateway.Namespace, bucket, prefix string) (map[string]s3Object, error) {
	ctx := context.Background()
	res, err := ns.ListObjects(ctx, bucket, gateway.ListQuery{Prefix: prefix, MaxKeys: 1000})
	if err != nil {
		return nil, err
	}
	out := map[string]s3Object{}
	for _, oi := range res.Objects {
		if strings.HasSuffix(oi.Key, "/") {
			continue
		}
		or, err := ns.GetObject(ctx, bucket, oi.Key, gateway.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("S3 GetObject %s: %w", oi.Key, err)
		}
		data, err := io.ReadAll(or.Body)
		_ = or.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("S3 GetObject %s: %w", oi.Key, err)
		}
		if or.Info.ETag != oi.ETag {
			return nil, fmt.Errorf("%s: listing ETag %s, GetObject ETag %s", oi.Key, oi.ETag, or.Info.ETag)
		}
		out[strings.TrimPrefix(oi.Key, prefix)] = s3Object{data: data, etag: or.Info.ETag}
	}
	return out, nil
}

// checkS3 fails unless the S3 view under prefix is exactly want, bytes and
// ETags (the MD5 of the content: single-part uploads).
func checkS3(t *testing.T, e *env, bucket, prefix string, want map[string][]byte) {
	t.Helper()
	got := s3Files(t, e, bucket, prefix)
	if a, b := sortedKeys(got), sortedKeys(want); a != b {
		t.Fatalf("S3 view of %s/%s:\n got  %s\n want %s", bucket, prefix, a, b)
	}
	for k, w := range want {
		o := got[k]
		if !bytes.Equal(o.data, w) {
			t.Fatalf("S3 %s: %d bytes differ from the %d written", k, len(o.data), len(w))
		}
		sum := md5.Sum(w)
		if o.etag != hex.EncodeToString(sum[:]) {
			t.Fatalf("S3 %s: ETag %s, want the MD5 %x", k, o.etag, sum)
		}
	}
}

func sortedKeys[V any](m map[string]V) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return fmt.Sprintf("%q", keys)
}
