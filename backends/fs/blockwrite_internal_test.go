//go:build linux

package fs

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// newTestBlockWriter opens a fresh file under a temp dir; it skips where
// the file system has no direct I/O (the writer then stays buffered, which
// TestLargeBodiesRoundTrip covers).
func newTestBlockWriter(t *testing.T) (*blockWriter, *os.File) {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	if err := setDirect(f, true); err != nil {
		t.Skipf("no O_DIRECT on this file system: %v", err)
	}
	if err := setDirect(f, false); err != nil {
		t.Fatal(err)
	}
	w := newBlockWriter(&flushingWriter{f: f})
	t.Cleanup(w.release)
	return w, f
}

func checkFile(t *testing.T, f *os.File, want []byte) {
	t.Helper()
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file has %d bytes, want %d (or contents differ)", len(got), len(want))
	}
}

// TestBlockWriterGoesDirect: full blocks are written with O_DIRECT, the
// tail buffered after O_DIRECT is turned off again.
func TestBlockWriterGoesDirect(t *testing.T) {
	w, f := newTestBlockWriter(t)
	body := bytes.Repeat([]byte("0123456789abcdef"), (3*blockSize+100)/16)
	if _, err := w.ReadFrom(bytes.NewReader(body)); err != nil {
		t.Fatal(err)
	}
	if !w.direct {
		t.Fatal("full blocks were not written direct")
	}
	if err := w.finish(); err != nil {
		t.Fatal(err)
	}
	if w.direct {
		t.Fatal("still direct after the tail")
	}
	checkFile(t, f, body)
}

// TestBlockWriterFallsBack: a block the kernel refuses direct (EINVAL, here
// a misaligned buffer) is written buffered, and the writer stays buffered.
func TestBlockWriterFallsBack(t *testing.T) {
	w, f := newTestBlockWriter(t)
	if err := setDirect(f, true); err != nil {
		t.Fatal(err)
	}
	w.tried, w.direct = true, true
	buf := make([]byte, blockSize+1)
	for i := range buf {
		buf[i] = byte(i)
	}
	misaligned := buf[1:]
	if err := w.writeBlock(misaligned); err != nil {
		t.Fatalf("fallback failed: %v", err)
	}
	checkFile(t, f, misaligned)
	if w.direct {
		// tmpfs, for one, takes O_DIRECT without alignment rules.
		t.Skip("this file system accepted a misaligned direct write: no EINVAL to fall back from")
	}
}

// TestBlockBudget: with the budget spent, large transfers go through the
// page cache and still round-trip; a large read gives its blocks back on
// Close.
func TestBlockBudget(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = s.Close() }()
	ctx := t.Context()
	all := int64(blockBudget / blockSize)
	body := bytes.Repeat([]byte("budget!"), (6<<20)/7)
	put := func() {
		t.Helper()
		if _, err := s.Put(ctx, "k", bytes.NewReader(body), int64(len(body)), backends.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	get := func() io.ReadCloser {
		t.Helper()
		rc, _, err := s.Get(ctx, "k", 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		return rc
	}
	if !s.blocks.TryAcquire(all) {
		t.Fatal("budget not free at start")
	}
	put()
	rc := get()
	if _, ok := rc.(*section); !ok {
		t.Fatalf("spent budget: read is %T, want the buffered *section", rc)
	}
	checkRead(t, rc, body)
	s.blocks.Release(all)

	put()
	rc = get()
	if _, ok := rc.(*aheadReader); !ok {
		t.Fatalf("free budget: read is %T, want *aheadReader", rc)
	}
	if s.blocks.TryAcquire(all) {
		t.Fatal("an open large read holds no budget")
	}
	checkRead(t, rc, body)
	if !s.blocks.TryAcquire(all) {
		t.Fatal("Close did not give the read's blocks back")
	}
}

func checkRead(t *testing.T, rc io.ReadCloser, want []byte) {
	t.Helper()
	got, err := io.ReadAll(rc)
	if cerr := rc.Close(); err == nil {
		err = cerr
	}
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes (%v), want %d", len(got), err, len(want))
	}
}
