package integration

import (
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testDavfs2 mounts a bucket twice with davfs2: a writer mount that copies
// a tree in (cp -r), renames a file and a folder and deletes, and a reader
// mount with its own cache that must show, through the server, what the
// writer did (diff -r). The S3 view is checked after each step.
func testDavfs2(t *testing.T, e *davEnv) {
	e.mkcol(t, "davfs-b")
	url := e.url + "/davfs-b/"
	w, r := mountDavfs(t, url), mountDavfs(t, url)
	src := filepath.Join(w.c.home, "src")
	files := sampleTree()
	writeFiles(t, src, files)
	want := sumsOf(files)

	w.c.run(60*time.Second, nil, "cp", "-r", src+"/.", w.dir+"/")
	eventuallyS3(t, e, "davfs-b", "", want)
	eventuallyTree(t, r.dir, want)
	w.c.run(30*time.Second, nil, "diff", "-r", "-x", "lost+found", src, r.dir)

	want = renamed(want, map[string]string{"readme.txt": "renamed readme.txt", "docs/": "docs moved/"})
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
func renamed(files map[string]string, moves map[string]string) map[string]string {
	out := make(map[string]string, len(files))
	for k, v := range files {
		out[k] = v
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
func eventuallyTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		got, err := readSums(dir)
		d := strings.Join(treeDiff(want, got), "; ")
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

// davfsMount is a davfs2 mount of one bucket of the door.
type davfsMount struct {
	c   *clientEnv
	dir string // the mount point
}

// mountDavfs mounts url with davfs2: buf_size 64 (readdir fails with EINVAL
// on recent kernels without it), use_locks 1, ask_auth 0, uploads on close,
// credentials in a 0600 secrets file. It unmounts at cleanup. A mount the
// sandbox refuses fails the test with mount.davfs's own message.
func mountDavfs(t *testing.T, url string) *davfsMount {
	t.Helper()
	bin := lookClient(t, "mount.davfs")
	if os.Geteuid() != 0 {
		t.Fatalf("davfs2 mounts need root (euid %d)", os.Geteuid())
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Fatalf("davfs2 needs /dev/fuse: %v", err)
	}
	work := davfsWorkDir(t)
	secrets := filepath.Join(work, "secrets")
	if err := os.WriteFile(secrets, []byte(url+" alice "+davPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	conf := filepath.Join(work, "davfs2.conf")
	cfg := strings.Join([]string{
		"buf_size 64", "use_locks 1", "ask_auth 0",
		"secrets " + secrets, "cache_dir " + filepath.Join(work, "cache"),
		"delay_upload 0", "dir_refresh 1", "file_refresh 1", "gui_optimize 0",
	}, "\n") + "\n"
	if err := os.WriteFile(conf, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	m := &davfsMount{c: davSandbox(t), dir: filepath.Join(work, "mnt")}
	if err := os.Mkdir(m.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, _ := m.c.try(30*time.Second, nil, bin, url, m.dir, "-o", "conf="+conf+",rw")
	if !m.mounted() {
		t.Fatalf("mount.davfs %s failed (cannot mount in this sandbox?):\n%s%s", url, m.c.redact(out), m.c.redact(errOut))
	}
	t.Cleanup(func() { m.unmount(t) })
	return m
}

// davfsWorkDir is a directory the davfs2 daemon user (it runs as "davfs2"
// when started by root) can enter, removed at cleanup.
func davfsWorkDir(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "sealgate-davfs-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// mount.davfs opens the cache as root and as the daemon user: root's,
	// group davfs2, group-writable.
	cache := filepath.Join(dir, "cache")
	if err := os.Mkdir(cache, 0o775); err != nil {
		t.Fatal(err)
	}
	if g, err := user.LookupGroup("davfs2"); err == nil {
		gid, _ := strconv.Atoi(g.Gid)
		if err := os.Chown(cache, 0, gid); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(cache, 0o775); err != nil {
		t.Fatal(err)
	}
	return dir
}

// mounted tells whether the mount point is in /proc/self/mounts.
func (m *davfsMount) mounted() bool { return isMountPoint(m.dir) }

// isMountPoint tells whether dir is a mount point in /proc/self/mounts.
func isMountPoint(dir string) bool {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == dir {
			return true
		}
	}
	return false
}

// unmount unmounts (umount.davfs waits for pending uploads); a lazy
// unmount is the fallback so that no test leaves a mount behind.
func (m *davfsMount) unmount(t *testing.T) {
	t.Helper()
	if !m.mounted() {
		return
	}
	out, errOut, _ := m.c.try(60*time.Second, nil, "umount", m.dir)
	if m.mounted() {
		t.Errorf("umount %s failed:\n%s%s", m.dir, out, errOut)
		_ = exec.Command("umount", "-l", m.dir).Run()
	}
}

// path is a file or folder under the mount.
func (m *davfsMount) path(rel string) string { return filepath.Join(m.dir, filepath.FromSlash(rel)) }
