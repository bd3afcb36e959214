package s3api

import (
	"net/http"
	"strings"
	"testing"
)

// An aws-chunked body is for object data: PutObject and UploadPart take
// one; a bucket or subresource PUT with one is InvalidRequest, before its
// body is read.
func TestStreamingPayloadOnlyForObjectData(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "chunky")
	for _, tt := range []struct {
		path string
		code string // "" for success
	}{
		{"/chunky/k", ""},
		{"/chunky/k?x-id=PutObject", ""},
		{"/chunky?tagging", "InvalidRequest"},
		{"/chunky?cors", "InvalidRequest"},
		{"/chunky?versioning", "InvalidRequest"},
		{"/chunky/k?tagging", "InvalidRequest"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			req := mustReq(t, http.MethodPut, e.srv.URL+tt.path, strings.NewReader("5\r\nabcde\r\n0\r\n\r\n"))
			req.Header.Set("X-Amz-Content-Sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")
			req.Header.Set("X-Amz-Decoded-Content-Length", "5")
			req.Header.Set("Content-Encoding", "aws-chunked")
			resp := e.signed(t, req, aliceAK, aliceSK)
			defer func() { _ = resp.Body.Close() }()
			if tt.code == "" {
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("status %d: %+v", resp.StatusCode, readAPIError(t, resp))
				}
				return
			}
			if got := readAPIError(t, resp); got.Code != tt.code || got.Message != "The value of x-amz-content-sha256 header is invalid." {
				t.Fatalf("%+v", got)
			}
		})
	}
}
