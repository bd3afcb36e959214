package davapi

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestDavfs2Mount mounts a bucket twice with davfs2: a writer mount that
// copies a tree in (cp -r), renames a file and a folder and deletes, and a
// reader mount with its own cache that must show, through the server, what
// the writer did (diff -r). The S3 view is checked after each step.
func TestDavfs2Mount(t *testing.T) {
	e := newFSEnv(t)
	e.must(201, "alice", "MKCOL", "/davfs-b", "")
	url := e.srv.URL + "/davfs-b/"
	w, r := mountDavfs(t, url), mountDavfs(t, url)
	src := filepath.Join(w.tl.home, "src")
	files := sampleTree()
	writeFiles(t, src, files)

	w.tl.run(60*time.Second, "", false, "cp", "-r", src+"/.", w.dir+"/")
	eventuallyS3(t, e, "davfs-b", "", files)
	eventuallyTree(t, r.dir, files)
	w.tl.run(30*time.Second, "", false, "diff", "-r", "-x", "lost+found", src, r.dir)

	want := renamed(files, map[string]string{"readme.txt": "renamed readme.txt", "docs/": "docs moved/"})
	for _, p := range [][2]string{{"readme.txt", "renamed readme.txt"}, {"docs", "docs moved"}} {
		if err := os.Rename(w.path(p[0]), w.path(p[1])); err != nil {
			t.Fatalf("rename %s: %v", p[0], err)
		}
	}
	eventuallyS3(t, e, "davfs-b", "", want)
	eventuallyTree(t, r.dir, want)

	if err := os.Remove(w.path("renamed readme.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(w.path("deep")); err != nil {
		t.Fatal(err)
	}
	want = renamed(want, map[string]string{"renamed readme.txt": "", "deep/": ""})
	eventuallyS3(t, e, "davfs-b", "", want)
	eventuallyTree(t, r.dir, want)

	w.unmount(t)
	r.unmount(t)
	checkS3(t, e, "davfs-b", "", want)
	if keys := strings.Join(s3Keys(t, e, "davfs-b"), ","); strings.Contains(keys, "deep/") {
		t.Fatalf("deleted folder left keys: %s", keys)
	}
}

// renamed applies renames to a tree: a name ending in "/" renames a folder
// prefix, an empty new name deletes.
func renamed(files map[string][]byte, moves map[string]string) map[string][]byte {
	out := maps.Clone(files)
	for k, v := range files {
		for from, to := range moves {
			rest, ok := strings.CutPrefix(k, from)
			if !ok || (!strings.HasSuffix(from, "/") && rest != "") {
				continue
			}
			delete(out, k)
			if to != "" {
				out[to+rest] = v
			}
		}
	}
	return out
}

// eventuallyTree waits until the tree read under dir is want (a mount's
// directory cache lasts dir_refresh seconds).
func eventuallyTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := readTree(dir)
		d := diffTrees(got, want)
		if err != nil {
			d = err.Error()
		}
		if d == "" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("mount %s differs: %s", dir, d)
		}
		time.Sleep(300 * time.Millisecond)
	}
}
