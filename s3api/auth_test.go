package s3api

import (
	"bufio"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Every bad input gets its S3 error and leaves the previous object intact.
func TestBadInputsKeepObject(t *testing.T) { testBadInputsKeepObject(t, envOpts{}) }

func testBadInputsKeepObject(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "keep")
	mustPut(t, c, "keep", "k", "original")
	put := func(cl *s3.Client, in s3.PutObjectInput) error {
		in.Bucket, in.Key = aws.String("keep"), aws.String("k")
		if in.Body == nil {
			in.Body = strings.NewReader("replacement")
		}
		_, err := cl.PutObject(ctx, &in)
		return err
	}
	bigMeta := map[string]string{"big": strings.Repeat("m", 2100)}
	tests := []struct {
		name   string
		err    error
		code   string
		status int
	}{
		{"wrong secret", put(e.client(t, aliceAK, "wrong"), s3.PutObjectInput{}), "SignatureDoesNotMatch", 403},
		{"unknown key", put(e.client(t, "AKIANOBODY000000", "x"), s3.PutObjectInput{}), "InvalidAccessKeyId", 403},
		{"bad content-md5", put(c, s3.PutObjectInput{ContentMD5: aws.String("1B2M2Y8AsgTpgAmY7PhCfg==")}), "BadDigest", 400},
		{"invalid content-md5", put(c, s3.PutObjectInput{ContentMD5: aws.String("nope")}), "InvalidDigest", 400},
		{"metadata too large", put(c, s3.PutObjectInput{Metadata: bigMeta}), "MetadataTooLarge", 400},
		{"other region", put(e.client(t, aliceAK, aliceSK, func(o *s3.Options) { o.Region = "eu-west-1" }), s3.PutObjectInput{}), "AuthorizationHeaderMalformed", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantCode(t, tt.err, tt.code, tt.status)
			if got := mustGet(t, c, "keep", "k"); got != "original" {
				t.Fatalf("object changed to %q", got)
			}
		})
	}
}

func TestRegionMismatchNamesRegion(t *testing.T) {
	e := newEnv(t, envOpts{})
	req := mustReq(t, http.MethodGet, e.srv.URL+"/", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	resp := e.signedRegion(t, req, "eu-west-1")
	defer func() { _ = resp.Body.Close() }()
	var body apiError
	b, _ := io.ReadAll(resp.Body)
	if err := xml.Unmarshal(b, &body); err != nil || body.Region != "us-east-1" || resp.StatusCode != 400 {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}

func TestAnonymousAndTampered(t *testing.T) {
	e := newEnv(t, envOpts{})
	resp, err := e.srv.Client().Get(e.srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>AccessDenied</Code>") || !strings.Contains(string(b), "<RequestId>") {
		t.Fatalf("anonymous: %d %s", resp.StatusCode, b)
	}
	req := mustReq(t, http.MethodGet, e.srv.URL+"/", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	resp = e.signed(t, req, aliceAK, aliceSK)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("signed: %d", resp.StatusCode)
	}
	tampered := mustReq(t, http.MethodGet, e.srv.URL+"/", nil)
	tampered.Header = req.Header.Clone()
	a := tampered.Header.Get("Authorization")
	tampered.Header.Set("Authorization", a[:len(a)-4]+"0000")
	resp, err = e.srv.Client().Do(tampered)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "SignatureDoesNotMatch") {
		t.Fatalf("tampered: %d %s", resp.StatusCode, b)
	}
}

func TestClockSkewAndExpiredPresign(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "clk")
	mustPut(t, c, "clk", "k", "v")
	ps := s3.NewPresignClient(c)
	get, err := ps.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("clk"), Key: aws.String("k")},
		s3.WithPresignExpires(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	e.skew.Store(int64(time.Hour))
	_, err = c.ListBuckets(context.Background(), &s3.ListBucketsInput{})
	wantCode(t, err, "RequestTimeTooSkewed", 403)
	resp, err := e.srv.Client().Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>AccessDenied</Code><Message>Request has expired</Message>") {
		t.Fatalf("expired presign: %d %s", resp.StatusCode, b)
	}
}

func TestPresignedGetPut(t *testing.T) { testPresignedGetPut(t, envOpts{}) }

func testPresignedGetPut(t *testing.T, o envOpts) {
	e := newEnv(t, withDebug(o))
	c := e.aliceClient(t)
	mustBucket(t, c, "pre")
	ps := s3.NewPresignClient(c)
	put, err := ps.PresignPutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("pre"), Key: aws.String("k k")})
	if err != nil {
		t.Fatal(err)
	}
	req := mustReq(t, http.MethodPut, put.URL, strings.NewReader("presigned body"))
	for k, v := range put.SignedHeader {
		req.Header[k] = v
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("presigned PUT: %d", resp.StatusCode)
	}
	get, err := ps.PresignGetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("pre"), Key: aws.String("k k")})
	if err != nil {
		t.Fatal(err)
	}
	resp, err = e.srv.Client().Get(get.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(b) != "presigned body" {
		t.Fatalf("presigned GET: %d %q", resp.StatusCode, b)
	}
	if log := e.log.String(); !strings.Contains(log, "X-Amz-Signature=REDACTED") || strings.Contains(log, get.URL[strings.Index(get.URL, "X-Amz-Signature="):]) {
		t.Fatalf("presigned signature not redacted at debug:\n%s", log)
	}
}

// A body shorter than its Content-Length: the client half-closes after
// half the bytes; the server answers IncompleteBody and keeps the object.
func TestShortBodyKeepsObject(t *testing.T) { testShortBodyKeepsObject(t, envOpts{}) }

func testShortBodyKeepsObject(t *testing.T, o envOpts) {
	e := newEnv(t, o)
	c := e.aliceClient(t)
	mustBucket(t, c, "short")
	mustPut(t, c, "short", "k", "original")
	req := mustReq(t, http.MethodPut, e.srv.URL+"/short/k", nil)
	req.ContentLength = 100
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	e.sign(t, req, "us-east-1")
	u, _ := url.Parse(e.srv.URL)
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	fmt.Fprintf(conn, "PUT /short/k HTTP/1.1\r\nHost: %s\r\nContent-Length: 100\r\n", u.Host)
	for k, vs := range req.Header {
		fmt.Fprintf(conn, "%s: %s\r\n", k, vs[0])
	}
	fmt.Fprintf(conn, "\r\n%s", strings.Repeat("x", 50))
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 400 || !strings.Contains(string(b), "IncompleteBody") {
		t.Fatalf("short body: %d %s", resp.StatusCode, b)
	}
	if got := mustGet(t, c, "short", "k"); got != "original" {
		t.Fatalf("object changed to %q", got)
	}
}

func TestLogHasNoSecrets(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "logs")
	mustPut(t, c, "logs", "secret-key-name", "secret-body")
	_ = put404(c)
	log := e.log.String()
	for _, bad := range []string{aliceSK, "Signature=", "secret-key-name", "secret-body", "Credential="} {
		if strings.Contains(log, bad) {
			t.Errorf("log contains %q:\n%s", bad, log)
		}
	}
	if n := strings.Count(log, `"message":"s3"`); n != 3 {
		t.Errorf("%d access lines, want 3", n)
	}
}

func put404(c *s3.Client) error {
	_, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String("logs"), Key: aws.String("absent")})
	return err
}
