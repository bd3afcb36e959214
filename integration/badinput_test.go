package integration

import (
	"bufio"
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// rawReq is one hand-made request for the bad input table.
type rawReq struct {
	method, path, query string
	body                []byte
	header              map[string]string
	secret, accessKey   string // "" : the account's
	region              string // "" : us-east-1
	signedBody          []byte // the body whose hash is signed; nil: body
	signTime            time.Time
	presignExpires      string // presign with this X-Amz-Expires instead of header auth
	after               func(*http.Request)
}

// send signs and sends r and returns the status and the S3 error code.
func send(t *testing.T, tg target, r rawReq) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	u := tg.Endpoint + r.path
	if r.query != "" {
		u += "?" + r.query
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u, bytes.NewReader(r.body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: tg.AccessKey, SecretAccessKey: tg.Secret}
	if r.secret != "" {
		creds.SecretAccessKey = r.secret
	}
	if r.accessKey != "" {
		creds.AccessKeyID = r.accessKey
	}
	region, when, signed := "us-east-1", time.Now(), r.body
	if r.region != "" {
		region = r.region
	}
	if !r.signTime.IsZero() {
		when = r.signTime
	}
	if r.signedBody != nil {
		signed = r.signedBody
	}
	sum := sha256.Sum256(signed)
	hash := hex.EncodeToString(sum[:])
	signer := v4.NewSigner(func(o *v4.SignerOptions) { o.DisableURIPathEscaping = true })
	if r.presignExpires != "" {
		q := req.URL.Query()
		q.Set("X-Amz-Expires", r.presignExpires)
		req.URL.RawQuery = q.Encode()
		signedURL, hdr, err := signer.PresignHTTP(ctx, creds, req, "UNSIGNED-PAYLOAD", "s3", region, when)
		if err != nil {
			t.Fatal(err)
		}
		if req, err = http.NewRequestWithContext(ctx, r.method, signedURL, bytes.NewReader(r.body)); err != nil {
			t.Fatal(err)
		}
		req.Header = hdr
	} else {
		req.Header.Set("X-Amz-Content-Sha256", hash)
		if err := signer.SignHTTP(ctx, creds, req, hash, "s3", region, when); err != nil {
			t.Fatal(err)
		}
	}
	if r.after != nil {
		r.after(req)
	}
	resp, err := httpClient(t, tg).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", r.method, r.path, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, xmlCode(b)
}

func b64md5(b []byte) string { s := md5.Sum(b); return base64.StdEncoding.EncodeToString(s[:]) }

// TestBadInput: each malformed or unauthenticated request gets its S3 error
// and leaves the previous object (and the bucket's listing) intact.
func TestBadInput(t *testing.T) {
	sg := startSealgate(t, "fs")
	tg, other := sg.HTTP[0], sg.HTTP[1]
	bucket := uniqueBucket("bad")
	sdkCreateBucket(t, tg, bucket)
	orig := randomBytes(7, 4000)
	key := "victim.bin"
	etag := sdkPut(t, tg, bucket, key, orig, map[string]string{"v": "1"})
	path := "/" + bucket + "/" + key
	evil := bytes.Repeat([]byte("E"), len(orig))
	up, err := sdkClient(t, tg).CreateMultipartUpload(sdkCtx(t), &s3.CreateMultipartUploadInput{Bucket: &bucket, Key: &key})
	if err != nil {
		t.Fatal(err)
	}
	bigMeta := strings.Repeat("m", 2100)
	malformed := []byte("<Delete><Object><Key>victim.bin</Key></Object")
	cases := []struct {
		name   string
		req    rawReq
		status int
		codes  []string
	}{
		// Controls: the same requests, well signed, succeed.
		{"control: signed GET", rawReq{method: "GET", path: path}, 200, []string{""}},
		{"control: presigned GET", rawReq{method: "GET", path: path, presignExpires: "300"}, 200, []string{""}},
		{"wrong secret", rawReq{method: "PUT", path: path, body: evil, secret: strings.Repeat("x", 40)},
			403, []string{"SignatureDoesNotMatch"}},
		{"unknown access key", rawReq{method: "PUT", path: path, body: evil, accessKey: "AKSGNOSUCHKEY0000000"},
			403, []string{"InvalidAccessKeyId"}},
		{"another user's key with own secret", rawReq{method: "PUT", path: path, body: evil, secret: other.Secret},
			403, []string{"SignatureDoesNotMatch"}},
		{"tampered signature", rawReq{method: "PUT", path: path, body: evil, after: func(r *http.Request) {
			a := r.Header.Get("Authorization")
			last := a[len(a)-1]
			r.Header.Set("Authorization", a[:len(a)-1]+map[bool]string{true: "1", false: "0"}[last == '0'])
		}}, 403, []string{"SignatureDoesNotMatch"}},
		{"body does not match signed hash", rawReq{method: "PUT", path: path, body: evil, signedBody: orig},
			400, []string{"XAmzContentSHA256Mismatch"}},
		{"clock skew", rawReq{method: "PUT", path: path, body: evil, signTime: time.Now().Add(-time.Hour)},
			403, []string{"RequestTimeTooSkewed"}},
		{"other region", rawReq{method: "PUT", path: path, body: evil, region: "eu-west-1"},
			400, []string{"AuthorizationHeaderMalformed"}},
		{"expired presign PUT", rawReq{method: "PUT", path: path, body: evil, presignExpires: "60",
			signTime: time.Now().Add(-10 * time.Minute)}, 403, []string{"AccessDenied"}},
		{"expired presign GET", rawReq{method: "GET", path: path, presignExpires: "60",
			signTime: time.Now().Add(-10 * time.Minute)}, 403, []string{"AccessDenied"}},
		{"bad Content-MD5", rawReq{method: "PUT", path: path, body: evil, header: map[string]string{"Content-MD5": b64md5(orig)}},
			400, []string{"BadDigest"}},
		{"invalid Content-MD5", rawReq{method: "PUT", path: path, body: evil, header: map[string]string{"Content-MD5": "bm90IG1kNQ=="}},
			400, []string{"InvalidDigest"}},
		{"bad x-amz-checksum-crc32", rawReq{method: "PUT", path: path, body: evil, header: map[string]string{"x-amz-checksum-crc32": "AAAAAA=="}},
			400, []string{"BadDigest", "InvalidRequest"}},
		{"oversize metadata", rawReq{method: "PUT", path: path, body: evil, header: map[string]string{"x-amz-meta-big": bigMeta}},
			400, []string{"MetadataTooLarge"}},
		{"malformed DeleteObjects XML", rawReq{method: "POST", path: "/" + bucket, query: "delete=", body: malformed,
			header: map[string]string{"Content-MD5": b64md5(malformed)}}, 400, []string{"MalformedXML"}},
		{"malformed CompleteMultipartUpload XML", rawReq{method: "POST", path: path, query: "uploadId=" + aws.ToString(up.UploadId),
			body: []byte("<CompleteMultipartUpload><Part><PartNumber>1")}, 400, []string{"MalformedXML"}},
		{"copy source of another user's syntax", rawReq{method: "PUT", path: path, header: map[string]string{"x-amz-copy-source": "/nosuch-bucket-zz/x"}},
			404, []string{"NoSuchBucket"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, code := send(t, tg, c.req)
			if status != c.status || !slices.Contains(c.codes, code) {
				t.Errorf("got %d %s, want %d %v", status, code, c.status, c.codes)
			}
			intact(t, tg, bucket, key, orig, etag)
		})
	}
	t.Run("body shorter than Content-Length", func(t *testing.T) {
		for _, unsigned := range []bool{false, true} {
			shortBody(t, tg, path, evil, unsigned)
			intact(t, tg, bucket, key, orig, etag)
		}
	})
}

// intact fails unless bucket holds exactly key with its original content.
func intact(t *testing.T, tg target, bucket, key string, orig []byte, etag string) {
	t.Helper()
	got, e := sdkGet(t, tg, bucket, key)
	if !bytes.Equal(got, orig) || e != etag {
		t.Errorf("previous object not intact: %d bytes, ETag %s (want %d, %s)", len(got), e, len(orig), etag)
	}
	if keys := sdkKeys(t, tg, bucket, ""); !slices.Equal(keys, []string{key}) {
		t.Errorf("bucket lists %q, want only %q", keys, key)
	}
}

// shortBody sends a signed PUT announcing len(body) bytes, sends half, and
// closes its side: no 2xx may come back.
func shortBody(t *testing.T, tg target, path string, body []byte, unsigned bool) {
	t.Helper()
	if tg.https() {
		t.Fatal("shortBody speaks plain HTTP")
	}
	req, err := http.NewRequest("PUT", tg.Endpoint+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hash := hex.EncodeToString(sum[:])
	if unsigned {
		hash = "UNSIGNED-PAYLOAD"
	}
	req.Header.Set("X-Amz-Content-Sha256", hash)
	creds := aws.Credentials{AccessKeyID: tg.AccessKey, SecretAccessKey: tg.Secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hash, "s3", "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	conn, err := net.DialTimeout("tcp", tg.hostPort(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	_ = conn.SetDeadline(time.Now().Add(20 * time.Second))
	req.Body = io.NopCloser(bytes.NewReader(body[:len(body)/2]))
	_ = req.Write(conn) // fails after the half body: ContentLength mismatch
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Logf("short body (unsigned=%v): no response (%v)", unsigned, err)
		return
	}
	_ = resp.Body.Close()
	t.Logf("short body (unsigned=%v): %s", unsigned, resp.Status)
	if resp.StatusCode < 400 {
		t.Errorf("short body (unsigned=%v): status %s, want an error", unsigned, resp.Status)
	}
}
