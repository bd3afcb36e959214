package gateway

import (
	"context"

	"github.com/sealgate/sealgate/cryptolayer"
)

// What each write and delete counts toward its account's quota (quota.go).
// Only accounts with a quota are tracked; for them, a write that replaces
// an object of a bucket without versioning, and a delete there, first read
// the object's upstream size (one Stat): that is the cost of a quota.

// footprint is what versions count toward their account's quota: their
// plaintext bytes and their number (a delete marker counts nothing).
type footprint struct{ bytes, objects int64 }

func (f footprint) plus(g footprint) footprint {
	return footprint{f.bytes + g.bytes, f.objects + g.objects}
}
func (f footprint) minus(g footprint) footprint {
	return footprint{f.bytes - g.bytes, f.objects - g.objects}
}
func (f footprint) neg() footprint { return footprint{-f.bytes, -f.objects} }

// versionFootprint is the footprint of one version of size plaintext bytes.
func versionFootprint(size int64) footprint { return footprint{size, 1} }

// admitWrite admits a write of size bytes (-1: unknown), one object.
// Re-encryption (so.keepVersion) rewrites a version at its size: it is not
// counted.
func (n *userNS) admitWrite(ctx context.Context, size int64, so sealOptions) (*quotaTicket, error) {
	if so.keepVersion != nil {
		return nil, nil
	}
	return n.svc.quotas.admit(ctx, n, footprint{size, 1})
}

// replaced returns the footprint of the version a write (or a delete) at
// up replaces, for a tracked account (quota not nil): what beginVersion
// read, else the upstream object's. An object it cannot read counts
// nothing (the reconciliation heals that).
func (n *userNS) replaced(ctx context.Context, quota *quotaTicket, vw versionWrite, up string) footprint {
	if quota == nil {
		return footprint{}
	}
	if vw.replacedKnown {
		return vw.replaced
	}
	st, err := n.svc.store.Stat(ctx, up)
	if err != nil {
		return footprint{}
	}
	return upstreamFootprint(st.Size)
}

// lockTracked takes the key's lock (keylock.go) for a write or a delete
// of a tracked account (quota not nil) in a bucket without versioning,
// where beginVersion takes none: what replaced then reads under the lock
// is not counted twice by two writes of one key on this gateway (say, a
// client's retry while its first PUT still runs). Between gateways the
// race remains, for the recount to heal. It returns the release (a no-op
// when it took nothing).
func (n *userNS) lockTracked(ctx context.Context, quota *quotaTicket, vw versionWrite, up string) (func(), error) {
	if quota == nil || vw.release != nil { // versioned: beginVersion took it
		return func() {}, nil
	}
	_, release, err := n.svc.keyLocks.lock(ctx, up)
	return release, err
}

// freed counts what a delete freed (a no-op without a quota).
func (n *userNS) freed(ctx context.Context, f footprint) {
	if f != (footprint{}) {
		n.svc.quotas.track(ctx, n).done(f.neg())
	}
}

// upstreamFootprint is the footprint of an upstream object of size
// upSize: none for a delete marker or anything that is no sealed object.
func upstreamFootprint(upSize int64) footprint {
	if isMarkerSize(upSize) {
		return footprint{}
	}
	p, ok := cryptolayer.DecryptedSize(upSize)
	if !ok {
		return footprint{}
	}
	return versionFootprint(p)
}
