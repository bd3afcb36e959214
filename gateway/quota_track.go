package gateway

import (
	"context"

	"github.com/sealgate/sealgate/cryptolayer"
)

// What each write and delete counts toward its account's quota (quota.go).
// Only accounts with a quota are tracked; for them, a write that replaces
// an object of a bucket without versioning, and a delete there, first read
// the object's upstream size (one Stat): that is the cost of a quota.

// admitWrite admits a write of size bytes (-1: unknown). Re-encryption
// (so.keepVersion) rewrites a version at its size: it is not counted.
func (n *userNS) admitWrite(ctx context.Context, size int64, so sealOptions) (*quotaTicket, error) {
	if so.keepVersion != nil {
		return nil, nil
	}
	return n.svc.quotas.admit(ctx, n, size)
}

// replacedBytes returns the plaintext size of the version a write (or a
// delete) at up replaces, for a tracked account (quota not nil): what
// beginVersion read, else the upstream object's size. An object it cannot
// read counts nothing (the reconciliation heals that).
func (n *userNS) replacedBytes(ctx context.Context, quota *quotaTicket, vw versionWrite, up string) int64 {
	if quota == nil {
		return 0
	}
	if vw.replacedKnown {
		return vw.replaced
	}
	st, err := n.svc.store.Stat(ctx, up)
	if err != nil {
		return 0
	}
	return plainSize(st.Size)
}

// freed counts bytes a delete freed (a no-op without a quota).
func (n *userNS) freed(ctx context.Context, bytes int64) {
	if bytes != 0 {
		n.svc.quotas.track(ctx, n).done(-bytes)
	}
}

// plainSize is the plaintext size of an upstream object of size upSize: 0
// for a delete marker or anything that is no sealed object.
func plainSize(upSize int64) int64 {
	if isMarkerSize(upSize) {
		return 0
	}
	p, ok := cryptolayer.DecryptedSize(upSize)
	if !ok {
		return 0
	}
	return p
}
