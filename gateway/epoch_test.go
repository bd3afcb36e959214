package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/sealgate/sealgate/cryptolayer"
)

// TestUnknownEpochAsksForFreshKeys: a gateway whose account snapshot
// predates a rotation made through another gateway reads the objects
// sealed under the new epoch by asking Config.Fresh for the current
// record, instead of calling them tampered; without it they fail.
func TestUnknownEpochAsksForFreshKeys(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	old := f.user(t, "alice") // this gateway's snapshot: epoch 1 only
	mustBucket(t, old, "bkt")

	rotated := *old.user // the record after a rotation elsewhere
	rotated.Epochs = append([]cryptolayer.Epoch(nil), old.user.Epochs...)
	if _, err := rotated.Rotate(); err != nil {
		t.Fatal(err)
	}
	other, err := NewService(Config{Store: f.store})
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("epoch two "), 9000)
	put(t, other.namespaceFor(&rotated), "bkt", "new", data, nil)

	if _, err := old.GetObject(ctx, "bkt", "new", GetOptions{}); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("without Fresh: %v, want an integrity failure", err)
	}
	asked := 0
	fresh, err := NewService(Config{Store: f.store, Fresh: func(id [16]byte) *cryptolayer.User {
		asked++
		if id != rotated.ID {
			return nil
		}
		return &rotated
	}})
	if err != nil {
		t.Fatal(err)
	}
	got, _ := get(t, fresh.namespaceFor(old.user), "bkt", "new", GetOptions{})
	if !bytes.Equal(got, data) || asked == 0 {
		t.Fatalf("with Fresh: %d bytes, asked %d times", len(got), asked)
	}
}

// TestWriteAcrossRotation: a write that began under an epoch that another
// gateway rotated away from before it committed fails (ErrUnavailable: the
// client retries) and commits nothing; so does a new multipart upload.
func TestWriteAcrossRotation(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	rotated := *n.user
	rotated.Epochs = append([]cryptolayer.Epoch(nil), n.user.Epochs...)
	if _, err := rotated.Rotate(); err != nil {
		t.Fatal(err)
	}
	current := n.user
	svc, err := NewService(Config{Store: f.store, Current: func([16]byte) *cryptolayer.User { return current }})
	if err != nil {
		t.Fatal(err)
	}
	ns := svc.namespaceFor(n.user) // the request's snapshot: epoch 1
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := ns.PutObject(ctx, "bkt", "k", pr, 3*70000, PutOptions{})
		done <- err
	}()
	_, _ = pw.Write(bytes.Repeat([]byte("a"), 70000))
	current = &rotated // the gateway learns of the rotation mid-write
	_, _ = pw.Write(bytes.Repeat([]byte("b"), 2*70000))
	_ = pw.Close()
	if err := <-done; !errors.Is(err, ErrUnavailable) {
		t.Fatalf("a write across a rotation: %v, want ErrUnavailable", err)
	}
	if _, err := ns.HeadObject(ctx, "bkt", "k", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("the refused write left an object: %v", err)
	}
	if _, err := ns.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("an upload under the old epoch: %v", err)
	}
	fresh := svc.namespaceFor(&rotated)
	put(t, fresh, "bkt", "k", []byte("under the new epoch"), nil)
}
