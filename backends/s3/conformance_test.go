package s3

import (
	"errors"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/storetest"
)

// TestConformance runs the shared suite against each real S3 server, one
// empty store per test group, less the groups the server is known to fail
// (knownGaps).
func TestConformance(t *testing.T) {
	forEachServer(t, func(t *testing.T, u *upstream) {
		storetest.Run(t, func(t *testing.T) backends.Store { return u.emptyStore(t) }, knownGaps(u.srv.Kind)...)
	})
}

// TestConformanceShared runs the cross-instance cases with two Stores (two
// gateways) on one bucket and prefix of each real S3 server.
func TestConformanceShared(t *testing.T) {
	forEachServer(t, func(t *testing.T, u *upstream) {
		storetest.RunShared(t, func(t *testing.T) (backends.Store, backends.Store) {
			prefix := u.config().Prefix
			same := func(c *Config) { c.Prefix = prefix }
			return u.store(t, same), u.store(t, same)
		})
	})
}

// TestCheckConditional: versitygw and MinIO enforce conditional PutObject,
// so the start-up probe passes and removes its object.
func TestCheckConditional(t *testing.T) {
	forEachServer(t, func(t *testing.T, u *upstream) {
		s := u.store(t, nil)
		key := ".sealgate/probe/" + randHex(8)
		if err := backends.CheckConditional(t.Context(), s, key); err != nil {
			t.Fatalf("CheckConditional: %v", err)
		}
		if _, err := s.Stat(t.Context(), key); !errors.Is(err, backends.ErrNotExist) {
			t.Fatalf("probe object left behind: %v", err)
		}
	})
}
