package davapi

import (
	"bufio"
	"bytes"
	"errors"
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
	"github.com/sealgate/sealgate/internal/faultstore"
)

// notDAV are the gateway sentinels no WebDAV request can meet, with the
// reason. A new sentinel must get a row in errTable or an entry here.
var notDAV = map[error]string{
	gateway.ErrUserExists:       "account administration only",
	gateway.ErrInvalidPart:      "S3 multipart uploads only",
	gateway.ErrInvalidPartOrder: "S3 multipart uploads only",
	gateway.ErrEntityTooSmall:   "S3 multipart uploads only",
}

// TestEverySentinelMaps: the one status table covers every gateway
// sentinel, also when wrapped; only integrity failures are 500.
func TestEverySentinelMaps(t *testing.T) {
	for _, s := range gateway.Sentinels() {
		_, skip := notDAV[s]
		mapped := false
		for _, row := range errTable {
			mapped = mapped || row.err == s
		}
		status, _ := statusOf(errors.Join(errors.New("wrapped"), s))
		switch {
		case skip && mapped:
			t.Errorf("%v is in the table but listed as unreachable", s)
		case !skip && !mapped:
			t.Errorf("%v has no WebDAV status: add it to errTable (errors.go)", s)
		case !skip && status == http.StatusInternalServerError && s != gateway.ErrIntegrity:
			t.Errorf("%v answers 500", s)
		}
	}
}

// faultyEnv is a door over the real gateway over a fault-injecting mem
// store (no rule yet), with alice's collection /docs holding f.txt.
func faultyEnv(t *testing.T) (*env, *faultstore.Store) {
	t.Helper()
	fs := faultstore.New(mem.New(), 1)
	e := newEnvOn(t, fs)
	e.must(201, "alice", "MKCOL", "/docs", "")
	e.must(201, "alice", "PUT", "/docs/f.txt", "old content")
	return e, fs
}

// TestUpstreamFailureStatuses: an upstream out of space is 507 (RFC 4918
// §11.5), an upstream that fails is 503 with Retry-After, and a failed PUT
// keeps the previous content.
func TestUpstreamFailureStatuses(t *testing.T) {
	big := strings.Repeat("x", 4<<20)
	tests := []struct {
		name   string
		rule   faultstore.Rule
		method string
		body   string
		status int
	}{
		{"put/no space", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1, After: 1000}, "PUT", big, 507},
		{"put/no space at once", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1}, "PUT", big, 507},
		{"put/reset", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.Reset, Prob: 1, After: 70_000}, "PUT", big, 503},
		{"put/unavailable", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.Error, Prob: 1}, "PUT", "small", 503},
		{"get/unavailable", faultstore.Rule{Op: faultstore.OpStat, Fault: faultstore.Error, Prob: 1}, "GET", "", 503},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, fs := faultyEnv(t)
			fs.Add(tc.rule)
			code, _, h := e.call("alice", tc.method, "/docs/f.txt", tc.body)
			fs.Clear()
			if code != tc.status {
				t.Fatalf("%s: status %d, want %d", tc.method, code, tc.status)
			}
			if (code == 503) != (h.Get("Retry-After") != "") {
				t.Fatalf("Retry-After %q on a %d", h.Get("Retry-After"), code)
			}
			if code >= 500 {
				checkCauseLogged(t, e.logs.String(), code)
			}
			if b, _ := e.must(200, "alice", "GET", "/docs/f.txt", ""); b != "old content" {
				t.Fatalf("content after a failed %s: %d bytes", tc.method, len(b))
			}
		})
	}
}

// TestBodyFailureAborts: when the upstream fails after a GET's header went
// out, the door aborts the connection: the client gets a body error, never
// a complete-looking short 200, and the access log shows the failure.
func TestBodyFailureAborts(t *testing.T) {
	for _, tc := range []struct {
		fault  faultstore.Fault
		status string
	}{{faultstore.Reset, `"status":503`}, {faultstore.Short, `"status":500`}} {
		t.Run(string(tc.fault), func(t *testing.T) {
			e, fs := faultyEnv(t)
			data := bytes.Repeat([]byte("0123456789abcdef"), 20_000) // five chunks
			e.must(201, "alice", "PUT", "/docs/big", string(data))
			// Past the prefix and END, inside the read of the chunks.
			fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: tc.fault, Prob: 1, After: 150_000})
			resp := e.do("alice", "GET", "/docs/big", "")
			defer func() { _ = resp.Body.Close() }()
			got, err := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || err == nil || !bytes.HasPrefix(data, got) || len(got) >= len(data) {
				t.Fatalf("GET: %s, %d bytes, %v; want a 200 whose body fails after a prefix", resp.Status, len(got), err)
			}
			if !strings.Contains(e.logs.String(), tc.status) {
				t.Fatalf("no access line with %s:\n%s", tc.status, e.logs.String())
			}
		})
	}
}

// TestFullStoreAnswersAWholeBodyClient: a client that writes its whole
// body before it reads the answer (as HTTP clients without "Expect:
// 100-continue" do) gets the 507 of an upload the upstream refused at its
// start, because the door reads the rest of the body. The body is larger
// than all the socket buffers between the two ends: had the door left it
// unread, net/http would close the connection and the client's writes
// would fail.
func TestFullStoreAnswersAWholeBodyClient(t *testing.T) {
	e, fs := faultyEnv(t)
	fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1})
	const size = 24 << 20
	head := "PUT /docs/f.txt HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicAuth("alice") +
		"\r\nContent-Length: " + strconv.Itoa(size) + "\r\n\r\n"
	u, _ := url.Parse(e.srv.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = c.Close() }()
	_ = c.SetDeadline(time.Now().Add(time.Minute))
	if _, err := io.WriteString(c, head); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(c, zeros{}, size); err != nil {
		t.Fatalf("the door stopped reading the body: %v", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusInsufficientStorage {
		t.Fatalf("status %s, want 507", resp.Status)
	}
}

// zeros is an endless reader of zero bytes.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// checkCauseLogged finds the access line of a server error in logs and
// checks that it carries the cause.
func checkCauseLogged(t *testing.T, logs string, code int) {
	t.Helper()
	for _, l := range strings.Split(logs, "\n") {
		if strings.Contains(l, `"message":"webdav"`) && strings.Contains(l, `"status":`+strconv.Itoa(code)) {
			if !strings.Contains(l, `"error":"`) {
				t.Fatalf("the %d's access line has no cause: %s", code, l)
			}
			return
		}
	}
	t.Fatalf("no access line of the %d:\n%s", code, logs)
}
