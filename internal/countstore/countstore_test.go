package countstore

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/backends/storetest"
)

// TestConformance: counting changes nothing of the store's behaviour.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) backends.Store { return New(mem.New()) })
}

func TestTake(t *testing.T) {
	s, ctx := New(mem.New()), context.Background()
	_, _ = s.Put(ctx, "k", strings.NewReader("x"), 1, backends.PutOptions{})
	_, _ = s.Stat(ctx, "k")
	rc, _, _ := s.Get(ctx, "k", 0, -1)
	_ = rc.Close()
	_, _ = s.List(ctx, backends.ListOptions{})
	_ = s.Delete(ctx, "k")
	_ = s.Delete(ctx, "k")
	want := map[string]int{"PUT": 1, "HEAD": 1, "GET": 1, "LIST": 1, "DELETE": 2}
	if got := s.Take(); !maps.Equal(got, want) {
		t.Fatalf("Take = %v, want %v", got, want)
	}
	if got := s.Take(); len(got) != 0 {
		t.Fatalf("second Take = %v, want nothing", got)
	}
}
