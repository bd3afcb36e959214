package s3api

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/sealgate/sealgate/gateway"
)

// TestSlowDown: over the in-flight limit, in total or per user, the door
// answers 503 SlowDown with Retry-After at once, and recovers when the
// load goes.
func TestSlowDown(t *testing.T) {
	l := gateway.NewLimiter(2, 1)
	e := newEnv(t, envOpts{limiter: l})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "lim")
	check := func(what string, wantSlow bool) {
		t.Helper()
		_, err := c.ListObjectsV2(ctx, &s3.ListObjectsV2Input{Bucket: aws.String("lim")})
		if !wantSlow {
			if err != nil {
				t.Fatalf("%s: %v", what, err)
			}
			return
		}
		wantCode(t, err, "SlowDown", 503)
		var re *smithyhttp.ResponseError
		if !errors.As(err, &re) || re.Response.Header.Get("Retry-After") == "" {
			t.Fatalf("%s: no Retry-After", what)
		}
	}
	userSlot, _ := l.EnterUser("alice")
	check("alice at her limit", true)
	userSlot()
	check("alice free", false)
	a, _ := l.Enter()
	b, _ := l.Enter()
	check("gateway at its limit", true)
	a()
	b()
	check("gateway free", false)
}

// TestAuthFailuresAreSlowed: after a few wrong signatures from one address,
// each further one is answered only after a delay.
func TestAuthFailuresAreSlowed(t *testing.T) {
	e := newEnv(t, envOpts{})
	bad := e.client(t, aliceAK, "wrong-secret-0123456789012345678901234567")
	ctx := context.Background()
	var last time.Duration
	for range 7 {
		start := time.Now()
		_, err := bad.ListBuckets(ctx, &s3.ListBucketsInput{})
		wantCode(t, err, "SignatureDoesNotMatch", 403)
		last = time.Since(start)
	}
	if last < 100*time.Millisecond {
		t.Fatalf("7th wrong signature answered in %v", last)
	}
}

// TestExpectContinueClosesConnection: an upload sent with Expect:
// 100-continue is answered with Connection: close (botocore stalls on the
// reused connection otherwise).
func TestExpectContinueClosesConnection(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "exp")
	var closed bool
	_, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("exp"), Key: aws.String("k"),
		Body: strings.NewReader("x")}, func(o *s3.Options) {
		o.APIOptions = append(o.APIOptions, smithyhttp.AddHeaderValue("Expect", "100-continue"),
			func(st *middleware.Stack) error {
				return st.Deserialize.Add(middleware.DeserializeMiddlewareFunc("peek", func(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
					out, md, err := next.HandleDeserialize(ctx, in)
					if r, ok := out.RawResponse.(*smithyhttp.Response); ok {
						closed = r.Close || r.Header.Get("Connection") == "close"
					}
					return out, md, err
				}), middleware.After)
			})
	})
	if err != nil || !closed {
		t.Fatalf("PUT with Expect: %v, connection closed %v", err, closed)
	}
}

// TestEmptyUploadIDRefused: "?uploadId=" is not a plain object request
// (review L1: a DELETE with it deleted the object through gofakes3).
func TestEmptyUploadIDRefused(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	mustBucket(t, c, "upl")
	mustPut(t, c, "upl", "k", "keep")
	for _, m := range []string{http.MethodDelete, http.MethodGet} {
		req := mustReq(t, m, e.srv.URL+"/upl/k?uploadId=", nil)
		signAs(t, req, aliceAK, aliceSK, "us-east-1")
		resp := e.do(t, req)
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%s ?uploadId=: %d", m, resp.StatusCode)
		}
	}
	if got := mustGet(t, c, "upl", "k"); got != "keep" {
		t.Fatalf("object changed: %q", got)
	}
}
