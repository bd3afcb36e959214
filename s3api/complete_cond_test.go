package s3api

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// CompleteMultipartUpload takes a write's conditions (real gateway):
// If-Match (an absent key is NoSuchKey), If-None-Match "*" (any other
// value is NotImplemented), as PutObject does.
func TestCompleteConditions(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "mpcond")
	etag := mustPut(t, c, "mpcond", "obj", "old")
	complete := func(key string, ifMatch, ifNoneMatch *string) error {
		up, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpcond"), Key: aws.String(key)})
		if err != nil {
			t.Fatal(err)
		}
		p, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpcond"), Key: aws.String(key), UploadId: up.UploadId,
			PartNumber: aws.Int32(1), Body: strings.NewReader("part")})
		if err != nil {
			t.Fatal(err)
		}
		_, err = c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpcond"), Key: aws.String(key), UploadId: up.UploadId,
			MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{{PartNumber: aws.Int32(1), ETag: p.ETag}}},
			IfMatch:         ifMatch, IfNoneMatch: ifNoneMatch})
		return err
	}
	for _, tt := range []struct {
		name, key            string
		ifMatch, ifNoneMatch *string
		code                 string
		status               int
	}{
		{"wrong etag", "obj", aws.String(`"0123"`), nil, "PreconditionFailed", 412},
		{"exists", "obj", nil, aws.String("*"), "PreconditionFailed", 412},
		{"etag none-match", "obj", nil, aws.String(etag), "NotImplemented", 501},
		{"absent key", "nokey", aws.String(etag), nil, "NoSuchKey", 404},
		{"matches", "obj", aws.String(etag), nil, "", 0},
		{"absent, none-match", "new", nil, aws.String("*"), "", 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			err := complete(tt.key, tt.ifMatch, tt.ifNoneMatch)
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code, tt.status)
		})
	}
}
