package s3api

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/internal/disconnect"
	"github.com/sealgate/sealgate/internal/faultcheck"
	"github.com/sealgate/sealgate/internal/faultstore"
)

// faultyEnv is a door over the real gateway over a fault-injecting mem
// store (no rule yet), with alice's client and her bucket "faulty".
func faultyEnv(t *testing.T, seed uint64) (*testEnv, *s3.Client, *faultstore.Store) {
	t.Helper()
	fs := faultstore.New(mem.New(), seed)
	e := newEnv(t, envOpts{newNS: realGatewayOn(t, fs)})
	c := e.client(t, aliceAK, aliceSK, func(o *s3.Options) { o.HTTPClient = waitingClient(e) })
	mustBucket(t, c, "faulty")
	return e, c, fs
}

// waitingClient is the test server's client made to wait for "100
// Continue" before it sends a body it announced with Expect: 100-continue,
// as botocore does. aws-sdk-go-v2 sends that header for bodies over 2 MB
// but builds its requests without a protocol version, so Go's transport
// never waits: an upload refused before its body is read (an upstream
// failure while the upload's state is loaded) then ends in a connection
// reset, which the SDK retries, instead of the door's answer. The wait is
// long, so that the test does not depend on timing.
func waitingClient(e *testEnv) *http.Client {
	tr := e.srv.Client().Transport.(*http.Transport).Clone()
	tr.ExpectContinueTimeout = time.Minute
	return &http.Client{Transport: http11{tr}}
}

// http11 marks requests HTTP/1.1, which Go's transport requires before it
// waits for "100 Continue".
type http11 struct{ rt http.RoundTripper }

func (h http11) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Proto, r.ProtoMajor, r.ProtoMinor = "HTTP/1.1", 1, 1
	return h.rt.RoundTrip(r)
}

// TestFaultsThroughTheDoor runs the random workload of faultcheck through
// the S3 door, with the AWS SDK (no retries), over an upstream that fails
// in every way faultstore knows; then, faults off, every object must read
// back whole. On top of faultcheck's checks, sdkTarget.Classify holds every
// error to what clients need: an upstream failure is a 500 InternalError
// or a 503 ServiceUnavailable with Retry-After, which the SDK's standard
// retryer retries; a full upstream is a 507 InsufficientStorage, which it
// does not; no upstream failure is a 4xx.
func TestFaultsThroughTheDoor(t *testing.T) {
	for _, seed := range []uint64{1, 2} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			_, c, fs := faultyEnv(t, seed)
			for _, op := range []faultstore.Op{faultstore.OpPut, faultstore.OpGet, faultstore.OpStat, faultstore.OpList, faultstore.OpDelete} {
				fs.Add(faultstore.Rule{Op: op, Fault: faultstore.Error, Prob: 0.05})
			}
			fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: faultstore.Reset, Prob: 0.05, After: -1})
			fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: faultstore.Short, Prob: 0.05, After: -1})
			fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.Reset, Prob: 0.05, After: -1})
			fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 0.05, After: -1})
			tg := &sdkTarget{t: t, c: c, bucket: "faulty"}
			o, stats := faultcheck.Run(t, tg, faultcheck.Config{
				Seed: seed, Ops: 200, Keys: []string{"a", "dir/b", "dir/sub/c", "d"},
				Sizes:    []int{0, 1, 1000, 64 << 10, 150_000},
				PartSize: 5 << 20, Multiparts: 1, NoSpace: true,
			})
			fs.Clear()
			faultcheck.Verify(t, tg, o)
			t.Log(stats, "; aborted bodies:", tg.aborted)
			if stats.Errors[faultcheck.Upstream] == 0 || stats.Errors[faultcheck.NoSpace] == 0 {
				t.Errorf("the run saw no upstream or no-space error: %v", stats)
			}
		})
	}
}

// errBodyAborted: the door cut a GET's body (after its header) short.
var errBodyAborted = errors.New("GET body aborted")

// sdkTarget is the door, through aws-sdk-go-v2, as a faultcheck.Target.
type sdkTarget struct {
	t       *testing.T
	c       *s3.Client
	bucket  string
	aborted int // GET bodies the door aborted
}

var ctxBG = context.Background()

func (s *sdkTarget) Put(key string, data []byte) (string, error) {
	out, err := s.c.PutObject(ctxBG, &s3.PutObjectInput{Bucket: &s.bucket, Key: &key, Body: bytes.NewReader(data)})
	if err != nil {
		return "", err
	}
	return unquoteETag(aws.ToString(out.ETag)), nil
}

func (s *sdkTarget) Multipart(key string, parts [][]byte) (string, error) {
	up, err := s.c.CreateMultipartUpload(ctxBG, &s3.CreateMultipartUploadInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return "", err
	}
	abort := func() {
		_, _ = s.c.AbortMultipartUpload(ctxBG, &s3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: up.UploadId})
	}
	var done []types.CompletedPart
	for i, p := range parts {
		n := int32(i + 1)
		out, err := s.c.UploadPart(ctxBG, &s3.UploadPartInput{Bucket: &s.bucket, Key: &key, UploadId: up.UploadId,
			PartNumber: &n, Body: bytes.NewReader(p)})
		if err != nil {
			abort()
			return "", err
		}
		done = append(done, types.CompletedPart{PartNumber: &n, ETag: out.ETag})
	}
	out, err := s.c.CompleteMultipartUpload(ctxBG, &s3.CompleteMultipartUploadInput{Bucket: &s.bucket, Key: &key,
		UploadId: up.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: done}})
	if err != nil {
		abort()
		return "", err
	}
	return unquoteETag(aws.ToString(out.ETag)), nil
}

func (s *sdkTarget) Get(key string, start, end int64) ([]byte, error) {
	in := &s3.GetObjectInput{Bucket: &s.bucket, Key: &key}
	switch {
	case end >= 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-%d", start, end))
	case start > 0:
		in.Range = aws.String(fmt.Sprintf("bytes=%d-", start))
	}
	out, err := s.c.GetObject(ctxBG, in)
	if err != nil {
		return nil, err
	}
	defer func() { _ = out.Body.Close() }()
	var got bytes.Buffer
	if _, err := io.Copy(&got, out.Body); err != nil {
		s.aborted++
		return got.Bytes(), fmt.Errorf("%w: %w", errBodyAborted, err)
	}
	return got.Bytes(), nil
}

func (s *sdkTarget) Head(key string) (int64, string, error) {
	out, err := s.c.HeadObject(ctxBG, &s3.HeadObjectInput{Bucket: &s.bucket, Key: &key})
	if err != nil {
		return 0, "", err
	}
	return aws.ToInt64(out.ContentLength), unquoteETag(aws.ToString(out.ETag)), nil
}

func (s *sdkTarget) List() ([]faultcheck.Object, error) {
	var out []faultcheck.Object
	p := s3.NewListObjectsV2Paginator(s.c, &s3.ListObjectsV2Input{Bucket: &s.bucket, MaxKeys: aws.Int32(2)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctxBG)
		if err != nil {
			return nil, err
		}
		for _, o := range page.Contents {
			out = append(out, faultcheck.Object{Key: aws.ToString(o.Key), Size: aws.ToInt64(o.Size), ETag: unquoteETag(aws.ToString(o.ETag))})
		}
	}
	return out, nil
}

func (s *sdkTarget) Copy(src, dst string) (string, error) {
	out, err := s.c.CopyObject(ctxBG, &s3.CopyObjectInput{Bucket: &s.bucket, Key: &dst, CopySource: aws.String(s.bucket + "/" + src)})
	if err != nil {
		return "", err
	}
	return unquoteETag(aws.ToString(out.CopyObjectResult.ETag)), nil
}

func (s *sdkTarget) Delete(key string) error {
	_, err := s.c.DeleteObject(ctxBG, &s3.DeleteObjectInput{Bucket: &s.bucket, Key: &key})
	return err
}

// Classify holds the door's answer to what clients need (see
// TestFaultsThroughTheDoor) and classifies it.
func (s *sdkTarget) Classify(err error) faultcheck.Kind {
	s.t.Helper()
	if errors.Is(err, errBodyAborted) {
		return faultcheck.Upstream
	}
	var re *smithyhttp.ResponseError
	if !errors.As(err, &re) {
		// No answer at all: a response aborted before its header reached
		// the client. The SDK must retry that too.
		var se *smithyhttp.RequestSendError
		if errors.As(err, &se) && retry.NewStandard().IsErrorRetryable(err) {
			return faultcheck.Upstream
		}
		return faultcheck.Other
	}
	code := ""
	if ae := smithy.APIError(nil); errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	retryable := retry.NewStandard().IsErrorRetryable(err)
	switch status := re.HTTPStatusCode(); {
	case status == 404:
		return faultcheck.NotFound
	case status == 500 || status == 503:
		if !retryable {
			s.t.Errorf("%d %s: the SDK would not retry it", status, code)
		}
		if status == 503 && re.Response.Header.Get("Retry-After") == "" {
			s.t.Errorf("503 %s without Retry-After", code)
		}
		return faultcheck.Upstream
	case status == 507:
		if retryable || (code != "InsufficientStorage" && code != "") {
			s.t.Errorf("507 %s (retryable: %v), want InsufficientStorage, not retried", code, retryable)
		}
		return faultcheck.NoSpace
	}
	return faultcheck.Other
}

// TestUpstreamFailureAnswers: per operation and fault, the status, code
// and Retry-After the door answers, including the operations gofakes3
// serves (DeleteObject), HEAD (no body) and an upload part.
func TestUpstreamFailureAnswers(t *testing.T) {
	_, c, fs := faultyEnv(t, 1)
	mustPut(t, c, "faulty", "k", "data")
	up, err := c.CreateMultipartUpload(ctxBG, &s3.CreateMultipartUploadInput{Bucket: aws.String("faulty"), Key: aws.String("mp")})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		op     faultstore.Op
		fault  faultstore.Fault
		call   func() error
		status int
		code   string
	}{
		{"put/unavailable", faultstore.OpPut, faultstore.Error, func() error { return putErr(c, "k") }, 503, "ServiceUnavailable"},
		{"put/reset", faultstore.OpPut, faultstore.Reset, func() error { return putErr(c, "k") }, 503, "ServiceUnavailable"},
		{"put/no space", faultstore.OpPut, faultstore.NoSpace, func() error { return putErr(c, "k") }, 507, "InsufficientStorage"},
		{"part/no space", faultstore.OpPut, faultstore.NoSpace, func() error {
			_, err := c.UploadPart(ctxBG, &s3.UploadPartInput{Bucket: aws.String("faulty"), Key: aws.String("mp"),
				UploadId: up.UploadId, PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("part"))})
			return err
		}, 507, "InsufficientStorage"},
		{"get/unavailable", faultstore.OpGet, faultstore.Error, func() error { _, err := (&sdkTarget{t: t, c: c, bucket: "faulty"}).Get("k", 0, -1); return err }, 503, "ServiceUnavailable"},
		{"head/unavailable", faultstore.OpStat, faultstore.Error, func() error {
			_, err := c.HeadObject(ctxBG, &s3.HeadObjectInput{Bucket: aws.String("faulty"), Key: aws.String("k")})
			return err
		}, 503, ""},
		{"delete/unavailable", faultstore.OpDelete, faultstore.Error, func() error {
			_, err := c.DeleteObject(ctxBG, &s3.DeleteObjectInput{Bucket: aws.String("faulty"), Key: aws.String("k")})
			return err
		}, 503, "ServiceUnavailable"},
		{"list/unavailable", faultstore.OpList, faultstore.Error, func() error {
			_, err := c.ListObjectsV2(ctxBG, &s3.ListObjectsV2Input{Bucket: aws.String("faulty")})
			return err
		}, 503, "ServiceUnavailable"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			fs.Add(faultstore.Rule{Op: tc.op, Fault: tc.fault, Prob: 1})
			defer fs.Clear()
			err := tc.call()
			var re *smithyhttp.ResponseError
			if !errors.As(err, &re) || re.HTTPStatusCode() != tc.status {
				t.Fatalf("got %v, want HTTP %d", err, tc.status)
			}
			if tc.code != "" {
				wantCode(t, err, tc.code, tc.status)
			}
			if got := re.Response.Header.Get("Retry-After"); (tc.status == 503) != (got != "") {
				t.Fatalf("Retry-After %q on a %d", got, tc.status)
			}
			if retries := retry.NewStandard().IsErrorRetryable(err); retries != (tc.status != 507) {
				t.Fatalf("the SDK's retryer retries a %d: %v", tc.status, retries)
			}
		})
	}
	if got := mustGet(t, c, "faulty", "k"); got != "data" {
		t.Fatalf("object after failed writes: %q", got)
	}
}

func putErr(c *s3.Client, key string) error {
	_, err := c.PutObject(ctxBG, &s3.PutObjectInput{Bucket: aws.String("faulty"), Key: &key, Body: bytes.NewReader(make([]byte, 100_000))})
	return err
}

// TestBodyFailureAborts: when the upstream fails after the response header
// went out (a reset, or a body that ends early), the door aborts the
// connection: the client gets a body error, never a complete-looking short
// 200, and the access log shows the failure's status, not the 200.
func TestBodyFailureAborts(t *testing.T) {
	tests := []struct {
		fault  faultstore.Fault
		status string // in the access log
		code   string
	}{
		{faultstore.Reset, `"status":503`, `"error":"ServiceUnavailable"`},
		{faultstore.Short, `"status":500`, `"error":"InternalError"`},
	}
	for _, tc := range tests {
		t.Run(string(tc.fault), func(t *testing.T) {
			e, c, fs := faultyEnv(t, 1)
			data := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // 320 kB: five chunks
			tg := &sdkTarget{t: t, c: c, bucket: "faulty"}
			if _, err := tg.Put("big", data); err != nil {
				t.Fatal(err)
			}
			// Past the first read (the prefix and first chunk) and the head
			// the door reads before its header, inside the chunk range.
			fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: tc.fault, Prob: 1, After: 150_000})
			got, err := tg.Get("big", 0, -1)
			if !errors.Is(err, errBodyAborted) {
				t.Fatalf("GET: %v after %d bytes, want a 200 whose body fails", err, len(got))
			}
			if len(got) >= len(data) || !bytes.HasPrefix(data, got) {
				t.Fatalf("GET returned %d bytes that are not a short prefix of the object", len(got))
			}
			var line string
			for _, l := range strings.Split(e.log.String(), "\n") {
				if strings.Contains(l, `"op":"GetObject"`) && strings.Contains(l, `"message":"s3"`) {
					line = l
				}
			}
			if !strings.Contains(line, tc.status) || !strings.Contains(line, tc.code) {
				t.Fatalf("access line %s, want %s %s", line, tc.status, tc.code)
			}
		})
	}
}

// TestFullStoreAnswersAWholeBodyClient: a client that writes its whole
// body before it reads the answer (as HTTP clients without "Expect:
// 100-continue" do) gets the 507 of an upload the upstream refused at its
// start, because the door reads the rest of the body. The body is larger
// than all the socket buffers between the two ends: had the door left it
// unread, net/http would close the connection and the client's writes
// would fail.
func TestFullStoreAnswersAWholeBodyClient(t *testing.T) {
	e, _, fs := faultyEnv(t, 1)
	fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1})
	const size = 24 << 20
	req := mustReq(t, http.MethodPut, e.srv.URL+"/faulty/big", nil)
	req.ContentLength = size
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	e.sign(t, req, "us-east-1")
	req.Body = io.NopCloser(io.LimitReader(zeros{}, size))
	conn := disconnect.Dial(t, e.srv.URL)
	_ = conn.SetDeadline(time.Now().Add(time.Minute))
	if err := req.Write(conn); err != nil {
		t.Fatalf("the door stopped reading the body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 507 || !strings.Contains(string(b), "InsufficientStorage") {
		t.Fatalf("status %s, want 507 InsufficientStorage: %s", resp.Status, b)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}
