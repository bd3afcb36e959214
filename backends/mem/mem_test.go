package mem_test

import (
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/backends/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) backends.Store {
		s := mem.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	})
}

// TestNoAliasing checks that neither the caller's buffer nor a returned
// body shares memory with the stored object.
func TestNoAliasing(t *testing.T) {
	ctx := context.Background()
	s := mem.New()
	src := []byte("hello")
	if _, err := s.Put(ctx, "k", bytes.NewReader(src), 5, backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	src[0] = 'X'
	got := read(t, s, "k")
	got[1] = 'Y'
	if again := read(t, s, "k"); string(again) != "hello" {
		t.Fatalf("stored bytes changed to %q", again)
	}
}

// TestSameContentNewETag: replacing with identical bytes still changes the ETag.
func TestSameContentNewETag(t *testing.T) {
	ctx := context.Background()
	s := mem.New()
	seen := map[string]bool{}
	for range 3 {
		info, err := s.Put(ctx, "k", bytes.NewReader([]byte("x")), 1, backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if seen[info.ETag] {
			t.Fatalf("ETag %q reused", info.ETag)
		}
		seen[info.ETag] = true
	}
}

func read(t *testing.T, s *mem.Store, key string) []byte {
	t.Helper()
	rc, _, err := s.Get(context.Background(), key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
