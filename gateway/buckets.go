package gateway

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// bucketCacheTTL is how long a bucket's existence, once checked upstream,
// is trusted without asking again. Creates and deletes through this gateway
// update it at once.
const bucketCacheTTL = 10 * time.Second

type bucketState struct {
	exists  bool
	created time.Time
	checked time.Time
}

func (n *userNS) bucketCacheKey(bucket string) string { return n.dir + "\x00" + bucket }

func (n *userNS) recordKey() cryptolayer.Key { return n.user.DeriveUserKey("bucket record") }

// ListBuckets lists the user's buckets in name order.
func (n *userNS) ListBuckets(ctx context.Context) ([]BucketInfo, error) {
	var out []BucketInfo
	prefix := n.dir + "/"
	err := n.svc.forEachPage(ctx, backends.ListOptions{Prefix: prefix, Delimiter: "/"}, func(page backends.ListPage) error {
		for _, o := range page.Objects {
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

// CreateBucket creates an empty bucket: a sealed record holding its
// creation time, stored only if absent.
func (n *userNS) CreateBucket(ctx context.Context, bucket string) error {
	if err := CheckBucketName(bucket); err != nil {
		return err
	}
	now := n.svc.cfg.Now().UTC()
	rec := cryptolayer.SealRecord(n.recordKey(), "bucket\x00"+bucket, binary.BigEndian.AppendUint64(nil, uint64(now.UnixNano())))
	_, err := n.svc.store.Put(ctx, n.bucketRecordKey(bucket), bytes.NewReader(rec), int64(len(rec)), backends.PutOptions{IfAbsent: true})
	if errors.Is(err, backends.ErrPreconditionFailed) {
		return fmt.Errorf("%w: %s", ErrBucketExists, bucket)
	}
	if err != nil {
		return upstreamErr(err, ErrNoSuchBucket)
	}
	n.svc.buckets.Add(n.bucketCacheKey(bucket), bucketState{exists: true, created: now, checked: n.svc.cfg.Now()})
	return nil
}

// HeadBucket reports whether the bucket exists (ErrNoSuchBucket if not,
// also for names that are not valid bucket names).
func (n *userNS) HeadBucket(ctx context.Context, bucket string) (BucketInfo, error) {
	if CheckBucketName(bucket) != nil {
		return BucketInfo{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	ck := n.bucketCacheKey(bucket)
	if st, ok := n.svc.buckets.Get(ck); ok {
		if n.svc.cfg.Now().Sub(st.checked) < bucketCacheTTL {
			if !st.exists {
				return BucketInfo{}, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
			}
			return BucketInfo{Name: bucket, Created: st.created}, nil
		}
	}
	created, err := n.readBucketRecord(ctx, bucket)
	if errors.Is(err, ErrNoSuchBucket) {
		n.svc.buckets.Add(ck, bucketState{checked: n.svc.cfg.Now()})
	}
	if err != nil {
		return BucketInfo{}, err
	}
	n.svc.buckets.Add(ck, bucketState{exists: true, created: created, checked: n.svc.cfg.Now()})
	return BucketInfo{Name: bucket, Created: created}, nil
}

func (n *userNS) readBucketRecord(ctx context.Context, bucket string) (time.Time, error) {
	rc, _, err := n.svc.store.Get(ctx, n.bucketRecordKey(bucket), 0, 1024)
	if err != nil {
		return time.Time{}, upstreamErr(err, ErrNoSuchBucket)
	}
	defer func() { _ = rc.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, 1024)); err != nil {
		return time.Time{}, upstreamErr(err, ErrNoSuchBucket)
	}
	pt, err := cryptolayer.OpenRecord(n.recordKey(), "bucket\x00"+bucket, buf.Bytes())
	if err != nil || len(pt) != 8 {
		n.svc.integrityFailure("record")
		return time.Time{}, fmt.Errorf("%w: bucket record", ErrIntegrity)
	}
	return time.Unix(0, int64(binary.BigEndian.Uint64(pt))).UTC(), nil
}

// DeleteBucket removes an empty bucket.
func (n *userNS) DeleteBucket(ctx context.Context, bucket string) error {
	if _, err := n.HeadBucket(ctx, bucket); err != nil {
		return err
	}
	page, err := n.svc.store.List(ctx, backends.ListOptions{Prefix: n.bucketPrefix(bucket), Limit: 1})
	if err != nil {
		return upstreamErr(err, ErrNoSuchBucket)
	}
	if len(page.Objects) > 0 {
		return fmt.Errorf("%w: %s", ErrBucketNotEmpty, bucket)
	}
	if err := n.svc.store.Delete(ctx, n.bucketRecordKey(bucket)); err != nil {
		return upstreamErr(err, ErrNoSuchBucket)
	}
	n.dropProps(ctx, bucket, "")
	n.svc.buckets.Add(n.bucketCacheKey(bucket), bucketState{checked: n.svc.cfg.Now()})
	n.svc.lists.invalidate(n.bucketPrefix(bucket))
	return nil
}

// needBucket fails with ErrNoSuchBucket unless the bucket exists.
func (n *userNS) needBucket(ctx context.Context, bucket string) error {
	_, err := n.HeadBucket(ctx, bucket)
	return err
}
