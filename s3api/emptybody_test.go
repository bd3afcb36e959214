package s3api

import (
	"net/http"
	"testing"
)

// An empty body is MalformedXML for PutObjectRetention and
// PutObjectLegalHold (AWS's answer), MissingRequestBodyError for the other
// configurations; a missing bucket is named first.
func TestEmptyXMLBodies(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	mustBucket(t, e.aliceClient(t), "empties")
	for _, tt := range []struct{ path, code string }{
		{"/empties/k?legal-hold", "MalformedXML"},
		{"/empties/k?retention", "MalformedXML"},
		{"/empties?object-lock", "MissingRequestBodyError"},
		{"/empties?tagging", "MissingRequestBodyError"},
		{"/nosuchbucket/k?legal-hold", "NoSuchBucket"},
	} {
		t.Run(tt.path, func(t *testing.T) {
			resp := e.signed(t, mustReq(t, http.MethodPut, e.srv.URL+tt.path, nil), aliceAK, aliceSK)
			defer func() { _ = resp.Body.Close() }()
			if got := readAPIError(t, resp); got.Code != tt.code {
				t.Fatalf("%+v", got)
			}
		})
	}
}
