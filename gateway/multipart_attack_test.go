package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// replayStore serves, for one key, older bytes under the current version's
// identity: a hostile upstream replaying a superseded part attempt.
type replayStore struct {
	*countingStore
	key string
	old []byte
}

func (r *replayStore) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	rc, info, err := r.countingStore.Get(ctx, key, off, n)
	if err != nil || key != r.key || r.old == nil {
		return rc, info, err
	}
	_ = rc.Close()
	end := int64(len(r.old))
	if n >= 0 && off+n < end {
		end = off + n
	}
	return io.NopCloser(bytes.NewReader(r.old[off:end])), info, nil
}

// TestMultipartReplayedPartAttempt: part 1 uploaded as A, then again as B
// (same size), completed with B's ETag; the upstream serves A's sealed
// bytes for part 1. Completion fails instead of producing an object whose
// content is A under B's ETag, and old attempts cannot be spliced into the
// completed object either (it is sealed under a fresh salt).
func TestMultipartReplayedPartAttempt(t *testing.T) {
	f := newFixture(t)
	rs := &replayStore{countingStore: f.store}
	svc, _ := NewService(Config{Store: rs})
	n := svc.namespaceFor(f.user(t, "alice").user)
	ctx := context.Background()
	mustBucket(t, n, "bkt")
	id, _ := n.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
	a, b := bytes.Repeat([]byte("A"), 5*mib), bytes.Repeat([]byte("B"), 5*mib)
	if _, err := n.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader(a), int64(len(a))); err != nil {
		t.Fatal(err)
	}
	partKey := n.uploadDir(id) + "p00001"
	rc, _, _ := f.mem.Get(ctx, partKey, 0, -1)
	sealedA, _ := io.ReadAll(rc)
	_ = rc.Close()
	etagB, err := n.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	etag2, _ := n.UploadPart(ctx, "bkt", "k", id, 2, strings.NewReader("tail"), 4)
	parts := []CompletedPart{{Number: 1, ETag: etagB}, {Number: 2, ETag: etag2}}
	rs.key, rs.old = partKey, sealedA
	if _, err := n.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{}); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("completion with a replayed part attempt: %v", err)
	}
	rs.old = nil
	if _, err := n.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	got, _ := get(t, n, "bkt", "k", GetOptions{Range: &Range{0, 9}})
	if string(got) != "BBBBBBBBBB" {
		t.Fatalf("completed object starts with %q", got)
	}
	// Splice A's first sealed chunk over the object's first chunk: refused.
	up, _ := n.objectKey("bkt", "k")
	rc, _, _ = f.mem.Get(ctx, up, 0, -1)
	obj, _ := io.ReadAll(rc)
	_ = rc.Close()
	const prefix, chunk = 80 + 4096, 65536 + 28
	copy(obj[prefix:prefix+chunk], sealedA[:chunk])
	if _, err := f.mem.Put(ctx, up, bytes.NewReader(obj), int64(len(obj)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	r, err := n.GetObject(ctx, "bkt", "k", GetOptions{Range: &Range{0, 9}})
	if err == nil {
		_, err = io.ReadAll(r.Body)
	}
	if !errors.Is(err, ErrIntegrity) {
		t.Fatalf("spliced old attempt: %v", err)
	}
}
