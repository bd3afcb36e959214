package integration

import (
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/internal/testenv"
)

const (
	mib     = 1 << 20
	bigSize = 100 * mib // the multipart copy, once per client that needs it
)

var fixtures string // directory shared by the tests, removed by TestMain

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "sealgate-integration-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixtures = dir
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// skipOrFail ends a test whose external client is missing: loudly skipped,
// or failed under SEALGATE_REQUIRE_EXTERNAL=1 ([testenv.SkipOrFail]).
func skipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	testenv.SkipOrFail(tb, format+"; install the clients with: bash .ci/install-clients (S3) and bash .ci/install-dav-clients (WebDAV)", args...)
}

// randomBytes is deterministic pseudo-random content for a seed.
func randomBytes(seed uint64, n int) []byte {
	b := make([]byte, n)
	r := rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8), byte(seed >> 16), byte(seed >> 24)})
	_, _ = r.Read(b)
	return b
}

var bigOnce sync.Once
var bigErr error

// bigFile is a shared 100 MiB file of random bytes (created once).
func bigFile(tb testing.TB) string {
	tb.Helper()
	p := filepath.Join(fixtures, "big.bin")
	bigOnce.Do(func() {
		f, err := os.Create(p)
		if err != nil {
			bigErr = err
			return
		}
		r := rand.NewChaCha8([32]byte{'b', 'i', 'g'})
		if _, err := io.CopyN(f, r, bigSize); err != nil {
			bigErr = err
		}
		if err := f.Close(); err != nil && bigErr == nil {
			bigErr = err
		}
	})
	if bigErr != nil {
		tb.Fatalf("big fixture: %v", bigErr)
	}
	return p
}

// writeFile writes size random bytes (seeded) to dir/name and returns the path.
func writeFile(tb testing.TB, dir, name string, seed uint64, size int) string {
	tb.Helper()
	p := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(p, randomBytes(seed, size), 0o600); err != nil {
		tb.Fatal(err)
	}
	return p
}

// makeTree writes a small tree for sync tests: nested folders, an empty
// file, a name with spaces and non-ASCII, and one file over mult bytes
// (0: none) to make sync/multipart paths run.
func makeTree(tb testing.TB, dir string, mult int) map[string]string {
	tb.Helper()
	files := map[string]int{
		"a.txt":                    100,
		"empty":                    0,
		"dir/b.bin":                70000,
		"dir/sub/c.bin":            1,
		"dir/with space/é ü.txt":   333,
		"z/deep/deeper/deepest.md": 4096,
	}
	if mult > 0 {
		files["large/multi.bin"] = mult
	}
	// An hour old, so that "sync" sees the remote copies as newer.
	old := time.Now().Add(-time.Hour)
	for name, size := range files {
		p := writeFile(tb, dir, name, uint64(len(name)*size+size), size)
		if err := os.Chtimes(p, old, old); err != nil {
			tb.Fatal(err)
		}
	}
	return treeSums(tb, dir)
}

// treeSums maps each regular file's slash path under dir to its SHA-256.
func treeSums(tb testing.TB, dir string) map[string]string {
	tb.Helper()
	sums, err := readSums(dir)
	if err != nil {
		tb.Fatal(err)
	}
	return sums
}

// readSums is treeSums returning its error (a mount may be refreshing). A
// lost+found directory at the top (a davfs2 mount's) is passed over.
func readSums(dir string) (map[string]string, error) {
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		switch {
		case d.IsDir() && rel == "lost+found":
			return filepath.SkipDir
		case !d.Type().IsRegular():
			return nil
		}
		b, err := os.ReadFile(p)
		sums[filepath.ToSlash(rel)] = sha256Hex(b)
		return err
	})
	return sums, err
}

// sumsOf maps each file of a tree (slash path → content) to its SHA-256.
func sumsOf(files map[string][]byte) map[string]string {
	sums := make(map[string]string, len(files))
	for name, b := range files {
		sums[name] = sha256Hex(b)
	}
	return sums
}

func sha256Hex(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// sameTree fails unless got has exactly the files and contents of want.
func sameTree(tb testing.TB, what string, want, got map[string]string) {
	tb.Helper()
	if diffs := treeDiff(want, got); len(diffs) > 0 {
		tb.Fatalf("%s: trees differ: %q", what, diffs)
	}
}

// treeDiff lists how got differs from want, sorted; nil when they agree.
func treeDiff(want, got map[string]string) []string {
	var diffs []string
	for k, v := range want {
		switch g, ok := got[k]; {
		case !ok:
			diffs = append(diffs, "missing "+k)
		case g != v:
			diffs = append(diffs, "content differs: "+k)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			diffs = append(diffs, "unexpected "+k)
		}
	}
	sort.Strings(diffs)
	return diffs
}

func fileSHA256(tb testing.TB, p string) string {
	tb.Helper()
	f, err := os.Open(p)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		tb.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// sameFile fails unless the two files have the same content.
func sameFile(tb testing.TB, what, want, got string) {
	tb.Helper()
	if a, b := fileSHA256(tb, want), fileSHA256(tb, got); a != b {
		tb.Fatalf("%s: downloaded file differs from the uploaded one (sha256 %s vs %s)", what, b, a)
	}
}

func md5Hex(b []byte) string { s := md5.Sum(b); return hex.EncodeToString(s[:]) }
