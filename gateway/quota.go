package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Quotas. An account's storage quota and its usage live in one shared
// record of the account, "quota" (shared.go): the limits, written by the
// CLI (`sealgate user quota`, [Service.SetQuota]), and the bytes and
// objects in use, updated by every gateway with compare-and-swap. Usage
// counts the plaintext bytes the user sees, of current and noncurrent
// versions alike (a noncurrent version occupies storage until it is
// deleted), and those versions as objects (folder markers included, as
// one object of no bytes); delete markers, properties, tags and
// unfinished multipart uploads count nothing. The byte and object limits
// are independent; either may be 0 (none).
//
// Each gateway keeps, per account with a limit, the record as it last read
// it, the committed deltas of its own writes and deletes not yet added to
// the record (pending), and the declared sizes of its writes in flight,
// one object each (reserved). A write of n bytes is admitted when
//
//	record bytes + pending + reserved + n ≤ limit
//	record objects + pending + reserved + 1 ≤ object limit
//
// (a write of unknown length when the bytes are below the limit). Every
// write counts as a new object until it commits: one that replaces an
// object (a bucket without versioning) is refused at the object limit,
// as one that would outgrow the byte limit is. A part of a multipart
// upload is checked against the byte limit only; its Complete, against
// both. A gateway adds its pending delta to the record once it reaches
// Config.QuotaFlushBytes or Config.QuotaFlushObjects (before admitting
// more), and at least every Config.QuotaRefresh while the account is
// active (re-reading the record, and with it the other gateways' flushed
// writes and a changed limit). Usage then exceeds the limits by at most
//
//	gateways × QuotaFlushBytes + the declared sizes of the writes in flight
//	gateways × QuotaFlushObjects + the writes in flight
//
// (plus the bytes of writes of unknown length, admitted while under the
// limit). Deletes are never refused.
//
// The pending delta is a cache of committed writes: a gateway that stops
// (crash, kill) before flushing loses it, and the record drifts by at most
// QuotaFlushBytes (and QuotaFlushObjects) per lost gateway. Writes and
// deletes of one key in a bucket without versioning take turns on a
// gateway while the account is tracked (lockTracked), so they count what
// they replace once; through two gateways at once they may count it
// twice, and a write's rollback may drift the record too.
// [Service.ReconcileUsage] heals any drift: it recomputes the usage from a full upstream listing
// (under the account's "usage lease", one gateway at a time). Writes that
// commit while it lists may be counted twice or not at all until the next
// run.

// ErrQuotaExceeded means that a write would take its account over its
// storage quota. Nothing was stored; deleting objects (always allowed)
// frees space.
var ErrQuotaExceeded = errors.New("gateway: storage quota exceeded")

// quotaSwapAttempts bounds the compare-and-swap retries of one update:
// every gateway of an active account flushes into the same record.
const quotaSwapAttempts = 16

// quotaRecordName is the shared record of an account's quota and usage.
const quotaRecordName = "quota"

// quotaRecord is the shared record's content.
type quotaRecord struct {
	Limit       int64     `json:"l,omitempty"`  // bytes; 0: no quota
	Bytes       int64     `json:"b"`            // bytes in use, as flushed
	Reconciled  time.Time `json:"r,omitzero"`   // last recount from a listing
	ObjectLimit int64     `json:"ol,omitempty"` // objects; 0: no object quota
	Objects     int64     `json:"o,omitempty"`  // objects in use, as flushed
}

// limited reports whether the account has a quota, of bytes or objects:
// only then do the gateways track its usage.
func (r quotaRecord) limited() bool { return r.Limit > 0 || r.ObjectLimit > 0 }

// Usage is an account's storage quota and usage.
type Usage struct {
	Limit int64 // bytes; 0: no quota
	// Bytes in use: the shared record's count plus this gateway's pending
	// delta. Without a quota, no write updates it: it is the count of the
	// last reconciliation.
	Bytes       int64
	Reconciled  time.Time // zero: never recounted
	ObjectLimit int64     // objects; 0: no object quota
	Objects     int64     // objects (versions) stored, counted as Bytes is
}

// readQuota reads the account's quota record and its version.
func (n *userNS) readQuota(ctx context.Context) (quotaRecord, string, error) {
	data, version, err := n.GetShared(ctx, quotaRecordName)
	if err != nil || len(data) == 0 {
		return quotaRecord{}, version, err
	}
	var r quotaRecord
	if err := json.Unmarshal(data, &r); err != nil {
		return quotaRecord{}, "", fmt.Errorf("%w: quota record: %w", ErrIntegrity, err)
	}
	return r, version, nil
}

// updateQuota applies change to the record with compare-and-swap, retrying
// on conflicts, and returns what it wrote and its version.
func (n *userNS) updateQuota(ctx context.Context, change func(*quotaRecord)) (quotaRecord, string, error) {
	for range quotaSwapAttempts {
		r, version, err := n.readQuota(ctx)
		if err != nil {
			return r, "", err
		}
		change(&r)
		data, _ := json.Marshal(r)
		v, err := n.putShared(ctx, quotaRecordName, data, version)
		if errors.Is(err, ErrPreconditionFailed) {
			continue
		}
		return r, v, err
	}
	return quotaRecord{}, "", fmt.Errorf("%w: quota record changed %d times in a row", ErrConflict, quotaSwapAttempts)
}

// Quota is an account's limits: bytes, and objects (versions, folder
// markers included); 0 is none.
type Quota struct{ Bytes, Objects int64 }

// SetQuota sets account a's limits, both in one update of its record. The
// gateways apply them within Config.QuotaRefresh. The gateways track the
// usage of an account only while it has a limit: the caller recounts it
// ([Service.RecountUsage]) once they have all seen a first one.
func (s *Service) SetQuota(ctx context.Context, a Account, q Quota) (Usage, error) {
	if q.Bytes < 0 || q.Objects < 0 {
		return Usage{}, fmt.Errorf("%w: quota of %d bytes and %d objects", ErrInvalidArgument, q.Bytes, q.Objects)
	}
	r, _, err := s.namespaceFor(a.KeyRecord()).updateQuota(ctx, func(r *quotaRecord) { r.Limit, r.ObjectLimit = q.Bytes, q.Objects })
	if err != nil {
		return Usage{}, err
	}
	return Usage(r), nil
}

// QuotaUsage returns account a's quota and usage as the shared record has
// them (a fresh read; deltas other gateways have not flushed yet are not
// in it).
func (s *Service) QuotaUsage(ctx context.Context, a Account) (Usage, error) {
	r, _, err := s.namespaceFor(a.KeyRecord()).readQuota(ctx)
	return Usage(r), err
}

// Usage implements Namespace: the account's quota and usage as this
// gateway knows them (the shared record at most Config.QuotaRefresh old,
// plus this gateway's pending delta and writes in flight).
func (n *userNS) Usage(ctx context.Context) (Usage, error) {
	st, err := n.svc.quotas.state(ctx, n)
	if err != nil {
		return Usage{}, err
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return Usage{Limit: st.rec.Limit, Bytes: st.rec.Bytes + st.pending.bytes + st.reserved.bytes, Reconciled: st.rec.Reconciled,
		ObjectLimit: st.rec.ObjectLimit, Objects: st.rec.Objects + st.pending.objects + st.reserved.objects}, nil
}
