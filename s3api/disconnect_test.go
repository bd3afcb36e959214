package s3api

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/sealgate/sealgate/gateway"
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

// nextRecord waits for the record of the next request of op, skipping
// records of other operations. The wait is for an event, with a generous
// bound that only a hung server reaches.
func nextRecord(t *testing.T, recs chan gateway.RequestRecord, op string) gateway.RequestRecord {
	t.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case r := <-recs:
			if r.Op == op {
				return r
			}
		case <-timeout:
			t.Fatalf("no record of %s", op)
		}
	}
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

// dial opens a raw connection to the door.
func dial(t *testing.T, e *testEnv) *net.TCPConn {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c.(*net.TCPConn)
}

// hangUp closes c: with a reset (rst), or with a FIN.
func hangUp(t *testing.T, c *net.TCPConn, rst bool) {
	t.Helper()
	if rst {
		if err := c.SetLinger(0); err != nil {
			t.Fatal(err)
		}
	}
	_ = c.Close()
}

// wantClientGone checks a request's record and log: 499, at info, and no
// error logged.
func wantClientGone(t *testing.T, e *testEnv, r gateway.RequestRecord) {
	t.Helper()
	if r.Status != statusClientClosed {
		t.Fatalf("%s recorded with status %d, want 499", r.Op, r.Status)
	}
	log := e.log.String()
	if strings.Contains(log, `"level":"error"`) || strings.Contains(log, `"status":500`) {
		t.Fatalf("a client that went away was logged as a server error:\n%s", log)
	}
	if !strings.Contains(log, `"level":"info","request_id"`) || !strings.Contains(log, `"status":499`) {
		t.Fatalf("no info access line with status 499:\n%s", log)
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
				conn := dial(t, e)
				_ = req.Write(conn) // stops after the half body: its length does not match
				hangUp(t, conn, rst)
				wantClientGone(t, e, nextRecord(t, recs, op))
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
	conn := dial(t, e)
	if err := req.Write(conn); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET: %s", resp.Status)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 64<<10); err != nil {
		t.Fatal(err)
	}
	hangUp(t, conn, true)
	r := nextRecord(t, recs, "GetObject")
	wantClientGone(t, e, r)
	if r.BytesOut >= size {
		t.Fatalf("the door counts %d bytes sent of %d", r.BytesOut, size)
	}
}
