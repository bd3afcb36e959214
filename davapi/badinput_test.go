package davapi

import (
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/bad-b", "")
	e.must(201, "alice", "PUT", "/bad-b/f.txt", "keep")
	auth := "Authorization: " + basicAuth("alice") + "\r\n"
	tests := []struct {
		name, raw string
		status    string
	}{
		{"dot dot", "GET /bad-b/../bad-b/f.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", "400"},
		{"dot dot put", "PUT /bad-b/x/../g.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n" + auth + "\r\nz", "400"},
		{"NUL", "GET /bad-b/f%00.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", "400"},
		{"encoded slash", "DELETE /bad-b%2Ff.txt HTTP/1.1\r\nHost: x\r\n" + auth + "\r\n", "400"},
		{"encoded slash lower", "PUT /bad-b/a%2fb HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n" + auth + "\r\nz", "400"},
		{"dest dot dot", "MOVE /bad-b/f.txt HTTP/1.1\r\nHost: x\r\nDestination: http://x/bad-b/a/../../g\r\n" + auth + "\r\n", "400"},
		{"dest encoded slash", "COPY /bad-b/f.txt HTTP/1.1\r\nHost: x\r\nDestination: /bad-b/a%2Fg\r\n" + auth + "\r\n", "400"},
		{"bad overwrite", "COPY /bad-b/f.txt HTTP/1.1\r\nHost: x\r\nDestination: /bad-b/g\r\nOverwrite: X\r\n" + auth + "\r\n", "400"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			line := rawRequest(t, e, tc.raw, false)
			if !strings.Contains(line, " "+tc.status+" ") {
				t.Fatalf("got %q, want %s", line, tc.status)
			}
		})
	}
	xmlTests := []struct {
		name, method, body string
		hdr                []string
		status             int
	}{
		{"propfind not xml", "PROPFIND", "<D:propfind", []string{"Depth", "0"}, 400},
		{"propfind empty ns prefix", "PROPFIND", `<D:propfind xmlns:D="DAV:"><D:prop><bar:foo xmlns:bar=""/></D:prop></D:propfind>`, []string{"Depth", "0"}, 400},
		{"propfind undeclared prefix", "PROPFIND", `<D:propfind xmlns:D="DAV:"><D:prop><x:foo/></D:prop></D:propfind>`, []string{"Depth", "0"}, 400},
		{"propfind unbalanced", "PROPFIND", `<D:propfind xmlns:D="DAV:"><D:prop></D:propfind>`, []string{"Depth", "0"}, 400},
		{"proppatch garbage", "PROPPATCH", `<<<>>>`, nil, 400},
		{"lock garbage", "LOCK", `<D:lockinfo xmlns:D="DAV:"><D:lockscope>`, nil, 400},
		{"propfind bad depth", "PROPFIND", "", []string{"Depth", "2"}, 400},
	}
	for _, tc := range xmlTests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := e.call("alice", tc.method, "/bad-b/f.txt", tc.body, tc.hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
		})
	}
	if body, _ := e.must(200, "alice", "GET", "/bad-b/f.txt", ""); body != "keep" {
		t.Fatalf("changed: %q", body)
	}
	body, _ := e.must(207, "alice", "PROPFIND", "/bad-b/", "", "Depth", "1")
	if strings.Count(body, "<D:response>") != 2 {
		t.Fatalf("bad input created resources: %s", body)
	}
}
