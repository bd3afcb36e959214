package s3api

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Every bucket's object ownership is BucketOwnerEnforced: read, set again,
// or refused (501) when asked to enable ACLs; bad configurations are
// MalformedXML; a missing bucket NoSuchBucket.
func TestOwnershipControls(t *testing.T) {
	e := newEnv(t, envOpts{})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "owned")
	out, err := c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("owned")})
	if err != nil || len(out.OwnershipControls.Rules) != 1 || out.OwnershipControls.Rules[0].ObjectOwnership != types.ObjectOwnershipBucketOwnerEnforced {
		t.Fatalf("get: %+v %v", out, err)
	}
	rules := func(o ...types.ObjectOwnership) *types.OwnershipControls {
		oc := &types.OwnershipControls{}
		for _, x := range o {
			oc.Rules = append(oc.Rules, types.OwnershipControlsRule{ObjectOwnership: x})
		}
		return oc
	}
	for _, tt := range []struct {
		name   string
		bucket string
		oc     *types.OwnershipControls
		code   string
		status int
	}{
		{"enforced", "owned", rules(types.ObjectOwnershipBucketOwnerEnforced), "", 0},
		{"object writer", "owned", rules(types.ObjectOwnershipObjectWriter), "NotImplemented", 501},
		{"preferred", "owned", rules(types.ObjectOwnershipBucketOwnerPreferred), "NotImplemented", 501},
		{"two rules", "owned", rules(types.ObjectOwnershipBucketOwnerEnforced, types.ObjectOwnershipObjectWriter), "MalformedXML", 400},
		{"invalid", "owned", rules("invalid_ownership"), "MalformedXML", 400},
		{"no bucket", "nosuchbucket", rules(types.ObjectOwnershipBucketOwnerEnforced), "NoSuchBucket", 404},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.PutBucketOwnershipControls(ctx, &s3.PutBucketOwnershipControlsInput{Bucket: aws.String(tt.bucket), OwnershipControls: tt.oc})
			if tt.code == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			wantCode(t, err, tt.code, tt.status)
		})
	}
	req := mustReq(t, http.MethodPut, e.srv.URL+"/owned?ownershipControls", strings.NewReader(`<OwnershipControls xmlns="http://s3.amazonaws.com/doc/2006-03-01/"></OwnershipControls>`))
	resp := e.signed(t, req, aliceAK, aliceSK)
	defer func() { _ = resp.Body.Close() }()
	if got := readAPIError(t, resp); got.Code != "MalformedXML" {
		t.Fatalf("no rule: %+v", got)
	}
	_, err = c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("owned")})
	wantCode(t, err, "NotImplemented", 501)
	_, err = c.DeleteBucketOwnershipControls(ctx, &s3.DeleteBucketOwnershipControlsInput{Bucket: aws.String("nosuchbucket")})
	wantCode(t, err, "NoSuchBucket", 404)
	_, err = c.GetBucketOwnershipControls(ctx, &s3.GetBucketOwnershipControlsInput{Bucket: aws.String("nosuchbucket")})
	wantCode(t, err, "NoSuchBucket", 404)
}

// CreateBucket's x-amz-object-ownership: checked before the ACL headers.
func TestCreateBucketOwnership(t *testing.T) {
	e := newEnv(t, envOpts{})
	for _, tt := range []struct {
		name, ownership string
		headers         map[string]string
		code            string
		status          int
	}{
		{"enforced", "BucketOwnerEnforced", nil, "", 200},
		{"enforced private", "BucketOwnerEnforced", map[string]string{"X-Amz-Acl": "private"}, "", 200},
		{"enforced public", "BucketOwnerEnforced", map[string]string{"X-Amz-Acl": "public-read"}, "InvalidBucketAclWithObjectOwnership", 400},
		{"enforced grant", "BucketOwnerEnforced", map[string]string{"X-Amz-Grant-Read": "id=x"}, "InvalidBucketAclWithObjectOwnership", 400},
		{"invalid", "invalid_ownership", nil, "InvalidArgument", 400},
		{"object writer", "ObjectWriter", nil, "NotImplemented", 501},
	} {
		t.Run(tt.name, func(t *testing.T) {
			bucket := "own-" + strings.ReplaceAll(tt.name, " ", "-")
			req := mustReq(t, http.MethodPut, e.srv.URL+"/"+bucket, nil)
			req.Header.Set("X-Amz-Object-Ownership", tt.ownership)
			for k, v := range tt.headers {
				req.Header.Set(k, v)
			}
			resp := e.signed(t, req, aliceAK, aliceSK)
			defer func() { _ = resp.Body.Close() }()
			if tt.code == "" {
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d", resp.StatusCode)
				}
				return
			}
			got := readAPIError(t, resp)
			if got.Code != tt.code || resp.StatusCode != tt.status {
				t.Fatalf("%d %+v", resp.StatusCode, got)
			}
			if tt.code == "InvalidArgument" && (got.ArgumentName != "x-amz-object-ownership" || got.Message != "Invalid x-amz-object-ownership header: invalid_ownership") {
				t.Fatalf("%+v", got)
			}
		})
	}
}
