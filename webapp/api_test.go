package webapp

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

func objPath(bucket, key string, extra ...string) string {
	q := url.Values{"bucket": {bucket}, "key": {key}}
	for i := 0; i+1 < len(extra); i += 2 {
		q.Set(extra[i], extra[i+1])
	}
	return "/api/object?" + q.Encode()
}

func listPath(bucket, prefix string) string {
	return "/api/list?" + url.Values{"bucket": {bucket}, "prefix": {prefix}}.Encode()
}

// get reads an object through the gateway (what S3 and WebDAV see).
func (e *env) get(user, bucket, key string) (string, error) {
	e.t.Helper()
	or, err := e.ns(user).GetObject(e.t.(*testing.T).Context(), bucket, key, gateway.GetOptions{})
	if err != nil {
		return "", err
	}
	defer func() { _ = or.Body.Close() }()
	b, err := io.ReadAll(or.Body)
	return string(b), err
}

func TestUploadListDownload(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(409, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(400, "POST", "/api/buckets", `{"name":"No_Such Name"}`)
	var bl struct{ Buckets []bucketJSON }
	decode(t, c.must(200, "GET", "/api/buckets", ""), &bl)
	if len(bl.Buckets) != 1 || bl.Buckets[0].Name != "docs" {
		t.Fatalf("buckets: %+v", bl)
	}

	body := "0123456789abcdef"
	c.must(201, "PUT", objPath("docs", "a/b/hello world.txt"), body, "Content-Type", "text/plain")
	c.must(201, "PUT", objPath("docs", "top.bin"), "x")
	if got, err := e.get("alice", "docs", "a/b/hello world.txt"); err != nil || got != body {
		t.Fatalf("stored: %q %v", got, err)
	}
	// An existing file is kept without overwrite=1.
	c.must(412, "PUT", objPath("docs", "top.bin"), "replaced")
	if got, _ := e.get("alice", "docs", "top.bin"); got != "x" {
		t.Fatalf("412 changed the file: %q", got)
	}
	c.must(201, "PUT", objPath("docs", "top.bin", "overwrite", "1"), "replaced")

	var l listJSON
	decode(t, c.must(200, "GET", listPath("docs", ""), ""), &l)
	if len(l.Folders) != 1 || l.Folders[0].Name != "a" || l.Folders[0].Prefix != "a/" || len(l.Files) != 1 ||
		l.Files[0].Name != "top.bin" || l.Files[0].Size != 8 || l.Next != nil {
		t.Fatalf("root listing: %+v", l)
	}
	decode(t, c.must(200, "GET", listPath("docs", "a/b/"), ""), &l)
	if len(l.Files) != 1 || l.Files[0].Name != "hello world.txt" || l.Files[0].Key != "a/b/hello world.txt" {
		t.Fatalf("a/b/ listing: %+v", l)
	}
	c.must(404, "GET", listPath("docs", "nope/"), "")
	c.must(404, "GET", listPath("nobucket", ""), "")
	c.must(400, "GET", listPath("docs", "a"), "")

	resp := c.do("GET", objPath("docs", "a/b/hello world.txt"), nil)
	got, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != body || resp.Header.Get("Content-Type") != "text/plain" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename="hello world.txt"` || resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("download: %d %q %v", resp.StatusCode, got, resp.Header)
	}
	c.must(404, "GET", objPath("docs", "missing"), "")
	// bob sees none of it.
	bob := e.login("bob")
	bob.must(404, "GET", objPath("docs", "top.bin"), "")
	bob.must(404, "GET", listPath("docs", ""), "")
}

func TestDownloadRanges(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"ranges"}`)
	body := "0123456789"
	c.must(201, "PUT", objPath("ranges", "f"), body)
	for _, tc := range []struct {
		rng, want, contentRange string
		status                  int
	}{
		{"bytes=2-4", "234", "bytes 2-4/10", 206},
		{"bytes=7-", "789", "bytes 7-9/10", 206},
		{"bytes=-3", "789", "bytes 7-9/10", 206},
		{"bytes=5-100", "56789", "bytes 5-9/10", 206},
		{"bytes=0-1,4-5", body, "", 200}, // several ranges: served whole
		{"items=1-2", body, "", 200},
		{"bytes=x-y", body, "", 200},
		{"bytes=10-", "", "bytes */10", 416},
	} {
		resp := c.do("GET", objPath("ranges", "f"), nil, "Range", tc.rng)
		b, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Content-Range") != tc.contentRange || (tc.status != 416 && string(b) != tc.want) {
			t.Errorf("Range %s: %d %q %q; want %d %q %q", tc.rng, resp.StatusCode, resp.Header.Get("Content-Range"), b,
				tc.status, tc.contentRange, tc.want)
		}
	}
}

// TestActiveContentIsAttachment: a file whose name and content are HTML
// (or SVG, or script) is downloaded as an attachment, under a CSP that
// allows nothing, never rendered as part of the app.
func TestActiveContentIsAttachment(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"xss"}`)
	for name, ct := range map[string]string{
		"<img src=x onerror=alert(1)>.html": "text/html",
		"pic.svg":                           "image/svg+xml",
		"app.js":                            "application/javascript",
		"feed.xml":                          "application/xhtml+xml",
		"noext":                             "",
	} {
		c.must(201, "PUT", objPath("xss", name), "<script>alert(1)</script>", "Content-Type", ct)
		resp := c.do("GET", objPath("xss", name), nil)
		_ = resp.Body.Close()
		h := resp.Header
		if cd := h.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, "filename") {
			t.Errorf("%s: Content-Disposition %q", name, cd)
		}
		if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") {
			t.Errorf("%s: CSP %q", name, csp)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", name)
		}
	}
	var l listJSON
	decode(t, c.must(200, "GET", listPath("xss", ""), ""), &l)
	if len(l.Files) != 5 {
		t.Fatalf("listing: %+v", l)
	}
}

// TestUploadIncompleteChangesNothing: a body that ends before its
// Content-Length leaves no file (and the old one in place); an upload
// without a length is refused.
func TestUploadIncompleteChangesNothing(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"uploads"}`)
	c.must(201, "PUT", objPath("uploads", "keep"), "old")
	for _, key := range []string{"new", "keep"} {
		conn, err := net.Dial("tcp", e.srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nX-CSRF-Token: %s\r\nContent-Length: 1000\r\n\r\nshort",
			objPath("uploads", key, "overwrite", "1"), e.srv.Listener.Addr(), cookieName, c.cookie.Value, c.csrf)
		_ = conn.(*net.TCPConn).CloseWrite()
		if resp, err := http.ReadResponse(bufio.NewReader(conn), nil); err == nil {
			_ = resp.Body.Close()
		}
		_ = conn.Close()
	}
	if _, err := e.get("alice", "uploads", "new"); err == nil {
		t.Fatal("a short upload made a file")
	}
	if got, _ := e.get("alice", "uploads", "keep"); got != "old" {
		t.Fatalf("a short upload replaced a file: %q", got)
	}
	req, _ := http.NewRequest("PUT", e.srv.URL+objPath("uploads", "chunked"), io.MultiReader(strings.NewReader("abc")))
	req.AddCookie(c.cookie)
	req.Header.Set(csrfHeader, c.csrf)
	req.ContentLength = -1
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusLengthRequired {
		t.Fatalf("chunked upload: %d, want 411", resp.StatusCode)
	}
	for _, p := range []string{objPath("", "k"), objPath("uploads", ""), objPath("uploads", "dir/")} {
		c.must(400, "PUT", p, "x")
	}
}

func TestDeleteAndFolders(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"folders"}`)
	c.must(201, "POST", "/api/folder", `{"bucket":"folders","prefix":"empty/"}`)
	c.must(409, "POST", "/api/folder", `{"bucket":"folders","prefix":"empty/"}`)
	c.must(400, "POST", "/api/folder", `{"bucket":"folders","prefix":"noslash"}`)
	for _, k := range []string{"tree/a", "tree/sub/b", "tree/sub/deeper/c", "other/d"} {
		c.must(201, "PUT", objPath("folders", k), k)
	}
	c.must(409, "POST", "/api/folder", `{"bucket":"folders","prefix":"tree/"}`) // exists without a marker
	var l listJSON
	decode(t, c.must(200, "GET", listPath("folders", ""), ""), &l)
	if len(l.Folders) != 3 {
		t.Fatalf("folders: %+v", l)
	}
	decode(t, c.must(200, "GET", listPath("folders", "empty/"), ""), &l)
	if len(l.Files) != 0 || len(l.Folders) != 0 {
		t.Fatalf("an empty folder lists its marker: %+v", l)
	}

	c.must(204, "DELETE", objPath("folders", "other/d"), "")
	c.must(204, "DELETE", objPath("folders", "other/d"), "") // absent: not an error
	var del map[string]int
	decode(t, c.must(200, "DELETE", "/api/folder?bucket=folders&prefix=tree/", ""), &del)
	if del["deleted"] != 3 {
		t.Fatalf("deleted %v", del)
	}
	c.must(400, "DELETE", "/api/folder?bucket=folders&prefix=", "") // never the whole bucket
	decode(t, c.must(200, "GET", listPath("folders", ""), ""), &l)
	if len(l.Folders) != 1 || l.Folders[0].Name != "empty" || len(l.Files) != 0 {
		t.Fatalf("after deletes: %+v", l)
	}
}

func TestRename(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"moves"}`)
	for _, k := range []string{"a.txt", "b.txt", "dir/x", "dir/sub/y", "taken/z"} {
		c.must(201, "PUT", objPath("moves", k), "content of "+k)
	}
	ns := e.ns("alice")
	if err := ns.SetProps(t.Context(), "moves", "a.txt", []byte("<props/>")); err != nil {
		t.Fatal(err)
	}
	c.must(200, "POST", "/api/rename", `{"bucket":"moves","from":"a.txt","to":"moved/c.txt"}`)
	if got, _ := e.get("alice", "moves", "moved/c.txt"); got != "content of a.txt" {
		t.Fatalf("renamed file: %q", got)
	}
	if _, err := e.get("alice", "moves", "a.txt"); err == nil {
		t.Fatal("the old name stays")
	}
	if p, _ := ns.GetProps(t.Context(), "moves", "moved/c.txt"); string(p) != "<props/>" {
		t.Fatalf("properties not moved: %q", p)
	}
	for body, want := range map[string]int{
		`{"bucket":"moves","from":"b.txt","to":"moved/c.txt"}`: 409, // exists
		`{"bucket":"moves","from":"b.txt","to":"b.txt"}`:       400,
		`{"bucket":"moves","from":"b.txt","to":"dir2/"}`:       400,
		`{"bucket":"moves","from":"dir/","to":"dir/sub2/"}`:    400, // into itself
		`{"bucket":"moves","from":"dir/","to":"taken/"}`:       409,
		`{"bucket":"moves","from":"nope.txt","to":"n2.txt"}`:   404,
		`{"bucket":"moves","from":"nope/","to":"n2/"}`:         404,
	} {
		c.must(want, "POST", "/api/rename", body)
	}
	if got, _ := e.get("alice", "moves", "moved/c.txt"); got != "content of a.txt" {
		t.Fatalf("a refused rename changed the target: %q", got)
	}
	c.must(200, "POST", "/api/rename", `{"bucket":"moves","from":"dir/","to":"renamed/"}`)
	for _, k := range []string{"x", "sub/y"} {
		if got, _ := e.get("alice", "moves", "renamed/"+k); got != "content of dir/"+k {
			t.Fatalf("renamed/%s: %q", k, got)
		}
		if _, err := e.get("alice", "moves", "dir/"+k); err == nil {
			t.Fatalf("dir/%s stays", k)
		}
	}
}

// TestLargeFolderPages: a folder of 10,000 files lists in pages of 1000
// continued with the gateway's marker and snapshot, each file once.
func TestLargeFolderPages(t *testing.T) {
	const n = 10000
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"big"}`)
	ns := e.ns("alice")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for w := range 8 {
		wg.Go(func() {
			for i := w; i < n; i += 8 {
				if _, err := ns.PutObject(t.Context(), "big", fmt.Sprintf("many/f%05d", i), bytes.NewReader(nil), 0, gateway.PutOptions{}); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	seen, pages := map[string]bool{}, 0
	path := listPath("big", "many/")
	for {
		var l listJSON
		decode(t, c.must(200, "GET", path, ""), &l)
		pages++
		for _, f := range l.Files {
			if seen[f.Key] {
				t.Fatalf("%s listed twice", f.Key)
			}
			seen[f.Key] = true
		}
		if l.Next == nil {
			break
		}
		path = listPath("big", "many/") + "&" + url.Values{"marker": {l.Next.Marker}, "snapshot": {l.Next.Snapshot}}.Encode()
	}
	if len(seen) != n || pages != n/listPage {
		t.Fatalf("%d files in %d pages, want %d in %d", len(seen), pages, n, n/listPage)
	}
}
