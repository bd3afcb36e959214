package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// LifecycleReport counts what ApplyLifecycle did to one account.
type LifecycleReport struct {
	Expired           int // current versions expired (deleted, or hidden by a delete marker)
	MarkersRemoved    int // delete markers left alone, removed
	NoncurrentRemoved int // noncurrent versions removed
	UploadsAborted    int // multipart uploads aborted
	Locked            int // versions due that Object Lock kept
}

// Total is the number of actions taken.
func (r LifecycleReport) Total() int {
	return r.Expired + r.MarkersRemoved + r.NoncurrentRemoved + r.UploadsAborted
}

// lifecycleLease is the record that lets one gateway at a time apply an
// account's rules (a shared record, "lifecycle lease"): expiring a current
// version twice would leave two delete markers.
type lifecycleLease struct {
	Holder string    `json:"h"`
	Until  time.Time `json:"u"`
}

const lifecycleLeaseName = "lifecycle lease"

// ApplyLifecycle applies the lifecycle rules of every bucket of account a,
// as of now, unless another gateway holds the account's lease: then it
// returns false and does nothing. holder names this gateway; the lease
// lasts leaseFor (the run should take less). An account without an
// enabled rule is only read: no lease is written (ran is false). Versions
// under Object Lock stay (counted in Locked).
func (s *Service) ApplyLifecycle(ctx context.Context, a Account, holder string, leaseFor time.Duration) (rep LifecycleReport, ran bool, err error) {
	n := s.namespaceFor(a.KeyRecord())
	work, err := n.enabledRules(ctx)
	if err != nil || len(work) == 0 {
		return rep, false, err
	}
	if ok, err := n.takeLease(ctx, lifecycleLeaseName, holder, leaseFor); err != nil || !ok {
		return rep, false, err
	}
	for _, w := range work {
		if err := n.applyRule(ctx, w.bucket, w.rule, &rep); err != nil {
			return rep, true, err
		}
	}
	return rep, true, nil
}

// bucketRule is an enabled lifecycle rule of a bucket.
type bucketRule struct {
	bucket string
	rule   LifecycleRule
}

// enabledRules reads the enabled lifecycle rules of the account's buckets.
func (n *userNS) enabledRules(ctx context.Context) ([]bucketRule, error) {
	buckets, err := n.ListBuckets(ctx)
	if err != nil {
		return nil, err
	}
	var out []bucketRule
	for _, b := range buckets {
		rules, err := n.GetBucketLifecycle(ctx, b.Name)
		if errors.Is(err, ErrNoSuchLifecycle) || errors.Is(err, ErrNoSuchBucket) {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, r := range rules {
			if r.Enabled {
				out = append(out, bucketRule{b.Name, r})
			}
		}
	}
	return out, nil
}

// takeLease takes or renews the account's lease name (lifecycle, usage).
func (n *userNS) takeLease(ctx context.Context, name, holder string, d time.Duration) (bool, error) {
	data, version, err := n.GetShared(ctx, name)
	if err != nil {
		return false, err
	}
	now := n.svc.cfg.Now()
	var l lifecycleLease
	if len(data) > 0 && json.Unmarshal(data, &l) == nil && l.Holder != holder && now.Before(l.Until) {
		return false, nil
	}
	next, _ := json.Marshal(lifecycleLease{Holder: holder, Until: now.Add(d)})
	_, err = n.PutShared(ctx, name, next, version)
	if errors.Is(err, ErrPreconditionFailed) {
		return false, nil // another gateway took it meanwhile
	}
	return err == nil, err
}

// applyRule applies one rule to one bucket.
func (n *userNS) applyRule(ctx context.Context, bucket string, r LifecycleRule, rep *LifecycleReport) error {
	if r.AbortUploadDays > 0 {
		if err := n.abortOldUploads(ctx, bucket, r, rep); err != nil {
			return err
		}
	}
	if r.ExpireDays == 0 && r.ExpireDate.IsZero() && !r.ExpiredDeleteMarker && r.NoncurrentDays == 0 {
		return nil
	}
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return err
	}
	all, err := n.allVersions(ctx, bucket, r.Prefix)
	if err != nil {
		return err
	}
	for start := 0; start < len(all); {
		end := start + 1
		for end < len(all) && all[end].name == all[start].name {
			end++
		}
		if err := n.applyToKey(ctx, bucket, r, rec.bucketSettings, all[start:end], rep); err != nil {
			return err
		}
		start = end
	}
	return nil
}

// applyToKey applies a rule to the versions of one key (current first,
// then the noncurrent ones, newest first).
func (n *userNS) applyToKey(ctx context.Context, bucket string, r LifecycleRule, s bucketSettings, vs []versionEntry, rep *LifecycleReport) error {
	key := vs[0].name
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return nil //nolint:nilerr // a listed key that cannot be named: nothing to apply
	}
	now := n.svc.cfg.Now()
	var newer time.Time     // when the version after the one at hand was written
	currentID, pos := "", 0 // pos: the version's place among the key's versions, leftovers not counted
	for _, e := range vs {
		info, err := n.versionInfo(ctx, bucket, e)
		if err != nil {
			continue // vanished or tampered: listings skip it too
		}
		if e.latest {
			currentID = info.VersionID
		} else if info.VersionID == currentID {
			continue // a leftover copy of the current version, not a noncurrent one
		}
		i := pos
		pos++
		match := func() (bool, error) {
			return r.matches(key, func() (Tags, error) { return n.readTags(ctx, bucket, key, up, info) })
		}
		vid, act := r.action(e.latest, info, i, len(vs), newer, now)
		newer = info.LastModified
		if act == nil {
			continue
		}
		if ok, err := match(); err != nil || !ok {
			if err != nil {
				return err
			}
			continue
		}
		_, err = n.deleteIn(ctx, bucket, key, vid, s, DeleteOptions{})
		switch {
		case errors.Is(err, ErrObjectLocked):
			rep.Locked++
		case err != nil:
			return err
		default:
			*act(rep)++
		}
	}
	return nil
}

// action decides what the rule does to the i-th of n versions of a key
// (info; newer is when the next newer version was written): the version id
// to delete ("": the key, which leaves a delete marker in a versioned
// bucket) and the counter to raise, or no counter.
func (r LifecycleRule) action(latest bool, info ObjectInfo, i, n int, newer, now time.Time) (string, func(*LifecycleReport) *int) {
	vid := info.VersionID
	if vid == "" {
		vid = NullVersion
	}
	switch {
	case latest && !info.DeleteMarker && r.expires(info.LastModified, now):
		return "", func(rep *LifecycleReport) *int { return &rep.Expired }
	case latest && info.DeleteMarker && r.ExpiredDeleteMarker && n == 1:
		return vid, func(rep *LifecycleReport) *int { return &rep.MarkersRemoved }
	case !latest && r.NoncurrentDays > 0 && i-1 >= r.NewerNoncurrent && !newer.IsZero() && now.Sub(newer) >= days(r.NoncurrentDays):
		return vid, func(rep *LifecycleReport) *int { return &rep.NoncurrentRemoved }
	}
	return "", nil
}

// expires reports whether a current version written at t has expired.
func (r LifecycleRule) expires(t, now time.Time) bool {
	if r.ExpireDays > 0 {
		return now.Sub(t) >= days(r.ExpireDays)
	}
	return !r.ExpireDate.IsZero() && !now.Before(r.ExpireDate)
}

// abortOldUploads aborts the rule's uploads started AbortUploadDays ago.
func (n *userNS) abortOldUploads(ctx context.Context, bucket string, r LifecycleRule, rep *LifecycleReport) error {
	cutoff := n.svc.cfg.Now().Add(-days(r.AbortUploadDays))
	keyMarker, idMarker := "", ""
	for {
		ups, more, err := n.ListMultipartUploads(ctx, bucket, r.Prefix, keyMarker, idMarker, 1000)
		if err != nil {
			return err
		}
		for _, u := range ups {
			if u.Initiated.Before(cutoff) {
				if err := n.AbortMultipartUpload(ctx, bucket, u.Key, u.UploadID); err != nil && !errors.Is(err, ErrNoSuchUpload) {
					return err
				}
				rep.UploadsAborted++
			}
		}
		if !more || len(ups) == 0 {
			return nil
		}
		keyMarker, idMarker = ups[len(ups)-1].Key, ups[len(ups)-1].UploadID
	}
}
