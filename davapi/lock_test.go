package davapi

import (
	"strings"
	"testing"
)

const lockBody = `<?xml version="1.0"?><D:lockinfo xmlns:D="DAV:"><D:lockscope><D:exclusive/></D:lockscope>` +
	`<D:locktype><D:write/></D:locktype><D:owner>me</D:owner></D:lockinfo>`

func lock(t *testing.T, e *env, user, p string, hdr ...string) (string, string) {
	t.Helper()
	body, h := e.must(200, user, "LOCK", p, lockBody, hdr...)
	tok := strings.Trim(h.Get("Lock-Token"), "<>")
	if tok == "" {
		t.Fatalf("no lock token: %v", h)
	}
	return tok, body
}

func TestLocks(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/lk-b", "")
	e.must(201, "alice", "PUT", "/lk-b/f.txt", "v1")
	e.must(201, "bob", "MKCOL", "/lk-b", "") // same path, bob's own bucket
	e.must(201, "bob", "PUT", "/lk-b/f.txt", "bob")

	tok, body := lock(t, e, "alice", "/lk-b/f.txt", "Timeout", "Infinite")
	if !strings.Contains(body, "Second-3600") {
		t.Fatalf("infinite lock not capped: %s", body)
	}
	etag := func() string {
		_, h := e.must(200, "alice", "HEAD", "/lk-b/f.txt", "")
		return h.Get("ETag")
	}
	tests := []struct {
		name, user, method string
		hdr                []string
		status             int
	}{
		{"put without token", "alice", "PUT", nil, 423},
		{"bob's put is his own file", "bob", "PUT", nil, 201},
		{"bob's put with alice's token", "bob", "PUT", []string{"If", "(<" + tok + ">)"}, 412},
		{"bob unlocks with alice's token", "bob", "UNLOCK", []string{"Lock-Token", "<" + tok + ">"}, 409},
		{"put with wrong etag", "alice", "PUT", []string{"If", `(<` + tok + `> ["nope"])`}, 412},
		{"put with Not no-lock only", "alice", "PUT", []string{"If", "(Not <DAV:no-lock>)"}, 423},
		{"malformed If", "alice", "PUT", []string{"If", "(<" + tok}, 400},
		{"put with token and etag", "alice", "PUT", []string{"If", "(<" + tok + "> [" + etag() + "])"}, 201},
		{"unlock", "alice", "UNLOCK", []string{"Lock-Token", "<" + tok + ">"}, 204},
		{"put after unlock with old token", "alice", "PUT", []string{"If", "(<" + tok + ">)"}, 412},
		{"put unlocked", "alice", "PUT", nil, 201},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, b, _ := e.call(tc.user, tc.method, "/lk-b/f.txt", "new-"+tc.user, tc.hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, b)
			}
		})
	}
	if body, _ := e.must(200, "bob", "GET", "/lk-b/f.txt", ""); body != "new-bob" {
		t.Fatalf("bob's file: %q", body)
	}
}

func TestLockUnmappedCreatesEmptyFile(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/lk-c", "")
	_, h := e.must(201, "alice", "LOCK", "/lk-c/new.txt", lockBody, "Timeout", "Second-60")
	if h.Get("Lock-Token") == "" {
		t.Fatal("no token")
	}
	e.must(200, "alice", "GET", "/lk-c/new.txt", "")
	e.must(409, "alice", "LOCK", "/lk-c/no/new.txt", lockBody)
}
