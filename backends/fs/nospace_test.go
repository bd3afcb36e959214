package fs_test

import (
	"context"
	"errors"
	iofs "io/fs"
	"strings"
	"syscall"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
)

// TestNoSpace injects ENOSPC and EDQUOT into each step of a write: the Put
// fails with an error wrapping both backends.ErrNoSpace and the errno, the
// old object stays and no temp file is left. Other errors are not
// ErrNoSpace.
func TestNoSpace(t *testing.T) {
	cases := []struct {
		op      string
		errno   syscall.Errno
		noSpace bool
	}{
		{"write", syscall.ENOSPC, true},
		{"write", syscall.EDQUOT, true},
		{"fsync", syscall.ENOSPC, true},
		{"fsync", syscall.EDQUOT, true},
		{"mkdir", syscall.ENOSPC, true},
		{"mkdir", syscall.EDQUOT, true},
		{"rename", syscall.ENOSPC, true},
		{"rename", syscall.EDQUOT, true},
		{"write", syscall.EIO, false},
		{"rename", syscall.EIO, false},
	}
	for _, tc := range cases {
		t.Run(tc.op+"/"+tc.errno.Error(), func(t *testing.T) {
			root := t.TempDir()
			s := open(t, root)
			old := put(t, s, "full/k", "old")
			fs.SetFaults(s, func(op string) error {
				if op != tc.op {
					return nil
				}
				return &iofs.PathError{Op: op, Path: "injected", Err: tc.errno}
			})
			key := "full/k"
			if tc.op == "mkdir" {
				key = "full/new/k" // only a new folder needs a mkdir
			}
			_, err := s.Put(context.Background(), key, strings.NewReader("new body"), 8, backends.PutOptions{})
			if !errors.Is(err, tc.errno) {
				t.Fatalf("Put = %v; want the cause %v", err, tc.errno)
			}
			if errors.Is(err, backends.ErrNoSpace) != tc.noSpace {
				t.Fatalf("Put = %v; errors.Is(ErrNoSpace) = %v, want %v", err, !tc.noSpace, tc.noSpace)
			}
			if info, err := s.Stat(context.Background(), "full/k"); err != nil || info.ETag != old.ETag {
				t.Fatalf("old object: %+v, %v; want ETag %q", info, err, old.ETag)
			}
			checkNoTempFiles(t, root, 1)
		})
	}
}
