package main

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestWriteSecretFile: a new 0600 file, or an error that leaves what was
// there untouched and creates nothing.
func TestWriteSecretFile(t *testing.T) {
	dir := t.TempDir()
	existing := filepath.Join(dir, "existing")
	if err := os.WriteFile(existing, []byte("keep"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target")
	if err := os.Symlink(target, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, path string
		wantErr    error
	}{
		{"new file", filepath.Join(dir, "new"), nil},
		{"existing file", existing, fs.ErrExist},
		{"dangling symlink", filepath.Join(dir, "link"), fs.ErrExist},
		{"missing dir", filepath.Join(dir, "nodir", "f"), fs.ErrNotExist},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := writeSecretFile(c.path, []byte("secret"))
			if !errors.Is(err, c.wantErr) {
				t.Fatalf("err %v, want %v", err, c.wantErr)
			}
			if c.wantErr != nil {
				return
			}
			fi, err := os.Stat(c.path)
			if err != nil || fi.Mode().Perm() != 0o600 {
				t.Fatalf("stat: %v %v", fi, err)
			}
			if b, _ := os.ReadFile(c.path); string(b) != "secret" {
				t.Fatalf("content %q", b)
			}
		})
	}
	if b, _ := os.ReadFile(existing); string(b) != "keep" {
		t.Fatalf("existing file changed: %q", b)
	}
	if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("written through the symlink: %v", err)
	}
}

// TestReadSecretLine: the first line without its ending; an empty line is
// errEmptySecret with a message that names the secret.
func TestReadSecretLine(t *testing.T) {
	cases := []struct {
		in, want string
		wantErr  error
	}{
		{"pass phrase\nrest\n", "pass phrase", nil},
		{"crlf\r\n", "crlf", nil},
		{"no newline", "no newline", nil},
		{"\nlater\n", "", errEmptySecret},
		{"", "", errEmptySecret},
	}
	for _, c := range cases {
		got, err := readSecretLine(strings.NewReader(c.in), "passphrase")
		if !errors.Is(err, c.wantErr) || string(got) != c.want {
			t.Errorf("%q: %q, %v", c.in, got, err)
		}
		if err != nil && (err.Error() != "no passphrase on standard input: empty first line" || strings.Contains(err.Error(), "nil")) {
			t.Errorf("%q: message %q", c.in, err)
		}
	}
}

// TestDoorEnabled: "" and "off" disable a door; any address enables it.
func TestDoorEnabled(t *testing.T) {
	for addr, want := range map[string]bool{"": false, "off": false, ":9000": true, "127.0.0.1:0": true} {
		if got := doorEnabled(addr); got != want {
			t.Errorf("doorEnabled(%q) = %v", addr, got)
		}
	}
}
