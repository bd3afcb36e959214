//go:build linux

package fs

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// bothPaths runs f on a fresh store that reads through openat2 and on one
// that walks the path.
func bothPaths(t *testing.T, f func(t *testing.T, s *Store, root string)) {
	for _, walk := range []bool{false, true} {
		name := map[bool]string{false: "openat2", true: "walk"}[walk]
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			s, err := Open(root)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if walk {
				s.noOpenat2.Store(true)
			}
			f(t, s, root)
		})
	}
}

// TestSpecialFilesInvisible: a FIFO or a socket planted in data/ is
// ErrNotExist to Stat and Get, at once (opening a FIFO for reading would
// otherwise wait for a writer).
func TestSpecialFilesInvisible(t *testing.T) {
	bothPaths(t, func(t *testing.T, s *Store, root string) {
		if err := syscall.Mkfifo(filepath.Join(root, "data", "fifo"), 0o600); err != nil {
			t.Fatal(err)
		}
		l, err := net.Listen("unix", filepath.Join(root, "data", "sock"))
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = l.Close() }()
		for _, key := range []string{"fifo", "sock"} {
			done := make(chan error, 2)
			go func() {
				_, err := s.Stat(t.Context(), key)
				done <- err
				rc, _, err := s.Get(t.Context(), key, 0, -1)
				if rc != nil {
					_ = rc.Close()
				}
				done <- err
			}()
			for _, op := range []string{"Stat", "Get"} {
				select {
				case err := <-done:
					if !errors.Is(err, backends.ErrNotExist) {
						t.Errorf("%s(%q) = %v, want ErrNotExist", op, key, err)
					}
				case <-time.After(5 * time.Second):
					t.Fatalf("%s(%q) hangs", op, key)
				}
			}
		}
	})
}

// TestClosedStoreReadsNothing: a closed store answers an error, and never
// reads through a descriptor number another store reuses.
func TestClosedStoreReadsNothing(t *testing.T) {
	bothPaths(t, func(t *testing.T, a *Store, _ string) {
		put := func(s *Store, body string) {
			t.Helper()
			if _, err := s.Put(t.Context(), "k", bytes.NewReader([]byte(body)), int64(len(body)), backends.PutOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		put(a, "A")
		_ = a.Close()
		b, err := Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer func() { _ = b.Close() }()
		put(b, "B")
		if _, err := a.Stat(t.Context(), "k"); err == nil {
			t.Error("Stat on a closed store succeeded")
		}
		rc, _, err := a.Get(t.Context(), "k", 0, -1)
		if err == nil {
			got, _ := io.ReadAll(rc)
			_ = rc.Close()
			t.Fatalf("Get on a closed store read %q", got)
		}
	})
}

// TestAheadReaderBoundaries: every start and length around the block and
// alignment boundaries, on files of unaligned sizes, read in odd pieces.
func TestAheadReaderBoundaries(t *testing.T) {
	const mib = 1 << 20
	p := filepath.Join(t.TempDir(), "f")
	for _, size := range []int{4 * mib, 4*mib + 1, 4*mib + 4095, 5*mib - 1, 6*mib + 123} {
		body := bytes.Repeat([]byte("0123456789abcdefghijklmnopqrstuvwxyz"), size/36+1)[:size]
		if err := os.WriteFile(p, body, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, off := range []int64{0, 1, 4095, 4096, mib - 1, mib, int64(size) - 4*mib} {
			for _, n := range []int64{int64(size) - off, 4*mib - 1, 4 * mib} {
				if n <= 0 || off+n > int64(size) {
					continue
				}
				f, err := os.Open(p)
				if err != nil {
					t.Fatal(err)
				}
				released := 0
				r := newAheadReader(f, off, n, func() { released++ })
				got, err := io.ReadAll(&choppy{r: r})
				if err != nil || !bytes.Equal(got, body[off:off+n]) {
					t.Errorf("size %d off %d n %d: %d bytes, %v", size, off, n, len(got), err)
				}
				if err := r.Close(); err != nil || released != 1 {
					t.Fatalf("Close: %v, released %d", err, released)
				}
				if m, err := r.Read(make([]byte, 10)); m != 0 || !errors.Is(err, os.ErrClosed) {
					t.Fatalf("Read after Close = %d, %v; want 0, ErrClosed", m, err)
				}
				if err := r.Close(); !errors.Is(err, os.ErrClosed) || released != 1 {
					t.Fatalf("second Close: %v, released %d", err, released)
				}
			}
		}
	}
}

// choppy reads in uneven pieces.
type choppy struct {
	r io.Reader
	i int
}

func (c *choppy) Read(p []byte) (int, error) {
	c.i++
	if c.i%3 == 0 && len(p) > 1 {
		p = p[:1+c.i%5000]
	}
	return c.r.Read(p)
}
