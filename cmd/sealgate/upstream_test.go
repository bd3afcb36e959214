package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
)

// ignoringStore drops the conditions of every Put, as some S3-compatible
// stores do.
type ignoringStore struct{ backends.Store }

func (s ignoringStore) Put(ctx context.Context, key string, r io.Reader, size int64, _ backends.PutOptions) (backends.ObjectInfo, error) {
	return s.Store.Put(ctx, key, r, size, backends.PutOptions{})
}

// TestProbeConditional: an upstream that ignores conditional writes is
// refused with one line naming the setting that overrides it; with the
// setting it is accepted; an honest one passes and keeps nothing.
func TestProbeConditional(t *testing.T) {
	ctx := context.Background()
	honest := mem.New()
	c := defaultConfig()
	if err := probeConditional(ctx, honest, &c); err != nil {
		t.Fatalf("an honest upstream: %v", err)
	}
	if page, _ := honest.List(ctx, backends.ListOptions{Prefix: ".sealgate/"}); len(page.Objects) != 0 {
		t.Fatalf("the probe left %v", page.Objects)
	}
	err := probeConditional(ctx, ignoringStore{mem.New()}, &c)
	if !errors.Is(err, backends.ErrNoConditionalWrites) || !strings.Contains(err.Error(), "unsafe_without_conditional_writes") ||
		strings.Contains(err.Error(), "\n") {
		t.Fatalf("an upstream that ignores conditions: %v", err)
	}
	c.Upstream.UnsafeWithoutCAS = true
	if err := probeConditional(ctx, ignoringStore{mem.New()}, &c); err != nil {
		t.Fatalf("with the override: %v", err)
	}
}
