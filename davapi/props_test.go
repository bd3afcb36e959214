package davapi

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// s3Keys lists a bucket as the S3 door does (all keys, no delimiter).
func s3Keys(t *testing.T, e *env, bucket string) []string {
	t.Helper()
	res, err := e.ns("alice").ListObjects(context.Background(), bucket, gateway.ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	keys := make([]string, 0, len(res.Objects))
	for _, o := range res.Objects {
		keys = append(keys, o.Key)
	}
	if len(res.CommonPrefixes) != 0 {
		t.Fatalf("prefixes without delimiter: %v", res.CommonPrefixes)
	}
	return keys
}

// propsOf is the gateway properties document of a resource ("" = none).
func propsOf(t *testing.T, e *env, bucket, key string) string {
	t.Helper()
	data, err := e.ns("alice").GetProps(context.Background(), bucket, key)
	if err != nil {
		t.Fatalf("GetProps %s %q: %v", bucket, key, err)
	}
	return string(data)
}

// hasProp tells whether a PROPFIND allprop of p shows value.
func hasProp(t *testing.T, e *env, p, value string) bool {
	t.Helper()
	body, _ := e.must(207, "alice", "PROPFIND", p, propfindAll, "Depth", "0")
	return strings.Contains(body, value)
}

func TestPropsOutsideS3View(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/pv-b", "")
	e.must(201, "alice", "MKCOL", "/pv-b/dir", "")
	e.must(201, "alice", "PUT", "/pv-b/dir/f.txt", "data")
	for _, p := range []string{"/pv-b/dir/f.txt", "/pv-b/dir", "/pv-b"} {
		e.must(207, "alice", "PROPPATCH", p, proppatch("set", "<Z:color>red</Z:color>"))
	}
	if got := strings.Join(s3Keys(t, e, "pv-b"), ","); got != "dir/,dir/f.txt" {
		t.Fatalf("S3 view after PROPPATCH: %s", got)
	}
	for _, k := range []string{"dir/f.txt", "dir/", ""} {
		if propsOf(t, e, "pv-b", k) == "" {
			t.Fatalf("no properties stored for %q", k)
		}
	}
	ctx := context.Background()
	ns := e.ns("alice")
	if err := ns.DeleteObject(ctx, "pv-b", "dir/f.txt"); err != nil {
		t.Fatal(err)
	}
	e.must(201, "alice", "PUT", "/pv-b/dir/f.txt", "new")
	if hasProp(t, e, "/pv-b/dir/f.txt", "red") || propsOf(t, e, "pv-b", "dir/f.txt") != "" {
		t.Fatal("stale dead properties after S3 DeleteObject and a new PUT")
	}
	if _, err := ns.PutObject(ctx, "pv-b", "s3.txt", bytes.NewReader([]byte("s")), 1, gateway.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if hasProp(t, e, "/pv-b/s3.txt", "red") {
		t.Fatal("S3 object shows dead properties")
	}
}

func TestPropsDeletedWithResource(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	e.must(201, "alice", "MKCOL", "/pd-b", "")
	if _, err := e.ns("alice").PutObject(ctx, "pd-b", "implicit/f.txt", bytes.NewReader([]byte("x")), 1, gateway.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	e.must(207, "alice", "PROPPATCH", "/pd-b/implicit", proppatch("set", "<Z:color>blue</Z:color>"))
	e.must(207, "alice", "PROPPATCH", "/pd-b", proppatch("set", "<Z:color>green</Z:color>"))
	if got := strings.Join(s3Keys(t, e, "pd-b"), ","); got != "implicit/,implicit/f.txt" {
		t.Fatalf("folder PROPPATCH keeps no marker: %s", got)
	}
	e.must(204, "alice", "DELETE", "/pd-b/implicit", "")
	if propsOf(t, e, "pd-b", "implicit/") != "" {
		t.Fatal("folder properties survived DELETE")
	}
	e.must(204, "alice", "DELETE", "/pd-b", "")
	e.must(201, "alice", "MKCOL", "/pd-b", "")
	if propsOf(t, e, "pd-b", "") != "" || hasProp(t, e, "/pd-b", "green") {
		t.Fatal("bucket properties survived DELETE of the bucket")
	}
}

func TestPropsMoveCopyTree(t *testing.T) {
	tests := []struct {
		method  string
		srcGone bool
	}{
		{"MOVE", true},
		{"COPY", false},
	}
	for _, tc := range tests {
		t.Run(tc.method, func(t *testing.T) {
			e := newEnv(t)
			tree(t, e)
			e.must(207, "alice", "PROPPATCH", "/mv-b/dir/sub", proppatch("set", "<Z:q>folder</Z:q>"))
			e.must(201, "alice", tc.method, "/mv-b/dir", "", "Destination", e.srv.URL+"/mv-b/d2")
			for k, v := range map[string]string{"d2/a.txt": ">v<", "d2/sub/": "folder"} {
				if !hasProp(t, e, "/mv-b/"+k, v) {
					t.Fatalf("%s lost its properties in %s", k, tc.method)
				}
			}
			for _, k := range []string{"dir/a.txt", "dir/sub/"} {
				if gone := propsOf(t, e, "mv-b", k) == ""; gone != tc.srcGone {
					t.Fatalf("%s: source %s properties gone=%v", tc.method, k, gone)
				}
			}
		})
	}
}

func TestLiveOnlyBody(t *testing.T) {
	const head = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:x">`
	tests := []struct {
		name, body string
		live       bool
	}{
		{"empty is allprop", "", false},
		{"allprop", head + `<D:allprop/></D:propfind>`, false},
		{"propname", head + `<D:propname/></D:propfind>`, false},
		{"live names", head + `<D:prop><D:getetag/><D:resourcetype/><D:getcontentlength/></D:prop></D:propfind>`, true},
		{"a dead name", head + `<D:prop><D:getetag/><Z:Win32FileAttributes/></D:prop></D:propfind>`, false},
		{"not xml", "nope", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := liveOnlyBody([]byte(tc.body)); got != tc.live {
				t.Fatalf("liveOnlyBody = %v, want %v", got, tc.live)
			}
		})
	}
}

func TestPropfindNamedDeadProp(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/pn-b", "")
	e.must(201, "alice", "PUT", "/pn-b/f.txt", "data")
	e.must(207, "alice", "PROPPATCH", "/pn-b/f.txt", proppatch("set", "<Z:color>red</Z:color>"))
	const head = `<?xml version="1.0"?><D:propfind xmlns:D="DAV:" xmlns:Z="urn:test"><D:prop>`
	body, _ := e.must(207, "alice", "PROPFIND", "/pn-b/", head+`<Z:color/><D:getetag/></D:prop></D:propfind>`, "Depth", "1")
	if !strings.Contains(body, ">red<") {
		t.Fatalf("named dead property missing: %s", body)
	}
	body, _ = e.must(207, "alice", "PROPFIND", "/pn-b/", head+`<D:getetag/></D:prop></D:propfind>`, "Depth", "1")
	if strings.Contains(body, "red") || !strings.Contains(body, "getetag") {
		t.Fatalf("live-only PROPFIND: %s", body)
	}
}
