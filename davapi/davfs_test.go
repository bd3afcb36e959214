package davapi

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// davfsMount is a davfs2 mount of one bucket of the door.
type davfsMount struct {
	tl  *tool
	dir string // the mount point
}

// mountDavfs mounts url with davfs2: buf_size 64 (readdir fails with EINVAL
// on recent kernels without it), use_locks 1, ask_auth 0, uploads on close,
// credentials in a 0600 secrets file. It unmounts at cleanup. A mount the
// sandbox refuses fails the test with mount.davfs's own message.
func mountDavfs(t *testing.T, url string) *davfsMount {
	t.Helper()
	bin := needClient(t, "mount.davfs", "davfs2")
	if os.Geteuid() != 0 {
		t.Fatalf("davfs2 mounts need root (euid %d)", os.Geteuid())
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		t.Fatalf("davfs2 needs /dev/fuse: %v", err)
	}
	tl := newTool(t)
	work := davfsWorkDir(t)
	secrets := filepath.Join(work, "secrets")
	if err := os.WriteFile(secrets, []byte(url+" alice "+clientPassword+"\n"), 0o600); err != nil {
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
	m := &davfsMount{tl: tl, dir: filepath.Join(work, "mnt")}
	if err := os.Mkdir(m.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	out := tl.run(30*time.Second, "", true, bin, url, m.dir, "-o", "conf="+conf+",rw")
	if !m.mounted() {
		t.Fatalf("mount.davfs %s failed (cannot mount in this sandbox?):\n%s", url, out)
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
func (m *davfsMount) mounted() bool {
	data, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if f := strings.Fields(line); len(f) > 2 && f[1] == m.dir {
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
	out := m.tl.run(60*time.Second, "", true, "umount", m.dir)
	if m.mounted() {
		t.Errorf("umount %s failed:\n%s", m.dir, out)
		_ = exec.Command("umount", "-l", m.dir).Run()
	}
}

// path is a file or folder under the mount.
func (m *davfsMount) path(rel string) string { return filepath.Join(m.dir, filepath.FromSlash(rel)) }

// readTree reads every regular file under dir, by slash-separated relative
// path, skipping davfs2's local lost+found.
func readTree(dir string) (map[string][]byte, error) {
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() && rel == "lost+found" {
			return filepath.SkipDir
		}
		if d.Type().IsRegular() {
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			out[filepath.ToSlash(rel)] = data
		}
		return nil
	})
	return out, err
}

// diffTrees describes how got differs from want ("" when equal).
func diffTrees(got, want map[string][]byte) string {
	if a, b := sortedKeys(got), sortedKeys(want); a != b {
		return fmt.Sprintf("names:\n got  %s\n want %s", a, b)
	}
	for k, w := range want {
		if !bytes.Equal(got[k], w) {
			return fmt.Sprintf("%s: %d bytes, want %d", k, len(got[k]), len(w))
		}
	}
	return ""
}

// eventuallyS3 waits (davfs2 uploads after close, asynchronously) until
// the S3 view under prefix is want, then checks bytes and ETags.
func eventuallyS3(t *testing.T, e *env, bucket, prefix string, want map[string][]byte) {
	t.Helper()
	ns := e.ns("alice")
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		snap, err := s3Snapshot(ns, bucket, prefix)
		got := map[string][]byte{}
		for k, o := range snap {
			got[k] = o.data
		}
		if err == nil && diffTrees(got, want) == "" {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkS3(t, e, bucket, prefix, want)
}
