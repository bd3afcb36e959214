package davapi

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cadaverTool is cadaver with alice's credentials in a temp HOME's .netrc.
func cadaverTool(t *testing.T, e *env) (*tool, string) {
	t.Helper()
	bin := needClient(t, "cadaver", "cadaver")
	tl := newTool(t)
	u, err := url.Parse(e.srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	netrc := "machine " + u.Hostname() + " login alice password " + clientPassword + "\n"
	if err := os.WriteFile(filepath.Join(tl.home, ".netrc"), []byte(netrc), 0o600); err != nil {
		t.Fatal(err)
	}
	return tl, bin
}

// cadaver runs a scripted session (one command a line) on the collection
// at path and returns its output.
func cadaver(tl *tool, bin, url string, script ...string) string {
	tl.t.Helper()
	out := tl.run(60*time.Second, strings.Join(append(script, "quit"), "\n")+"\n", false, bin, url)
	tl.t.Logf("cadaver session:\n%s", out)
	return out
}

func TestCadaverSession(t *testing.T) {
	e := newEnv(t)
	tl, bin := cadaverTool(t, e)
	e.must(201, "alice", "MKCOL", "/cadaver-b", "")
	local := filepath.Join(tl.home, "up file.txt")
	content := []byte("uploaded by cadaver ✓\n")
	if err := os.WriteFile(local, content, 0o644); err != nil {
		t.Fatal(err)
	}
	got := filepath.Join(tl.home, "down.txt")
	out := cadaver(tl, bin, e.srv.URL+"/cadaver-b/",
		"mkcol docs",
		"mkcol docs/sub",
		`put "`+local+`" "docs/a file.txt"`,
		`get "docs/a file.txt" `+got,
		"ls docs",
		`move "docs/a file.txt" docs/sub/moved.txt`,
		"copy docs/sub/moved.txt docs/copied.txt",
		"propset docs/copied.txt color red",
		"propget docs/copied.txt color",
		"delete docs/sub/moved.txt",
		"ls docs/sub",
		"mkcol gone",
		"rmcol gone",
	)
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
	checkS3(t, e, "cadaver-b", "docs/", map[string][]byte{"copied.txt": content})
	if keys := strings.Join(s3Keys(t, e, "cadaver-b"), ","); keys != "docs/,docs/copied.txt,docs/sub/" {
		t.Fatalf("S3 keys after the session: %s", keys)
	}
	if propsOf(t, e, "cadaver-b", "docs/copied.txt") == "" {
		t.Fatal("cadaver's propset stored nothing")
	}
}
