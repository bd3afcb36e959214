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
	if srcBucket == dstBucket && srcKey == dstKey && opts.Source.VersionID == "" && !opts.ReplaceMeta && !opts.setsFresh() {
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
	tags, err := n.copiedTags(ctx, srcBucket, srcKey, src.Info, opts)
	if err != nil {
		return ObjectInfo{}, err
	}
	po := PutOptions{Meta: opts.CopiedMeta(src.Info.Meta), Checksum: src.Info.Checksum, Lock: opts.Lock, Tags: tags,
		CustomerKey: opts.CustomerKey}
	body, err := copyChecksum(&po, src.Body, opts.ChecksumAlgorithm)
	if err != nil {
		return ObjectInfo{}, err
	}
	size := src.Info.Size
	return n.writeObject(ctx, dstBucket, dstKey, up, cond, po, func(w *cryptolayer.Writer) error {
		got, err := io.Copy(w, body)
		if err == nil && got != size {
			err = fmt.Errorf("%w: source ended early", ErrIntegrity)
		}
		return err
	}, size, sealOptions{})
}

// setsFresh reports whether Meta sets one of the Fresh keys.
func (o CopyOptions) setsFresh() bool {
	for _, k := range o.Fresh {
		if _, ok := o.Meta[k]; ok {
			return true
		}
	}
	return false
}

// CopiedMeta is the metadata of a copy of an object with metadata src:
// Meta with ReplaceMeta, else src without the Fresh keys, which come from
// Meta.
func (o CopyOptions) CopiedMeta(src Meta) Meta {
	if o.ReplaceMeta {
		return o.Meta
	}
	out := make(Meta, len(src))
	for k, v := range src {
		out[k] = v
	}
	for _, k := range o.Fresh {
		delete(out, k)
		if v, ok := o.Meta[k]; ok {
			out[k] = v
		}
	}
	return out
}

// copyChecksum sets the checksum of a copy (see CopyOptions.ChecksumAlgorithm)
// and returns the body to copy.
func copyChecksum(po *PutOptions, body io.Reader, alg ChecksumAlgorithm) (io.Reader, error) {
	if alg == ChecksumNone && po.Checksum.Algorithm != ChecksumNone {
		return body, nil
	}
	if alg == ChecksumNone {
		alg = ChecksumCRC64NVME
	}
	h := NewChecksumHash(alg)
	if h == nil || !alg.InEnd() {
		return nil, fmt.Errorf("%w: a %d checksum computed on copy", ErrNotImplemented, alg)
	}
	po.Checksum = Checksum{}
	po.ChecksumFunc = func() Checksum { return Checksum{Algorithm: alg, Value: h.Sum(nil)} }
	return io.TeeReader(body, h), nil
}
