package davapi

import (
	"io"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/disconnect"
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

// rawConn opens a connection to the door and sends head.
func rawConn(t *testing.T, e *env, head string) *net.TCPConn {
	t.Helper()
	c := disconnect.Dial(t, e.srv.URL)
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientGoneMidUpload: a client that sends half of a PUT and
// disconnects, with a FIN or a reset, is a 499 at info level in the log
// and the metrics; the previous content stays.
func TestClientGoneMidUpload(t *testing.T) {
	for _, rst := range []bool{false, true} {
		t.Run(map[bool]string{false: "fin", true: "rst"}[rst], func(t *testing.T) {
			e, recs := observedEnv(t)
			disconnect.NextRecord(t, recs, "PUT") // the setup's
			const size = 1 << 20
			c := rawConn(t, e, "PUT /docs/f.txt HTTP/1.1\r\nHost: x\r\nAuthorization: "+basicAuth("alice")+
				"\r\nContent-Length: "+strconv.Itoa(size)+"\r\n\r\n"+strings.Repeat("x", size/2))
			disconnect.HangUp(t, c, rst)
			disconnect.WantGone(t, disconnect.NextRecord(t, recs, "PUT"), e.logs.String())
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
	disconnect.NextRecord(t, recs, "PUT")
	disconnect.NextRecord(t, recs, "PUT")
	c := rawConn(t, e, "GET /docs/big HTTP/1.1\r\nHost: x\r\nAuthorization: "+basicAuth("alice")+"\r\n\r\n")
	disconnect.AbandonDownload(t, c, nil)
	r := disconnect.NextRecord(t, recs, "GET")
	disconnect.WantGone(t, r, e.logs.String())
	if r.BytesOut >= size {
		t.Fatalf("the door counts %d bytes sent of %d", r.BytesOut, size)
	}
}
