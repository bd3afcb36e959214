package webapp

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestDeleteBucket: DELETE /api/buckets deletes an unversioned bucket with
// its files (more than one page of them, in folders); a bucket that has
// had versioning is deleted only once it holds nothing, and otherwise
// answers 409, changing nothing; another account's or an unknown bucket is
// 404.
func TestDeleteBucket(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	ctx := t.Context()
	ns := e.ns("alice")
	for _, b := range []string{"plain", "kept", "empty-versioned"} {
		c.must(201, "POST", "/api/buckets", fmt.Sprintf(`{"name":%q}`, b))
	}
	for i := range listPage + 5 {
		put(t, ns, "plain", fmt.Sprintf("dir%d/f%04d", i%3, i), "x")
	}
	c.must(201, "POST", "/api/folder", `{"bucket":"plain","prefix":"empty/"}`)
	for _, b := range []string{"kept", "empty-versioned"} {
		if err := ns.PutBucketVersioning(ctx, b, gateway.VersioningEnabled); err != nil {
			t.Fatal(err)
		}
	}
	put(t, ns, "kept", "old", "v1")
	put(t, ns, "kept", "old", "v2")

	var out struct{ Deleted int }
	decode(t, c.must(200, "DELETE", "/api/buckets?name=plain", ""), &out)
	if out.Deleted != listPage+6 {
		t.Errorf("deleted %d files, want %d", out.Deleted, listPage+6)
	}
	if _, err := ns.HeadBucket(ctx, "plain"); !errors.Is(err, gateway.ErrNoSuchBucket) {
		t.Errorf("the deleted bucket: %v", err)
	}

	if msg := c.must(409, "DELETE", "/api/buckets?name=kept", ""); !strings.Contains(msg, "keeps versions") {
		t.Errorf("a bucket with versions: %s", msg)
	}
	if got, err := e.get("alice", "kept", "old"); err != nil || got != "v2" {
		t.Errorf("the refused delete changed the bucket: %q %v", got, err)
	}
	vs, err := ns.ListObjectVersions(ctx, "kept", gateway.VersionQuery{})
	if err != nil || len(vs.Versions) != 2 || vs.Versions[0].DeleteMarker || vs.Versions[1].DeleteMarker {
		t.Errorf("versions after the refused delete: %+v %v", vs, err)
	}

	c.must(200, "DELETE", "/api/buckets?name=empty-versioned", "")
	c.must(404, "DELETE", "/api/buckets?name=empty-versioned", "")
	c.must(404, "DELETE", "/api/buckets?name=nope", "")
	bob := e.login("bob")
	c.must(201, "POST", "/api/buckets", `{"name":"alices"}`)
	bob.must(404, "DELETE", "/api/buckets?name=alices", "")
	c.must(403, "DELETE", "/api/buckets?name=alices", "", csrfHeader, "")
	if _, err := ns.HeadBucket(ctx, "alices"); err != nil {
		t.Errorf("a refused delete removed the bucket: %v", err)
	}
}

// TestMoveBetweenBuckets: POST /api/rename with to_bucket moves a file
// and a folder (with their properties) into another bucket; a taken
// target, a missing bucket or another account's bucket is refused and
// changes nothing.
func TestMoveBetweenBuckets(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	ctx := t.Context()
	ns := e.ns("alice")
	for _, b := range []string{"src", "dst"} {
		c.must(201, "POST", "/api/buckets", fmt.Sprintf(`{"name":%q}`, b))
	}
	for _, k := range []string{"a.txt", "b.txt", "dir/x", "dir/sub/y"} {
		put(t, ns, "src", k, "content of "+k)
	}
	put(t, ns, "dst", "taken.txt", "kept")
	if err := ns.SetProps(ctx, "src", "a.txt", []byte("<props/>")); err != nil {
		t.Fatal(err)
	}
	bob := e.login("bob")
	bob.must(201, "POST", "/api/buckets", `{"name":"bobs"}`)

	c.must(200, "POST", "/api/rename", `{"bucket":"src","from":"a.txt","to_bucket":"dst","to":"in/a.txt"}`)
	if got, _ := e.get("alice", "dst", "in/a.txt"); got != "content of a.txt" {
		t.Fatalf("moved file: %q", got)
	}
	if p, _ := ns.GetProps(ctx, "dst", "in/a.txt"); string(p) != "<props/>" {
		t.Fatalf("properties not moved: %q", p)
	}
	c.must(200, "POST", "/api/rename", `{"bucket":"src","from":"dir/","to_bucket":"dst","to":"dir/"}`)
	for _, k := range []string{"dir/x", "dir/sub/y"} {
		if got, _ := e.get("alice", "dst", k); got != "content of "+k {
			t.Fatalf("moved %s: %q", k, got)
		}
	}
	for _, k := range []string{"a.txt", "dir/x", "dir/sub/y"} {
		if _, err := e.get("alice", "src", k); err == nil {
			t.Fatalf("%s stays in the source bucket", k)
		}
	}
	for body, want := range map[string]int{
		`{"bucket":"src","from":"b.txt","to_bucket":"dst","to":"taken.txt"}`: 409,
		`{"bucket":"src","from":"b.txt","to_bucket":"nope","to":"b.txt"}`:    404,
		`{"bucket":"src","from":"b.txt","to_bucket":"bobs","to":"b.txt"}`:    404,
		`{"bucket":"dst","from":"dir/","to_bucket":"src","to":"dir/sub/"}`:   200, // another bucket: not into itself
	} {
		c.must(want, "POST", "/api/rename", body)
	}
	if got, _ := e.get("alice", "src", "b.txt"); got != "content of b.txt" {
		t.Fatalf("a refused move changed the source: %q", got)
	}
	if got, _ := e.get("alice", "dst", "taken.txt"); got != "kept" {
		t.Fatalf("a refused move changed the target: %q", got)
	}
	var l listJSON
	decode(t, bob.must(200, "GET", listPath("bobs", ""), ""), &l)
	if len(l.Files) != 0 || len(l.Folders) != 0 {
		t.Fatalf("a move reached another account's bucket: %+v", l)
	}
}

// put stores an object through the gateway.
func put(t *testing.T, ns gateway.Namespace, bucket, key, body string) {
	t.Helper()
	if _, err := ns.PutObject(t.Context(), bucket, key, strings.NewReader(body), int64(len(body)), gateway.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}
