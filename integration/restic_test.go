package integration

import (
	"path/filepath"
	"strings"
	"testing"
)

// testRestic: init (restic creates the bucket), backup, check
// --read-data, restore, and a second backup that adds a changed file.
// restic talks S3 through minio-go; the repository is
// s3:http(s)://host:port/bucket/repo.
func testRestic(t *testing.T, tg target) {
	bin := lookClient(t, "restic")
	c := newClientEnv(t, tg)
	password := "restic password " + tg.Secret[:6]
	c.secrets = append(c.secrets, password)
	bucket := uniqueBucket("restic")
	env := c.with("AWS_ACCESS_KEY_ID="+tg.AccessKey, "AWS_SECRET_ACCESS_KEY="+tg.Secret,
		"AWS_DEFAULT_REGION="+region(tg), "RESTIC_PASSWORD="+password,
		"RESTIC_REPOSITORY=s3:"+tg.Endpoint+"/"+bucket+"/repo",
		"RESTIC_CACHE_DIR="+filepath.Join(c.home, "cache"))
	var flags []string
	if tg.CAFile != "" {
		flags = append(flags, "--cacert", tg.CAFile)
	}
	restic := func(args ...string) string {
		t.Helper()
		return c.run(longTimeout, env, bin, append(args, flags...)...)
	}
	t.Logf("%s", firstLine(restic("version")))

	work := t.TempDir()
	src := filepath.Join(work, "src")
	makeTree(t, src, 3*mib+5)
	restic("init")
	restic("backup", "--host", "itest", src)
	writeFile(t, src, "a.txt", 99, 150) // changed
	writeFile(t, src, "new/late.bin", 98, 200000)
	want := treeSums(t, src)
	restic("backup", "--host", "itest", src)
	if out := restic("snapshots", "--json"); strings.Count(out, `"id"`) != 2 {
		t.Errorf("restic snapshots: want 2 snapshots:\n%s", out)
	}
	restic("check", "--read-data")
	dst := filepath.Join(work, "dst")
	restic("restore", "latest", "--target", dst)
	// restic restores the absolute path under the target.
	sameTree(t, "restic restore", want, treeSums(t, filepath.Join(dst, src)))
	if keys := sdkKeys(t, tg, bucket, "repo/"); len(keys) < 5 {
		t.Errorf("repository has only %d objects: %q", len(keys), keys)
	}
}
