package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func TestPutGetHeadDelete(t *testing.T) { testPutGetHeadDelete(t, envOpts{}) }

func testPutGetHeadDelete(t *testing.T, o envOpts) {
	for _, tls := range []bool{false, true} {
		t.Run(fmt.Sprintf("tls=%v", tls), func(t *testing.T) {
			e := newEnv(t, withTLS(o, tls))
			c := e.aliceClient(t)
			ctx := context.Background()
			mustBucket(t, c, "docs")
			body := strings.Repeat("hello sealgate ", 5000)
			_, err := c.PutObject(ctx, &s3.PutObjectInput{
				Bucket: aws.String("docs"), Key: aws.String("dir/a b+c.txt"), Body: strings.NewReader(body),
				ContentType: aws.String("text/plain"), CacheControl: aws.String("no-cache"),
				Metadata: map[string]string{"color": "blue"}, ChecksumAlgorithm: types.ChecksumAlgorithmCrc32,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := mustGet(t, c, "docs", "dir/a b+c.txt"); got != body {
				t.Fatalf("body mismatch: %d bytes", len(got))
			}
			head, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: aws.String("dir/a b+c.txt"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := aws.ToString(head.ETag), `"`+md5hex(body)+`"`; got != want {
				t.Errorf("ETag %s, want %s", got, want)
			}
			if head.Metadata["color"] != "blue" || aws.ToString(head.ContentType) != "text/plain" || aws.ToString(head.CacheControl) != "no-cache" {
				t.Errorf("metadata lost: %v %v %v", head.Metadata, aws.ToString(head.ContentType), aws.ToString(head.CacheControl))
			}
			if aws.ToString(head.ChecksumCRC32) == "" {
				t.Errorf("no stored CRC32 with checksum mode enabled")
			}
			if aws.ToInt64(head.ContentLength) != int64(len(body)) {
				t.Errorf("ContentLength %d", aws.ToInt64(head.ContentLength))
			}
			// A ranged read carries no whole-object checksum (botocore would
			// check the range against it and fail, as S3 never sends it).
			rg, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("dir/a b+c.txt"),
				Range: aws.String("bytes=10-19"), ChecksumMode: types.ChecksumModeEnabled})
			if err != nil {
				t.Fatal(err)
			}
			_ = rg.Body.Close()
			if aws.ToString(rg.ChecksumCRC32) != "" {
				t.Errorf("ranged GET sent the whole object's checksum")
			}
			for k := range head.Metadata {
				if strings.HasPrefix(strings.ToLower(k), "x-amz") || k == "date" {
					t.Errorf("request header stored as metadata: %s", k)
				}
			}
			if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("docs"), Key: aws.String("dir/a b+c.txt")}); err != nil {
				t.Fatal(err)
			}
			_, err = c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("docs"), Key: aws.String("dir/a b+c.txt")})
			wantCode(t, err, "NotFound", 404)
			_, err = c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("docs"), Key: aws.String("nope")})
			wantCode(t, err, "NoSuchKey", 404)
		})
	}
}

func TestStoredMetaHasNoAmzHeaders(t *testing.T) {
	e := newEnv(t, envOpts{tls: true})
	c := e.aliceClient(t)
	mustBucket(t, c, "bkt1")
	mustPut(t, c, "bkt1", "k", "data")
	o := e.alice.(*fakeNS).buckets["bkt1"].objects["k"]
	for k := range o.info.Meta {
		if !contentHeaders[k] && !strings.HasPrefix(k, metaPrefix) {
			t.Errorf("stored header %q", k)
		}
	}
}

func TestRangeGet(t *testing.T) { testRangeGet(t, envOpts{}) }

func testRangeGet(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	mustBucket(t, c, "rng")
	body := "0123456789"
	mustPut(t, c, "rng", "k", body)
	tests := []struct {
		rng, want, contentRange string
		code                    string
	}{
		{"bytes=0-4", "01234", "bytes 0-4/10", ""},
		{"bytes=5-", "56789", "bytes 5-9/10", ""},
		{"bytes=-3", "789", "bytes 7-9/10", ""},
		{"bytes=-100", body, "bytes 0-9/10", ""},
		{"bytes=3-1000", "3456789", "bytes 3-9/10", ""},
		{"bytes=9-9", "9", "bytes 9-9/10", ""},
		{"bytes=10-", "", "", "InvalidRange"},
		{"bytes=-0", "", "", "InvalidRange"},
		{"bytes=5-2", body, "", ""},
		{"items=0-1", body, "", ""},
		{"bytes=0-1,3-4", body, "", ""},
		{"bytes= -1", body, "", ""}, // a space: malformed, served whole as S3 does
	}
	for _, tt := range tests {
		t.Run(tt.rng, func(t *testing.T) {
			out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String(tt.rng)})
			if tt.code != "" {
				wantCode(t, err, tt.code, 416)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(out.Body)
			_ = out.Body.Close()
			if string(got) != tt.want || aws.ToString(out.ContentRange) != tt.contentRange {
				t.Fatalf("got %q range %q, want %q %q", got, aws.ToString(out.ContentRange), tt.want, tt.contentRange)
			}
			if aws.ToInt64(out.ContentLength) != int64(len(tt.want)) {
				t.Fatalf("Content-Length %d", aws.ToInt64(out.ContentLength))
			}
		})
	}
	t.Run("head", func(t *testing.T) {
		out, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("rng"), Key: aws.String("k"), Range: aws.String("bytes=2-3")})
		if err != nil || aws.ToInt64(out.ContentLength) != 2 || aws.ToString(out.ContentRange) != "bytes 2-3/10" {
			t.Fatalf("HEAD range: %v %v", err, out)
		}
	})
	t.Run("empty", func(t *testing.T) { testRangeEmpty(t, c) })
}

// testRangeEmpty: an empty object has no byte to range over: a suffix
// range (bytes=-N, N > 0) is served whole as a 200, as AWS does; any first
// byte, and bytes=-0, are 416 InvalidRange.
func testRangeEmpty(t *testing.T, c *s3.Client) {
	ctx := context.Background()
	for _, key := range []string{"empty", "dir/"} {
		mustPut(t, c, "rng", key, "")
		for _, tt := range []struct {
			rng  string
			code string
		}{
			{"bytes=-1", ""}, {"bytes=-100", ""}, {"bytes=abc", ""}, {"bytes=0-0,1-2", ""},
			{"bytes=0-0", "InvalidRange"}, {"bytes=0-", "InvalidRange"}, {"bytes=00-01", "InvalidRange"}, {"bytes=-0", "InvalidRange"},
		} {
			out, err := c.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String("rng"), Key: aws.String(key), Range: aws.String(tt.rng)})
			head, herr := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("rng"), Key: aws.String(key), Range: aws.String(tt.rng)})
			if tt.code != "" {
				wantCode(t, err, tt.code, 416)
				if herr == nil {
					t.Fatalf("%s %s: HEAD answered", key, tt.rng)
				}
				continue
			}
			if err != nil || herr != nil {
				t.Fatalf("%s %s: %v, HEAD %v", key, tt.rng, err, herr)
			}
			got, _ := io.ReadAll(out.Body)
			_ = out.Body.Close()
			if len(got) != 0 || out.ContentRange != nil || aws.ToInt64(out.ContentLength) != 0 || head.ContentRange != nil || aws.ToInt64(head.ContentLength) != 0 {
				t.Fatalf("%s %s: body %q, range %q, HEAD range %q", key, tt.rng, got, aws.ToString(out.ContentRange), aws.ToString(head.ContentRange))
			}
		}
	}
}

func TestNotModifiedCarriesETag(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "nmod")
	etag := mustPut(t, c, "nmod", "k", "v")
	req := mustReq(t, http.MethodGet, e.srv.URL+"/nmod/k", nil)
	req.Header.Set("If-None-Match", etag)
	resp := e.signed(t, req, aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 304 || resp.Header.Get("ETag") != etag {
		t.Fatalf("%d %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
}

func TestConditionalGet(t *testing.T) { testConditionalGet(t, envOpts{}) }

func testConditionalGet(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	mustBucket(t, c, "cnd")
	etag := mustPut(t, c, "cnd", "k", "v1")
	past, future := time.Now().Add(-time.Hour), time.Now().Add(time.Hour)
	tests := []struct {
		name string
		in   s3.GetObjectInput
		code string
		st   int
	}{
		{"if-match ok", s3.GetObjectInput{IfMatch: aws.String(etag)}, "", 200},
		{"if-match bad", s3.GetObjectInput{IfMatch: aws.String(`"0000"`)}, "PreconditionFailed", 412},
		{"if-none-match hit", s3.GetObjectInput{IfNoneMatch: aws.String(etag)}, "NotModified", 304},
		{"if-none-match miss", s3.GetObjectInput{IfNoneMatch: aws.String(`"0000"`)}, "", 200},
		{"if-modified-since future", s3.GetObjectInput{IfModifiedSince: aws.Time(future)}, "NotModified", 304},
		{"if-modified-since past", s3.GetObjectInput{IfModifiedSince: aws.Time(past)}, "", 200},
		{"if-unmodified-since past", s3.GetObjectInput{IfUnmodifiedSince: aws.Time(past)}, "PreconditionFailed", 412},
		{"if-match beats if-unmodified-since", s3.GetObjectInput{IfMatch: aws.String(etag), IfUnmodifiedSince: aws.Time(past)}, "", 200},
		{"range with if-match bad", s3.GetObjectInput{IfMatch: aws.String(`"0000"`), Range: aws.String("bytes=0-0")}, "PreconditionFailed", 412},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket, in.Key = aws.String("cnd"), aws.String("k")
			out, err := c.GetObject(context.Background(), &in)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				_ = out.Body.Close()
				return
			}
			wantCode(t, err, tt.code, tt.st)
		})
	}
}

func TestConditionalPut(t *testing.T) { testConditionalPut(t, envOpts{}) }

func testConditionalPut(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "cnd")
	etag := mustPut(t, c, "cnd", "k", "v1")
	put := func(in s3.PutObjectInput) error {
		in.Bucket, in.Key, in.Body = aws.String("cnd"), aws.String("k"), strings.NewReader("v2")
		_, err := c.PutObject(ctx, &in)
		return err
	}
	wantCode(t, put(s3.PutObjectInput{IfNoneMatch: aws.String("*")}), "PreconditionFailed", 412)
	wantCode(t, put(s3.PutObjectInput{IfMatch: aws.String(`"00000000000000000000000000000000"`)}), "PreconditionFailed", 412)
	if got := mustGet(t, c, "cnd", "k"); got != "v1" {
		t.Fatalf("failed conditional put changed the object: %q", got)
	}
	if err := put(s3.PutObjectInput{IfMatch: aws.String(etag)}); err != nil {
		t.Fatal(err)
	}
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("cnd"), Key: aws.String("new"), Body: strings.NewReader("x"), IfNoneMatch: aws.String("*")})
	if err != nil {
		t.Fatal(err)
	}
}

func TestResponseOverrides(t *testing.T) { testResponseOverrides(t, envOpts{}) }

func testResponseOverrides(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	mustBucket(t, c, "ovr")
	mustPut(t, c, "ovr", "k", "x")
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("ovr"), Key: aws.String("k"),
		ResponseContentType: aws.String("image/png"), ResponseContentDisposition: aws.String("attachment"),
		ResponseCacheControl: aws.String("max-age=1")})
	if err != nil {
		t.Fatal(err)
	}
	_ = out.Body.Close()
	if aws.ToString(out.ContentType) != "image/png" || aws.ToString(out.ContentDisposition) != "attachment" || aws.ToString(out.CacheControl) != "max-age=1" {
		t.Fatalf("overrides not applied: %v %v %v", aws.ToString(out.ContentType), aws.ToString(out.ContentDisposition), aws.ToString(out.CacheControl))
	}
}

func TestCopyObject(t *testing.T) { testCopyObject(t, envOpts{}) }

func testCopyObject(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "src")
	mustBucket(t, c, "dst")
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("src"), Key: aws.String("a/ü k"), Body: strings.NewReader("payload"),
		ContentType: aws.String("text/x-src"), Metadata: map[string]string{"m": "src"}})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		in        s3.CopyObjectInput
		wantMeta  string
		wantType  string
		wantError string
	}{
		{"copy", s3.CopyObjectInput{}, "src", "text/x-src", ""},
		{"replace", s3.CopyObjectInput{MetadataDirective: types.MetadataDirectiveReplace, Metadata: map[string]string{"m": "new"}, ContentType: aws.String("text/x-new")}, "new", "text/x-new", ""},
		{"source if-match fails", s3.CopyObjectInput{CopySourceIfMatch: aws.String(`"nope"`)}, "", "", "PreconditionFailed"},
		{"source if-none-match fails", s3.CopyObjectInput{CopySourceIfNoneMatch: aws.String(`"` + md5hex("payload") + `"`)}, "", "", "PreconditionFailed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.Bucket, in.Key, in.CopySource = aws.String("dst"), aws.String(tt.name), aws.String("src/a/%C3%BC%20k")
			out, err := c.CopyObject(ctx, &in)
			if tt.wantError != "" {
				wantCode(t, err, tt.wantError, 412)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if aws.ToString(out.CopyObjectResult.ETag) != `"`+md5hex("payload")+`"` {
				t.Errorf("copy ETag %s", aws.ToString(out.CopyObjectResult.ETag))
			}
			h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("dst"), Key: aws.String(tt.name)})
			if err != nil {
				t.Fatal(err)
			}
			if h.Metadata["m"] != tt.wantMeta || aws.ToString(h.ContentType) != tt.wantType {
				t.Errorf("meta %v type %s", h.Metadata, aws.ToString(h.ContentType))
			}
		})
	}
	_, err = c.CopyObject(ctx, &s3.CopyObjectInput{Bucket: aws.String("src"), Key: aws.String("a/ü k"), CopySource: aws.String("src/a/%C3%BC%20k")})
	wantCode(t, err, "InvalidRequest", 400)
}

// failingNS serves objects whose body fails after some bytes.
type failingNS struct {
	*fakeNS
}

type failAfter struct {
	r io.Reader
}

func (f *failAfter) Read(p []byte) (int, error) {
	n, err := f.r.Read(p)
	if err == io.EOF {
		return n, fmt.Errorf("upstream: authentication failed mid-body")
	}
	return n, err
}

func (f failingNS) GetObject(ctx context.Context, b, k string, o Options) (*ObjectReader, error) {
	or, err := f.fakeNS.GetObject(ctx, b, k, o)
	if err != nil {
		return nil, err
	}
	data, _ := io.ReadAll(or.Body)
	or.Body = io.NopCloser(&failAfter{bytes.NewReader(data[:len(data)/2])})
	return or, nil
}

func TestGetAbortsOnMidBodyFailure(t *testing.T) {
	fake := newFakeNS()
	e := newEnv(t, envOpts{newNS: func(*testing.T, string) Namespace { return failingNS{fake} }})
	c := e.aliceClient(t)
	mustBucket(t, c, "fail")
	mustPut(t, c, "fail", "k", strings.Repeat("x", 200000))
	resp := e.signed(t, mustReq(t, http.MethodGet, e.srv.URL+"/fail/k", nil), aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if _, err := io.ReadAll(resp.Body); err == nil {
		t.Fatal("truncated body read without error: the response must be aborted")
	}
}

// TestBadRangeOnMissingKey: an unsatisfiable Range on a key that does not
// exist is NoSuchKey, not InvalidRange; on one that exists, 416 with the size.
func TestBadRangeOnMissingKey(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "rng")
	mustPut(t, c, "rng", "k", "v")
	for _, tc := range []struct {
		key    string
		status int
		cr     string
	}{{"missing", 404, ""}, {"k", 416, "bytes */1"}} {
		req := mustReq(t, http.MethodGet, e.srv.URL+"/rng/"+tc.key, nil)
		req.Header.Set("Range", "bytes=-0")
		resp := e.signed(t, req, aliceAK, aliceSK)
		_ = resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Range") != tc.cr {
			t.Fatalf("%s: %d %q; want %d %q", tc.key, resp.StatusCode, resp.Header.Get("Content-Range"), tc.status, tc.cr)
		}
	}
}
