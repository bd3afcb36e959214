package gateway

import (
	"bytes"
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// CompleteMultipartUpload implements Namespace. Uniform uploads (parts
// 1..N, equal 64 KiB-aligned sizes but the last — what common clients
// send) are assembled from the sealed parts as they are (server-side where
// the upstream composes). Others are re-sealed by streaming. A repeated
// Complete of a completed upload answers with the same object.
func (n *userNS) CompleteMultipartUpload(ctx context.Context, bucket, key, id string, parts []CompletedPart, opts PutOptions) (ObjectInfo, error) {
	var done doneRecord
	if validUploadID(id) {
		if _, err := n.getRecord(ctx, n.uploadDir(id)+"done", "done\x00"+id, &done, ErrNoSuchUpload); err == nil {
			if done.Bucket == bucket && done.Key == key {
				return done.Info, nil
			}
		}
	}
	st, u, err := n.loadUpload(ctx, bucket, key, id)
	if err != nil {
		return ObjectInfo{}, err
	}
	cparts, recs, err := n.checkParts(ctx, id, parts)
	if err != nil {
		return ObjectInfo{}, err
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return ObjectInfo{}, err
	}
	cond, err := n.putConditions(ctx, bucket, key, up, opts.IfNoneMatch, opts.IfMatch)
	if err != nil {
		return ObjectInfo{}, err
	}
	po := PutOptions{Meta: st.Meta}
	info, err := n.assemble(ctx, bucket, key, up, id, u, cparts, cond, po)
	if errors.Is(err, cryptolayer.ErrPartLayout) {
		info, err = n.reseal(ctx, bucket, key, up, id, u, cparts, recs, cond, po)
	}
	if err != nil {
		return ObjectInfo{}, err
	}
	done = doneRecord{Bucket: bucket, Key: key, Info: info}
	if err := n.putRecord(ctx, n.uploadDir(id)+"done", "done\x00"+id, done, backends.PutOptions{}); err == nil {
		_ = n.removeUpload(ctx, id, true)
	}
	return info, nil
}

// checkParts validates the client's part list against the stored parts.
func (n *userNS) checkParts(ctx context.Context, id string, parts []CompletedPart) ([]cryptolayer.PartInfo, []partRecord, error) {
	if len(parts) == 0 {
		return nil, nil, fmt.Errorf("%w: no parts", ErrInvalidPart)
	}
	out := make([]cryptolayer.PartInfo, len(parts))
	recs := make([]partRecord, len(parts))
	for i, p := range parts {
		if i > 0 && p.Number <= parts[i-1].Number {
			return nil, nil, fmt.Errorf("%w: part %d after %d", ErrInvalidPartOrder, p.Number, parts[i-1].Number)
		}
		if p.Number < 1 || p.Number > cryptolayer.MaxParts {
			return nil, nil, fmt.Errorf("%w: part number %d", ErrInvalidPart, p.Number)
		}
	}
	for i, p := range parts {
		var rec partRecord
		name := partName(p.Number)
		if _, err := n.getRecord(ctx, n.uploadDir(id)+"i"+name, "part\x00"+id+"\x00"+name, &rec, ErrInvalidPart); err != nil {
			return nil, nil, err
		}
		if len(rec.MD5) != 16 || normETag(p.ETag) != fmt.Sprintf("%x", rec.MD5) {
			return nil, nil, fmt.Errorf("%w: part %d ETag", ErrInvalidPart, p.Number)
		}
		if i < len(parts)-1 && rec.Size < minPartSize {
			return nil, nil, fmt.Errorf("%w: part %d has %d bytes", ErrEntityTooSmall, p.Number, rec.Size)
		}
		st, err := n.svc.store.Stat(ctx, n.uploadDir(id)+"p"+name)
		if err != nil || st.ETag != rec.UpETag {
			return nil, nil, fmt.Errorf("%w: part %d is being replaced or missing", ErrInvalidPart, p.Number)
		}
		out[i] = cryptolayer.PartInfo{Number: p.Number, Size: rec.Size, MD5: [16]byte(rec.MD5)}
		recs[i] = rec
	}
	return out, recs, nil
}

// assemble writes prefix || sealed parts || END as the object, composing
// upstream objects without moving part bytes through the gateway where the
// store can.
func (n *userNS) assemble(ctx context.Context, bucket, key, up, id string, u cryptolayer.Upload,
	parts []cryptolayer.PartInfo, cond backends.PutOptions, po PutOptions) (ObjectInfo, error) {
	end, sum, err := u.Complete(n.user, parts, cryptolayer.Checksum{})
	if err != nil {
		return ObjectInfo{}, err
	}
	now := n.svc.cfg.Now().UTC()
	sm, err := sealMeta(po.Meta, key, hasLongSegment(up), now)
	if err != nil {
		return ObjectInfo{}, err
	}
	prefix, err := u.Prefix(n.user, n.binding(bucket, key), sm)
	if err != nil {
		return ObjectInfo{}, err
	}
	dir := n.uploadDir(id)
	srcs := []string{dir + "x-prefix"}
	for _, p := range parts {
		srcs = append(srcs, dir+"p"+partName(p.Number))
	}
	srcs = append(srcs, dir+"x-end")
	for k, b := range map[string][]byte{dir + "x-prefix": prefix, dir + "x-end": end} {
		if _, err := n.svc.store.Put(ctx, k, bytes.NewReader(b), int64(len(b)), backends.PutOptions{}); err != nil {
			return ObjectInfo{}, upstreamErr(err, ErrNoSuchUpload)
		}
	}
	upInfo, err := n.compose(ctx, up, srcs, cryptolayer.EncryptedSize(sum.Size), cond)
	if err != nil {
		return ObjectInfo{}, upstreamErr(err, ErrNoSuchUpload)
	}
	oi := ObjectInfo{Key: key, Size: sum.Size, ETag: sum.ETag(), LastModified: now, Meta: doorMeta(sm)}
	n.svc.meta.Add(metaKey{up, upInfo.ETag}, oi)
	n.svc.lists.invalidate(n.bucketPrefix(bucket))
	return oi, nil
}

// compose concatenates srcs into dst with the store's Composer, or by
// streaming them through when it has none.
func (n *userNS) compose(ctx context.Context, dst string, srcs []string, size int64, cond backends.PutOptions) (backends.ObjectInfo, error) {
	if c, ok := n.svc.store.(backends.Composer); ok {
		return c.Compose(ctx, dst, srcs, cond)
	}
	pr, pw := io.Pipe()
	go func() {
		for _, s := range srcs {
			rc, _, err := n.svc.store.Get(ctx, s, 0, -1)
			if err == nil {
				_, err = io.Copy(pw, rc)
				_ = rc.Close()
			}
			if err != nil {
				_ = pw.CloseWithError(err)
				return
			}
		}
		_ = pw.Close()
	}()
	info, err := n.svc.store.Put(ctx, dst, pr, size, cond)
	_ = pr.CloseWithError(errWriteAborted)
	return info, err
}

// reseal streams the parts' plaintext into one new single-layout object
// that keeps the multipart ETag.
func (n *userNS) reseal(ctx context.Context, bucket, key, up, id string, u cryptolayer.Upload,
	parts []cryptolayer.PartInfo, recs []partRecord, cond backends.PutOptions, po PutOptions) (ObjectInfo, error) {
	h := md5.New()
	var total int64
	for _, p := range parts {
		h.Write(p.MD5[:])
		total += p.Size
	}
	digest := [16]byte(h.Sum(nil))
	fill := func(w *cryptolayer.Writer) error {
		for i, p := range parts {
			if err := n.copyPart(ctx, w, id, u, p, recs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	return n.writeObject(ctx, bucket, key, up, cond, po, fill, total, sealOptions{externalDigest: &digest, etagParts: len(parts)})
}

func (n *userNS) copyPart(ctx context.Context, w io.Writer, id string, u cryptolayer.Upload, p cryptolayer.PartInfo, rec partRecord) error {
	rc, err := n.pinned(n.uploadDir(id)+"p"+partName(p.Number), rec.UpETag)(ctx, 0, -1)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	r, err := u.NewPartReader(rc, n.user, p.Number, p.Size)
	if err != nil {
		return err
	}
	if _, err := io.Copy(w, r); err != nil {
		return n.readErr(err)
	}
	return nil
}
