package s3api

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/gateway"
)

// sourceCountingNS counts the reads a door makes of its namespace besides
// UploadPartCopy's own.
type sourceCountingNS struct {
	gateway.Namespace
	heads, gets, copies atomic.Int64
}

func (c *sourceCountingNS) HeadObject(ctx context.Context, b, k string, o gateway.GetOptions) (gateway.ObjectInfo, error) {
	c.heads.Add(1)
	return c.Namespace.HeadObject(ctx, b, k, o)
}

func (c *sourceCountingNS) GetObject(ctx context.Context, b, k string, o gateway.GetOptions) (*gateway.ObjectReader, error) {
	c.gets.Add(1)
	return c.Namespace.GetObject(ctx, b, k, o)
}

func (c *sourceCountingNS) UploadPartCopy(ctx context.Context, b, k, id string, part int, sb, sk string, o gateway.GetOptions, dst *[32]byte) (gateway.PartInfo, error) {
	c.copies.Add(1)
	return c.Namespace.UploadPartCopy(ctx, b, k, id, part, sb, sk, o, dst)
}

// TestUploadPartCopyOneRead: with an x-amz-copy-source-range the door makes
// no read of the source of its own (no HEAD, no ETag pinned behind the
// client's back): the namespace's UploadPartCopy is the only call, and it
// checks the range. A range past the source's end is still 416
// InvalidRange; a malformed one is 400 InvalidArgument before any read.
func TestUploadPartCopyOneRead(t *testing.T) {
	var counter *sourceCountingNS
	gw := realGateway(t)
	e := newEnv(t, envOpts{newNS: func(t *testing.T, user string) Namespace {
		ns := &sourceCountingNS{Namespace: gw(t, user)}
		if user == "alice" {
			counter = ns
		}
		return ns
	}})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "pcopy")
	src := string(payload(100 << 10))
	mustPut(t, c, "pcopy", "src", src)
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("pcopy"), Key: aws.String("dst")})
	if err != nil {
		t.Fatal(err)
	}
	copyPart := func(part int32, rng string) error {
		counter.heads.Store(0)
		counter.gets.Store(0)
		counter.copies.Store(0)
		_, err := c.UploadPartCopy(ctx, &s3.UploadPartCopyInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"), UploadId: cr.UploadId,
			PartNumber: aws.Int32(part), CopySource: aws.String("pcopy/src"), CopySourceRange: aws.String(rng)})
		return err
	}
	calls := func() (int64, int64, int64) { return counter.heads.Load(), counter.gets.Load(), counter.copies.Load() }

	if err := copyPart(1, "bytes=100-1099"); err != nil {
		t.Fatal(err)
	}
	if h, g, n := calls(); h != 0 || g != 0 || n != 1 {
		t.Fatalf("in-range copy: %d HeadObject, %d GetObject, %d UploadPartCopy; want 0, 0, 1", h, g, n)
	}
	for _, rng := range []string{"bytes=0-102400", "bytes=102400-102401", "bytes=100-99999999"} {
		// AWS's InvalidArgument names the source's size: one HeadObject
		// after the refused copy, on this error path only.
		wantCode(t, copyPart(2, rng), "InvalidArgument", 400)
		if h, g, n := calls(); h != 1 || g != 0 || n != 1 {
			t.Fatalf("%s: %d HeadObject, %d GetObject, %d UploadPartCopy; want 1, 0, 1", rng, h, g, n)
		}
	}
	for _, rng := range []string{"bytes=5-", "bytes=-5", "bytes=9-3", "5-9"} {
		wantCode(t, copyPart(2, rng), "InvalidArgument", 400)
		if h, g, n := calls(); h != 0 || g != 0 || n != 0 {
			t.Fatalf("%s: %d HeadObject, %d GetObject, %d UploadPartCopy; want none", rng, h, g, n)
		}
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("pcopy"), Key: aws.String("dst"), UploadId: cr.UploadId})
	if err != nil || len(lp.Parts) != 1 || aws.ToInt64(lp.Parts[0].Size) != 1000 {
		t.Fatalf("ListParts after refused copies: %v %+v", err, lp)
	}
}
