package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
)

// TestPartNumberReads: a completed upload reads back part by part, with
// uniform and with uneven part sizes; a single PUT is its own part 1.
func TestPartNumberReads(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	for _, sizes := range [][]int64{{5 << 20, 5 << 20, 1000}, {6 << 20, 5 << 20, 7}} {
		t.Run(fmt.Sprint(sizes), func(t *testing.T) {
			id, err := n.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var parts []CompletedPart
			var all []byte
			for i, s := range sizes {
				data := bytes.Repeat([]byte{byte('a' + i)}, int(s))
				all = append(all, data...)
				etag, err := n.UploadPart(ctx, "bkt", "mp", id, i+1, bytes.NewReader(data), s)
				if err != nil {
					t.Fatal(err)
				}
				parts = append(parts, CompletedPart{Number: i + 1, ETag: etag})
			}
			if _, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, parts, PutOptions{}); err != nil {
				t.Fatal(err)
			}
			// A HEAD right after the Complete answers from what the write
			// cached: the part count and layout must be in it.
			h, err := n.HeadObject(ctx, "bkt", "mp", GetOptions{PartNumber: 2})
			if err != nil || h.PartsCount != len(sizes) {
				t.Fatalf("HEAD part 2: %+v %v", h, err)
			}
			if rg, err := PartRange(h, 2); err != nil || rg.Start != sizes[0] || rg.End != sizes[0]+sizes[1]-1 {
				t.Fatalf("HEAD part 2's range: %+v %v", rg, err)
			}
			var start int64
			for i, s := range sizes {
				r, err := n.GetObject(ctx, "bkt", "mp", GetOptions{PartNumber: i + 1})
				if err != nil {
					t.Fatal(err)
				}
				got, _ := io.ReadAll(r.Body)
				_ = r.Body.Close()
				if !bytes.Equal(got, all[start:start+s]) || r.Range == nil || r.Range.Start != start || r.Info.PartsCount != len(sizes) {
					t.Fatalf("part %d: %d bytes, range %+v", i+1, len(got), r.Range)
				}
				start += s
			}
			if _, err := n.GetObject(ctx, "bkt", "mp", GetOptions{PartNumber: len(sizes) + 1}); !errors.Is(err, ErrInvalidPartNumber) {
				t.Fatalf("part beyond: %v", err)
			}
		})
	}
	put(t, n, "bkt", "single", []byte("hello"), nil)
	r, err := n.GetObject(ctx, "bkt", "single", GetOptions{PartNumber: 1})
	if err != nil || r.Range == nil || r.Range.End != 4 {
		t.Fatalf("single part 1: %+v %v", r, err)
	}
	_ = r.Body.Close()
	if _, err := n.GetObject(ctx, "bkt", "single", GetOptions{PartNumber: 2}); !errors.Is(err, ErrInvalidPartNumber) {
		t.Fatalf("single part 2: %v", err)
	}
}
