package fs_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// oddReader hides a reader's WriterTo and yields reads of odd sizes, so
// block boundaries fall mid-read.
type oddReader struct {
	r    io.Reader
	step int
}

func (o *oddReader) Read(p []byte) (int, error) {
	o.step = o.step%7 + 1
	return o.r.Read(p[:min(len(p), o.step*9973)])
}

// TestLargeBodiesRoundTrip: bodies around the 1 MiB block and the 4 MiB
// direct threshold, announced or not, read back byte for byte.
func TestLargeBodiesRoundTrip(t *testing.T) {
	const mib = 1 << 20
	sizes := []int{0, 1, mib - 1, mib, mib + 1, 4*mib - 1, 4 * mib, 4*mib + 1, 5*mib + 4095, 7 * mib}
	s := open(t, t.TempDir())
	ctx := context.Background()
	for _, size := range sizes {
		body := pattern(size)
		for _, announced := range []int64{int64(size), -1} {
			_, err := s.Put(ctx, "k", &oddReader{r: bytes.NewReader(body)}, announced, backends.PutOptions{})
			if err != nil {
				t.Fatalf("size %d announced %d: %v", size, announced, err)
			}
			checkBody(t, s, "k", body)
		}
	}
}

// TestLargeRanges: ranges read through the block reader start and end
// anywhere, and a range past the end is cut at the end.
func TestLargeRanges(t *testing.T) {
	s := open(t, t.TempDir())
	body := pattern(9<<20 + 777)
	put(t, s, "k", string(body))
	ranges := []struct{ off, n int64 }{
		{0, -1}, {1, -1}, {4095, 4 << 20}, {4096, 5<<20 + 1}, {1<<20 - 1, 6 << 20},
		{3 << 20, 1 << 30}, {int64(len(body)) - (4 << 20), -1},
	}
	for _, rg := range ranges {
		rc, _, err := s.Get(context.Background(), "k", rg.off, rg.n)
		if err != nil {
			t.Fatalf("range %+v: %v", rg, err)
		}
		got, err := io.ReadAll(&oddReader{r: rc})
		_ = rc.Close()
		end := int64(len(body))
		if rg.n >= 0 {
			end = min(end, rg.off+rg.n)
		}
		if err != nil || !bytes.Equal(got, body[rg.off:end]) {
			t.Fatalf("range %+v: %d bytes, err %v; want %d bytes", rg, len(got), err, end-rg.off)
		}
	}
}

// TestLargeReadClosedEarly: closing a large read half-way stops it, and
// the store serves the next read.
func TestLargeReadClosedEarly(t *testing.T) {
	s := open(t, t.TempDir())
	body := pattern(12 << 20)
	put(t, s, "k", string(body))
	for range 20 {
		rc, _, err := s.Get(context.Background(), "k", 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(rc, make([]byte, 3<<20)); err != nil {
			t.Fatal(err)
		}
		if err := rc.Close(); err != nil {
			t.Fatal(err)
		}
	}
	checkBody(t, s, "k", body)
}

// TestLargeBodyShortOrLong: an announced size still fails a short or long
// body on the block path, and leaves the old object.
func TestLargeBodyShortOrLong(t *testing.T) {
	s := open(t, t.TempDir())
	put(t, s, "k", "old")
	body := pattern(6 << 20)
	for _, announced := range []int64{int64(len(body)) - 1, int64(len(body)) + 1} {
		_, err := s.Put(context.Background(), "k", bytes.NewReader(body), announced, backends.PutOptions{})
		if err == nil {
			t.Fatalf("announced %d of %d: no error", announced, len(body))
		}
	}
	checkBody(t, s, "k", []byte("old"))
}

func pattern(n int) []byte {
	b := make([]byte, n)
	x := uint32(n) | 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x)
	}
	return b
}

func checkBody(t *testing.T, s backends.Store, key string, want []byte) {
	t.Helper()
	rc, _, err := s.Get(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatalf("get %q: %v", key, err)
	}
	defer func() { _ = rc.Close() }()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read %q: %v", key, err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%q: got %d bytes, want %d (or contents differ)", key, len(got), len(want))
	}
}
