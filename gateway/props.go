package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Properties are small opaque documents attached to a resource (WebDAV
// dead properties): a key (an object, or a folder marker "dir/"), or the
// bucket itself (key ""). They are sealed records outside every S3
// namespace, under .sealgate/props/<upstream key>, so a PROPPATCH never
// rewrites an object and no S3 listing shows them. Deleting the object or
// the bucket deletes them.

// MaxPropsBytes bounds one resource's properties.
const MaxPropsBytes = 64 << 10

// ErrPropsTooLarge is returned when properties exceed MaxPropsBytes.
var ErrPropsTooLarge = errors.New("gateway: properties too large")

func (n *userNS) propsKey(bucket, key string) (string, error) {
	if key == "" {
		return ".sealgate/props/" + n.bucketRecordKey(bucket), nil
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return "", err
	}
	return ".sealgate/props/" + up, nil
}

func propsContext(bucket, key string) string { return "props\x00" + bucket + "\x00" + key }

// GetProps implements Namespace: nil when the resource has none. Found
// properties imply their bucket (as an object does); for a resource without
// any, the bucket is checked through the write hint (bucketHint), not read
// again: the doors ask once per resource of a listing they have just made.
func (n *userNS) GetProps(ctx context.Context, bucket, key string) ([]byte, error) {
	if CheckBucketName(bucket) != nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	pk, err := n.propsKey(bucket, key)
	if err != nil {
		return nil, err
	}
	rc, _, err := n.svc.store.Get(ctx, pk, 0, -1)
	if errors.Is(err, backends.ErrNotExist) {
		_, err := n.bucketHint(ctx, bucket)
		return nil, err
	}
	if err != nil {
		return nil, upstreamErr(err, ErrNoSuchKey)
	}
	defer func() { _ = rc.Close() }()
	sealed, err := io.ReadAll(io.LimitReader(rc, MaxPropsBytes+cryptolayer.RecordOverhead+1))
	if err != nil {
		return nil, upstreamErr(err, ErrNoSuchKey)
	}
	pt, err := cryptolayer.OpenRecord(n.user.DeriveUserKey("props"), propsContext(bucket, key), sealed)
	if err != nil {
		n.svc.integrityFailure("record")
		return nil, fmt.Errorf("%w: properties", ErrIntegrity)
	}
	return pt, nil
}

// SetProps implements Namespace: empty data removes the properties. It is
// a write into the bucket (bucketdel.go): stored properties of a bucket
// deleted meanwhile are removed again, and the answer is ErrNoSuchBucket.
func (n *userNS) SetProps(ctx context.Context, bucket, key string, data []byte) error {
	if len(data) > MaxPropsBytes {
		return ErrPropsTooLarge
	}
	if _, err := n.bucketHint(ctx, bucket); err != nil {
		return err
	}
	pk, err := n.propsKey(bucket, key)
	if err != nil {
		return err
	}
	if len(data) == 0 {
		err = n.svc.store.Delete(ctx, pk)
	} else {
		rec := cryptolayer.SealRecord(n.user.DeriveUserKey("props"), propsContext(bucket, key), data)
		_, err = n.svc.store.Put(ctx, pk, bytes.NewReader(rec), int64(len(rec)), backends.PutOptions{})
	}
	if err != nil {
		return upstreamErr(err, ErrNoSuchKey)
	}
	return n.confirmBucket(ctx, bucket, func(ctx context.Context) { _ = n.svc.store.Delete(ctx, pk) })
}

// dropProps deletes a resource's properties, best effort.
func (n *userNS) dropProps(ctx context.Context, bucket, key string) {
	if pk, err := n.propsKey(bucket, key); err == nil {
		_ = n.svc.store.Delete(ctx, pk)
	}
}
