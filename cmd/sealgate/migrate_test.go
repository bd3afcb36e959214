package main

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// copyTree copies testdata into dst with the modes a data dir has (git
// keeps neither 0600 nor 0700).
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		out := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(out, 0o700)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(out, b, 0o600)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestMigrateFirstRelease starts today's gateway on a data dir made by the
// first release (keystore in the data dir, testdata/datadir-v1.md): the
// keystore moves into the upstream, both accounts and their objects are
// there, no first account is made, and the old file is kept renamed.
func TestMigrateFirstRelease(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	copyTree(t, "testdata/datadir-v1", dir)
	var creds []map[string]string
	b, err := os.ReadFile("testdata/datadir-v1.accounts.json")
	if err != nil || json.Unmarshal(b, &creds) != nil || len(creds) != 2 {
		t.Fatalf("accounts fixture: %v", err)
	}
	addrs, stop := startServe(t, dir)
	defer func() { _ = stop() }()
	ctx := context.Background()
	for i, obj := range []struct{ bucket, key string }{{"photos", "2026/hello.txt"}, {"docs", "hello.txt"}} {
		cl := s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(addrs["s3"]), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(creds[i]["access_key_id"], creds[i]["secret_access_key"], "")})
		out, err := cl.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(obj.bucket), Key: aws.String(obj.key)})
		if err != nil {
			t.Fatalf("%s after migration: %v", creds[i]["user"], err)
		}
		got, _ := io.ReadAll(out.Body)
		_ = out.Body.Close()
		if string(got) != "hello from the first release\n" {
			t.Fatalf("%s/%s reads %q", obj.bucket, obj.key, got)
		}
	}
	if code, _ := davDo(t, strings.TrimPrefix(addrs["webdav"], "http://"), "alice", "alice password", "GET", "/photos/2026/hello.txt", nil); code != 200 {
		t.Fatalf("alice's password after migration: %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "keystore")); !os.IsNotExist(err) {
		t.Fatalf("the first-release keystore stays in place: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "keystore.migrated")); err != nil {
		t.Fatalf("the first-release keystore is not kept renamed: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "first-account.txt")); !os.IsNotExist(err) {
		t.Fatal("a first account was made for a deployment that has accounts")
	}
	code, out, errOut := runCmd(t, "", map[string]string{"SEALGATE_DATA_DIR": dir}, "user", "list")
	if code != 0 || !strings.Contains(out, "alice") || !strings.Contains(out, "bob") {
		t.Fatalf("user list: %d %q %q", code, out, errOut)
	}
}
