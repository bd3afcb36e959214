// Package disconnect holds what the doors' tests of clients that go away
// share: a raw connection to a test server, hanging it up with a FIN or a
// reset, abandoning a download after its first bytes, waiting for a
// request's record, and the check that such a request is a 499 logged at
// info level, never a server error.
package disconnect

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// StatusClientClosed is the status the doors log and count for a client
// that went away.
const StatusClientClosed = 499

// Dial opens a raw connection to the server at serverURL, closed at the
// end of the test.
func Dial(tb testing.TB, serverURL string) *net.TCPConn {
	tb.Helper()
	u, err := url.Parse(serverURL)
	if err != nil {
		tb.Fatal(err)
	}
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { _ = c.Close() })
	return c.(*net.TCPConn)
}

// HangUp closes c: with a reset (rst), or with a FIN.
func HangUp(tb testing.TB, c *net.TCPConn, rst bool) {
	tb.Helper()
	if rst {
		if err := c.SetLinger(0); err != nil {
			tb.Fatal(err)
		}
	}
	_ = c.Close()
}

// AbandonDownload reads the answer to the GET req sent on c, requires a
// 200, reads its first 64 KiB and hangs up with a reset.
func AbandonDownload(tb testing.TB, c *net.TCPConn, req *http.Request) {
	tb.Helper()
	resp, err := http.ReadResponse(bufio.NewReader(c), req)
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		tb.Fatalf("GET: %s", resp.Status)
	}
	if _, err := io.CopyN(io.Discard, resp.Body, 64<<10); err != nil {
		tb.Fatal(err)
	}
	HangUp(tb, c, true)
}

// NextRecord waits for the record of the next request of operation op,
// skipping the records of other operations. The wait is for an event,
// with a bound only a hung server reaches.
func NextRecord(tb testing.TB, recs <-chan gateway.RequestRecord, op string) gateway.RequestRecord {
	tb.Helper()
	timeout := time.After(time.Minute)
	for {
		select {
		case r := <-recs:
			if r.Op == op {
				return r
			}
		case <-timeout:
			tb.Fatalf("no record of %s", op)
		}
	}
}

// WantGone checks the record of a request whose client went away, and the
// door's log: status 499, an access line at info level, and no warning,
// error or 500 logged.
func WantGone(tb testing.TB, r gateway.RequestRecord, log string) {
	tb.Helper()
	if r.Status != StatusClientClosed {
		tb.Fatalf("%s recorded with status %d, want 499", r.Op, r.Status)
	}
	for _, bad := range []string{`"level":"warn"`, `"level":"error"`, `"status":500`} {
		if strings.Contains(log, bad) {
			tb.Fatalf("a client that went away was logged as a failure (%s):\n%s", bad, log)
		}
	}
	if !strings.Contains(log, `"level":"info","request_id"`) || !strings.Contains(log, `"status":499`) {
		tb.Fatalf("no access line at info with status 499:\n%s", log)
	}
}
