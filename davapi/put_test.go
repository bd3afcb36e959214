package davapi

import (
	"bufio"
	"crypto/md5"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// rawRequest writes a raw HTTP request and returns the status line ("" if
// the server closed without answering).
func rawRequest(t *testing.T, e *env, req string, closeAfter bool) string {
	t.Helper()
	u, _ := url.Parse(e.srv.URL)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	if closeAfter {
		_ = c.(*net.TCPConn).CloseWrite()
	}
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	line, _ := bufio.NewReader(c).ReadString('\n')
	return strings.TrimSpace(line)
}

func basicAuth(user string) string {
	r, _ := http.NewRequest("GET", "/", nil)
	r.SetBasicAuth(user, "pw-"+user)
	return r.Header.Get("Authorization")
}

func TestTruncatedPutKeepsOldContent(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/docs", "")
	e.must(201, "alice", "PUT", "/docs/f.txt", "old content")
	req := "PUT /docs/f.txt HTTP/1.1\r\nHost: x\r\nAuthorization: " + basicAuth("alice") +
		"\r\nContent-Length: 100\r\n\r\n0123456789"
	rawRequest(t, e, req, true)
	time.Sleep(100 * time.Millisecond) // the handler finishes after the close
	body, _ := e.must(200, "alice", "GET", "/docs/f.txt", "")
	if body != "old content" {
		t.Fatalf("truncated PUT replaced the file: %q", body)
	}
	b, _, err := e.get("alice", "docs", "f.txt")
	if err != nil || string(b) != "old content" {
		t.Fatalf("S3 view: %q %v", b, err)
	}
}

func TestChunkedPut(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/docs", "")
	data := strings.Repeat("chunk-", 50000)
	pr, pw := io.Pipe()
	go func() {
		for i := 0; i < len(data); i += 7000 {
			_, _ = io.WriteString(pw, data[i:min(i+7000, len(data))])
		}
		pw.Close()
	}()
	req, _ := http.NewRequest("PUT", e.srv.URL+"/docs/big.bin", pr)
	req.SetBasicAuth("alice", "pw-alice")
	req.Header.Set("X-Expected-Entity-Length", "300000")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("chunked PUT: %d", resp.StatusCode)
	}
	sum := md5.Sum([]byte(data))
	if got := resp.Header.Get("ETag"); got != `"`+hex.EncodeToString(sum[:])+`"` {
		t.Fatalf("ETag %s", got)
	}
	b, info, err := e.get("alice", "docs", "big.bin")
	if err != nil || string(b) != data || info.ETag != hex.EncodeToString(sum[:]) {
		t.Fatalf("S3 view: %d bytes, %v, %v", len(b), info.ETag, err)
	}
}

func TestPutConditionsAndParents(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/docs", "")
	e.must(201, "alice", "MKCOL", "/docs/sub", "")
	tests := []struct {
		name, path string
		hdr        []string
		status     int
	}{
		{"new", "/docs/a", nil, 201},
		{"missing parent", "/docs/no/a", nil, 409},
		{"missing bucket", "/nobucket/a", nil, 409},
		{"at root", "/file", nil, 405},
		{"if-none-match star on existing", "/docs/a", []string{"If-None-Match", "*"}, 412},
		{"if-match wrong", "/docs/a", []string{"If-Match", `"abc"`}, 412},
		{"former reserved prefix is ordinary", "/docs/.sealgate-props/x", nil, 409},
		{"onto a folder", "/docs/sub", nil, 405},
		{"onto a bucket", "/docs", nil, 405},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := e.call("alice", "PUT", tc.path, "data", tc.hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
		})
	}
}
