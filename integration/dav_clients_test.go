package integration

import (
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
)

// litmusAccepted are the litmus results other than "pass" that the door
// accepts, per suite: x/net/webdav has no shared locks (LOCK with
// lockscope shared is 501), so lock_shared fails and the tests that need a
// shared lock are skipped. Any other failure, and any of these passing, is a
// change this test reports.
var litmusAccepted = map[string]litmusResult{
	"basic":    {passed: 16},
	"copymove": {passed: 13},
	"props":    {passed: 30},
	"http":     {passed: 4},
	"locks": {passed: 33, failed: 1, other: []string{
		"double_sharedlock SKIPPED", "lock_shared FAIL", "notowner_lock SKIPPED",
		"notowner_modify SKIPPED", "owner_modify SKIPPED", "unlock SKIPPED",
	}},
}

// litmusResult is a suite's summary and its results other than pass
// (sorted "name RESULT").
type litmusResult struct {
	passed, failed int
	other          []string
}

var litmusSummary = regexp.MustCompile(`of (\d+) tests run: (\d+) passed, (\d+) failed`)

var litmusLine = regexp.MustCompile(`(?m)\d+\.\s+(\w+)\.*\s+(pass|FAIL|SKIPPED|WARNING)`)

// testLitmus runs litmus's suites on a collection of their own.
func testLitmus(t *testing.T, e *davEnv) {
	bin := lookClient(t, "litmus")
	e.mkcol(t, "litmus-bkt")
	for suite, accepted := range litmusAccepted {
		t.Run(suite, func(t *testing.T) {
			got := runLitmus(t, bin, e.url+"/litmus-bkt/", suite)
			if got.passed != accepted.passed || got.failed != accepted.failed ||
				strings.Join(got.other, "\n") != strings.Join(accepted.other, "\n") {
				t.Fatalf("litmus %s: got %d passed, %d failed, other:\n%s\nwant %d passed, %d failed, other:\n%s",
					suite, got.passed, got.failed, strings.Join(got.other, "\n"),
					accepted.passed, accepted.failed, strings.Join(accepted.other, "\n"))
			}
		})
	}
}

// runLitmus runs one suite and returns its summary and its "name RESULT"
// lines other than pass, sorted (a name once per result kind). litmus
// writes debug.log in its directory: SEALGATE_LITMUS_DIR, if set, keeps it.
func runLitmus(t *testing.T, bin, url, suite string) litmusResult {
	t.Helper()
	c := davSandbox(t)
	if d := os.Getenv("SEALGATE_LITMUS_DIR"); d != "" {
		c.home = d
	}
	// litmus exits non-zero when a test fails: the lines decide.
	out, _, err := c.try(3*time.Minute, c.with("TESTS="+suite), bin, url, "alice", davPassword)
	t.Logf("litmus %s:\n%s", suite, c.redact(out))
	sum := litmusSummary.FindStringSubmatch(out)
	if sum == nil {
		t.Fatalf("litmus %s: no summary (%v)", suite, err)
	}
	var got litmusResult
	got.passed, _ = strconv.Atoi(sum[2])
	got.failed, _ = strconv.Atoi(sum[3])
	seen := map[string]bool{}
	for _, m := range litmusLine.FindAllStringSubmatch(out, -1) {
		if m[2] != "pass" && !seen[m[1]+" "+m[2]] {
			seen[m[1]+" "+m[2]] = true
			got.other = append(got.other, m[1]+" "+m[2])
		}
	}
	sort.Strings(got.other)
	return got
}

// testCadaver runs a scripted cadaver session (one command a line) with
// alice's credentials in the sandbox's .netrc.
func testCadaver(t *testing.T, e *davEnv) {
	bin := lookClient(t, "cadaver")
	c := davSandbox(t)
	u, err := url.Parse(e.url)
	if err != nil {
		t.Fatal(err)
	}
	c.writeConfig(".netrc", "machine "+u.Hostname()+" login alice password "+davPassword+"\n")
	e.mkcol(t, "cadaver-b")
	content := []byte("uploaded by cadaver ✓\n")
	local, got := filepath.Join(c.home, "up file.txt"), filepath.Join(c.home, "down.txt")
	writeFiles(t, c.home, map[string][]byte{"up file.txt": content})
	script := strings.Join([]string{
		"mkcol docs",
		"mkcol docs/sub",
		`put "` + local + `" "docs/a file.txt"`,
		`get "docs/a file.txt" ` + got,
		"ls docs",
		`move "docs/a file.txt" docs/sub/moved.txt`,
		"copy docs/sub/moved.txt docs/copied.txt",
		"propset docs/copied.txt color red",
		"propget docs/copied.txt color",
		"delete docs/sub/moved.txt",
		"ls docs/sub",
		"mkcol gone",
		"rmcol gone",
		"quit",
	}, "\n") + "\n"
	stdout, stderr := c.runInput(60*time.Second, nil, script, bin, e.url+"/cadaver-b/")
	out := stdout + stderr
	t.Logf("cadaver session:\n%s", c.redact(out))
	if data, err := os.ReadFile(got); err != nil || string(data) != string(content) {
		t.Fatalf("cadaver get: %q %v", data, err)
	}
	for _, want := range []string{"a file.txt", "Value of color is: red"} {
		if !strings.Contains(out, want) {
			t.Fatalf("cadaver output lacks %q", want)
		}
	}
	if strings.Contains(strings.ToLower(out), "failed") {
		t.Fatalf("a cadaver command failed")
	}
	checkS3(t, e, "cadaver-b", "docs/", sumsOf(map[string][]byte{"copied.txt": content}))
	if keys := strings.Join(s3Keys(t, e, "cadaver-b"), ","); keys != "docs/,docs/copied.txt,docs/sub/" {
		t.Fatalf("S3 keys after the session: %s", keys)
	}
	if !strings.Contains(e.propfind(t, "/cadaver-b/docs/copied.txt"), ">red<") {
		t.Fatal("cadaver's propset stored nothing")
	}
}

// testRcloneDAV copies a tree with rclone's webdav remote (vendor other,
// configured by environment only, the password obscured), checks it,
// syncs local changes and copies it back.
func testRcloneDAV(t *testing.T, e *davEnv) {
	bin := lookClient(t, "rclone")
	c := davSandbox(t)
	obscured, _ := c.runInput(20*time.Second, nil, davPassword+"\n", bin, "obscure", "-")
	c.env = c.with("RCLONE_CONFIG="+filepath.Join(c.home, "rclone.conf"), "RCLONE_CONFIG_DAV_TYPE=webdav",
		"RCLONE_CONFIG_DAV_URL="+e.url, "RCLONE_CONFIG_DAV_VENDOR=other", "RCLONE_CONFIG_DAV_USER=alice",
		"RCLONE_CONFIG_DAV_PASS="+strings.TrimSpace(obscured))
	rclone := func(args ...string) {
		t.Helper()
		c.run(90*time.Second, nil, bin, append(args, "--retries", "1", "--low-level-retries", "1", "--contimeout", "10s", "--timeout", "30s")...)
	}
	e.mkcol(t, "rclone-b")
	src := filepath.Join(c.home, "src")
	files := sampleTree()
	writeFiles(t, src, files)

	rclone("copy", src, "dav:rclone-b/tree")
	checkS3(t, e, "rclone-b", "tree/", sumsOf(files))
	rclone("check", src, "dav:rclone-b/tree")
	rclone("check", "--download", src, "dav:rclone-b/tree")

	// change, add and delete locally, then sync: the remote follows.
	want := maps.Clone(files)
	changed := map[string][]byte{"readme.txt": []byte("changed by sync, and longer than before\n"), "new dir/new file ✓.txt": []byte("added by sync\n")}
	maps.Copy(want, changed)
	writeFiles(t, src, changed)
	for _, rel := range []string{"deep/er/big.bin", "emoji 🙂/smile & co (1).txt"} {
		delete(want, rel)
		if err := os.Remove(filepath.Join(src, filepath.FromSlash(rel))); err != nil {
			t.Fatal(err)
		}
	}
	rclone("sync", src, "dav:rclone-b/tree")
	checkS3(t, e, "rclone-b", "tree/", sumsOf(want))
	rclone("check", "--download", src, "dav:rclone-b/tree")

	// and back: a fresh download equals the local tree.
	back := filepath.Join(c.home, "back")
	rclone("copy", "dav:rclone-b/tree", back)
	rclone("check", "--download", src, back)
}
