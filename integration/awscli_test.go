package integration

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// awsCLI drives one aws cli (major version 1: the first "aws" in PATH, the
// machine image's 1.45; 2: Debian's /usr/bin/aws 2.9) in a sandbox.
type awsCLI struct {
	*clientEnv
	bin   string
	major int
	tg    target
	env   []string
}

// awsPartSize is aws cli's default multipart_chunksize (both majors).
const awsPartSize = 8 * mib

func newAWSCLI(t testing.TB, tg target, major int) *awsCLI {
	t.Helper()
	bin := "/usr/bin/aws"
	if major == 1 {
		p, err := exec.LookPath("aws")
		if err != nil {
			skipOrFail(t, "aws cli v1 not in PATH (%v)", err)
		}
		bin = p
	} else if _, err := os.Stat(bin); err != nil {
		skipOrFail(t, "aws cli v2 not at %s (%v)", bin, err)
	}
	a := &awsCLI{clientEnv: newClientEnv(t, tg), bin: bin, major: major, tg: tg}
	// Profile "v4" presigns with SigV4 also in aws cli v1.
	const profile = "region = %[1]s\noutput = json\ncli_pager =\ns3 =\n    addressing_style = path\n"
	cfg := a.writeConfig(".aws/config", fmt.Sprintf("[default]\n"+profile+
		"[profile v4]\n"+profile+"    signature_version = s3v4\n", region(tg)))
	creds := a.writeConfig(".aws/credentials", fmt.Sprintf(
		"[default]\naws_access_key_id = %[1]s\naws_secret_access_key = %[2]s\n"+
			"[v4]\naws_access_key_id = %[1]s\naws_secret_access_key = %[2]s\n", tg.AccessKey, tg.Secret))
	a.env = a.with("AWS_CONFIG_FILE="+cfg, "AWS_SHARED_CREDENTIALS_FILE="+creds,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=")
	if tg.CAFile != "" {
		a.env = append(a.env, "AWS_CA_BUNDLE="+tg.CAFile)
	}
	ver := a.run(shortTimeout, a.env, bin, "--version")
	if !strings.HasPrefix(ver, fmt.Sprintf("aws-cli/%d.", major)) {
		skipOrFail(t, "%s is not aws cli v%d: %s", bin, major, ver)
	}
	t.Logf("%s: %s", bin, strings.TrimSpace(ver))
	return a
}

func region(tg target) string {
	if tg.Region == "" {
		return "us-east-1"
	}
	return tg.Region
}

// aws runs "aws --endpoint-url … args" and returns stdout.
//
// --cli-read-timeout 20 (default 60): aws cli 1.45 (urllib3 2) sometimes
// fails to parse a valid "100 Continue" + "200 OK" exchange on a reused
// keep-alive connection (a 1-byte PUT in "s3 sync" against sealgate, whose
// Go server keeps connections open; versitygw closes them), waits for the
// read timeout and retries successfully. The shorter timeout bounds that
// stall; parts of 8 MiB are answered well within it.
func (a *awsCLI) aws(args ...string) string {
	a.t.Helper()
	return a.run(longTimeout, a.env, a.bin, append([]string{"--endpoint-url", a.tg.Endpoint, "--cli-read-timeout", "20"}, args...)...)
}

type headOutput struct {
	ContentLength int64
	ETag          string
	ContentType   string
	Metadata      map[string]string
}

func (a *awsCLI) head(bucket, key string) headOutput {
	a.t.Helper()
	var h headOutput
	out := a.aws("s3api", "head-object", "--bucket", bucket, "--key", key)
	if err := json.Unmarshal([]byte(out), &h); err != nil {
		a.t.Fatalf("head-object output: %v\n%s", err, out)
	}
	h.ETag = strings.Trim(h.ETag, `"`)
	return h
}

// lsKeys parses "aws s3 ls --recursive" into keys (sorted).
func (a *awsCLI) lsKeys(url string) []string {
	a.t.Helper()
	var keys []string
	for _, line := range strings.Split(a.aws("s3", "ls", "--recursive", url), "\n") {
		// 2024-01-01 00:00:00       1234 key with spaces
		f := strings.SplitN(strings.TrimSpace(line), " ", 3)
		if len(f) < 3 {
			continue
		}
		rest := strings.TrimLeft(f[2], " ")
		_, key, ok := strings.Cut(rest, " ")
		if ok {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	return keys
}

// testAWSCLI runs the aws cli scenario: mb, ls, cp up and down with
// metadata, head-object, get-object --range, presign, rm --recursive, rb.
// full adds more ranges, the 100 MiB multipart copy and the tree sync
// (python start-up makes each aws call cost most of a second).
func testAWSCLI(t *testing.T, tg target, major int, full bool) {
	a := newAWSCLI(t, tg, major)
	bucket := uniqueBucket(fmt.Sprintf("awsv%d", major))
	a.aws("s3", "mb", "s3://"+bucket)
	if out := a.aws("s3", "ls"); !strings.Contains(out, bucket) {
		t.Fatalf("s3 ls does not list bucket %s:\n%s", bucket, out)
	}
	work := t.TempDir()

	// Small object with metadata and content type.
	small := randomBytes(uint64(major), 5000)
	smallPath := filepath.Join(work, "small.bin")
	if err := os.WriteFile(smallPath, small, 0o600); err != nil {
		t.Fatal(err)
	}
	key := "dir/small file.bin"
	a.aws("s3", "cp", smallPath, "s3://"+bucket+"/"+key, "--metadata", "colour=blue,n=1", "--content-type", "application/x-test")
	h := a.head(bucket, key)
	if h.ContentLength != int64(len(small)) || h.ETag != md5Hex(small) || h.ContentType != "application/x-test" || metaValue(h.Metadata, "colour") != "blue" {
		t.Errorf("head-object = %+v, want length %d, ETag %s, type application/x-test, colour=blue", h, len(small), md5Hex(small))
	}
	if got, etag := sdkGet(t, tg, bucket, key); !bytes.Equal(got, small) || etag != md5Hex(small) {
		t.Errorf("SDK GET after aws s3 cp: %d bytes, ETag %s; want %d bytes, %s", len(got), etag, len(small), md5Hex(small))
	}
	down := filepath.Join(work, "small.down")
	a.aws("s3", "cp", "s3://"+bucket+"/"+key, down)
	sameFile(t, "aws s3 cp download", smallPath, down)

	ranges := []struct{ spec, want string }{
		{"bytes=100-199", string(small[100:200])},
		{"bytes=4990-", string(small[4990:])},
		{"bytes=-7", string(small[len(small)-7:])},
		{"bytes=0-0", string(small[:1])},
	}
	if !full {
		ranges = ranges[:1]
	}
	for _, r := range ranges {
		out := filepath.Join(work, "range.out")
		_ = os.Remove(out)
		_, errOut, err := a.try(shortTimeout, a.env, a.bin, "--endpoint-url", tg.Endpoint, "--cli-read-timeout", "20",
			"s3api", "get-object", "--bucket", bucket, "--key", key, "--range", r.spec, out)
		if err != nil {
			t.Errorf("s3api get-object --range %s: %v\n%s", r.spec, err, a.redact(tail(errOut)))
		} else if got, _ := os.ReadFile(out); string(got) != r.want {
			t.Errorf("get-object --range %s: got %d bytes, want %d", r.spec, len(got), len(r.want))
		}
	}

	a.testPresign(bucket, key, small)

	if full {
		a.testBig(bucket, work)
		a.testSync(bucket, work)
	}
	a.aws("s3", "rm", "--recursive", "s3://"+bucket)
	if keys := a.lsKeys("s3://" + bucket); len(keys) != 0 {
		t.Errorf("after s3 rm --recursive, s3 ls lists %q", keys)
	}
	a.aws("s3", "rb", "s3://"+bucket)
}

// testSync: tree sync up, listing, a second sync that must be a no-op,
// sync down.
func (a *awsCLI) testSync(bucket, work string) {
	t := a.t
	t.Helper()
	src, dst := filepath.Join(work, "src"), filepath.Join(work, "dst")
	want := makeTree(t, src, 0)
	a.aws("s3", "sync", src, "s3://"+bucket+"/tree/")
	var wantKeys []string
	for k := range want {
		wantKeys = append(wantKeys, "tree/"+k)
	}
	sort.Strings(wantKeys)
	if got := a.lsKeys("s3://" + bucket + "/tree/"); strings.Join(got, "\n") != strings.Join(wantKeys, "\n") {
		t.Errorf("s3 ls --recursive after sync:\n got %q\nwant %q", got, wantKeys)
	}
	if out := a.aws("s3", "sync", src, "s3://"+bucket+"/tree/"); strings.TrimSpace(out) != "" {
		t.Errorf("second s3 sync of an unchanged tree transferred files:\n%s", out)
	}
	a.aws("s3", "sync", "s3://"+bucket+"/tree/", dst)
	sameTree(t, "aws s3 sync down", want, treeSums(t, dst))
}

// testPresign fetches "aws s3 presign" URLs with net/http: the default
// (aws cli v1 presigns with SigV2, v2 with SigV4) and, for v1, SigV4 too.
// A server without SigV2 (tg.SigV2 false, e.g. versitygw) gets the SigV2
// URL checked by a local SigV2 computation instead.
func (a *awsCLI) testPresign(bucket, key string, want []byte) {
	a.t.Helper()
	profiles := []string{"default"}
	if a.major == 1 {
		profiles = append(profiles, "v4")
	}
	for _, profile := range profiles {
		url := strings.TrimSpace(a.aws("--profile", profile, "s3", "presign", "s3://"+bucket+"/"+key, "--expires-in", "300"))
		a.secrets = append(a.secrets, url) // a presigned URL is a credential
		sigV4 := strings.Contains(url, "X-Amz-Signature=")
		if wantV4 := a.major == 2 || profile == "v4"; sigV4 != wantV4 {
			a.t.Errorf("aws cli v%d presign (profile %s): SigV4=%v, want %v: %s", a.major, profile, sigV4, wantV4, a.redact(url))
		}
		if !sigV4 && !a.tg.SigV2 {
			if err := checkSigV2Presign(url, a.tg.AccessKey, a.tg.Secret); err != nil {
				a.t.Errorf("aws cli v%d SigV2 presigned URL: %v", a.major, err)
			}
			continue
		}
		status, body := httpGet(a.t, a.tg, url)
		if status != http.StatusOK || !bytes.Equal(body, want) {
			a.t.Errorf("GET aws cli v%d presigned URL (SigV4=%v): status %d, %d bytes (want 200, %d bytes)\n%s",
				a.major, sigV4, status, len(body), len(want), tail(string(body)))
		}
	}
}

// httpGet fetches a URL and returns the status and body.
func httpGet(tb testing.TB, tg target, url string) (int, []byte) {
	tb.Helper()
	resp, err := httpClient(tb, tg).Get(url)
	if err != nil {
		tb.Fatalf("GET presigned URL: %v", signatureRE.ReplaceAllString(err.Error(), "${1}[REDACTED]"))
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatalf("GET presigned URL: reading body: %v", err)
	}
	return resp.StatusCode, body
}

// checkSigV2Presign verifies a SigV2 presigned GET URL (path style) locally.
func checkSigV2Presign(raw, accessKey, secret string) error {
	u, err := neturl.Parse(raw)
	if err != nil {
		return err
	}
	q := u.Query()
	if q.Get("AWSAccessKeyId") != accessKey {
		return fmt.Errorf("AWSAccessKeyId is not the account's access key")
	}
	sts := "GET\n\n\n" + q.Get("Expires") + "\n" + u.EscapedPath()
	mac := hmac.New(sha1.New, []byte(secret))
	mac.Write([]byte(sts))
	if got, want := q.Get("Signature"), base64.StdEncoding.EncodeToString(mac.Sum(nil)); got != want {
		return fmt.Errorf("signature does not verify for string to sign %q", sts)
	}
	return nil
}

// metaValue looks a user metadata key up case-insensitively.
func metaValue(m map[string]string, k string) string {
	for mk, v := range m {
		if strings.EqualFold(mk, k) {
			return v
		}
	}
	return ""
}

// testBig copies the 100 MiB file up (multipart) and down again.
func (a *awsCLI) testBig(bucket, work string) {
	a.t.Helper()
	src := bigFile(a.t)
	a.aws("s3", "cp", src, "s3://"+bucket+"/big/big.bin")
	h := a.head(bucket, "big/big.bin")
	if want := fileMultipartETag(a.t, src, awsPartSize); h.ContentLength != bigSize || h.ETag != want {
		a.t.Errorf("head-object of the multipart upload: length %d, ETag %s; want %d, %s", h.ContentLength, h.ETag, bigSize, want)
	}
	down := filepath.Join(work, "big.down")
	a.aws("s3", "cp", "s3://"+bucket+"/big/big.bin", down)
	sameFile(a.t, "aws s3 cp 100 MiB download", src, down)
	_ = os.Remove(down)
	a.aws("s3", "rm", "s3://"+bucket+"/big/big.bin")
}

// fileMultipartETag is the S3 multipart ETag of a file uploaded in parts.
func fileMultipartETag(tb testing.TB, path string, partSize int64) string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	var sums []byte
	n := 0
	for {
		h := md5.New()
		c, err := io.CopyN(h, f, partSize)
		if c > 0 {
			sums = h.Sum(sums)
			n++
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	s := md5.Sum(sums)
	return fmt.Sprintf("%s-%d", hex.EncodeToString(s[:]), n)
}
