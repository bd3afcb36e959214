package fs_test

import (
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/storetest"
)

func TestConformance(t *testing.T) {
	for _, mode := range readModes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) backends.Store {
				return mode.open(t, t.TempDir())
			})
		})
	}
}

// readModes opens stores that read through openat2 where the kernel has
// it, and through the portable path walk.
var readModes = []struct {
	name string
	open func(testing.TB, string) *fs.Store
}{
	{"default", open},
	{"walk", func(t testing.TB, dir string) *fs.Store { s := open(t, dir); fs.WalkOnly(s); return s }},
}

// open opens a store in dir and closes it at the end of the test.
func open(t testing.TB, dir string) *fs.Store {
	t.Helper()
	s, err := fs.Open(dir)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}
