package gateway

import (
	"bytes"
	"context"
	"errors"
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
