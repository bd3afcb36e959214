package gateway

import (
	"context"
	"errors"
	"testing"
	"time"
)

// TestDeleteConditions: a conditional delete removes the object only when
// every condition given holds; an absent key passes.
func TestDeleteConditions(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	size := func(v int64) *int64 { return &v }
	for _, tc := range []struct {
		name string
		cond func(ObjectInfo) DeleteConditions
		want error
	}{
		{"etag", func(i ObjectInfo) DeleteConditions { return DeleteConditions{IfMatch: i.ETag} }, nil},
		{"quoted etag", func(i ObjectInfo) DeleteConditions { return DeleteConditions{IfMatch: `"` + i.ETag + `"`} }, nil},
		{"size", func(i ObjectInfo) DeleteConditions { return DeleteConditions{Size: size(i.Size)} }, nil},
		{"time", func(i ObjectInfo) DeleteConditions {
			return DeleteConditions{ModifiedAt: i.LastModified.Truncate(time.Second)}
		}, nil},
		{"all", func(i ObjectInfo) DeleteConditions {
			return DeleteConditions{IfMatch: i.ETag, Size: size(i.Size), ModifiedAt: i.LastModified}
		}, nil},
		{"wrong etag", func(ObjectInfo) DeleteConditions { return DeleteConditions{IfMatch: "incorrect_etag"} }, ErrPreconditionFailed},
		{"wrong size", func(ObjectInfo) DeleteConditions { return DeleteConditions{Size: size(23234)} }, ErrPreconditionFailed},
		{"wrong time", func(i ObjectInfo) DeleteConditions {
			return DeleteConditions{ModifiedAt: i.LastModified.AddDate(-1, 0, 0)}
		}, ErrPreconditionFailed},
		{"one wrong", func(i ObjectInfo) DeleteConditions { return DeleteConditions{IfMatch: i.ETag, Size: size(1)} }, ErrPreconditionFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			info := put(t, n, "bkt", "k", []byte("dummy"), nil)
			_, err := n.DeleteVersion(ctx, "bkt", "k", "", DeleteOptions{Conditions: tc.cond(info)})
			if !errors.Is(err, tc.want) {
				t.Fatalf("%v, want %v", err, tc.want)
			}
			_, herr := n.HeadObject(ctx, "bkt", "k", GetOptions{})
			if deleted := errors.Is(herr, ErrNoSuchKey); deleted != (tc.want == nil) {
				t.Fatalf("deleted %v (%v)", deleted, herr)
			}
		})
	}
	if _, err := n.DeleteVersion(ctx, "bkt", "absent", "", DeleteOptions{Conditions: DeleteConditions{IfMatch: "x"}}); err != nil {
		t.Fatalf("absent key: %v", err)
	}
}
