package davapi

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
)

func TestPutGetHeadRanges(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/docs", "")
	data := strings.Repeat("0123456789", 10000)
	_, h := e.must(201, "alice", "PUT", "/docs/a.txt", data, "Content-Type", "text/plain")
	sum := md5.Sum([]byte(data))
	wantETag := `"` + hex.EncodeToString(sum[:]) + `"`
	if h.Get("ETag") != wantETag {
		t.Fatalf("PUT ETag %q, want %q", h.Get("ETag"), wantETag)
	}
	tests := []struct {
		name, method, rng string
		status            int
		body              string
	}{
		{"get", "GET", "", 200, data},
		{"head", "HEAD", "", 200, ""},
		{"range mid", "GET", "bytes=10-19", 206, data[10:20]},
		{"range tail", "GET", "bytes=-5", 206, data[len(data)-5:]},
		{"range open", "GET", "bytes=99990-", 206, data[99990:]},
		{"range beyond", "GET", "bytes=200000-", 416, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var hdr []string
			if tc.rng != "" {
				hdr = []string{"Range", tc.rng}
			}
			code, body, h := e.call("alice", tc.method, "/docs/a.txt", "", hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d", code, tc.status)
			}
			if tc.status < 300 && body != tc.body {
				t.Fatalf("body %d bytes, want %d", len(body), len(tc.body))
			}
			if tc.status < 300 && (h.Get("ETag") != wantETag || h.Get("Content-Type") != "text/plain") {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func TestAuth(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, user, pass string
		status           int
	}{
		{"none", "", "", 401},
		{"wrong", "alice", "nope", 401},
		{"unknown", "mallory", "pw-mallory", 401},
		{"good", "alice", "pw-alice", 207},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("PROPFIND", e.srv.URL+"/", nil)
			req.Header.Set("Depth", "0")
			if tc.user != "" {
				req.SetBasicAuth(tc.user, tc.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 401 && !strings.Contains(resp.Header.Get("WWW-Authenticate"), `Basic realm="sealgate"`) {
				t.Fatalf("WWW-Authenticate %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	if logs := e.logs.String(); !strings.Contains(logs, `"status":401`) || !strings.Contains(logs, `"request_id":`) {
		t.Fatalf("no access lines: %s", logs)
	}
	if logs := e.logs.String(); strings.Contains(logs, "pw-alice") || strings.Contains(logs, "nope") || strings.Contains(logs, "Basic ") {
		t.Fatalf("credentials in the log: %s", logs)
	}
}

func TestOptionsEverywhere(t *testing.T) {
	e := newEnv(t)
	for _, p := range []string{"/", "/nothing/here", "/x/y/z.txt"} {
		for _, user := range []string{"", "alice"} {
			_, h := e.must(200, user, "OPTIONS", p, "")
			if h.Get("DAV") != "1, 2" || h.Get("MS-Author-Via") != "DAV" {
				t.Fatalf("OPTIONS %s: %v", p, h)
			}
		}
	}
}
