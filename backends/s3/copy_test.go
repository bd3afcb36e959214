package s3

import (
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestCopy: a copy inside the upstream, only of the version named by its
// ETag.
func TestCopy(t *testing.T) {
	forEachServer(t, func(t *testing.T, u *upstream) {
		s := u.store(t, nil)
		ctx := t.Context()
		src, err := s.Put(ctx, "dir/src key+1", strings.NewReader("payload"), 7, backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Copy(ctx, "dir/src key+1", src.ETag, "aside/copy"); err != nil {
			t.Fatal(err)
		}
		rc, _, err := s.Get(ctx, "aside/copy", 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(rc)
		_ = rc.Close()
		if string(got) != "payload" {
			t.Fatalf("copy %q", got)
		}
		if _, err := s.Copy(ctx, "dir/src key+1", "0123456789abcdef0123456789abcdef", "aside/other"); !errors.Is(err, backends.ErrPreconditionFailed) {
			t.Fatalf("copy of another version: %v", err)
		}
	})
}
