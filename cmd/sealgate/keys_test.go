package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestKeysExportImportRestores: after losing the data dir, an export and
// its passphrase rebuild a gateway that reads the old upstream.
func TestKeysExportImportRestores(t *testing.T) {
	base := t.TempDir()
	oldDir, store := filepath.Join(base, "old"), filepath.Join(base, "upstream")
	addrs, stop := startServe(t, oldDir, "--upstream-dir", store)
	ak, sk := firstCreds(t, oldDir)
	client := func(endpoint string) *s3.Client {
		return s3.New(s3.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint), UsePathStyle: true,
			Credentials: credentials.NewStaticCredentialsProvider(ak, sk, "")})
	}
	ctx := context.Background()
	c := client(addrs["s3"])
	body := bytes.Repeat([]byte("backup me "), 10000)
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String("keep")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("keep"), Key: aws.String("k"), Body: bytes.NewReader(body)}); err != nil {
		t.Fatal(err)
	}
	if err := stop(); err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(base, "keys.sgx")
	old := map[string]string{"SEALGATE_DATA_DIR": oldDir}
	if code, _, errOut := runCmd(t, "a long passphrase\n", old, "keys", "export", exp); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	if err := os.RemoveAll(oldDir); err != nil { // the gateway's disk is lost
		t.Fatal(err)
	}
	newDir := filepath.Join(base, "new")
	fresh := map[string]string{"SEALGATE_DATA_DIR": newDir}
	if code, _, errOut := runCmd(t, "wrong passphrase\n", fresh, "keys", "import", exp); code != 1 || !strings.Contains(errOut, "passphrase") {
		t.Fatalf("wrong passphrase: %d %q", code, errOut)
	}
	if code, _, errOut := runCmd(t, "a long passphrase\n", fresh, "keys", "import", exp); code != 0 {
		t.Fatalf("import: %s", errOut)
	}
	if code, _, errOut := runCmd(t, "a long passphrase\n", fresh, "keys", "import", exp); code != 1 || !strings.Contains(errOut, "fresh data dir") {
		t.Fatalf("import over existing keys: %d %q", code, errOut)
	}
	addrs, stop = startServe(t, newDir, "--upstream-dir", store)
	defer func() { _ = stop() }()
	out, err := client(addrs["s3"]).GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("keep"), Key: aws.String("k")})
	if err != nil {
		t.Fatalf("restored gateway cannot read the old upstream: %v", err)
	}
	got, _ := io.ReadAll(out.Body)
	_ = out.Body.Close()
	if !bytes.Equal(got, body) {
		t.Fatalf("restored object differs (%d bytes)", len(got))
	}
}

// TestKeysImportFailureLeavesNothing: when writing the root key fails
// after the keystore is in the data dir, the import removes it again, so a
// retry is not refused as "not a fresh data dir" and succeeds.
func TestKeysImportFailureLeavesNothing(t *testing.T) {
	base := t.TempDir()
	oldDir, exp := filepath.Join(base, "old"), filepath.Join(base, "keys.sgx")
	old := map[string]string{"SEALGATE_DATA_DIR": oldDir}
	if code, _, errOut := runCmd(t, "", old, "init"); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if code, _, errOut := runCmd(t, "a long passphrase\n", old, "keys", "export", exp); code != 0 {
		t.Fatalf("export: %s", errOut)
	}
	newDir := filepath.Join(base, "new")
	if err := os.MkdirAll(newDir, 0o700); err != nil {
		t.Fatal(err)
	}
	// A dangling symlink passes the fresh-dir check (Stat: not found) but
	// the root key's exclusive, no-follow create fails on it, even as root.
	rk := filepath.Join(newDir, "root.key")
	if err := os.Symlink(filepath.Join(base, "elsewhere"), rk); err != nil {
		t.Fatal(err)
	}
	fresh := map[string]string{"SEALGATE_DATA_DIR": newDir}
	if code, _, errOut := runCmd(t, "a long passphrase\n", fresh, "keys", "import", exp); code != 1 || !strings.Contains(errOut, "root key") {
		t.Fatalf("import onto a blocked root key path: %d %q", code, errOut)
	}
	if _, err := os.Lstat(filepath.Join(newDir, "keystore.seen")); !os.IsNotExist(err) {
		t.Fatalf("failed import left the keystore behind: %v", err)
	}
	if _, err := os.Lstat(filepath.Join(base, "elsewhere")); !os.IsNotExist(err) {
		t.Fatalf("import wrote through the symlink: %v", err)
	}
	if err := os.Remove(rk); err != nil {
		t.Fatal(err)
	}
	if code, _, errOut := runCmd(t, "a long passphrase\n", fresh, "keys", "import", exp); code != 0 {
		t.Fatalf("retry: %s", errOut)
	}
	want, _ := os.ReadFile(filepath.Join(oldDir, "root.key"))
	if got, _ := os.ReadFile(filepath.Join(newDir, "root.key")); len(want) == 0 || string(got) != string(want) {
		t.Fatal("retried import did not restore the root key")
	}
}
