package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// runCmd runs the command with a clean environment (plus extra variables)
// and returns its exit code, stdout and stderr.
func runCmd(t *testing.T, stdin string, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return vars[k] }}
	code := run(context.Background(), args, e)
	return code, out.String(), errb.String()
}

func TestBasicCommands(t *testing.T) {
	cases := []struct {
		args        []string
		code        int
		out, errOut string
	}{
		{[]string{"version"}, 0, "sealgate dev", ""},
		{[]string{"help"}, 0, "Commands:", ""},
		{nil, 2, "", "Usage:"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
		{[]string{"user"}, 2, "", "user add|list"},
	}
	for _, c := range cases {
		code, out, errOut := runCmd(t, "", nil, c.args...)
		if code != c.code || !strings.Contains(out, c.out) || !strings.Contains(errOut, c.errOut) {
			t.Errorf("%q: %d, out %q, err %q", c.args, code, out, errOut)
		}
	}
}

func TestInitAndUsers(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{"SEALGATE_DATA_DIR": dir}
	if code, _, errOut := runCmd(t, "", vars, "user", "list"); code != 1 || !strings.Contains(errOut, "sealgate init") || strings.Count(errOut, "\n") != 1 {
		t.Fatalf("user list before init: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "", vars, "init"); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	fi, err := os.Stat(filepath.Join(dir, "root.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("root key: %v %v", fi, err)
	}
	key1, _ := os.ReadFile(filepath.Join(dir, "root.key"))
	runCmd(t, "", vars, "init")
	if key2, _ := os.ReadFile(filepath.Join(dir, "root.key")); !bytes.Equal(key1, key2) {
		t.Fatal("second init replaced the root key")
	}
	code, out, errOut := runCmd(t, "", vars, "user", "add", "alice", "--json")
	var cr map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &cr) != nil || cr["user"] != "alice" || len(cr["secret_access_key"]) != 40 || cr["password"] == "" {
		t.Fatalf("user add: %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCmd(t, "chosen-password\n", vars, "user", "add", "--password-stdin", "bob"); code != 0 {
		t.Fatalf("add bob: %s", errOut)
	}
	if code, _, _ := runCmd(t, "", vars, "user", "add", "alice"); code != 1 {
		t.Fatal("duplicate user accepted")
	}
	_, out, _ = runCmd(t, "", vars, "user", "list")
	if !strings.Contains(out, "alice") || !strings.Contains(out, "bob") || strings.Contains(out, cr["secret_access_key"]) {
		t.Fatalf("list: %q", out)
	}
	for _, args := range [][]string{{"passwd", "bob"}, {"rotate", "bob"}, {"keys", "bob"}, {"delete", "alice"}} {
		if code, _, errOut := runCmd(t, "", vars, append([]string{"user"}, args...)...); code != 0 {
			t.Fatalf("user %v: %s", args, errOut)
		}
	}
	if _, out, _ := runCmd(t, "", vars, "user", "list"); strings.Contains(out, "alice") {
		t.Fatalf("deleted user listed: %q", out)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	_ = os.WriteFile(bad, []byte("data_dir: x\ns3:\n  adress: 1.2.3.4:5\n"), 0o600)
	code, _, errOut := runCmd(t, "", nil, "init", "--config", bad)
	if code != 1 || !strings.Contains(errOut, "adress") || !strings.Contains(errOut, "line 3") {
		t.Fatalf("unknown key: %d %q", code, errOut)
	}
	code, _, errOut = runCmd(t, "", map[string]string{"SEALGATE_UPSTREAM": "ftp"}, "init", "--data-dir", dir)
	if code != 1 || !strings.Contains(errOut, "fs or s3") {
		t.Fatalf("bad upstream type: %d %q", code, errOut)
	}
	fresh := filepath.Join(dir, "fresh")
	code, _, errOut = runCmd(t, "", map[string]string{"SEALGATE_LOG_LEVEL": "bogus"}, "serve", "--data-dir", fresh)
	if _, err := os.Stat(fresh); code != 1 || !strings.Contains(errOut, "log.level") || err == nil {
		t.Fatalf("bad log level: %d %q; data dir created: %v", code, errOut, err == nil)
	}
	// Flags win over the environment, which wins over the file.
	good := filepath.Join(dir, "good.yaml")
	_ = os.WriteFile(good, []byte("s3:\n  addr: 10.0.0.1:1\n  region: from-file\n"), 0o600)
	f := newFlags("serve", &bytes.Buffer{})
	f.str("s3-addr", "", func(c *config, v string) { c.S3.Addr = v })
	if _, err := f.parse([]string{"--config", good, "--s3-addr", "127.0.0.1:9"}); err != nil {
		t.Fatal(err)
	}
	c, err := f.config(func(k string) string {
		return map[string]string{"SEALGATE_S3_ADDR": "env:1", "SEALGATE_S3_REGION": "from-env"}[k]
	})
	if err != nil || c.S3.Addr != "127.0.0.1:9" || c.S3.Region != "from-env" {
		t.Fatalf("precedence: %+v %v", c.S3, err)
	}
}

// TestExampleConfig: config.example.yaml decodes strictly and its values
// are the defaults, so the documentation cannot drift from the code.
func TestExampleConfig(t *testing.T) {
	c := defaultConfig()
	if err := loadConfigFile("../../config.example.yaml", &c); err != nil {
		t.Fatal(err)
	}
	if len(c.S3.Domains) == 0 {
		c.S3.Domains = nil // "domains: []" is the nil default
	}
	if want := defaultConfig(); !reflect.DeepEqual(c, want) {
		t.Fatalf("example differs from defaults:\n%+v\n%+v", c, want)
	}
}
