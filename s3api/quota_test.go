package s3api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"

	"github.com/sealgate/sealgate/gateway"
)

// fullNS is a namespace whose account is over its quota: writes are
// refused as the gateway refuses them; deletes go through.
type fullNS struct {
	gateway.Namespace
	full *atomic.Bool
}

var errFull = fmt.Errorf("%w: 1000 of 1000 bytes in use, 5 more asked", gateway.ErrQuotaExceeded)

func (f fullNS) PutObject(ctx context.Context, b, k string, r io.Reader, n int64, o gateway.PutOptions) (gateway.ObjectInfo, error) {
	if f.full.Load() {
		return gateway.ObjectInfo{}, errFull
	}
	return f.Namespace.PutObject(ctx, b, k, r, n, o)
}

// TestQuotaExceeded: a write over the account's quota answers 403
// QuotaExceeded with a message that says what to do, and is not retried
// by the SDK; a delete still succeeds.
func TestQuotaExceeded(t *testing.T) {
	gw := realGateway(t)
	var full atomic.Bool
	e := newEnv(t, envOpts{newNS: func(t *testing.T, user string) Namespace {
		return fullNS{gw(t, user), &full}
	}})
	c := e.aliceClient(t)
	mustBucket(t, c, "quota")
	mustPut(t, c, "quota", "old", "data")
	full.Store(true)
	ctx := context.Background()
	_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("quota"), Key: aws.String("k"), Body: strings.NewReader("hello")})
	wantCode(t, err, "QuotaExceeded", 403)
	var ae smithy.APIError
	if !errors.As(err, &ae) || !strings.Contains(ae.ErrorMessage(), "quota") {
		t.Fatalf("message %v, want one naming the quota", err)
	}
	if _, err := c.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String("quota"), Key: aws.String("old")}); err != nil {
		t.Fatalf("delete over quota: %v", err)
	}
}
