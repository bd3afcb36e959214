package fs_test

import (
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) backends.Store {
		return open(t, t.TempDir())
	})
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
