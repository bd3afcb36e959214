package s3api

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/testlog"
)

const (
	aliceAK, aliceSK = "AKIAALICE0000000", "alice-secret-0123456789"
	bobAK, bobSK     = "AKIABOB000000000", "bob-secret-0123456789"
)

type testUsers map[string]User

func (u testUsers) ByAccessKey(ak string) (User, error) {
	if x, ok := u[ak]; ok {
		return x, nil
	}
	return User{}, gateway.ErrNoSuchUser
}

type testEnv struct {
	srv   *httptest.Server
	alice Namespace
	bob   Namespace
	log   *testlog.Buffer
	skew  atomic.Int64 // server clock offset
}

// Namespace is the namespace type the tests keep (fake or real).
type Namespace = gateway.Namespace

type envOpts struct {
	tls     bool
	domains []string
	newNS   func(t *testing.T, user string) gateway.Namespace
	debug   bool // log at debug level (keys, redacted URLs)
	limiter *gateway.Limiter
	// keepAlive is Config.KeepAlive (0: the default).
	keepAlive time.Duration
	// observe is Config.Observe.
	observe gateway.Observer
}

func newEnv(t *testing.T, o envOpts) *testEnv {
	t.Helper()
	if o.newNS == nil {
		o.newNS = func(*testing.T, string) gateway.Namespace { return newFakeNS() }
	}
	e := &testEnv{log: &testlog.Buffer{}, alice: o.newNS(t, "alice"), bob: o.newNS(t, "bob")}
	users := testUsers{
		aliceAK: {Name: "alice", Secret: []byte(aliceSK), NS: e.alice},
		bobAK:   {Name: "bob", Secret: []byte(bobSK), NS: e.bob},
	}
	h, err := New(Config{Users: users, Domains: o.domains, Logger: zerolog.New(e.log).Level(logLevel(o.debug)),
		Now: func() time.Time { return time.Now().Add(time.Duration(e.skew.Load())) }, Limiter: o.limiter, KeepAlive: o.keepAlive, Observe: o.observe,
		CORS: usersCORS{e.alice, e.bob}})
	if err != nil {
		t.Fatal(err)
	}
	if o.tls {
		e.srv = httptest.NewTLSServer(h)
	} else {
		e.srv = httptest.NewServer(h)
	}
	t.Cleanup(e.srv.Close)
	e.dumpLogOnFailure(t)
	return e
}

func (e *testEnv) client(t *testing.T, ak, sk string, opts ...func(*s3.Options)) *s3.Client {
	t.Helper()
	o := s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(e.srv.URL), UsePathStyle: true,
		HTTPClient: e.srv.Client(), Retryer: aws.NopRetryer{},
		Credentials: credentials.NewStaticCredentialsProvider(ak, sk, ""),
	}
	for _, f := range opts {
		f(&o)
	}
	return s3.New(o)
}

func (e *testEnv) aliceClient(t *testing.T) *s3.Client {
	t.Helper()
	return e.client(t, aliceAK, aliceSK)
}

// mustBucket creates a bucket for alice.
func mustBucket(t *testing.T, c *s3.Client, name string) {
	t.Helper()
	if _, err := c.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(name)}); err != nil {
		t.Fatalf("CreateBucket %s: %v", name, err)
	}
}

func mustPut(t *testing.T, c *s3.Client, bucket, key, body string) string {
	t.Helper()
	out, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: strings.NewReader(body)})
	if err != nil {
		t.Fatalf("PutObject %s/%s: %v", bucket, key, err)
	}
	return aws.ToString(out.ETag)
}

func mustGet(t *testing.T, c *s3.Client, bucket, key string) string {
	t.Helper()
	out, err := c.GetObject(context.Background(), &s3.GetObjectInput{Bucket: aws.String(bucket), Key: aws.String(key)})
	if err != nil {
		t.Fatalf("GetObject %s/%s: %v", bucket, key, err)
	}
	defer func() { _ = out.Body.Close() }()
	var b bytes.Buffer
	if _, err := b.ReadFrom(out.Body); err != nil {
		t.Fatalf("GetObject %s/%s body: %v", bucket, key, err)
	}
	return b.String()
}

// wantCode checks that err is an S3 API error with the code (and HTTP
// status, if non-zero).
func wantCode(t *testing.T, err error, code string, status int) {
	t.Helper()
	if err == nil {
		t.Fatalf("want %s, got success", code)
	}
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got non-API error %v", code, err)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("want code %s, got %s (%v)", code, ae.ErrorCode(), err)
	}
	if status != 0 {
		var re interface{ HTTPStatusCode() int }
		if errors.As(err, &re) && re.HTTPStatusCode() != status {
			t.Fatalf("want status %d for %s, got %d", status, code, re.HTTPStatusCode())
		}
	}
}

// signed sends a raw request signed with SigV4 (UNSIGNED-PAYLOAD unless
// the caller set x-amz-content-sha256).
func (e *testEnv) signed(t *testing.T, req *http.Request, ak, sk string) *http.Response {
	t.Helper()
	if req.Header.Get("X-Amz-Content-Sha256") == "" {
		req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	}
	signAs(t, req, ak, sk, "us-east-1")
	return e.do(t, req)
}

// sign signs req as alice for region.
func (e *testEnv) sign(t *testing.T, req *http.Request, region string) {
	t.Helper()
	signAs(t, req, aliceAK, aliceSK, region)
}

func (e *testEnv) signedRegion(t *testing.T, req *http.Request, region string) *http.Response {
	t.Helper()
	e.sign(t, req, region)
	return e.do(t, req)
}

func signAs(t *testing.T, req *http.Request, ak, sk, region string) {
	t.Helper()
	s := v4.NewSigner()
	cred := aws.Credentials{AccessKeyID: ak, SecretAccessKey: sk}
	if err := s.SignHTTP(context.Background(), cred, req, req.Header.Get("X-Amz-Content-Sha256"), "s3", region, time.Now()); err != nil {
		t.Fatal(err)
	}
}

func (e *testEnv) do(t *testing.T, req *http.Request) *http.Response {
	t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	t.Cleanup(func() { _ = resp.Body.Close() })
	return resp
}

// dialTo returns an HTTP client that sends every request to addr, whatever
// the host (for virtual-host style).
func dialTo(addr string) *http.Client {
	d := &net.Dialer{}
	return &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
		return d.DialContext(ctx, network, addr)
	}}}
}

// Options and ObjectReader are short names for the tests' wrappers.
type (
	Options      = gateway.GetOptions
	ObjectReader = gateway.ObjectReader
)

func mustReq(t *testing.T, method, url string, body io.Reader) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// dumpLogOnFailure prints the server log when the test fails.
func (e *testEnv) dumpLogOnFailure(t *testing.T) {
	t.Helper()
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", e.log.String())
		}
	})
}

func logLevel(debug bool) zerolog.Level {
	if debug {
		return zerolog.DebugLevel
	}
	return zerolog.InfoLevel
}

func withTLS(o envOpts, tls bool) envOpts { o.tls = tls; return o }

func withDebug(o envOpts) envOpts { o.debug = true; return o }
