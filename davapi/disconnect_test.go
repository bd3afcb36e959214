package davapi

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/gateway"
)

// observedEnv is a door whose request records go to the returned channel,
// with alice's collection /docs holding f.txt.
func observedEnv(t *testing.T) (*env, chan gateway.RequestRecord) {
	t.Helper()
	recs := make(chan gateway.RequestRecord, 100)
	store := mem.New()
	e := newEnvWith(t, store, newAccounts(t, store), time.Now, func(r gateway.RequestRecord) { recs <- r })
	e.must(201, "alice", "MKCOL", "/docs", "")
	e.must(201, "alice", "PUT", "/docs/f.txt", "old content")
	return e, recs
}

// nextRecord waits for the record of the next request with method op,
// skipping the records of other methods. The wait is for an event, with a
// bound only a hung server reaches.
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

// rawConn opens a connection to the door and sends head.
func rawConn(t *testing.T, e *env, head string) *net.TCPConn {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
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

// wantClientGone checks a request's record and the log: 499, logged at
// info, no warning.
func wantClientGone(t *testing.T, e *env, r gateway.RequestRecord) {
	t.Helper()
	if r.Status != statusClientClosed {
		t.Fatalf("%s recorded with status %d, want 499", r.Op, r.Status)
	}
	log := e.logs.String()
	if strings.Contains(log, `"level":"warn"`) || strings.Contains(log, `"level":"error"`) {
		t.Fatalf("a client that went away was logged as a failure:\n%s", log)
	}
	if !strings.Contains(log, `"status":499`) {
		t.Fatalf("no access line with status 499:\n%s", log)
	}
}

// TestClientGoneMidUpload: a client that sends half of a PUT and
// disconnects, with a FIN or a reset, is a 499 at info level in the log
// and the metrics; the previous content stays.
func TestClientGoneMidUpload(t *testing.T) {
	for _, rst := range []bool{false, true} {
		t.Run(map[bool]string{false: "fin", true: "rst"}[rst], func(t *testing.T) {
			e, recs := observedEnv(t)
			nextRecord(t, recs, "PUT") // the setup's
			const size = 1 << 20
			c := rawConn(t, e, "PUT /docs/f.txt HTTP/1.1\r\nHost: x\r\nAuthorization: "+basicAuth("alice")+
				"\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n"+strings.Repeat("x", size/2))
			hangUp(t, c, rst)
			wantClientGone(t, e, nextRecord(t, recs, "PUT"))
			if b, _ := e.must(200, "alice", "GET", "/docs/f.txt", ""); b != "old content" {
				t.Fatalf("content changed to %d bytes", len(b))
			}
		})
	}
}

// TestClientGoneMidDownload: a client that reads the start of a large GET
// and disconnects is a 499 at info level. The file is larger than every
// socket buffer between the two ends, so the door's writes fail whatever
// the timing.
func TestClientGoneMidDownload(t *testing.T) {
	e, recs := observedEnv(t)
	const size = 48 << 20
	e.must(201, "alice", "PUT", "/docs/big", strings.Repeat("b", size))
	nextRecord(t, recs, "PUT")
	nextRecord(t, recs, "PUT")
	c := rawConn(t, e, "GET /docs/big HTTP/1.1\r\nHost: x\r\nAuthorization: "+basicAuth("alice")+"\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
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
	hangUp(t, c, true)
	r := nextRecord(t, recs, "GET")
	wantClientGone(t, e, r)
	if r.BytesOut >= size {
		t.Fatalf("the door counts %d bytes sent of %d", r.BytesOut, size)
	}
}
