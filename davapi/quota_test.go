package davapi

import (
	"context"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestQuotaInsufficientStorage: a PUT over the account's quota answers 507
// with the gateway's message and stores nothing; DELETE still works and
// makes room.
func TestQuotaInsufficientStorage(t *testing.T) {
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/docs", "")
	e.must(201, "alice", "PUT", "/docs/a.txt", strings.Repeat("a", 600))
	a, err := e.acc.Login("alice", []byte("pw-alice"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.SetQuota(context.Background(), a, gateway.Quota{Bytes: 1000}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.svc.RecountUsage(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	code, body, _ := e.call("alice", "PUT", "/docs/b.txt", strings.Repeat("b", 500))
	if code != 507 || !strings.Contains(body, "quota") {
		t.Fatalf("PUT over quota: %d %q, want 507 naming the quota", code, body)
	}
	e.must(404, "alice", "GET", "/docs/b.txt", "")
	e.must(204, "alice", "DELETE", "/docs/a.txt", "")
	e.must(201, "alice", "PUT", "/docs/b.txt", strings.Repeat("b", 500))
}
