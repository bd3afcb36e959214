package gateway

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// bucketHintTTL is how long a bucket seen live lets a write skip reading its
// record before writing. It is only a hint: every write reads the record
// again after committing (confirmBucket), and no answer about a bucket's
// existence comes from it (see doc.go, "Many gateways").
const bucketHintTTL = 10 * time.Second

// bucketState is a bucket this gateway saw live (absent buckets are never
// cached: another gateway may create them at any moment).
type bucketState struct {
	created time.Time
	bucketSettings
	checked time.Time
}

func (n *userNS) bucketCacheKey(bucket string) string { return n.dir + "\x00" + bucket }

func (n *userNS) sawLive(bucket string, rec bucketRecord) {
	n.svc.buckets.Add(n.bucketCacheKey(bucket), bucketState{created: rec.created, bucketSettings: rec.bucketSettings, checked: n.svc.cfg.Now()})
}

// forgetBucket drops what this gateway cached about a bucket that is gone
// or new: its state, and its CORS rules (those of an earlier bucket of the
// name).
func (n *userNS) forgetBucket(bucket string) {
	n.svc.buckets.Remove(n.bucketCacheKey(bucket))
	n.svc.cors.forget(n.dir, bucket)
}

// ListBuckets lists the user's buckets in name order (tombstones, known by
// their size, are skipped unread).
func (n *userNS) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	var out []BucketInfo
	prefix := n.dir + "/"
	err := n.svc.forEachPage(ctx, backends.ListOptions{Prefix: prefix, Delimiter: "/"}, func(page backends.ListPage) error {
		for _, o := range page.Objects {
			if o.Size == goneRecordSize {
				continue
			}
			name, err := n.buckets.DecryptSegment("", strings.TrimPrefix(o.Key, prefix), cryptolayer.KindObject)
			if err != nil {
				n.svc.integrityFailure("name")
				continue
			}
			out = append(out, BucketInfo{Name: name, Created: o.ModTime})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// CreateBucket creates an empty bucket: a live record stored only if there
// is none, or in place of a tombstone (compare-and-swap). Reviving a
// tombstone first drops the bucket's leftover properties.
func (n *userNS) CreateBucket(ctx context.Context, bucket string) error {
	return n.createBucket(ctx, bucket, bucketSettings{})
}

// createBucket creates a bucket with settings s.
func (n *userNS) createBucket(ctx context.Context, bucket string, s bucketSettings) error {
	if err := CheckBucketName(bucket); err != nil {
		return err
	}
	now := n.svc.cfg.Now().UTC()
	prev := bucketRecord{phase: bucketAbsent}
	for range maxSwapAttempts {
		if prev.phase == bucketGone {
			n.dropProps(ctx, bucket, "")
		}
		rec, err := n.swapBucketRecord(ctx, bucket, prev, bucketLive, now, s)
		if err == nil {
			n.svc.cors.forget(n.dir, bucket)
			n.sawLive(bucket, rec)
			return nil
		}
		if !errors.Is(err, errBucketRaced) {
			return err
		}
		if prev, err = n.readBucket(ctx, bucket); err != nil {
			return err
		}
		if prev.phase.exists() {
			return fmt.Errorf("%w: %s", ErrBucketExists, bucket)
		}
	}
	return errRecordContended(bucket)
}

// maxSwapAttempts bounds the compare-and-swap loops on one bucket record.
const maxSwapAttempts = 5

func errRecordContended(bucket string) error {
	return fmt.Errorf("%w: bucket %s: record changed %d times in a row", ErrUnavailable, bucket, maxSwapAttempts)
}

// HeadBucket reports whether the bucket exists (ErrNoSuchBucket if not,
// also for names that are not valid bucket names). It always reads the
// bucket's record: its answer is never older than the request.
func (n *userNS) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return BucketInfo{}, err
	}
	return BucketInfo{Name: bucket, Created: rec.created}, nil
}

// headBucket reads the record of a bucket that exists; ErrNoSuchBucket if
// it does not.
func (n *userNS) headBucket(ctx context.Context, bucket string) (bucketRecord, error) {
	if CheckBucketName(bucket) != nil {
		return bucketRecord{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	rec, err := n.readBucket(ctx, bucket)
	if err != nil {
		return bucketRecord{}, err
	}
	if !rec.phase.exists() {
		n.forgetBucket(bucket)
		return bucketRecord{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	n.sawLive(bucket, rec)
	return rec, nil
}

// needBucket fails with ErrNoSuchBucket unless the bucket exists now (a
// read of its record).
func (n *userNS) needBucket(ctx context.Context, bucket string) error {
	_, err := n.HeadBucket(ctx, bucket)
	return err
}

// bucketHint is the check before a write: a bucket seen live in the last
// bucketHintTTL passes unread (the write's confirmBucket decides), any
// other is read. It returns the bucket's creation time.
func (n *userNS) bucketHint(ctx context.Context, bucket string) (time.Time, error) {
	st, err := n.bucketState(ctx, bucket)
	return st.created, err
}

// bucketState is bucketHint with the bucket's versioning state, as recent
// as the hint: a change of the state through another gateway takes effect
// here within bucketHintTTL (AWS asks to wait 15 minutes after enabling
// versioning before relying on it).
func (n *userNS) bucketState(ctx context.Context, bucket string) (bucketState, error) {
	if CheckBucketName(bucket) != nil {
		return bucketState{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	if st, ok := n.svc.buckets.Get(n.bucketCacheKey(bucket)); ok && n.svc.cfg.Now().Sub(st.checked) < bucketHintTTL {
		return st, nil
	}
	rec, err := n.headBucket(ctx, bucket)
	return bucketState{created: rec.created, bucketSettings: rec.bucketSettings}, err
}

// orNoBucket returns ErrNoSuchBucket if the bucket does not exist, else
// err: the check a read makes when the object it looked for is absent (an
// object that exists implies its bucket does).
func (n *userNS) orNoBucket(ctx context.Context, bucket string, err error) error {
	if herr := n.needBucket(ctx, bucket); herr != nil {
		return herr
	}
	return err
}

// readKey maps a key for a read, without reading the bucket's record; if
// the key is invalid, a missing bucket is reported first.
func (n *userNS) readKey(ctx context.Context, bucket, key string) (string, error) {
	if CheckBucketName(bucket) != nil {
		return "", fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return "", n.orNoBucket(ctx, bucket, err)
	}
	return up, nil
}
