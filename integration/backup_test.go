package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// testDuplicity: a full backup (GnuPG symmetric encryption, volumes of
// 1 MiB so that several objects are written), an incremental one after a
// change, verify, and a restore into an empty directory with an empty
// archive cache, so that everything comes back through the server.
// duplicity talks S3 through boto3: boto3+s3://bucket/prefix.
func testDuplicity(t *testing.T, tg target) {
	bin := lookClient(t, "duplicity")
	c := newClientEnv(t, tg)
	pass := "duplicity passphrase " + tg.Secret[:6]
	c.secrets = append(c.secrets, pass)
	bucket := uniqueBucket("duplicity")
	sdkCreateBucket(t, tg, bucket)
	env := c.with("AWS_ACCESS_KEY_ID="+tg.AccessKey, "AWS_SECRET_ACCESS_KEY="+tg.Secret,
		"AWS_DEFAULT_REGION="+region(tg), "PASSPHRASE="+pass)
	if tg.CAFile != "" {
		env = append(env, "AWS_CA_BUNDLE="+tg.CAFile)
	}
	url := "boto3+s3://" + bucket + "/backup"
	work := t.TempDir()
	dup := func(cache string, args ...string) string {
		t.Helper()
		flags := []string{"--s3-endpoint-url", tg.Endpoint, "--s3-region-name", region(tg),
			"--archive-dir", filepath.Join(work, cache), "--volsize", "1"}
		return c.run(longTimeout, env, bin, append(args, flags...)...)
	}
	t.Logf("%s", firstLine(dup("cache", "--version")))

	src := filepath.Join(work, "src")
	makeTree(t, src, 2*mib+3)
	dup("cache", "full", src, url)
	writeFile(t, src, "a.txt", 97, 300) // changed
	writeFile(t, src, "new/late.bin", 96, 150000)
	want := treeSums(t, src)
	dup("cache", "incremental", src, url)
	if out := dup("cache", "verify", "--compare-data", url, src); !strings.Contains(out, "0 differences found") {
		t.Errorf("duplicity verify:\n%s", out)
	}
	dst := filepath.Join(work, "dst")
	dup("fresh-cache", "restore", url, dst)
	sameTree(t, "duplicity restore", want, treeSums(t, dst))
	if keys := sdkKeys(t, tg, bucket, "backup/"); len(keys) < 6 {
		t.Errorf("backup has only %d objects: %q", len(keys), keys)
	}
}

// testS3backer: s3backer (FUSE) presents a bucket as one 64 MiB file of
// 128 KiB blocks; an ext4 file system is made on it through a loop device,
// a tree is written, both are unmounted (s3backer flushes every block), and
// a fresh s3backer, without a cache, serves the file system back for a
// read-only mount whose tree must equal the original.
func testS3backer(t *testing.T, tg target) {
	bin := lookClient(t, "s3backer")
	mkfs := lookClient(t, "mkfs.ext4")
	if os.Geteuid() != 0 {
		t.Fatalf("s3backer and loop mounts need root (euid %d)", os.Geteuid())
	}
	c := newClientEnv(t, tg)
	bucket := uniqueBucket("s3backer")
	sdkCreateBucket(t, tg, bucket)
	work := t.TempDir()
	fuseDir, fsDir := filepath.Join(work, "blocks"), filepath.Join(work, "fs")
	for _, d := range []string{fuseDir, fsDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	args := []string{"--baseURL=" + strings.TrimSuffix(tg.Endpoint, "/") + "/", // no --region: it turns on virtual-host addressing
		"--accessId=" + tg.AccessKey, "--accessKey=" + tg.Secret, "--size=64M", "--blockSize=128K",
		"--timeout=30", bucket, fuseDir}
	if tg.CAFile != "" {
		args = append([]string{"--ssl", "--cacert=" + tg.CAFile}, args...)
	}
	mount := func(what string, argv ...string) {
		t.Helper()
		out, errOut, err := c.try(shortTimeout, nil, argv[0], argv[1:]...)
		if err != nil {
			t.Fatalf("%s: %v\n%s%s", what, err, c.redact(out), c.redact(errOut))
		}
	}
	unmount := func(dir string) {
		t.Helper()
		if out, errOut, err := c.try(shortTimeout, nil, "umount", dir); err != nil {
			t.Errorf("umount %s: %v\n%s%s", dir, err, out, errOut)
		}
	}
	file := filepath.Join(fuseDir, "file")

	first := startS3backer(t, c, fuseDir, append([]string{bin, "--listBlocks"}, args...))
	mount("mkfs.ext4", mkfs, "-q", "-F", file)
	mount("mount ext4", "mount", "-o", "loop", file, fsDir)
	t.Cleanup(func() { _, _, _ = c.try(shortTimeout, nil, "umount", "-l", fsDir) })
	want := makeTree(t, filepath.Join(fsDir, "tree"), mib/4)
	unmount(fsDir)
	unmount(fuseDir)
	first.wait(t) // s3backer writes back every dirty block before it exits

	second := startS3backer(t, c, fuseDir, append([]string{bin}, args...))
	mount("mount ext4 read-only", "mount", "-o", "loop,ro", file, fsDir)
	sameTree(t, "ext4 over s3backer after remount", want, treeSums(t, filepath.Join(fsDir, "tree")))
	if gets := s3backerStat(t, fuseDir, "http_gets"); gets == "" || gets == "0" {
		t.Errorf("the remounted file system was not read from the server (http_gets %q)", gets)
	}
	unmount(fsDir)
	unmount(fuseDir)
	second.wait(t)
	if keys := sdkKeys(t, tg, bucket, ""); len(keys) < 10 {
		t.Errorf("bucket holds only %d blocks", len(keys))
	}
}

// s3backerStat is one counter of s3backer's stats file ("" if absent).
func s3backerStat(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "stats"))
	if err != nil {
		t.Fatalf("s3backer stats: %v", err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == name {
			return f[1]
		}
	}
	return ""
}

// s3backerProc is an s3backer running in the foreground (-f), so that the
// test can wait for it to exit: after an unmount, the daemon still writes
// back its dirty blocks, and a second mount before it is done would see
// the bucket "already mounted" and the blocks half written.
type s3backerProc struct {
	cmd  *exec.Cmd
	done chan error
	out  *bytes.Buffer
	c    *clientEnv
}

// startS3backer starts argv with -f and waits until dir is its mount.
func startS3backer(t *testing.T, c *clientEnv, dir string, argv []string) *s3backerProc {
	t.Helper()
	p := &s3backerProc{cmd: exec.Command(argv[0], append([]string{"-f"}, argv[1:]...)...),
		done: make(chan error, 1), out: &bytes.Buffer{}, c: c}
	p.cmd.Env, p.cmd.Stdout, p.cmd.Stderr = c.env, p.out, p.out
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("s3backer: %v", err)
	}
	go func() { p.done <- p.cmd.Wait() }()
	t.Cleanup(func() {
		_, _, _ = c.try(shortTimeout, nil, "umount", "-l", dir)
		select {
		case <-p.done:
		case <-time.After(shortTimeout):
			_ = p.cmd.Process.Kill()
		}
	})
	deadline := time.Now().Add(shortTimeout)
	for !isMountPoint(dir) {
		select {
		case err := <-p.done:
			p.done <- err
			t.Fatalf("s3backer exited before mounting (%v):\n%s", err, c.redact(p.out.String()))
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("s3backer did not mount %s:\n%s", dir, c.redact(p.out.String()))
		}
	}
	return p
}

// wait waits for s3backer to exit after its unmount.
func (p *s3backerProc) wait(t *testing.T) {
	t.Helper()
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("s3backer: %v\n%s", err, p.c.redact(p.out.String()))
		}
	case <-time.After(longTimeout):
		t.Fatalf("s3backer still writing back after %v:\n%s", longTimeout, p.c.redact(p.out.String()))
	}
}
