package fs_test

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
)

// plantEscapes makes a directory outside the store with a "secret" file and
// plants symlinks inside data/ that point at it (absolute and relative), at
// the secret itself, and at tmp/. It returns the outside directory.
func plantEscapes(t *testing.T, root string) string {
	t.Helper()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(root, "data")
	if err := os.MkdirAll(filepath.Join(data, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(filepath.Join(data, "sub"), outside)
	if err != nil {
		t.Fatal(err)
	}
	links := map[string]string{
		"abs":        outside,
		"sub/rel":    rel,
		"file":       filepath.Join(outside, "secret"),
		"totmp":      "../tmp",
		"sub/loop":   "loop",
		"sub/parent": "..",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(data, name)); err != nil {
			t.Fatal(err)
		}
	}
	return outside
}

// TestSymlinkEscapes: no operation through a symlink planted in data/ reads,
// writes or deletes anything it points to.
func TestSymlinkEscapes(t *testing.T) {
	for _, mode := range readModes {
		t.Run(mode.name, func(t *testing.T) {
			root := t.TempDir()
			checkSymlinkEscapes(t, mode.open(t, root), root)
		})
	}
}

func checkSymlinkEscapes(t *testing.T, s *fs.Store, root string) {
	ctx := context.Background()
	outside := plantEscapes(t, root)
	put(t, s, "sub/real", "ok")
	reads := []string{"abs/secret", "sub/rel/secret", "file", "totmp/x", "sub/loop/x", "sub/parent/sub/real"}
	for _, key := range reads {
		if _, err := s.Stat(ctx, key); !errors.Is(err, backends.ErrNotExist) {
			t.Errorf("Stat(%q) = %v; want ErrNotExist", key, err)
		}
		rc, _, err := s.Get(ctx, key, 0, -1)
		if err == nil {
			b, _ := io.ReadAll(rc)
			_ = rc.Close()
			t.Errorf("Get(%q) read %q", key, b)
		}
		if err := s.Delete(ctx, key); err != nil {
			t.Errorf("Delete(%q) = %v", key, err)
		}
	}
	writes := []string{"abs/new", "abs/secret", "sub/rel/new", "totmp/new", "sub/loop/new", "sub/parent/new"}
	src, err := s.Stat(ctx, "sub/real")
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range writes {
		_, err := s.Put(ctx, key, strings.NewReader("pwned"), 5, backends.PutOptions{})
		if !errors.Is(err, backends.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v; want ErrInvalidKey", key, err)
		}
		if _, err := s.Copy(ctx, "sub/real", src.ETag, key); !errors.Is(err, backends.ErrInvalidKey) {
			t.Errorf("Copy to %q = %v; want ErrInvalidKey", key, err)
		}
	}
	checkOutside(t, outside)
	checkNoTempFiles(t, root, 1)
	want := []string{"sub/real"}
	if got := listAll(t, s, backends.ListOptions{}); !slices.Equal(got, want) {
		t.Errorf("List = %q; want %q", got, want)
	}
	for _, p := range []string{"abs/", "sub/rel/", "totmp/"} {
		if got := listAll(t, s, backends.ListOptions{Prefix: p}); len(got) != 0 {
			t.Errorf("List(%q) = %q; want nothing", p, got)
		}
	}
}

// TestSymlinkFinalReplaced: a Put onto a symlink replaces the link itself
// and leaves its target alone.
func TestSymlinkFinalReplaced(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	outside := plantEscapes(t, root)
	put(t, s, "file", "mine")
	checkOutside(t, outside)
	fi, err := os.Lstat(filepath.Join(root, "data", "file"))
	if err != nil || !fi.Mode().IsRegular() {
		t.Fatalf("data/file: %v, %v", fi, err)
	}
}

func checkOutside(t *testing.T, outside string) {
	t.Helper()
	names, err := os.ReadDir(outside)
	if err != nil || len(names) != 1 || names[0].Name() != "secret" {
		t.Fatalf("outside directory changed: %v, %v", names, err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret")); err != nil || string(b) != "secret" {
		t.Fatalf("outside secret changed: %q, %v", b, err)
	}
}

// checkNoTempFiles checks that tmp/ holds only temp directories, wantDirs
// of them, each with nothing but its lock file.
func checkNoTempFiles(t *testing.T, root string, wantDirs int) {
	t.Helper()
	dirs, err := os.ReadDir(filepath.Join(root, "tmp"))
	if err != nil || len(dirs) != wantDirs {
		t.Fatalf("tmp/ = %v, %v; want %d temp directories", dirs, err, wantDirs)
	}
	for _, d := range dirs {
		names, err := os.ReadDir(filepath.Join(root, "tmp", d.Name()))
		if !d.IsDir() || err != nil || len(names) != 1 || names[0].Name() != "lock" {
			t.Fatalf("tmp/%s = %v, %v; want a directory with only its lock file", d.Name(), names, err)
		}
	}
}
