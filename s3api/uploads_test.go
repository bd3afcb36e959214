package s3api

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// TestListUploadsMarkers (real gateway): uploads of one key are listed in
// the order they began; an upload-id-marker that is no upload ID, or an
// upload of another key than key-marker's, is AWS's InvalidArgument
// "Invalid uploadId marker" naming it.
func TestListUploadsMarkers(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	ctx := context.Background()
	mustBucket(t, c, "mpmarkers")
	var ids []string
	for _, k := range []string{"a", "a", "a", "b"} {
		out, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpmarkers"), Key: aws.String(k)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, aws.ToString(out.UploadId))
	}
	out, err := c.ListMultipartUploads(ctx, &s3.ListMultipartUploadsInput{Bucket: aws.String("mpmarkers"), KeyMarker: aws.String("a"), UploadIdMarker: aws.String(ids[0])})
	if err != nil || len(out.Uploads) != 3 || aws.ToString(out.Uploads[0].UploadId) != ids[1] || aws.ToString(out.Uploads[1].UploadId) != ids[2] {
		t.Fatalf("after the first: %+v %v", out, err)
	}
	for _, marker := range []string{"invalid_uploadId_marker", "4a4e3a5b-9a7c-4b4e-8f3e-1c2d3e4f5a6b", ids[3]} {
		q := url.Values{"uploads": {""}, "key-marker": {"a"}, "upload-id-marker": {marker}}
		resp := e.signed(t, mustReq(t, http.MethodGet, e.srv.URL+"/mpmarkers?"+q.Encode(), nil), aliceAK, aliceSK)
		defer func() { _ = resp.Body.Close() }()
		got := readAPIError(t, resp)
		if resp.StatusCode != 400 || got.Code != "InvalidArgument" || got.Message != "Invalid uploadId marker" ||
			got.ArgumentName != "upload-id-marker" || got.ArgumentValue != marker {
			t.Fatalf("%s: %d %+v", marker, resp.StatusCode, got)
		}
	}
}
