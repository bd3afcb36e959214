package s3

import (
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
