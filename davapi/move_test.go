package davapi

import (
	"strings"
	"testing"
)

// tree makes /mv-b with a small tree: dir/{a.txt, sub/b.txt}, other.txt.
func tree(t *testing.T, e *env) {
	t.Helper()
	e.must(201, "alice", "MKCOL", "/mv-b", "")
	e.must(201, "alice", "MKCOL", "/mv-b/dir", "")
	e.must(201, "alice", "MKCOL", "/mv-b/dir/sub", "")
	e.must(201, "alice", "PUT", "/mv-b/dir/a.txt", "A")
	e.must(201, "alice", "PUT", "/mv-b/dir/sub/b.txt", "B")
	e.must(201, "alice", "PUT", "/mv-b/other.txt", "O")
	e.must(207, "alice", "PROPPATCH", "/mv-b/dir/a.txt", proppatch("set", "<Z:p>v</Z:p>"))
}

func TestMoveCopyDelete(t *testing.T) {
	dest := func(e *env, p string) string { return e.srv.URL + p }
	tests := []struct {
		name         string
		method, src  string
		dst          string
		hdr          []string
		status       int
		gone, exists map[string]string // path -> content ("" = collection)
	}{
		{name: "move file new", method: "MOVE", src: "/mv-b/other.txt", dst: "/mv-b/dir/o.txt", status: 201,
			gone: map[string]string{"/mv-b/other.txt": "O"}, exists: map[string]string{"/mv-b/dir/o.txt": "O"}},
		{name: "move no overwrite header means T", method: "MOVE", src: "/mv-b/other.txt", dst: "/mv-b/dir/a.txt", status: 204,
			exists: map[string]string{"/mv-b/dir/a.txt": "O"}, gone: map[string]string{"/mv-b/other.txt": ""}},
		{name: "move overwrite F", method: "MOVE", src: "/mv-b/other.txt", dst: "/mv-b/dir/a.txt", hdr: []string{"Overwrite", "F"}, status: 412,
			exists: map[string]string{"/mv-b/dir/a.txt": "A", "/mv-b/other.txt": "O"}},
		{name: "move tree", method: "MOVE", src: "/mv-b/dir", dst: "/mv-b/moved", status: 201,
			exists: map[string]string{"/mv-b/moved/a.txt": "A", "/mv-b/moved/sub/b.txt": "B", "/mv-b/moved/sub": ""},
			gone:   map[string]string{"/mv-b/dir": "", "/mv-b/dir/a.txt": ""}},
		{name: "move into itself", method: "MOVE", src: "/mv-b/dir", dst: "/mv-b/dir/sub/x", status: 403,
			exists: map[string]string{"/mv-b/dir/a.txt": "A"}},
		{name: "move missing parent", method: "MOVE", src: "/mv-b/other.txt", dst: "/mv-b/no/x", status: 409,
			exists: map[string]string{"/mv-b/other.txt": "O"}},
		{name: "move to another user's bucket", method: "MOVE", src: "/mv-b/other.txt", dst: "/bobs-b/x", status: 409,
			exists: map[string]string{"/mv-b/other.txt": "O"}},
		{name: "move bucket", method: "MOVE", src: "/mv-b", dst: "/mv-c", status: 403,
			exists: map[string]string{"/mv-b/other.txt": "O"}},
		{name: "copy tree", method: "COPY", src: "/mv-b/dir", dst: "/mv-b/copy", status: 201,
			exists: map[string]string{"/mv-b/copy/a.txt": "A", "/mv-b/copy/sub/b.txt": "B", "/mv-b/dir/a.txt": "A"}},
		{name: "copy file overwrite", method: "COPY", src: "/mv-b/other.txt", dst: "/mv-b/dir/a.txt", status: 204,
			exists: map[string]string{"/mv-b/dir/a.txt": "O", "/mv-b/other.txt": "O"}},
		{name: "copy to other host", method: "COPY", src: "/mv-b/other.txt", dst: "http://elsewhere.example/mv-b/z", status: 502,
			gone: map[string]string{"/mv-b/z": ""}},
		{name: "delete tree", method: "DELETE", src: "/mv-b/dir", status: 204,
			gone: map[string]string{"/mv-b/dir": "", "/mv-b/dir/sub/b.txt": ""}, exists: map[string]string{"/mv-b/other.txt": "O"}},
		{name: "delete missing", method: "DELETE", src: "/mv-b/nothing", status: 404},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			tree(t, e)
			e.must(201, "bob", "MKCOL", "/bobs-b", "")
			hdr := tc.hdr
			if tc.dst != "" {
				d := tc.dst
				if strings.HasPrefix(d, "/") {
					d = dest(e, d)
				}
				hdr = append(hdr, "Destination", d)
			}
			code, body, _ := e.call("alice", tc.method, tc.src, "", hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
			for p, content := range tc.exists {
				checkExists(t, e, p, content)
			}
			for p := range tc.gone {
				if code, _, _ := e.call("alice", "PROPFIND", p, "", "Depth", "0"); code != 404 {
					t.Fatalf("%s still there: %d", p, code)
				}
			}
			if code, _, _ := e.call("bob", "PROPFIND", "/bobs-b/x", "", "Depth", "0"); code != 404 {
				t.Fatalf("bob's bucket changed")
			}
		})
	}
}

func checkExists(t *testing.T, e *env, p, content string) {
	t.Helper()
	if content == "" {
		e.must(207, "alice", "PROPFIND", p, "", "Depth", "0")
		return
	}
	if body, _ := e.must(200, "alice", "GET", p, ""); body != content {
		t.Fatalf("%s: %q, want %q", p, body, content)
	}
}

func TestMoveKeepsProps(t *testing.T) {
	e := newEnv(t)
	tree(t, e)
	e.must(201, "alice", "MOVE", "/mv-b/dir", "", "Destination", e.srv.URL+"/mv-b/d2")
	body, _ := e.must(207, "alice", "PROPFIND", "/mv-b/d2/a.txt", propfindAll, "Depth", "0")
	if !strings.Contains(body, ">v<") {
		t.Fatalf("props lost in MOVE: %s", body)
	}
	e.must(201, "alice", "COPY", "/mv-b/d2/a.txt", "", "Destination", e.srv.URL+"/mv-b/c.txt")
	body, _ = e.must(207, "alice", "PROPFIND", "/mv-b/c.txt", propfindAll, "Depth", "0")
	if !strings.Contains(body, ">v<") {
		t.Fatalf("props lost in COPY: %s", body)
	}
}
