package integration

import (
	"crypto/md5"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/internal/etagtest"
)

// rcloneClient drives /usr/bin/rclone with remote "sg:" configured through
// RCLONE_CONFIG_SG_* variables (provider Other, path style). AWS_CA_BUNDLE is
// never passed on: rclone's S3 backend fails with LoadCustomCABundleError
// when it is set; HTTPS trust goes through --ca-cert instead.
type rcloneClient struct {
	*clientEnv
	bin   string
	env   []string
	flags []string
}

const rclonePartSize = 5 * mib

func newRclone(t testing.TB, tg target) *rcloneClient {
	t.Helper()
	bin := lookClient(t, "rclone")
	c := &rcloneClient{clientEnv: newClientEnv(t, tg), bin: bin}
	c.env = c.with(
		"RCLONE_CONFIG="+filepath.Join(c.home, "rclone.conf"),
		"RCLONE_CONFIG_SG_TYPE=s3",
		"RCLONE_CONFIG_SG_PROVIDER=Other",
		"RCLONE_CONFIG_SG_ENV_AUTH=false",
		"RCLONE_CONFIG_SG_ACCESS_KEY_ID="+tg.AccessKey,
		"RCLONE_CONFIG_SG_SECRET_ACCESS_KEY="+tg.Secret,
		"RCLONE_CONFIG_SG_ENDPOINT="+tg.Endpoint,
		"RCLONE_CONFIG_SG_REGION="+region(tg),
		"RCLONE_CONFIG_SG_FORCE_PATH_STYLE=true",
		"RCLONE_CONFIG_SG_UPLOAD_CUTOFF=5M",
		"RCLONE_CONFIG_SG_CHUNK_SIZE=5M",
	)
	for _, kv := range c.env {
		if strings.HasPrefix(kv, "AWS_CA_BUNDLE=") {
			t.Fatal("AWS_CA_BUNDLE leaked into rclone's environment")
		}
	}
	c.flags = []string{"--retries", "1", "--low-level-retries", "2", "--contimeout", "10s", "--timeout", "60s"}
	if tg.CAFile != "" {
		c.flags = append(c.flags, "--ca-cert", tg.CAFile)
	}
	t.Logf("%s", firstLine(c.run(shortTimeout, c.env, bin, "version")))
	return c
}

func firstLine(s string) string { l, _, _ := strings.Cut(s, "\n"); return l }

// rclone runs "rclone args flags…" and returns stdout.
func (c *rcloneClient) rclone(args ...string) string {
	c.t.Helper()
	return c.run(longTimeout, c.env, c.bin, append(args, c.flags...)...)
}

// testRclone: mkdir, sync up (with a multipart file), lsf, check (MD5),
// md5sum against local digests, a no-op second sync, sync down, purge.
func testRclone(t *testing.T, tg target) {
	c := newRclone(t, tg)
	bucket := uniqueBucket("rclone")
	remote := "sg:" + bucket + "/tree"
	c.rclone("mkdir", "sg:"+bucket)
	work := t.TempDir()
	src, dst := filepath.Join(work, "src"), filepath.Join(work, "dst")
	want := makeTree(t, src, 2*rclonePartSize+777)

	c.rclone("sync", src, remote)
	var wantKeys []string
	for k := range want {
		wantKeys = append(wantKeys, k)
	}
	sort.Strings(wantKeys)
	got := strings.Split(strings.TrimSpace(c.rclone("lsf", "-R", "--files-only", remote)), "\n")
	sort.Strings(got)
	if strings.Join(got, "\n") != strings.Join(wantKeys, "\n") {
		t.Errorf("rclone lsf -R after sync:\n got %q\nwant %q", got, wantKeys)
	}
	// check compares sizes and MD5s (ETags; X-Amz-Meta-Md5chksum for the
	// multipart file) and fails on any difference.
	c.rclone("check", src, remote, "--one-way")
	c.rclone("check", src, remote)

	sums := map[string]string{}
	for _, line := range strings.Split(c.rclone("md5sum", remote), "\n") {
		if sum, name, ok := strings.Cut(line, "  "); ok {
			sums[name] = sum
		}
	}
	for name := range want {
		b, err := os.ReadFile(filepath.Join(src, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		s := md5.Sum(b)
		if sums[name] != hex.EncodeToString(s[:]) {
			t.Errorf("rclone md5sum %s = %q, want %x", name, sums[name], s)
		}
	}

	// rclone logs to stderr.
	if _, log, err := c.try(longTimeout, c.env, c.bin, append([]string{"sync", src, remote, "-v"}, c.flags...)...); err != nil || strings.Contains(log, "Copied") {
		t.Errorf("second rclone sync of an unchanged tree: err %v, copied files:\n%s", err, c.redact(log))
	}
	data, err := os.ReadFile(filepath.Join(src, "large", "multi.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if _, etag := sdkGet(t, tg, bucket, "tree/large/multi.bin"); etag != etagtest.Even(data, rclonePartSize) {
		t.Errorf("ETag of rclone's multipart upload = %s, want %s", etag, etagtest.Even(data, rclonePartSize))
	}
	c.rclone("sync", remote, dst)
	sameTree(t, "rclone sync down", want, treeSums(t, dst))
	c.rclone("check", dst, remote, "--download")

	c.rclone("purge", "sg:"+bucket)
	if out := c.rclone("lsf", "sg:"); strings.Contains(out, bucket) {
		t.Errorf("bucket %s still listed after rclone purge:\n%s", bucket, out)
	}
}
