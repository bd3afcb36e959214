package gateway

import (
	"errors"
	"fmt"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// TestUpstreamErr: upstream errors map to gateway sentinels once; a mapped
// error passes through unchanged (mapping twice is harmless).
func TestUpstreamErr(t *testing.T) {
	cases := []struct {
		in   error
		want error
	}{
		{fmt.Errorf("x: %w", backends.ErrNotExist), ErrNoSuchUpload},
		{backends.ErrPreconditionFailed, ErrPreconditionFailed},
		{fmt.Errorf("chunk: %w", cryptolayer.ErrIntegrity), ErrIntegrity},
		{backends.ErrUnavailable, ErrUnavailable},
		{fmt.Errorf("fs: put: %w", backends.ErrNoSpace), ErrInsufficientStorage},
		{backends.ErrInvalidKey, ErrKeyTooLong},
	}
	for _, c := range cases {
		got := upstreamErr(c.in, ErrNoSuchUpload)
		if !errors.Is(got, c.want) || !errors.Is(got, c.in) {
			t.Fatalf("%v → %v, want %v", c.in, got, c.want)
		}
		if again := upstreamErr(got, ErrNoSuchKey); again != got {
			t.Fatalf("mapping twice changed %v into %v", got, again)
		}
	}
	mapped := fmt.Errorf("%w: %w", ErrInvalidRange, backends.ErrNotExist)
	if got := upstreamErr(mapped, ErrNoSuchKey); got != mapped {
		t.Fatalf("an error carrying a gateway sentinel was re-mapped: %v", got)
	}
}
