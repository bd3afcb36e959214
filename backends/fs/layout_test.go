package fs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	iofs "io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
)

func put(t *testing.T, s *fs.Store, key, body string) backends.ObjectInfo {
	t.Helper()
	info, err := s.Put(context.Background(), key, strings.NewReader(body), int64(len(body)), backends.PutOptions{})
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	return info
}

func listAll(t *testing.T, s *fs.Store, opts backends.ListOptions) []string {
	t.Helper()
	page, err := s.List(context.Background(), opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	var out []string
	for _, o := range page.Objects {
		out = append(out, o.Key)
	}
	return append(out, page.Prefixes...)
}

func mustNotExist(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Lstat(path); !errors.Is(err, iofs.ErrNotExist) {
		t.Fatalf("%s exists (err %v)", path, err)
	}
}

// TestOpenCleansLeftovers simulates crashes mid-write: temp directories
// without a held lock (with or without a lock file), and files and a stray
// directory straight in tmp/ (an older layout), are removed by the next
// Open; objects survive.
func TestOpenCleansLeftovers(t *testing.T) {
	root := t.TempDir()
	s, err := fs.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	put(t, s, "k/v", "kept")
	_ = s.Close()
	leftovers := map[string]string{
		"0123.tmp":                 "partial",
		"half-written":             "partial",
		"d/e/f":                    "partial",
		"DEADSTORE/lock":           "",
		"DEADSTORE/ABCDEFGHIJ.tmp": "partial",
	}
	for name, body := range leftovers {
		p := filepath.Join(root, "tmp", filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	s = open(t, root)
	checkNoTempFiles(t, root, 1)
	if got := listAll(t, s, backends.ListOptions{}); !slices.Equal(got, []string{"k/v"}) {
		t.Fatalf("List = %q", got)
	}
}

// TestLayout checks paths and permissions of objects, folders, tmp/ and
// locks/.
func TestLayout(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	put(t, s, "a/b/c", "x")
	checks := map[string]os.FileMode{
		"data":       0o700 | os.ModeDir,
		"tmp":        0o700 | os.ModeDir,
		"locks":      0o700 | os.ModeDir,
		"locks/00":   0o600,
		"locks/3f":   0o600,
		"locks/tmp":  0o600,
		"data/a":     0o700 | os.ModeDir,
		"data/a/b":   0o700 | os.ModeDir,
		"data/a/b/c": 0o600,
	}
	for p, want := range checks {
		fi, err := os.Lstat(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, fi.Mode(), want)
		}
	}
	checkNoTempFiles(t, root, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	checkNoTempFiles(t, root, 0)
}

// TestOpenErrors: Open refuses what it cannot use.
func TestOpenErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	symData := filepath.Join(dir, "symdata")
	if err := os.MkdirAll(symData, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(symData, "data")); err != nil {
		t.Fatal(err)
	}
	tmpFile := filepath.Join(dir, "tmpfile")
	if err := os.MkdirAll(tmpFile, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tmpFile, "tmp"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	locksFile := filepath.Join(dir, "locksfile")
	if err := os.MkdirAll(locksFile, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(locksFile, "locks"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	readOnly := filepath.Join(dir, "ro")
	if err := os.Mkdir(readOnly, 0o500); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, root string }{
		{"Missing", filepath.Join(dir, "missing")},
		{"File", file},
		{"DataIsSymlink", symData},
		{"TmpIsFile", tmpFile},
		{"LocksIsFile", locksFile},
		{"ReadOnly", readOnly},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "ReadOnly" && os.Geteuid() == 0 {
				t.Skip("root can write anywhere")
			}
			s, err := fs.Open(tc.root)
			if err == nil {
				_ = s.Close()
				t.Fatalf("Open(%q) succeeded", tc.root)
			}
			if !strings.Contains(err.Error(), tc.root) {
				t.Errorf("error %q does not name the root", err)
			}
		})
	}
}

// TestETagFromInode: the ETag is hex(size)-hex(mtime ns)-hex(inode) and a
// replace with identical bytes changes it.
func TestETagFromInode(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	seen := map[string]bool{}
	for range 3 {
		info := put(t, s, "e/k", "same bytes")
		fi, err := os.Lstat(filepath.Join(root, "data", "e", "k"))
		if err != nil {
			t.Fatal(err)
		}
		st := fi.Sys().(*syscall.Stat_t)
		want := fmt.Sprintf("%x-%x-%x", fi.Size(), fi.ModTime().UnixNano(), st.Ino)
		if info.ETag != want {
			t.Fatalf("ETag %q, want %q", info.ETag, want)
		}
		if seen[info.ETag] {
			t.Fatalf("identical replace reused ETag %q", info.ETag)
		}
		seen[info.ETag] = true
	}
}

// TestObjectFolderConflicts: a name is an object or a folder, never both.
func TestObjectFolderConflicts(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	s := open(t, root)
	put(t, s, "a/b", "1")
	put(t, s, "x", "2")
	for _, key := range []string{"a", "x/y", "x/y/z"} {
		_, err := s.Put(ctx, key, strings.NewReader("v"), 1, backends.PutOptions{})
		if !errors.Is(err, backends.ErrInvalidKey) {
			t.Errorf("Put(%q) = %v; want ErrInvalidKey", key, err)
		}
	}
	if _, err := s.Stat(ctx, "a"); !errors.Is(err, backends.ErrNotExist) {
		t.Errorf("Stat of a folder = %v; want ErrNotExist", err)
	}
	if err := s.Delete(ctx, "a"); err != nil {
		t.Errorf("Delete of a folder = %v", err)
	}
	if _, err := s.Stat(ctx, "a/b"); err != nil {
		t.Errorf("Delete of folder a touched a/b: %v", err)
	}
	_, err := s.Put(ctx, "s/"+strings.Repeat("n", 256), strings.NewReader(""), 0, backends.PutOptions{})
	if !errors.Is(err, backends.ErrInvalidKey) {
		t.Errorf("256-byte segment: %v; want ErrInvalidKey", err)
	}
}

// TestEmptyDirs: leftover empty directories are never listed and do not
// block an object of the same name; Delete prunes the folders it empties.
func TestEmptyDirs(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	for _, d := range []string{"e/f/g", "zz/y", "e/obj"} {
		if err := os.MkdirAll(filepath.Join(root, "data", d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	put(t, s, "e/x", "1")
	put(t, s, "e/obj", "2") // replaces the empty directory e/obj
	if got := listAll(t, s, backends.ListOptions{Delimiter: "/"}); !slices.Equal(got, []string{"e/"}) {
		t.Errorf("List(/) = %q; want [e/]", got)
	}
	if got := listAll(t, s, backends.ListOptions{Prefix: "e/", Delimiter: "/"}); !slices.Equal(got, []string{"e/obj", "e/x"}) {
		t.Errorf("List(e/, /) = %q", got)
	}
	put(t, s, "p/q/r/s", "3")
	put(t, s, "p/z", "4")
	if err := s.Delete(context.Background(), "p/q/r/s"); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Join(root, "data", "p", "q"))
	if err := s.Delete(context.Background(), "p/z"); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Join(root, "data", "p"))
	if _, err := os.Stat(filepath.Join(root, "data")); err != nil {
		t.Fatalf("data/ pruned: %v", err)
	}
}

// TestForeignFilesHidden: files whose names are not valid keys are skipped.
func TestForeignFilesHidden(t *testing.T) {
	root := t.TempDir()
	s := open(t, root)
	put(t, s, "f/ok", "1")
	if err := os.WriteFile(filepath.Join(root, "data", "f", `back\slash`), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got := listAll(t, s, backends.ListOptions{}); !slices.Equal(got, []string{"f/ok"}) {
		t.Errorf("List = %q", got)
	}
}

// TestPutDeleteRace: Deletes pruning a folder while Puts fill it must not
// make a Put fail (install retries a pruned parent).
func TestPutDeleteRace(t *testing.T) {
	s := open(t, t.TempDir())
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				key := "r/a/b/" + strconv.Itoa(w) + "-" + strconv.Itoa(i%2)
				if _, err := s.Put(ctx, key, bytes.NewReader([]byte("x")), 1, backends.PutOptions{}); err != nil {
					t.Errorf("Put(%q): %v", key, err)
					return
				}
				if err := s.Delete(ctx, key); err != nil {
					t.Errorf("Delete(%q): %v", key, err)
					return
				}
			}
		})
	}
	wg.Wait()
}
