package integration

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/internal/etagtest"
)

// s3cmdClient drives /usr/bin/s3cmd with a --config file in a sandbox:
// host_base = host_bucket = the endpoint (path style), SigV4.
type s3cmdClient struct {
	*clientEnv
	bin string
	cfg string
}

const s3cmdPartSize = 5 * mib

func newS3cmd(t testing.TB, tg target) *s3cmdClient {
	t.Helper()
	bin := lookClient(t, "s3cmd")
	c := &s3cmdClient{clientEnv: newClientEnv(t, tg), bin: bin}
	https, ca := "False", ""
	if tg.https() {
		https, ca = "True", "ca_certs_file = "+tg.CAFile+"\n"
	}
	c.cfg = c.writeConfig("s3cmd.cfg", fmt.Sprintf(`[default]
access_key = %s
secret_key = %s
host_base = %s
host_bucket = %s
bucket_location = %s
use_https = %s
check_ssl_certificate = True
check_ssl_hostname = True
%ssignature_v2 = False
multipart_chunk_size_mb = %d
progress_meter = False
preserve_attrs = True
`, tg.AccessKey, tg.Secret, tg.hostPort(), tg.hostPort(), region(tg), https, ca, s3cmdPartSize/mib))
	t.Logf("%s", strings.TrimSpace(c.run(shortTimeout, nil, bin, "--version")))
	return c
}

// s3cmd runs "s3cmd --config … args" and returns stdout.
func (c *s3cmdClient) s3cmd(args ...string) string {
	c.t.Helper()
	return c.run(longTimeout, nil, c.bin, append([]string{"--config", c.cfg}, args...)...)
}

// lsKeys parses "s3cmd ls --recursive s3://b/prefix" into sorted keys.
func (c *s3cmdClient) lsKeys(bucket, prefix string) []string {
	c.t.Helper()
	var keys []string
	root := "s3://" + bucket + "/"
	for _, line := range strings.Split(c.s3cmd("ls", "--recursive", root+prefix), "\n") {
		if i := strings.Index(line, root); i >= 0 {
			keys = append(keys, line[i+len(root):])
		}
	}
	sort.Strings(keys)
	return keys
}

// testS3cmd: mb, put (single and multipart), info, get, ls, sync up and
// down (and a no-op second sync), del, rb.
func testS3cmd(t *testing.T, tg target) {
	c := newS3cmd(t, tg)
	bucket := uniqueBucket("s3cmd")
	c.s3cmd("mb", "s3://"+bucket)
	if out := c.s3cmd("ls"); !strings.Contains(out, "s3://"+bucket) {
		t.Fatalf("s3cmd ls does not list bucket %s:\n%s", bucket, out)
	}
	work := t.TempDir()

	for _, f := range []struct {
		key  string
		size int
	}{{"one/small.txt", 1234}, {"one/multi part.bin", 2*s3cmdPartSize + 12345}} {
		src := writeFile(t, work, "up/"+filepath.Base(f.key), uint64(f.size), f.size)
		c.s3cmd("put", src, "s3://"+bucket+"/"+f.key)
		data, _ := os.ReadFile(src)
		got, etag := sdkGet(t, tg, bucket, f.key)
		wantETag := md5Hex(data)
		if f.size > s3cmdPartSize {
			wantETag = etagtest.Even(data, s3cmdPartSize)
		}
		if !bytes.Equal(got, data) || etag != wantETag {
			t.Errorf("SDK GET after s3cmd put %s: %d bytes, ETag %s; want %d bytes, %s", f.key, len(got), etag, len(data), wantETag)
		}
		// info probes ?acl, ?policy, ?cors … as well.
		if info := c.s3cmd("info", "s3://"+bucket+"/"+f.key); !strings.Contains(info, fmt.Sprint(f.size)) {
			t.Errorf("s3cmd info %s does not show the size %d:\n%s", f.key, f.size, info)
		}
		down := filepath.Join(work, "down", filepath.Base(f.key))
		c.s3cmd("get", "s3://"+bucket+"/"+f.key, down)
		sameFile(t, "s3cmd get "+f.key, src, down)
	}
	if keys := c.lsKeys(bucket, "one/"); strings.Join(keys, "|") != "one/multi part.bin|one/small.txt" {
		t.Errorf("s3cmd ls --recursive one/ = %q", keys)
	}

	src, dst := filepath.Join(work, "src"), filepath.Join(work, "dst")
	want := makeTree(t, src, 0)
	c.s3cmd("sync", src+"/", "s3://"+bucket+"/tree/")
	if out := c.s3cmd("sync", src+"/", "s3://"+bucket+"/tree/"); strings.Contains(out, "upload:") {
		t.Errorf("second s3cmd sync of an unchanged tree uploaded files:\n%s", out)
	}
	if err := os.MkdirAll(dst, 0o700); err != nil {
		t.Fatal(err)
	}
	c.s3cmd("sync", "s3://"+bucket+"/tree/", dst+"/")
	sameTree(t, "s3cmd sync down", want, treeSums(t, dst))

	c.s3cmd("del", "s3://"+bucket+"/one/small.txt")
	if keys := c.lsKeys(bucket, "one/"); strings.Join(keys, "|") != "one/multi part.bin" {
		t.Errorf("after s3cmd del, ls one/ = %q", keys)
	}
	c.s3cmd("del", "--recursive", "--force", "s3://"+bucket)
	if keys := c.lsKeys(bucket, ""); len(keys) != 0 {
		t.Errorf("after s3cmd del --recursive, ls = %q", keys)
	}
	c.s3cmd("rb", "s3://"+bucket)
}
