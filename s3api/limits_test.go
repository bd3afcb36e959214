package s3api

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
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
