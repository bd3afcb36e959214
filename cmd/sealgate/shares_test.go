package main

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/gateway"
)

// TestUserDeleteRevokesShares: `user delete` removes the account's share
// link records from the upstream before its keys go.
func TestUserDeleteRevokesShares(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	vars := map[string]string{"SEALGATE_DATA_DIR": dir}
	if code, _, errOut := runCmd(t, "", vars, "init"); code != 0 {
		t.Fatalf("init: %s", errOut)
	}
	if code, _, errOut := runCmd(t, "pw-alice\n", vars, "user", "add", "--password-stdin", "alice"); code != 0 {
		t.Fatalf("add alice: %s", errOut)
	}
	ctx := context.Background()
	c := defaultConfig()
	c.DataDir = dir
	if err := c.resolve(); err != nil {
		t.Fatal(err)
	}
	links := func(d *deployment) []string {
		page, err := d.store.List(ctx, backends.ListOptions{Prefix: ".sealgate/links/"})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		return keys
	}
	e := env{stdout: io.Discard, stderr: io.Discard, getenv: func(string) string { return "" }}
	d, err := openDeployment(ctx, &c, e, openOpts{})
	if err != nil {
		t.Fatal(err)
	}
	svc, _ := d.service()
	a, err := d.accts.Get("alice")
	if err != nil {
		t.Fatal(err)
	}
	ns := svc.Namespace(a)
	if err := ns.CreateBucket(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	if _, err := ns.PutObject(ctx, "docs", "f.txt", bytes.NewReader([]byte("x")), 1, gateway.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	sl := gateway.NewShareLinks(svc, gateway.ShareConfig{})
	for range 2 {
		if _, err := sl.Create(ctx, ns, gateway.ShareSpec{Bucket: "docs", Key: "f.txt", Expires: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(links(d)); n != 2 {
		t.Fatalf("%d link records", n)
	}
	d.Close()
	code, out, errOut := runCmd(t, "", vars, "user", "delete", "alice")
	if code != 0 || !strings.Contains(out, "2 share link(s) of alice revoked") {
		t.Fatalf("user delete: %d %q %q", code, out, errOut)
	}
	d, err = openDeployment(ctx, &c, e, openOpts{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if left := links(d); len(left) != 0 {
		t.Fatalf("link records left: %v", left)
	}
}
