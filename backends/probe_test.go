package backends_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/mem"
)

const probeKey = ".sealgate/probe/p1"

// condStore is a store that misbehaves on conditional puts.
type condStore struct {
	backends.Store
	dropIfAbsent bool  // store as if IfAbsent were not set
	dropIfMatch  bool  // store as if IfMatch were not set
	refuseMatch  bool  // refuse every IfMatch, even the right one
	putErr       error // fail every Put with this
}

func (c *condStore) Put(ctx context.Context, key string, r io.Reader, size int64, opts backends.PutOptions) (backends.ObjectInfo, error) {
	switch {
	case c.putErr != nil:
		return backends.ObjectInfo{}, c.putErr
	case c.refuseMatch && opts.IfMatch != "":
		return backends.ObjectInfo{}, fmt.Errorf("refused: %w", backends.ErrPreconditionFailed)
	}
	if c.dropIfAbsent {
		opts.IfAbsent = false
	}
	if c.dropIfMatch {
		opts.IfMatch = ""
	}
	return c.Store.Put(ctx, key, r, size, opts)
}

func TestCheckConditional(t *testing.T) {
	unavailable := fmt.Errorf("dial: %w", backends.ErrUnavailable)
	cases := []struct {
		name     string
		wrap     func(backends.Store) backends.Store
		want     error  // nil: the probe passes
		mentions string // in the error message
	}{
		{"Honest", func(s backends.Store) backends.Store { return s }, nil, ""},
		{"DropsIfAbsent", func(s backends.Store) backends.Store { return &condStore{Store: s, dropIfAbsent: true} },
			backends.ErrNoConditionalWrites, "IfAbsent"},
		{"DropsIfMatch", func(s backends.Store) backends.Store { return &condStore{Store: s, dropIfMatch: true} },
			backends.ErrNoConditionalWrites, "IfMatch with a wrong ETag"},
		{"DropsBoth", func(s backends.Store) backends.Store {
			return &condStore{Store: s, dropIfAbsent: true, dropIfMatch: true}
		}, backends.ErrNoConditionalWrites, "IfAbsent"},
		{"RefusesRightETag", func(s backends.Store) backends.Store { return &condStore{Store: s, refuseMatch: true} },
			backends.ErrPreconditionFailed, "current ETag"},
		{"Unavailable", func(s backends.Store) backends.Store { return &condStore{Store: s, putErr: unavailable} },
			backends.ErrUnavailable, "IfAbsent"},
	}
	for _, st := range probeStores {
		for _, tc := range cases {
			t.Run(st.name+"/"+tc.name, func(t *testing.T) {
				base := st.open(t)
				err := backends.CheckConditional(t.Context(), tc.wrap(base), probeKey)
				switch {
				case tc.want == nil && err != nil:
					t.Fatalf("CheckConditional = %v; want nil", err)
				case tc.want != nil && !errors.Is(err, tc.want):
					t.Fatalf("CheckConditional = %v; want %v", err, tc.want)
				case tc.want != backends.ErrNoConditionalWrites && errors.Is(err, backends.ErrNoConditionalWrites):
					t.Fatalf("CheckConditional = %v; must not be ErrNoConditionalWrites", err)
				case !strings.Contains(fmt.Sprint(err), tc.mentions):
					t.Fatalf("CheckConditional = %v; want a message naming %q", err, tc.mentions)
				}
				if _, err := base.Stat(t.Context(), probeKey); !errors.Is(err, backends.ErrNotExist) {
					t.Fatalf("probe object left behind: %v", err)
				}
			})
		}
	}
}

// TestCheckConditionalKeyInUse: an object already under the key fails the
// probe with ErrPreconditionFailed and is left alone.
func TestCheckConditionalKeyInUse(t *testing.T) {
	for _, st := range probeStores {
		t.Run(st.name, func(t *testing.T) {
			s := st.open(t)
			info, err := s.Put(t.Context(), probeKey, strings.NewReader("mine"), 4, backends.PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			err = backends.CheckConditional(t.Context(), s, probeKey)
			if !errors.Is(err, backends.ErrPreconditionFailed) || errors.Is(err, backends.ErrNoConditionalWrites) {
				t.Fatalf("CheckConditional = %v; want ErrPreconditionFailed", err)
			}
			if got, err := s.Stat(t.Context(), probeKey); err != nil || got.ETag != info.ETag {
				t.Fatalf("the object in the way changed: %+v, %v", got, err)
			}
		})
	}
}

type namedStore struct {
	name string
	open func(t *testing.T) backends.Store
}

// probeStores are the stores the probe runs on.
var probeStores = []namedStore{
	{"mem", func(t *testing.T) backends.Store {
		s := mem.New()
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
	{"fs", func(t *testing.T) backends.Store {
		s, err := fs.Open(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = s.Close() })
		return s
	}},
}
