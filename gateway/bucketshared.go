package gateway

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
)

// Bucket settings kept as shared records (tags, lifecycle rules): the
// record holds the bucket's creation time (8 bytes, unix nanoseconds) and
// then the setting, so that a bucket deleted and created again, whose old
// record the deletion did not remove, has none.

// getBucketShared reads the setting name of bucket; nil if it has none.
func (n *userNS) getBucketShared(ctx context.Context, bucket, name string) ([]byte, error) {
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return nil, err
	}
	data, _, err := n.GetShared(ctx, name+bucket)
	if err != nil {
		return nil, err
	}
	if len(data) < 8 || int64(binary.BigEndian.Uint64(data)) != rec.created.UnixNano() {
		return nil, nil
	}
	return data[8:], nil
}

// putBucketShared stores the setting name of bucket (nil removes it), with
// a compare-and-swap against concurrent changes.
func (n *userNS) putBucketShared(ctx context.Context, bucket, name string, value []byte) error {
	rec, err := n.headBucket(ctx, bucket)
	if err != nil {
		return err
	}
	var data []byte
	if value != nil {
		data = append(binary.BigEndian.AppendUint64(nil, uint64(rec.created.UnixNano())), value...)
	}
	for range maxSwapAttempts {
		_, version, err := n.GetShared(ctx, name+bucket)
		if err != nil {
			return err
		}
		if _, err = n.PutShared(ctx, name+bucket, data, version); !errors.Is(err, ErrPreconditionFailed) {
			return err
		}
	}
	return fmt.Errorf("%w: bucket setting changed %d times in a row", ErrConflict, maxSwapAttempts)
}
