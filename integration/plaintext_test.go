package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Canaries: strings that must never reach the upstream. Each carries a "9"
// or "0", which base32 upstream names cannot contain.
const (
	canaryContent = "CONTENT-CANARY-90a1 "
	canaryBucket  = "bucket-canary9"
	canarySegment = "folder-canary9"
	canaryName    = "name-canary9.txt"
	canaryMetaKey = "metakey-canary9"
	canaryMetaVal = "META-VALUE-CANARY-90b2"
	canaryType    = "application/x-type-canary9"
)

// TestUpstreamHasNoPlaintext writes objects with canary content, names,
// metadata and content type (single PUT, completed multipart, and an upload
// left unfinished so that its staged state is upstream too), then searches
// every upstream file name and byte — the fs upstream directory; the
// versitygw bucket's object names, bodies and metadata, and its posix
// directory — for the canaries, the plaintext MD5s (hex and base64) and the
// account names.
func TestUpstreamHasNoPlaintext(t *testing.T) {
	t.Parallel()
	for _, upstream := range []string{"fs", "s3"} {
		t.Run(upstream, func(t *testing.T) {
			sg := startSealgate(t, upstream)
			canaries := []string{canaryContent, canaryBucket, canarySegment, canaryName, canaryMetaKey,
				canaryMetaVal, canaryType}
			canaries = append(canaries, accountNames...)
			for i, tg := range sg.HTTP {
				canaries = append(canaries, writeCanaries(t, tg, fmt.Sprintf("%s-%d", canaryBucket, i), i == 0)...)
			}
			if len(search("self-check", []byte("x"+strings.ToUpper(canaryBucket)), canaries)) == 0 {
				t.Fatal("search does not find a canary")
			}
			var found []string
			switch upstream {
			case "fs":
				found = grepDir(t, sg.FSDir, canaries)
			case "s3":
				found = append(grepDir(t, sg.S3.Dir, canaries), grepBucket(t, sg, canaries)...)
			}
			if len(found) > 0 {
				t.Errorf("plaintext found upstream:\n%s", strings.Join(found, "\n"))
			}
		})
	}
}

// writeCanaries stores the canary objects for one account and returns the
// digests of their plaintexts (hex and base64 MD5s, multipart ETag).
// multipart adds a completed and an unfinished multipart upload (10 and
// 5 MiB: slow under -race, so for one account only).
func writeCanaries(t *testing.T, tg target, bucket string, multipart bool) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	c := sdkClient(t, tg)
	sdkCreateBucket(t, tg, bucket)
	body := []byte(strings.Repeat(canaryContent, 300))
	key := canarySegment + "/" + canaryName
	if _, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader(body),
		ContentType: aws.String(canaryType), Metadata: map[string]string{canaryMetaKey: canaryMetaVal}}); err != nil {
		t.Fatalf("PutObject: %v", err)
	}
	sum := md5Hex(body)
	raw, _ := hex.DecodeString(sum)
	digests := []string{sum, strings.ToUpper(sum), base64.StdEncoding.EncodeToString(raw)}
	if !multipart {
		return digests
	}
	// Multipart: two parts of 5 MiB + a short one, of canary text.
	part := []byte(strings.Repeat(canaryContent, 5*mib/len(canaryContent)+1))[:5*mib]
	parts := [][]byte{part, part, []byte(canaryContent + "last")}
	mpKey := canarySegment + "/mp-" + canaryName
	etag := multipartUpload(ctx, t, c, bucket, mpKey, parts, true)
	// An unfinished upload: its state and staged part stay upstream.
	multipartUpload(ctx, t, c, bucket, canarySegment+"/open-"+canaryName, parts[:1], false)

	for _, b := range [][]byte{bytes.Join(parts, nil), part} {
		d := md5Hex(b)
		raw, _ := hex.DecodeString(d)
		digests = append(digests, d, strings.ToUpper(d), base64.StdEncoding.EncodeToString(raw))
	}
	return append(digests, etag)
}

// multipartUpload uploads parts; complete=false leaves the upload open.
func multipartUpload(ctx context.Context, t *testing.T, c *s3.Client, bucket, key string, parts [][]byte, complete bool) string {
	t.Helper()
	up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key,
		Metadata: map[string]string{canaryMetaKey: canaryMetaVal}, ContentType: aws.String(canaryType)})
	if err != nil {
		t.Fatalf("CreateMultipartUpload: %v", err)
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := aws.Int32(int32(i + 1))
		out, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: &bucket, Key: &key, UploadId: up.UploadId,
			PartNumber: n, Body: bytes.NewReader(p)})
		if err != nil {
			t.Fatalf("UploadPart %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{ETag: out.ETag, PartNumber: n})
	}
	if !complete {
		return ""
	}
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: &bucket, Key: &key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		t.Fatalf("CompleteMultipartUpload: %v", err)
	}
	return strings.Trim(aws.ToString(out.ETag), `"`)
}

// grepDir searches every path and file under dir for the canaries
// (versitygw's extended attributes are covered by grepBucket's metadata).
func grepDir(t *testing.T, dir string, canaries []string) []string {
	t.Helper()
	var found []string
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		found = append(found, search("path "+rel, []byte(rel), canaries)...)
		if d.Type().IsRegular() {
			files++
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			found = append(found, search("file "+rel, b, canaries)...)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatalf("no files under %s: the search would prove nothing", dir)
	}
	t.Logf("searched %d files under %s", files, dir)
	return found
}

// grepBucket searches the upstream bucket through S3: every key, body and
// user metadata entry.
func grepBucket(t *testing.T, sg *sealgate, canaries []string) []string {
	t.Helper()
	root := target{Name: "upstream", Endpoint: sg.S3.Endpoint, Region: sg.S3.Region,
		AccessKey: sg.S3.AccessKeyID, Secret: sg.S3.SecretAccessKey}
	c := sdkClient(t, root)
	keys := sdkKeys(t, root, sg.S3Bucket, "")
	if len(keys) == 0 {
		t.Fatal("the upstream bucket is empty: the search would prove nothing")
	}
	var found []string
	for _, k := range keys {
		found = append(found, search("upstream key "+k, []byte(k), canaries)...)
		out, err := c.GetObject(sdkCtx(t), &s3.GetObjectInput{Bucket: &sg.S3Bucket, Key: &k})
		if err != nil {
			t.Fatalf("upstream GET %s: %v", k, err)
		}
		b, err := io.ReadAll(out.Body)
		_ = out.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, search("upstream object "+k, b, canaries)...)
		var md strings.Builder
		for mk, mv := range out.Metadata {
			md.WriteString(mk + "=" + mv + "\n")
		}
		md.WriteString(aws.ToString(out.ContentType))
		found = append(found, search("upstream metadata of "+k, []byte(md.String()), canaries)...)
	}
	t.Logf("searched %d upstream objects", len(keys))
	return found
}

func search(where string, b []byte, canaries []string) []string {
	var found []string
	lower := bytes.ToLower(b)
	for _, c := range canaries {
		if bytes.Contains(b, []byte(c)) || bytes.Contains(lower, []byte(strings.ToLower(c))) {
			found = append(found, fmt.Sprintf("%s contains %q", where, c))
		}
	}
	return found
}
