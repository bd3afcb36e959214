package s3api

import (
	"net/http"
	"strings"
	"testing"
)

// A request whose header section exceeds 8 KiB gets AWS's 400
// RequestHeaderSectionTooLarge (with MaxSizeAllowed), before anything
// else; one just under the limit is served.
func TestHeaderSectionTooLarge(t *testing.T) {
	e := newEnv(t, envOpts{})
	mustBucket(t, e.aliceClient(t), "hdrs")
	for _, tt := range []struct {
		size int
		code string
	}{{8 << 10, "RequestHeaderSectionTooLarge"}, {4 << 10, "NoSuchKey"}} {
		req := mustReq(t, http.MethodGet, e.srv.URL+"/hdrs/k", nil)
		req.Header.Set("X-Amz-Custom-Header", strings.Repeat("d", tt.size))
		resp := e.signed(t, req, aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		got := readAPIError(t, resp)
		if got.Code != tt.code || tt.size == 8<<10 && got.MaxSizeAllowed != 8<<10 {
			t.Fatalf("%d: %+v", tt.size, got)
		}
	}
}
