package davapi

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// rcloneTool is rclone with a remote "dav:" (webdav, vendor other) on the
// door, configured by environment only, with the password obscured.
func rcloneTool(t *testing.T, e *env) (*tool, string) {
	t.Helper()
	bin := needClient(t, "rclone", "rclone")
	tl := newTool(t)
	obscured := strings.TrimSpace(tl.run(20*time.Second, clientPassword+"\n", false, bin, "obscure", "-"))
	tl.env = append(tl.env,
		"RCLONE_CONFIG="+filepath.Join(tl.home, "rclone.conf"),
		"RCLONE_CONFIG_DAV_TYPE=webdav",
		"RCLONE_CONFIG_DAV_URL="+e.srv.URL,
		"RCLONE_CONFIG_DAV_VENDOR=other",
		"RCLONE_CONFIG_DAV_USER=alice",
		"RCLONE_CONFIG_DAV_PASS="+obscured,
	)
	return tl, bin
}

// rclone runs one rclone command, bounded, without retries.
func rclone(tl *tool, bin string, args ...string) string {
	tl.t.Helper()
	args = append(args, "--retries", "1", "--low-level-retries", "1", "--contimeout", "10s", "--timeout", "30s")
	return tl.run(90*time.Second, "", false, bin, args...)
}

func TestRcloneCopyCheckSync(t *testing.T) {
	e := newEnv(t)
	tl, bin := rcloneTool(t, e)
	e.must(201, "alice", "MKCOL", "/rclone-b", "")
	src := filepath.Join(tl.home, "src")
	files := sampleTree()
	writeFiles(t, src, files)

	rclone(tl, bin, "copy", src, "dav:rclone-b/tree")
	checkS3(t, e, "rclone-b", "tree/", files)
	rclone(tl, bin, "check", src, "dav:rclone-b/tree")
	rclone(tl, bin, "check", "--download", src, "dav:rclone-b/tree")

	// change, add and delete locally, then sync: the remote follows.
	want := maps.Clone(files)
	want["readme.txt"] = []byte("changed by sync, and longer than before\n")
	want["new dir/new file ✓.txt"] = []byte("added by sync\n")
	delete(want, "deep/er/big.bin")
	delete(want, "emoji 🙂/smile & co (1).txt")
	writeFiles(t, src, map[string][]byte{"readme.txt": want["readme.txt"], "new dir/new file ✓.txt": want["new dir/new file ✓.txt"]})
	for _, rel := range []string{"deep/er/big.bin", "emoji 🙂/smile & co (1).txt"} {
		if err := os.Remove(filepath.Join(src, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	rclone(tl, bin, "sync", src, "dav:rclone-b/tree")
	checkS3(t, e, "rclone-b", "tree/", want)
	rclone(tl, bin, "check", "--download", src, "dav:rclone-b/tree")

	// and back: a fresh download equals the local tree.
	back := filepath.Join(tl.home, "back")
	rclone(tl, bin, "copy", "dav:rclone-b/tree", back)
	rclone(tl, bin, "check", "--download", src, back)
}
