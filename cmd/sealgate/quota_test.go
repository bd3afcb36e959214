package main

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"none", 0, true},
		{"NONE", 0, true},
		{"123", 123, true},
		{"10GiB", 10 << 30, true},
		{"10gib", 10 << 30, true},
		{"500MB", 500e6, true},
		{"1.5TB", 1.5e12, true},
		{"2 KiB", 2048, true},
		{"64M", 64 << 20, true},
		{"0", 0, false},
		{"-5GB", 0, false},
		{"10 parsecs", 0, false},
		{"", 0, false},
		{"GB", 0, false},
		{"99999999999EB", 0, false},
	}
	for _, c := range cases {
		got, err := parseSize(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d (ok %v)", c.in, got, err, c.want, c.ok)
		}
		if err != nil && !errors.Is(err, errUsage) {
			t.Errorf("parseSize(%q): %v is no usage error", c.in, err)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 10 << 30: "10.0 GiB", 1536 << 20: "1.5 GiB"} {
		if got := formatSize(n); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestUserQuota: `user quota` sets and clears an account's quota, of
// bytes and of objects, and `user list` shows it with the usage, in text
// and in JSON.
func TestUserQuota(t *testing.T) {
	vars := map[string]string{"SEALGATE_DATA_DIR": t.TempDir()}
	runCmd(t, "", vars, "init")
	for _, u := range []string{"alice", "bob"} {
		if code, _, errOut := runCmd(t, "", vars, "user", "add", u); code != 0 {
			t.Fatalf("user add %s: %s", u, errOut)
		}
	}
	for _, args := range [][]string{{"quota", "alice"}, {"quota", "alice", "10 parsecs"}, {"quota", "nobody", "1GB"},
		{"quota", "alice", "1GB", "--objects", "-5"}, {"quota", "alice", "1GB", "--objects", "many"}} {
		if code, _, _ := runCmd(t, "", vars, append([]string{"user"}, args...)...); code == 0 {
			t.Fatalf("user %v succeeded", args)
		}
	}
	code, out, errOut := runCmd(t, "", vars, "user", "quota", "alice", "10GiB")
	if code != 0 || !strings.Contains(out, "10.0 GiB") || !strings.Contains(out, "0 B in use") {
		t.Fatalf("user quota: %d %q %q", code, out, errOut)
	}
	code, out, errOut = runCmd(t, "", vars, "user", "quota", "alice", "10GiB", "--objects", "1000")
	if code != 0 || !strings.Contains(out, "1000 objects (0 in use)") {
		t.Fatalf("user quota --objects: %d %q %q", code, out, errOut)
	}
	_, out, _ = runCmd(t, "", vars, "user", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 || !strings.Contains(lines[0], "USED") || !strings.Contains(lines[0], "OBJECT QUOTA") {
		t.Fatalf("list: %q", out)
	}
	for _, l := range lines[1:] {
		f := strings.Fields(l)
		tail := strings.Join(f[len(f)-6:], " ")
		switch f[0] {
		case "alice":
			if tail != "0 B 10.0 GiB 0 1000" {
				t.Errorf("alice's line %q, want 0 B used of 10.0 GiB, 0 objects of 1000", l)
			}
		case "bob":
			if !strings.HasSuffix(tail, "- none - none") {
				t.Errorf("bob's line %q, want no usage and no quota", l)
			}
		}
	}
	_, out, _ = runCmd(t, "", vars, "user", "list", "--json")
	var listed []listedAccount
	if err := json.Unmarshal([]byte(out), &listed); err != nil || len(listed) != 2 {
		t.Fatalf("list --json: %q %v", out, err)
	}
	for _, la := range listed {
		if la.Name == "alice" && (la.QuotaBytes != 10<<30 || la.UsedBytes == nil || *la.UsedBytes != 0 ||
			la.QuotaObjects != 1000 || la.UsedObjects == nil || *la.UsedObjects != 0) {
			t.Errorf("alice: %+v", la)
		}
	}
	if code, out, _ := runCmd(t, "", vars, "user", "quota", "alice", "none"); code != 0 || !strings.Contains(out, "1000 objects") {
		t.Fatalf("quota none, objects unchanged: %d %q", code, out)
	}
	if code, out, _ := runCmd(t, "", vars, "user", "quota", "alice", "none", "--objects", "none"); code != 0 || !strings.Contains(out, "no quota") {
		t.Fatalf("quota none: %d %q", code, out)
	}
	if _, out, _ := runCmd(t, "", vars, "user", "list", "--json"); !strings.Contains(out, `"QuotaBytes":0`) {
		t.Fatalf("after none: %q", out)
	}
}
