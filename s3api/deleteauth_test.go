package s3api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// Regression tests from the security review: gofakes3 decodes the XML of
// DeleteObjects without reading to EOF, where the verifying body reader
// reports a failed payload hash or chunk signature; the door now reads and
// verifies the whole body first.
//
// A DeleteObjects request signed for body A (x-amz-content-sha256 = sha256(A))
// is sent with body B. The door must refuse (XAmzContentSHA256Mismatch) and
// delete nothing.
func TestDeleteObjectsBodyHashEnforced(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	mustBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "harmless", "x")
	mustPut(t, c, "bkt", "precious", "important data")

	signedBody := `<Delete><Object><Key>harmless</Key></Object></Delete>`
	sum := sha256.Sum256([]byte(signedBody))
	tampered := `<Delete><Object><Key>precious</Key></Object></Delete>`
	// keep the length equal so Content-Length (if signed) would match
	for len(tampered) < len(signedBody) {
		tampered = strings.Replace(tampered, "<Delete>", "<Delete> ", 1)
	}
	req := mustReq(t, http.MethodPost, e.srv.URL+"/bkt?delete", strings.NewReader(signedBody))
	req.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sum[:]))
	signAs(t, req, aliceAK, aliceSK, "us-east-1")
	// attacker swaps the body, keeps the signed headers
	req.Body = io.NopCloser(strings.NewReader(tampered))
	req.ContentLength = int64(len(tampered))
	resp := e.do(t, req)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	t.Logf("status %d body %s", resp.StatusCode, b)
	_, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("precious")})
	if err != nil {
		t.Fatalf("BUG: precious was deleted by a request whose body failed x-amz-content-sha256: %v", err)
	}
}

func TestDeleteObjectsChunkSignaturesEnforced(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	mustBucket(t, c, "bkt")
	mustPut(t, c, "bkt", "precious", "important data")
	xmlBody := `<Delete><Object><Key>precious</Key></Object></Delete>`
	zeros := strings.Repeat("0", 64)
	body := strconv.FormatInt(int64(len(xmlBody)), 16) + ";chunk-signature=" + zeros + "\r\n" + xmlBody + "\r\n0;chunk-signature=" + zeros + "\r\n\r\n"
	req := mustReq(t, http.MethodPost, e.srv.URL+"/bkt?delete", strings.NewReader(body))
	req.Header.Set("X-Amz-Content-Sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD")
	req.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(len(xmlBody)))
	req.Header.Set("Content-Encoding", "aws-chunked")
	signAs(t, req, aliceAK, aliceSK, "us-east-1")
	resp := e.do(t, req)
	b, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	t.Logf("status %d body %s", resp.StatusCode, b)
	if _, err := c.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: aws.String("bkt"), Key: aws.String("precious")}); err != nil {
		t.Fatalf("BUG: deleted by a body with forged chunk signatures: %v", err)
	}
}
