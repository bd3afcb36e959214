package davapi

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/gateway"
)

// statCounter counts upstream Stat calls.
type statCounter struct {
	*mem.Store
	stats atomic.Int64
}

func (s *statCounter) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	s.stats.Add(1)
	return s.Store.Stat(ctx, key)
}

// TestPropfindDepth1ContentType: a Depth 1 PROPFIND asking for
// getcontenttype (as rclone, davfs2 and Finder do) takes the content type
// from the listing, not from one upstream request per entry.
func TestPropfindDepth1ContentType(t *testing.T) {
	store := &statCounter{Store: mem.New()}
	e := newEnvOn(t, store)
	ns := e.ns("alice")
	ctx := context.Background()
	if err := ns.CreateBucket(ctx, "docs"); err != nil {
		t.Fatal(err)
	}
	const files = 8
	for i := range files {
		meta := gateway.Meta{"content-type": fmt.Sprintf("text/x-%d", i)}
		if _, err := ns.PutObject(ctx, "docs", fmt.Sprintf("f%d", i), strings.NewReader("x"), 1, gateway.PutOptions{Meta: meta}); err != nil {
			t.Fatal(err)
		}
	}
	before := store.stats.Load()
	body, _ := e.must(207, "alice", "PROPFIND", "/docs/",
		`<D:propfind xmlns:D="DAV:"><D:prop><D:getcontenttype/><D:getetag/></D:prop></D:propfind>`, "Depth", "1")
	if got := store.stats.Load() - before; got >= files {
		t.Fatalf("PROPFIND Depth 1 over %d files made %d upstream Stats", files, got)
	}
	for i := range files {
		if !strings.Contains(body, fmt.Sprintf("text/x-%d", i)) {
			t.Fatalf("content type of f%d missing:\n%s", i, body)
		}
	}
}
