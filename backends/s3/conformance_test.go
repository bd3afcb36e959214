package s3

import (
	"errors"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/storetest"
)

// TestConformance runs the shared suite against versitygw, one fresh prefix
// per test group.
func TestConformance(t *testing.T) {
	u := startUpstream(t)
	storetest.Run(t, func(t *testing.T) backends.Store { return u.store(t, nil) })
}

// TestConformanceShared runs the cross-instance cases with two Stores (two
// gateways) on one bucket and prefix of versitygw.
func TestConformanceShared(t *testing.T) {
	u := startUpstream(t)
	storetest.RunShared(t, func(t *testing.T) (backends.Store, backends.Store) {
		prefix := u.config().Prefix
		same := func(c *Config) { c.Prefix = prefix }
		return u.store(t, same), u.store(t, same)
	})
}

// TestCheckConditional: versitygw enforces conditional PutObject, so the
// start-up probe passes and removes its object.
func TestCheckConditional(t *testing.T) {
	u := startUpstream(t)
	s := u.store(t, nil)
	key := ".sealgate/probe/" + randHex(8)
	if err := backends.CheckConditional(t.Context(), s, key); err != nil {
		t.Fatalf("CheckConditional: %v", err)
	}
	if _, err := s.Stat(t.Context(), key); !errors.Is(err, backends.ErrNotExist) {
		t.Fatalf("probe object left behind: %v", err)
	}
}
