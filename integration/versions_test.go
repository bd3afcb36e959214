package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The versioning scenarios run against sealgate only: the versitygw the
// driver tests use serves no versioning (it needs a versioning directory
// that its posix backend is not started with).

type listedVersions struct {
	Versions []struct {
		Key       string
		VersionID string `json:"VersionId"`
		IsLatest  bool
		Size      int64
	}
	DeleteMarkers []struct {
		Key       string
		VersionID string `json:"VersionId"`
		IsLatest  bool
	}
}

// testAWSCLIVersions: aws cli s3api on a versioned bucket: two writes keep
// two versions, the old one reads back by id, a delete leaves a marker that
// hides the key, and deleting the marker brings the key back.
func testAWSCLIVersions(t *testing.T, tg target) {
	a := newAWSCLI(t, tg, 2)
	bucket := uniqueBucket("awsvers")
	a.aws("s3api", "create-bucket", "--bucket", bucket)
	a.aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	if out := a.aws("s3api", "get-bucket-versioning", "--bucket", bucket); !strings.Contains(out, `"Enabled"`) {
		t.Fatalf("get-bucket-versioning: %s", out)
	}
	work := t.TempDir()
	var ids []string
	for i, body := range []string{"first version\n", "second, longer version\n"} {
		src := filepath.Join(work, "v")
		if err := os.WriteFile(src, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		var out struct {
			VersionID string `json:"VersionId"`
		}
		mustJSON(t, a.aws("s3api", "put-object", "--bucket", bucket, "--key", "doc.txt", "--body", src), &out)
		if out.VersionID == "" {
			t.Fatalf("put %d named no version", i)
		}
		ids = append(ids, out.VersionID)
	}
	var lv listedVersions
	mustJSON(t, a.aws("s3api", "list-object-versions", "--bucket", bucket), &lv)
	if len(lv.Versions) != 2 || lv.Versions[0].VersionID != ids[1] || !lv.Versions[0].IsLatest || lv.Versions[1].VersionID != ids[0] {
		t.Fatalf("list-object-versions: %+v, want %v newest first", lv, ids)
	}
	dst := filepath.Join(work, "old")
	a.aws("s3api", "get-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", ids[0], dst)
	if b, err := os.ReadFile(dst); err != nil || string(b) != "first version\n" {
		t.Fatalf("old version: %q %v", b, err)
	}
	var del struct {
		DeleteMarker bool
		VersionID    string `json:"VersionId"`
	}
	mustJSON(t, a.aws("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt"), &del)
	if !del.DeleteMarker || del.VersionID == "" {
		t.Fatalf("delete-object: %+v", del)
	}
	if keys := a.lsKeys("s3://" + bucket); len(keys) != 0 {
		t.Fatalf("a deleted key is listed: %v", keys)
	}
	mustJSON(t, a.aws("s3api", "list-object-versions", "--bucket", bucket), &lv)
	if len(lv.DeleteMarkers) != 1 || !lv.DeleteMarkers[0].IsLatest || len(lv.Versions) != 2 {
		t.Fatalf("versions after delete: %+v", lv)
	}
	a.aws("s3api", "delete-object", "--bucket", bucket, "--key", "doc.txt", "--version-id", del.VersionID)
	a.aws("s3", "cp", "s3://"+bucket+"/doc.txt", dst)
	if b, err := os.ReadFile(dst); err != nil || string(b) != "second, longer version\n" {
		t.Fatalf("after the marker's deletion: %q %v", b, err)
	}
}

// testRcloneVersions: rclone --s3-versions lists the old version of a
// twice-written file under a time-stamped name and copies it back.
func testRcloneVersions(t *testing.T, tg target) {
	c := newRclone(t, tg)
	bucket := uniqueBucket("rclvers")
	a := newAWSCLI(t, tg, 2)
	a.aws("s3api", "create-bucket", "--bucket", bucket)
	a.aws("s3api", "put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
	work := t.TempDir()
	src := filepath.Join(work, "notes.txt")
	for _, body := range []string{"old notes\n", "new notes, longer\n"} {
		if err := os.WriteFile(src, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		c.rclone("copyto", src, "sg:"+bucket+"/notes.txt")
	}
	plain := c.rclone("lsf", "sg:"+bucket)
	if strings.TrimSpace(plain) != "notes.txt" {
		t.Fatalf("rclone lsf: %q", plain)
	}
	listed := c.rclone("lsf", "--s3-versions", "sg:"+bucket)
	old := regexp.MustCompile(`(?m)^notes-v\d{4}-\d{2}-\d{2}-\d{6}-\d{3}\.txt$`).FindString(listed)
	if old == "" {
		t.Fatalf("rclone lsf --s3-versions shows no old version:\n%s", listed)
	}
	dst := filepath.Join(work, "restored.txt")
	c.rclone("copyto", "--s3-versions", "sg:"+bucket+"/"+old, dst)
	if b, err := os.ReadFile(dst); err != nil || string(b) != "old notes\n" {
		t.Fatalf("restored %s: %q %v", old, b, err)
	}
}

func mustJSON(t *testing.T, out string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("%v in:\n%s", err, out)
	}
}

// TestVersionsWithClients runs the versioning scenarios against sealgate
// over the fs upstream and over a real S3 upstream (versitygw), where
// setting a version aside is an upstream GET and PUT.
func TestVersionsWithClients(t *testing.T) {
	t.Parallel()
	for _, upstream := range []string{"fs", "s3"} {
		t.Run(upstream, func(t *testing.T) {
			sg := startSealgate(t, upstream)
			t.Run("awscli-v2", func(t *testing.T) { testAWSCLIVersions(t, sg.HTTP[0]) })
			t.Run("rclone", func(t *testing.T) { testRcloneVersions(t, sg.HTTP[1%len(sg.HTTP)]) })
			t.Run("awscli-v2-lock", func(t *testing.T) { testAWSCLILock(t, sg.HTTP[0]) })
		})
	}
}
