package davapi

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

const propfindAll = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`

func TestMkcol(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, path string
		status     int
		msg        string
	}{
		{"bucket", "/photos", 201, ""},
		{"bucket again", "/photos", 405, ""},
		{"bad bucket name", "/No_Such", 403, "invalid bucket name"},
		{"short bucket name", "/ab", 403, "3 to 63"},
		{"folder", "/photos/2024", 201, ""},
		{"nested", "/photos/2024/summer", 201, ""},
		{"missing parent", "/photos/x/y", 409, ""},
		{"missing bucket", "/nobucket/x", 409, ""},
		{"former reserved name is ordinary", "/photos/.sealgate-props", 201, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body, _ := e.call("alice", "MKCOL", tc.path, "")
			if code != tc.status || !strings.Contains(body, tc.msg) {
				t.Fatalf("status %d %q, want %d %q", code, body, tc.status, tc.msg)
			}
		})
	}
	if _, err := e.ns("alice").HeadObject(context.Background(), "photos", "2024/summer/", gateway.GetOptions{}); err != nil {
		t.Fatalf("folder marker: %v", err)
	}
}

func TestPropfind(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/b1x", "")
	e.must(201, "alice", "MKCOL", "/b1x/dir", "")
	e.must(201, "alice", "PUT", "/b1x/dir/f one.txt", "hello", "Content-Type", "text/x-test")
	e.must(207, "alice", "PROPPATCH", "/b1x/dir/f one.txt", proppatch("set", "<Z:color>red</Z:color>"))
	ns := e.ns("alice")
	for _, k := range []string{"dir/a//b", "dir/./c", "dir/../d"} { // S3-only keys
		if _, err := ns.PutObject(context.Background(), "b1x", k, bytes.NewReader([]byte("s3")), 2, gateway.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name, path, depth string
		status            int
		has, hasNot       []string
	}{
		{"root depth 1", "/", "1", 207, []string{"<D:href>/b1x/</D:href>"}, nil},
		{"file depth 0", "/b1x/dir/f%20one.txt", "0", 207,
			[]string{"text/x-test", "<D:getcontentlength>5</D:getcontentlength>", "red"}, nil},
		{"dir depth 1", "/b1x/dir/", "1", 207,
			[]string{"f%20one.txt", "red", "text/x-test", "<D:href>/b1x/dir/a/</D:href>"},
			[]string{"sealgate", "/b1x/dir/c", "/b1x/dir/d", "a//b"}},
		{"bucket depth 1 shows no props store", "/b1x/", "1", 207, []string{"/b1x/dir/"}, []string{"sealgate"}},
		{"infinity refused", "/b1x/", "infinity", 403, []string{"propfind-finite-depth"}, nil},
		{"no depth refused", "/b1x/", "", 403, []string{"propfind-finite-depth"}, nil},
		{"missing", "/b1x/nothing", "0", 404, nil, nil},
		{"other user's bucket", "/b1x/", "0", 207, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			hdr := []string{}
			if tc.depth != "" {
				hdr = []string{"Depth", tc.depth}
			}
			code, body, _ := e.call("alice", "PROPFIND", tc.path, propfindAll, hdr...)
			if code != tc.status {
				t.Fatalf("status %d, want %d: %s", code, tc.status, body)
			}
			for _, s := range tc.has {
				if !strings.Contains(body, s) {
					t.Fatalf("missing %q in %s", s, body)
				}
			}
			for _, s := range tc.hasNot {
				if strings.Contains(body, s) {
					t.Fatalf("unexpected %q in %s", s, body)
				}
			}
		})
	}
	if code, _, _ := e.call("bob", "PROPFIND", "/b1x/", "", "Depth", "0"); code != 404 {
		t.Fatalf("bob sees alice's bucket: %d", code)
	}
}

func proppatch(op, inner string) string {
	return `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:test"><D:` + op +
		`><D:prop>` + inner + `</D:prop></D:` + op + `></D:propertyupdate>`
}

func TestProppatchKeepsData(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/pp-b", "")
	e.must(201, "alice", "MKCOL", "/pp-b/dir", "")
	e.must(201, "alice", "PUT", "/pp-b/f.txt", "data")
	ns := e.ns("alice")
	before, err := ns.HeadObject(context.Background(), "pp-b", "f.txt", gateway.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	win := `<Z:Win32LastModifiedTime>Wed, 01 May 2024 10:00:00 GMT</Z:Win32LastModifiedTime>`
	for _, p := range []string{"/pp-b/f.txt", "/pp-b/dir/", "/pp-b/"} {
		body, _ := e.must(207, "alice", "PROPPATCH", p, proppatch("set", win))
		if !strings.Contains(body, "200 OK") {
			t.Fatalf("PROPPATCH %s: %s", p, body)
		}
		got, _ := e.must(207, "alice", "PROPFIND", p, propfindAll, "Depth", "0")
		if !strings.Contains(got, "Wed, 01 May 2024 10:00:00 GMT") {
			t.Fatalf("PROPFIND %s lost the property: %s", p, got)
		}
	}
	after, err := ns.HeadObject(context.Background(), "pp-b", "f.txt", gateway.GetOptions{})
	if err != nil || after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified) {
		t.Fatalf("PROPPATCH rewrote the data: %+v -> %+v", before, after)
	}
	e.must(207, "alice", "PROPPATCH", "/pp-b/f.txt", proppatch("remove", "<Z:Win32LastModifiedTime/>"))
	got, _ := e.must(207, "alice", "PROPFIND", "/pp-b/f.txt", propfindAll, "Depth", "0")
	if strings.Contains(got, "2024") {
		t.Fatalf("removed property still there: %s", got)
	}
}
