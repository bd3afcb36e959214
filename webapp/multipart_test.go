package webapp

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func mpPath(p string, kv ...string) string {
	q := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	return p + "?" + q.Encode()
}

// startMP starts an upload of bucket/key and returns its id.
func (c *client) startMP(bucket, key string) string {
	c.e.t.Helper()
	var u uploadJSON
	decode(c.e.t, c.must(201, "POST", "/api/multipart", fmt.Sprintf(`{"bucket":%q,"key":%q,"type":"text/plain"}`, bucket, key)), &u)
	if u.Upload == "" {
		c.e.t.Fatal("no upload id")
	}
	return u.Upload
}

func partPath(bucket, key, id string, part string) string {
	return mpPath("/api/multipart/part", "bucket", bucket, "key", key, "upload", id, "part", part)
}

// putPart sends a part and returns its ETag.
func (c *client) putPart(bucket, key, id string, part int, body string) string {
	c.e.t.Helper()
	var out struct{ ETag string }
	decode(c.e.t, c.must(200, "PUT", partPath(bucket, key, id, fmt.Sprint(part)), body), &out)
	return out.ETag
}

func TestMultipartUpload(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	id := c.startMP("docs", "dir/big.txt")
	p1 := strings.Repeat("a", 5<<20)
	first := c.putPart("docs", "dir/big.txt", id, 1, "wrong first")
	e1 := c.putPart("docs", "dir/big.txt", id, 1, p1) // sent again: replaces
	e2 := c.putPart("docs", "dir/big.txt", id, 2, "tail")
	if e1 == "" || e2 == "" || e1 == e2 || first == e1 {
		t.Fatalf("etags %q %q %q", first, e1, e2)
	}

	var parts struct{ Parts []partJSON }
	decode(t, c.must(200, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "dir/big.txt", "upload", id), ""), &parts)
	want := []partJSON{{1, 5 << 20, e1}, {2, 4, e2}}
	if fmt.Sprint(parts.Parts) != fmt.Sprint(want) {
		t.Fatalf("parts %+v, want %+v", parts.Parts, want)
	}
	var ups struct{ Uploads []uploadJSON }
	decode(t, c.must(200, "GET", mpPath("/api/multipart", "bucket", "docs", "key", "dir/big.txt"), ""), &ups)
	if len(ups.Uploads) != 1 || ups.Uploads[0].Upload != id {
		t.Fatalf("uploads %+v", ups)
	}
	if _, err := e.get("alice", "docs", "dir/big.txt"); err == nil {
		t.Fatal("the file is visible before Complete")
	}

	complete := fmt.Sprintf(`{"bucket":"docs","key":"dir/big.txt","upload":%q,"parts":[{"number":1,"etag":%q},{"number":2,"etag":%q}]}`, id, e1, e2)
	var f fileJSON
	decode(t, c.must(201, "POST", "/api/multipart/complete", complete), &f)
	if f.Size != 5<<20+4 || f.Name != "big.txt" {
		t.Fatalf("completed %+v", f)
	}
	if got, err := e.get("alice", "docs", "dir/big.txt"); err != nil || got != p1+"tail" {
		t.Fatalf("stored %d bytes, %v", len(got), err)
	}
	decode(t, c.must(200, "GET", mpPath("/api/multipart", "bucket", "docs", "key", "dir/big.txt"), ""), &ups)
	if len(ups.Uploads) != 0 {
		t.Fatalf("uploads after complete: %+v", ups)
	}

	// A second upload of the same name: refused at Complete without
	// overwrite (the file stays), then aborted.
	id2 := c.startMP("docs", "dir/big.txt")
	e3 := c.putPart("docs", "dir/big.txt", id2, 1, "new")
	c2 := fmt.Sprintf(`{"bucket":"docs","key":"dir/big.txt","upload":%q,"parts":[{"number":1,"etag":%q}]}`, id2, e3)
	c.must(412, "POST", "/api/multipart/complete", c2)
	c.must(204, "DELETE", mpPath("/api/multipart", "bucket", "docs", "key", "dir/big.txt", "upload", id2), "")
	c.must(404, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "dir/big.txt", "upload", id2), "")
	if got, _ := e.get("alice", "docs", "dir/big.txt"); got != p1+"tail" {
		t.Fatal("the refused upload changed the file")
	}
}

func TestMultipartOverwrite(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(201, "PUT", objPath("docs", "f"), "old")
	id := c.startMP("docs", "f")
	et := c.putPart("docs", "f", id, 1, "new")
	c.must(201, "POST", "/api/multipart/complete",
		fmt.Sprintf(`{"bucket":"docs","key":"f","upload":%q,"overwrite":true,"parts":[{"number":1,"etag":%q}]}`, id, et))
	if got, _ := e.get("alice", "docs", "f"); got != "new" {
		t.Fatalf("overwritten: %q", got)
	}
}

func TestMultipartBadInput(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	id := c.startMP("docs", "k")
	bob := e.login("bob")
	bob.must(201, "POST", "/api/buckets", `{"name":"bobs"}`)
	bobID := bob.startMP("bobs", "k")
	tests := []struct {
		name         string
		c            *client
		method, path string
		body         string
		want         int
	}{
		{"part 0", c, "PUT", partPath("docs", "k", id, "0"), "x", 400},
		{"part 10001", c, "PUT", partPath("docs", "k", id, "10001"), "x", 400},
		{"part not a number", c, "PUT", partPath("docs", "k", id, "one"), "x", 400},
		{"no upload id", c, "PUT", partPath("docs", "k", "", "1"), "x", 400},
		{"unknown upload id", c, "PUT", partPath("docs", "k", "AAAAAAAAAAAAAAAAAAAAAAAAAA", "1"), "x", 404},
		{"garbage upload id", c, "PUT", partPath("docs", "k", "../../x", "1"), "x", 404},
		{"another key", c, "PUT", partPath("docs", "other", id, "1"), "x", 404},
		{"bob's upload id", c, "PUT", partPath("docs", "k", bobID, "1"), "x", 404},
		{"bob's upload in his bucket", c, "PUT", partPath("bobs", "k", bobID, "1"), "x", 404},
		{"alice's upload, as bob", bob, "PUT", partPath("docs", "k", id, "1"), "x", 404},
		{"alice's parts, as bob", bob, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "k", "upload", id), "", 404},
		{"alice's uploads, as bob", bob, "GET", mpPath("/api/multipart", "bucket", "docs", "key", "k"), "", 404},
		{"abort alice's, as bob", bob, "DELETE", mpPath("/api/multipart", "bucket", "docs", "key", "k", "upload", id), "", 404},
		{"complete alice's, as bob", bob, "POST", "/api/multipart/complete",
			fmt.Sprintf(`{"bucket":"docs","key":"k","upload":%q,"parts":[{"number":1,"etag":"x"}]}`, id), 404},
		{"complete without parts", c, "POST", "/api/multipart/complete", fmt.Sprintf(`{"bucket":"docs","key":"k","upload":%q,"parts":[]}`, id), 400},
		{"complete a part never sent", c, "POST", "/api/multipart/complete",
			fmt.Sprintf(`{"bucket":"docs","key":"k","upload":%q,"parts":[{"number":3,"etag":"x"}]}`, id), 400},
		{"start without key", c, "POST", "/api/multipart", `{"bucket":"docs"}`, 400},
		{"start a folder name", c, "POST", "/api/multipart", `{"bucket":"docs","key":"d/"}`, 400},
		{"start in no bucket", c, "POST", "/api/multipart", `{"bucket":"nope","key":"k"}`, 404},
		{"start with unknown field", c, "POST", "/api/multipart", `{"bucket":"docs","key":"k","x":1}`, 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if code, body := tc.c.call(tc.method, tc.path, tc.body); code != tc.want {
				t.Fatalf("%d, want %d: %s", code, tc.want, body)
			}
		})
	}
	// Nothing above stored a part in alice's upload.
	var parts struct{ Parts []partJSON }
	decode(t, c.must(200, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "k", "upload", id), ""), &parts)
	if len(parts.Parts) != 0 {
		t.Fatalf("parts stored by refused requests: %+v", parts)
	}
}

func TestMultipartNeedsLengthAndToken(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	id := c.startMP("docs", "k")
	// A body of unknown length goes chunked, without Content-Length.
	resp := c.do("PUT", partPath("docs", "k", id, "1"), io.MultiReader(strings.NewReader("abc")))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusLengthRequired {
		t.Fatalf("chunked part: %d, want 411", resp.StatusCode)
	}
	if code, _ := c.call("PUT", partPath("docs", "k", id, "1"), "abc", csrfHeader, ""); code != http.StatusForbidden {
		t.Fatalf("part without CSRF token: %d, want 403", code)
	}
	var parts struct{ Parts []partJSON }
	decode(t, c.must(200, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "k", "upload", id), ""), &parts)
	if len(parts.Parts) != 0 {
		t.Fatalf("parts: %+v", parts)
	}
}

// rawPart sends a part's header with Content-Length length and then body,
// and closes the sending side: a part cut short, or an announced length
// the door refuses. It returns the status (0 if none came).
func (c *client) rawPart(path string, length int, body string) int {
	c.e.t.Helper()
	conn, err := net.Dial("tcp", c.e.srv.Listener.Addr().String())
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer func() { _ = conn.Close() }()
	fmt.Fprintf(conn, "PUT %s HTTP/1.1\r\nHost: %s\r\nCookie: %s=%s\r\nX-CSRF-Token: %s\r\nContent-Length: %d\r\n\r\n%s",
		path, c.e.srv.Listener.Addr(), cookieName, c.cookie.Value, c.csrf, length, body)
	_ = conn.(*net.TCPConn).CloseWrite()
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return 0
	}
	_ = resp.Body.Close()
	return resp.StatusCode
}

func TestMultipartShortAndLargeParts(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	id := c.startMP("docs", "k")
	c.rawPart(partPath("docs", "k", id, "1"), 1000, "short")
	if code := c.rawPart(partPath("docs", "k", id, "2"), maxPartSize+1, "x"); code != http.StatusRequestEntityTooLarge {
		t.Fatalf("a part over 64 MiB: %d, want 413", code)
	}
	var parts struct{ Parts []partJSON }
	decode(t, c.must(200, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "k", "upload", id), ""), &parts)
	if len(parts.Parts) != 0 {
		t.Fatalf("parts stored from a short body or a refused one: %+v", parts)
	}
}

// TestMultipartOnAnotherGateway: an upload started through one gateway is
// continued, listed and completed through another (a reload that lands on
// another gateway behind a balancer).
func TestMultipartOnAnotherGateway(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	id := c.startMP("docs", "k")
	p1 := strings.Repeat("b", 5<<20)
	e1 := c.putPart("docs", "k", id, 1, p1)
	other := c.on(newGateway(t, e.store, e.acc, e.clock, false))
	var parts struct{ Parts []partJSON }
	decode(t, other.must(200, "GET", mpPath("/api/multipart/parts", "bucket", "docs", "key", "k", "upload", id), ""), &parts)
	if len(parts.Parts) != 1 || parts.Parts[0].ETag != e1 {
		t.Fatalf("parts seen by the other gateway: %+v", parts)
	}
	e2 := other.putPart("docs", "k", id, 2, "end")
	other.must(201, "POST", "/api/multipart/complete",
		fmt.Sprintf(`{"bucket":"docs","key":"k","upload":%q,"parts":[{"number":1,"etag":%q},{"number":2,"etag":%q}]}`, id, e1, e2))
	if got, err := e.get("alice", "docs", "k"); err != nil || got != p1+"end" {
		t.Fatalf("stored %d bytes, %v", len(got), err)
	}
}
