package gateway

import (
	"context"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/cryptolayer"
)

// CopyObject implements Namespace. The source is read and authenticated
// through the gateway and sealed anew for the destination (its name is
// bound into the header, and a copy gets its own salt). A copy of an
// object onto itself must replace the metadata, as in S3.
func (n *userNS) CopyObject(ctx context.Context, srcBucket, srcKey, dstBucket, dstKey string, opts CopyOptions) (ObjectInfo, error) {
	if srcBucket == dstBucket && srcKey == dstKey && !opts.ReplaceMeta {
		return ObjectInfo{}, fmt.Errorf("%w: copying an object to itself without replacing its metadata", ErrInvalidArgument)
	}
	if _, err := n.bucketHint(ctx, dstBucket); err != nil {
		return ObjectInfo{}, err
	}
	up, err := n.objectKey(dstBucket, dstKey)
	if err != nil {
		return ObjectInfo{}, err
	}
	src, err := n.GetObject(ctx, srcBucket, srcKey, opts.Source)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer func() { _ = src.Body.Close() }()
	cond, err := n.putConditions(ctx, dstBucket, dstKey, up, opts.IfNoneMatch, opts.IfMatch)
	if err != nil {
		return ObjectInfo{}, err
	}
	po := PutOptions{Meta: src.Info.Meta, Checksum: src.Info.Checksum}
	if opts.ReplaceMeta {
		po.Meta = opts.Meta
	}
	size := src.Info.Size
	return n.writeObject(ctx, dstBucket, dstKey, up, cond, po, func(w *cryptolayer.Writer) error {
		got, err := io.Copy(w, src.Body)
		if err == nil && got != size {
			err = fmt.Errorf("%w: source ended early", ErrIntegrity)
		}
		return err
	}, size, sealOptions{})
}
