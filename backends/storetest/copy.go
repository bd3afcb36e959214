package storetest

import (
	"errors"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testCopy checks [backends.Copier], for stores that have it: a copy of
// the version named by its ETag, which stays as it was when the source
// moves on, replaces what dst held, and is refused (leaving dst alone) for
// a source that changed or is gone.
func testCopy(t *testing.T, s backends.Store) {
	c, ok := s.(backends.Copier)
	if !ok {
		t.Log("the store is no backends.Copier")
		return
	}
	ctx := t.Context()
	v1 := put(t, s, "copy/src", content(5000, 1))
	put(t, s, "copy/dst", content(10, 2))
	info, err := c.Copy(ctx, "copy/src", v1.ETag, "copy/dst")
	if err != nil {
		t.Fatalf("Copy: %v", err)
	}
	if info.Key != "copy/dst" || info.Size != 5000 {
		t.Fatalf("Copy returned %+v", info)
	}
	put(t, s, "copy/src", content(300, 3))
	checkObject(t, s, "copy/dst", content(5000, 1), "")
	checkObject(t, s, "copy/src", content(300, 3), "")

	if _, err := c.Copy(ctx, "copy/src", v1.ETag, "copy/other"); !errors.Is(err, backends.ErrPreconditionFailed) {
		t.Fatalf("Copy of a replaced version: %v, want ErrPreconditionFailed", err)
	}
	if _, err := c.Copy(ctx, "copy/absent", v1.ETag, "copy/other"); !errors.Is(err, backends.ErrNotExist) && !errors.Is(err, backends.ErrPreconditionFailed) {
		t.Fatalf("Copy of an absent key: %v, want ErrNotExist or ErrPreconditionFailed", err)
	}
	checkAbsent(t, s, "copy/other")

	// The copy is an object of its own: a write to it changes its ETag and
	// leaves the source alone.
	before, err := s.Stat(ctx, "copy/dst")
	if err != nil {
		t.Fatal(err)
	}
	after := put(t, s, "copy/dst", content(5000, 4))
	if after.ETag == before.ETag {
		t.Fatalf("a write to the copy kept its ETag %q", after.ETag)
	}
	checkObject(t, s, "copy/src", content(300, 3), "")

	// A copy to a new key, in a folder that exists and in one that does
	// not yet (a version set aside).
	v3, err := s.Stat(ctx, "copy/src")
	if err != nil {
		t.Fatal(err)
	}
	for _, dst := range []string{"copy/fresh", "copy/new/deep/dst"} {
		if _, err := c.Copy(ctx, "copy/src", v3.ETag, dst); err != nil {
			t.Fatalf("Copy to %s: %v", dst, err)
		}
		checkObject(t, s, dst, content(300, 3), "")
	}
}
