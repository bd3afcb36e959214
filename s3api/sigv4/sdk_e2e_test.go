package sigv4

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// The real S3 client over HTTPS sends STREAMING-UNSIGNED-PAYLOAD-TRAILER
// with a checksum trailer for unseekable bodies (research/libs.md §A4): a
// real net/http server decodes it to the original bytes and checksum.
func TestSDKPutObjectOverTLS(t *testing.T) {
	data := strings.Repeat("0123456789abcdef", 40000) // 640000 bytes
	type result struct {
		auth *Auth
		body string
		err  error
		hdr  http.Header
	}
	got := make(chan result, 4)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, err := (&Verifier{Lookup: func(id string) ([]byte, bool) { return []byte(exampleSecret), id == exampleAKID }}).Verify(r)
		var b []byte
		if err == nil {
			b, err = io.ReadAll(r.Body)
		}
		got <- result{a, string(b), err, r.Header.Clone()}
		if err != nil {
			w.WriteHeader(http.StatusForbidden)
		}
	}))
	defer srv.Close()
	client := s3.New(s3.Options{
		Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), UsePathStyle: true, HTTPClient: srv.Client(),
		Credentials: credentials.NewStaticCredentialsProvider(exampleAKID, exampleSecret, ""),
	})
	_, err := client.PutObject(context.Background(), &s3.PutObjectInput{
		Bucket: aws.String("bucket"), Key: aws.String("dir/a key+with=odd~chars"),
		Body: struct{ io.Reader }{strings.NewReader(data)}, ContentLength: aws.Int64(int64(len(data))),
		ChecksumAlgorithm: types.ChecksumAlgorithmCrc64nvme,
	})
	res := <-got
	if err != nil || res.err != nil {
		t.Fatalf("client err %v, server err %v", err, res.err)
	}
	if res.body != data {
		t.Fatalf("server read %d bytes, want %d", len(res.body), len(data))
	}
	t.Logf("payload mode %s, content-encoding %q", res.auth.PayloadMode, res.hdr.Get("Content-Encoding"))
	if res.auth.PayloadMode != streamingUnsignedTrailer {
		t.Errorf("payload mode %s, want %s", res.auth.PayloadMode, streamingUnsignedTrailer)
	}
	if c, ok := res.auth.Checksum(); !ok || c.Algorithm != "CRC64NVME" {
		t.Errorf("no verified CRC64NVME checksum: %v %v", c, ok)
	}
}
