package webapp

import (
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestUsage: GET /api/usage answers the quota and the bytes in use; an
// upload that does not fit is refused with 507 and a message saying what
// to do, and stores nothing; deleting makes room.
func TestUsage(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	var u usageJSON
	decode(t, c.must(200, "GET", "/api/usage", ""), &u)
	if u.Limit != 0 {
		t.Fatalf("usage without a quota: %+v", u)
	}
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(201, "PUT", objPath("docs", "a.txt"), strings.Repeat("a", 600))
	a, err := e.acc.Get("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetQuota(t.Context(), a, gateway.Quota{Bytes: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecountUsage(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	decode(t, c.must(200, "GET", "/api/usage", ""), &u)
	if u.Limit != 1000 || u.Used != 600 || u.Reconciled == nil {
		t.Fatalf("usage: %+v, want 600 of 1000", u)
	}
	code, body := c.call("PUT", objPath("docs", "b.txt"), strings.Repeat("b", 500))
	if code != 507 || !strings.Contains(body, "quota") {
		t.Fatalf("upload over quota: %d %s", code, body)
	}
	if _, err := e.get("alice", "docs", "b.txt"); err == nil {
		t.Fatal("a refused upload was stored")
	}
	c.must(204, "DELETE", objPath("docs", "a.txt"), "")
	c.must(201, "PUT", objPath("docs", "b.txt"), strings.Repeat("b", 500))
	decode(t, c.must(200, "GET", "/api/usage", ""), &u)
	if u.Used != 500 {
		t.Fatalf("usage after delete and upload: %+v", u)
	}
}

// TestUsageObjects: with a quota of objects, GET /api/usage answers it
// and the objects stored; an upload past it is refused with 507 and
// stores nothing; deleting makes room.
func TestUsageObjects(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(201, "PUT", objPath("docs", "a.txt"), "a")
	a, err := e.acc.Get("alice")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetQuota(t.Context(), a, gateway.Quota{Objects: 2}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecountUsage(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	var u usageJSON
	decode(t, c.must(200, "GET", "/api/usage", ""), &u)
	if u.Limit != 0 || u.ObjectLimit != 2 || u.Objects != 1 {
		t.Fatalf("usage: %+v, want 1 of 2 objects", u)
	}
	c.must(201, "PUT", objPath("docs", "b.txt"), "b")
	code, body := c.call("PUT", objPath("docs", "c.txt"), "c")
	if code != 507 || !strings.Contains(body, "quota") {
		t.Fatalf("upload past the object quota: %d %s", code, body)
	}
	if _, err := e.get("alice", "docs", "c.txt"); err == nil {
		t.Fatal("a refused upload was stored")
	}
	c.must(204, "DELETE", objPath("docs", "a.txt"), "")
	c.must(201, "PUT", objPath("docs", "c.txt"), "c")
	decode(t, c.must(200, "GET", "/api/usage", ""), &u)
	if u.Objects != 2 {
		t.Fatalf("usage after delete and upload: %+v", u)
	}
}
