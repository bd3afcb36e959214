package gateway

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// sourceCountingStore counts the upstream Stats and Gets of one key.
type sourceCountingStore struct {
	*countingStore
	key         atomic.Value // string
	stats, gets atomic.Int64
}

func (s *sourceCountingStore) watched(key string) bool {
	k, _ := s.key.Load().(string)
	return k != "" && k == key
}

func (s *sourceCountingStore) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	if s.watched(key) {
		s.stats.Add(1)
	}
	return s.countingStore.Stat(ctx, key)
}

func (s *sourceCountingStore) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if s.watched(key) {
		s.gets.Add(1)
	}
	return s.countingStore.Get(ctx, key, off, n)
}

// TestUploadPartCopyOneSourceRead: UploadPartCopy resolves the source and
// checks its range with one GetObject (one upstream Stat of the source),
// and a range ending at or beyond the source's size is ErrInvalidRange, not
// cut at the end as a GET's is, and stores no part.
func TestUploadPartCopyOneSourceRead(t *testing.T) {
	for _, size := range []int{1000, 3*smallObject + 17} { // read whole / opened by range
		n, _, cs := withSourceCounting(t)
		ctx := context.Background()
		src := partcopyPayload(size)
		put(t, n, "bkt", "src", src, nil)
		up, err := n.objectKey("bkt", "src")
		if err != nil {
			t.Fatal(err)
		}
		cs.key.Store(up)
		id, err := n.CreateMultipartUpload(ctx, "bkt", "dst", PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		s64 := int64(size)

		reads := func() (int64, int64) { return cs.stats.Swap(0), cs.gets.Swap(0) }
		p, err := n.UploadPartCopy(ctx, "bkt", "dst", id, 1, "bkt", "src", GetOptions{Range: &Range{Start: 10, End: s64 - 2}}, nil)
		if err != nil || p.Size != s64-11 || p.ETag != md5hex(src[10:s64-1]) {
			t.Fatalf("size %d: in-range copy = %+v, %v", size, p, err)
		}
		if st, _ := reads(); st != 1 {
			t.Fatalf("size %d: in-range copy made %d upstream Stats of the source, want 1", size, st)
		}
		p, err = n.UploadPartCopy(ctx, "bkt", "dst", id, 2, "bkt", "src", GetOptions{Range: &Range{Start: 0, End: s64 - 1}}, nil)
		if err != nil || p.Size != s64 || p.ETag != md5hex(src) {
			t.Fatalf("size %d: whole-range copy = %+v, %v", size, p, err)
		}
		reads()

		for _, rg := range []Range{{0, s64}, {s64 - 5, s64 + 100}, {s64, s64 + 1}, {s64 + 10, s64 + 20}} {
			_, err := n.UploadPartCopy(ctx, "bkt", "dst", id, 3, "bkt", "src", GetOptions{Range: &rg}, nil)
			if !errors.Is(err, ErrInvalidRange) {
				t.Fatalf("size %d: copy range %v = %v, want ErrInvalidRange", size, rg, err)
			}
			if st, _ := reads(); st != 1 {
				t.Fatalf("size %d: copy range %v made %d upstream Stats of the source, want 1", size, rg, st)
			}
		}
		page, err := n.ListParts(ctx, "bkt", "dst", id, 0, 100)
		parts := page.Parts
		if err != nil || len(parts) != 2 || parts[0].Number != 1 || parts[1].Number != 2 {
			t.Fatalf("size %d: parts after refused copies: %+v, %v", size, parts, err)
		}

		// The copy's conditions are the client's only: an If-Match of
		// another ETag fails, the source's own passes.
		_, err = n.UploadPartCopy(ctx, "bkt", "dst", id, 3, "bkt", "src", GetOptions{Range: &Range{0, 9}, IfMatch: "0123"}, nil)
		if !errors.Is(err, ErrPreconditionFailed) {
			t.Fatalf("size %d: If-Match mismatch = %v", size, err)
		}
		info, err := n.HeadObject(ctx, "bkt", "src", GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		p, err = n.UploadPartCopy(ctx, "bkt", "dst", id, 3, "bkt", "src", GetOptions{Range: &Range{0, 9}, IfMatch: info.ETag}, nil)
		if err != nil || p.ETag != md5hex(src[:10]) {
			t.Fatalf("size %d: If-Match copy = %+v, %v", size, p, err)
		}
	}
}

func partcopyPayload(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/4096)
	}
	return b
}
