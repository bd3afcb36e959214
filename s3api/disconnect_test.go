package s3api

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/disconnect"
)

// observedEnv is a door over the real gateway whose request records go to
// the returned channel.
func observedEnv(t *testing.T) (*testEnv, *s3.Client, chan gateway.RequestRecord) {
	t.Helper()
	recs := make(chan gateway.RequestRecord, 100)
	e := newEnv(t, envOpts{newNS: realGateway(t), observe: func(r gateway.RequestRecord) { recs <- r }})
	c := e.aliceClient(t)
	mustBucket(t, c, "gone")
	return e, c, recs
}

// drainRecords forgets the records so far.
func drainRecords(recs chan gateway.RequestRecord) {
	for {
		select {
		case <-recs:
		default:
			return
		}
	}
}

// TestClientGoneMidUpload: a client that sends half of a PUT (or an
// upload part) and disconnects, with a FIN or a reset, is a 499 at info
// level in the log and the metrics, never a server error; the previous
// object stays.
func TestClientGoneMidUpload(t *testing.T) {
	for _, op := range []string{"PutObject", "UploadPart"} {
		for _, rst := range []bool{false, true} {
			t.Run(op+map[bool]string{false: "/fin", true: "/rst"}[rst], func(t *testing.T) {
				e, c, recs := observedEnv(t)
				mustPut(t, c, "gone", "k", "original")
				path := "/gone/k"
				if op == "UploadPart" {
					up, err := c.CreateMultipartUpload(context.Background(), &s3.CreateMultipartUploadInput{Bucket: aws.String("gone"), Key: aws.String("k")})
					if err != nil {
						t.Fatal(err)
					}
					path += "?partNumber=1&uploadId=" + aws.ToString(up.UploadId)
				}
				drainRecords(recs)
				const size = 1 << 20
				req := mustReq(t, http.MethodPut, e.srv.URL+path, nil)
				req.ContentLength = size
				req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
				e.sign(t, req, "us-east-1")
				req.Body = io.NopCloser(bytes.NewReader(make([]byte, size/2)))
				conn := disconnect.Dial(t, e.srv.URL)
				_ = req.Write(conn) // stops after the half body: its length does not match
				disconnect.HangUp(t, conn, rst)
				disconnect.WantGone(t, disconnect.NextRecord(t, recs, op), e.log.String())
				if got := mustGet(t, c, "gone", "k"); got != "original" {
					t.Fatalf("object changed to %d bytes", len(got))
				}
			})
		}
	}
}

// TestClientGoneMidDownload: a client that reads the start of a large GET
// and disconnects is a 499 at info level, never a server error. The object
// is larger than every socket buffer between the two ends, so the door's
// writes fail whatever the timing.
func TestClientGoneMidDownload(t *testing.T) {
	e, c, recs := observedEnv(t)
	const size = 48 << 20
	if _, err := c.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String("gone"), Key: aws.String("big"),
		Body: bytes.NewReader(make([]byte, size))}); err != nil {
		t.Fatal(err)
	}
	drainRecords(recs)
	req := mustReq(t, http.MethodGet, e.srv.URL+"/gone/big", nil)
	req.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD")
	e.sign(t, req, "us-east-1")
	conn := disconnect.Dial(t, e.srv.URL)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	disconnect.AbandonDownload(t, conn, req)
	r := disconnect.NextRecord(t, recs, "GetObject")
	disconnect.WantGone(t, r, e.log.String())
	if r.BytesOut >= size {
		t.Fatalf("the door counts %d bytes sent of %d", r.BytesOut, size)
	}
}
