package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/sealgate/sealgate/internal/etagtest"
)

// boto3 runs testdata/boto3_check.py with Debian's /usr/bin/python3 and
// python3-boto3: upload_file multipart (5 MiB parts), download_file,
// presigned PUT and GET through urllib, batch delete.
const (
	python3Bin    = "/usr/bin/python3"
	boto3PartSize = 5 * mib
)

type boto3Result struct {
	Boto3       string            `json:"boto3"`
	ETag        string            `json:"etag"`
	Length      int64             `json:"length"`
	ContentType string            `json:"content_type"`
	Metadata    map[string]string `json:"metadata"`
	PutStatus   int               `json:"put_status"`
	PutETag     string            `json:"put_etag"`
	GetStatus   int               `json:"get_status"`
	GetSame     bool              `json:"get_same"`
	Left        []string          `json:"left"`
}

func testBoto3(t *testing.T, tg target) {
	if _, err := os.Stat(python3Bin); err != nil {
		skipOrFail(t, "%s not found", python3Bin)
	}
	c := newClientEnv(t, tg)
	if _, _, err := c.try(shortTimeout, nil, python3Bin, "-c", "import boto3"); err != nil {
		skipOrFail(t, "python3-boto3 is not installed for %s", python3Bin)
	}
	script, err := filepath.Abs(filepath.Join("testdata", "boto3_check.py"))
	if err != nil {
		t.Fatal(err)
	}
	work := t.TempDir()
	multi := writeFile(t, work, "multi.bin", 31, 2*boto3PartSize+4321)
	presigned := randomBytes(32, 20000)
	if err := os.WriteFile(filepath.Join(work, "presigned.bin"), presigned, 0o600); err != nil {
		t.Fatal(err)
	}
	bucket := uniqueBucket("boto3")
	env := c.with("AWS_ACCESS_KEY_ID="+tg.AccessKey, "AWS_SECRET_ACCESS_KEY="+tg.Secret,
		"AWS_CONFIG_FILE="+filepath.Join(c.home, "none"), "AWS_SHARED_CREDENTIALS_FILE="+filepath.Join(c.home, "none"),
		"AWS_EC2_METADATA_DISABLED=true", "SG_ENDPOINT="+tg.Endpoint, "SG_BUCKET="+bucket, "SG_WORK="+work, "SG_CA="+tg.CAFile)
	out := c.run(longTimeout, env, python3Bin, script)
	var r boto3Result
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("boto3 script output: %v\n%s", err, c.redact(out))
	}
	t.Logf("boto3 %s", r.Boto3)
	data, err := os.ReadFile(multi)
	if err != nil {
		t.Fatal(err)
	}
	if want := etagtest.Even(data, boto3PartSize); r.ETag != want || r.Length != int64(len(data)) {
		t.Errorf("head_object after upload_file: ETag %s, length %d; want %s, %d", r.ETag, r.Length, want, len(data))
	}
	if r.ContentType != "application/x-boto3" || metaValue(r.Metadata, "origin") != "boto3" {
		t.Errorf("head_object: content type %q, metadata %v; want application/x-boto3, origin=boto3", r.ContentType, r.Metadata)
	}
	sameFile(t, "boto3 download_file", multi, filepath.Join(work, "multi.down"))
	if r.PutStatus != 200 || r.PutETag != md5Hex(presigned) {
		t.Errorf("presigned PUT: status %d, ETag %q; want 200, %s", r.PutStatus, r.PutETag, md5Hex(presigned))
	}
	if r.GetStatus != 200 || !r.GetSame {
		t.Errorf("presigned GET: status %d, same body %v", r.GetStatus, r.GetSame)
	}
	if len(r.Left) != 0 {
		t.Errorf("objects left after batch delete: %q", r.Left)
	}
}
