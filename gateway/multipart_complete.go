package gateway

import (
	"context"
	"crypto/md5"
	"errors"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// CompleteMultipartUpload implements Namespace. The parts are re-sealed,
// by streaming, into a new object under a fresh salt, and each part's
// plaintext is checked against the MD5 its (client-confirmed) record holds.
// Assembling the sealed parts as they are would be cheaper, but every
// attempt of a re-uploaded part is sealed under the upload's one key, so a
// hostile upstream could later splice an older attempt back into the object
// unnoticed; a fresh salt makes old attempts worthless. The object keeps the
// multipart ETag. A repeated Complete of a completed upload answers with the
// same object; one that arrives while the upload is being completed (a
// client that gave up waiting and retried) waits for that completion and
// answers with its result, instead of re-sealing parts being removed.
//
// Like S3's, a Complete runs to its end once started, whoever is still
// waiting: it does not stop when ctx does (a client that disconnects and
// retries finds the object done). Callers wait for it, so the doors'
// in-flight limits still bound how many run.
func (n *userNS) CompleteMultipartUpload(ctx context.Context, bucket, key, id string, parts []CompletedPart, opts PutOptions) (ObjectInfo, error) {
	flight := n.uploadDir(id) + "\x00" + bucket + "\x00" + key
	v, err, _ := n.svc.completes.Do(flight, func() (any, error) {
		return n.complete(context.WithoutCancel(ctx), bucket, key, id, parts, opts)
	})
	info, _ := v.(ObjectInfo)
	return info, err
}

// A Complete swaps the key's current object for its own: it writes only
// if the key still holds the version it saw before re-sealing (or none),
// so a Complete that was slow never overwrites what a client wrote after
// the upload was completed. On one gateway, Completes and versioned writes
// of a key take turns (keylock.go). Across gateways (each with its own
// singleflight and locks), two may overlap, and one loses the swap. The
// loser finds the "done" record, or the object this upload makes (its
// multipart ETag, size and metadata), and answers with that object;
// failing both (the key was written by something else meanwhile), the
// upload is not complete and its parts are still there, so it re-seals and
// tries again, completeAttempts times in all, and then answers
// ErrUnavailable (the client's retry completes the upload).
func (n *userNS) complete(ctx context.Context, bucket, key, id string, parts []CompletedPart, opts PutOptions) (ObjectInfo, error) {
	if info, ok := n.doneInfo(ctx, bucket, key, id); ok {
		return info, nil
	}
	if up, err := n.objectKey(bucket, key); err == nil { // else completeOnce answers the error
		lctx, release, err := n.svc.keyLocks.lock(ctx, up)
		if err != nil {
			return ObjectInfo{}, err
		}
		defer release()
		ctx = lctx
	}
	for attempt := 1; ; attempt++ {
		info, want, err := n.completeOnce(ctx, bucket, key, id, parts, opts)
		if err == nil {
			n.finishUpload(ctx, bucket, key, id, info)
			return info, nil
		}
		if info, ok := n.doneInfo(ctx, bucket, key, id); ok {
			return info, nil // completed by another gateway, which removed the parts
		}
		if !errors.Is(err, errCompleteRaced) {
			return ObjectInfo{}, err
		}
		if cur, err := n.HeadObject(ctx, bucket, key, GetOptions{}); err == nil && want.is(cur) {
			n.finishUpload(ctx, bucket, key, id, cur)
			return cur, nil // written by another gateway's Complete, not yet recorded
		}
		if attempt == completeAttempts {
			return ObjectInfo{}, fmt.Errorf("%w: %w; retry", ErrUnavailable, err)
		}
	}
}

// completeAttempts bounds a Complete's re-seals when other gateways keep
// writing its key.
const completeAttempts = 3

// errCompleteRaced: the key changed while a Complete re-sealed the parts.
var errCompleteRaced = errors.New("gateway: the object changed during the Complete")

// completion is what completing an upload with a part list makes.
type completion struct {
	etag string
	size int64
	meta Meta
}

// is reports whether info is that object (or one identical to it).
func (c completion) is(info ObjectInfo) bool {
	return info.ETag == c.etag && info.Size == c.size && maps.Equal(info.Meta, c.meta)
}

// doneInfo returns the object a completed upload made, if its "done"
// record exists and is of bucket and key.
func (n *userNS) doneInfo(ctx context.Context, bucket, key, id string) (ObjectInfo, bool) {
	var done doneRecord
	if !validUploadID(id) {
		return ObjectInfo{}, false
	}
	if _, err := n.getRecord(ctx, n.uploadDir(id)+"done", "done\x00"+id, &done, ErrNoSuchUpload); err != nil {
		return ObjectInfo{}, false
	}
	return done.Info, done.Bucket == bucket && done.Key == key
}

// finishUpload records the completion and removes the parts, best effort
// (gc removes what is left once the upload expires).
func (n *userNS) finishUpload(ctx context.Context, bucket, key, id string, info ObjectInfo) {
	done := doneRecord{Bucket: bucket, Key: key, Info: info}
	if err := n.putRecord(ctx, n.uploadDir(id)+"done", "done\x00"+id, done, backends.PutOptions{}); err == nil {
		_ = n.removeUpload(ctx, id, true)
	}
}

// completeOnce checks the upload and its parts and writes the object. If
// the key already holds the object this upload makes (another gateway's
// Complete wrote it and has not recorded it yet), that object is the
// answer and nothing is written.
func (n *userNS) completeOnce(ctx context.Context, bucket, key, id string, parts []CompletedPart, opts PutOptions) (ObjectInfo, completion, error) {
	st, u, err := n.loadUpload(ctx, bucket, key, id, true)
	if err != nil {
		return ObjectInfo{}, completion{}, err
	}
	if u, err = uploadWithKey(st, u, opts.CustomerKey); err != nil {
		return ObjectInfo{}, completion{}, err
	}
	cparts, recs, err := n.checkParts(ctx, id, parts)
	if err != nil {
		return ObjectInfo{}, completion{}, err
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return ObjectInfo{}, completion{}, err
	}
	want, err := completionOf(key, st, cparts)
	if err != nil {
		return ObjectInfo{}, want, err
	}
	if opts.ObjectSize != nil && *opts.ObjectSize != want.size {
		return ObjectInfo{}, want, &ObjectSizeError{Want: *opts.ObjectSize, Got: want.size}
	}
	sum, err := objectChecksum(st, parts, recs, opts)
	if err != nil {
		return ObjectInfo{}, want, err
	}
	cond, cur, err := n.completeConditions(ctx, bucket, key, up, opts)
	if err != nil {
		return ObjectInfo{}, want, err
	}
	if cur != nil && !isMarkerSize(cur.Size) {
		if info, err := n.objectInfo(ctx, bucket, key, up, *cur); err == nil && want.is(info) {
			return info, want, nil
		}
	}
	info, err := n.reseal(ctx, bucket, key, up, id, u, cparts, recs, cond, PutOptions{Meta: st.Meta, Lock: st.Lock, Tags: st.Tags, Checksum: sum, CustomerKey: opts.CustomerKey})
	if implicit := opts.IfMatch == "" && opts.IfNoneMatch == ""; implicit && errors.Is(err, ErrPreconditionFailed) {
		err = fmt.Errorf("%w: %w", errCompleteRaced, err)
	}
	return info, want, err
}

// completionOf is the object an upload's parts make.
func completionOf(key string, st *uploadState, parts []cryptolayer.PartInfo) (completion, error) {
	sm, err := sealMeta(st.Meta, key, false, time.Time{})
	if err != nil {
		return completion{}, err
	}
	digest, size := multipartDigest(parts)
	return completion{etag: fmt.Sprintf("%x-%d", digest, len(parts)), size: size, meta: doorMeta(sm)}, nil
}

// completeConditions returns the client's conditions or, if it set none,
// the version the key holds now (cur, nil if none): the object is written
// only over it.
func (n *userNS) completeConditions(ctx context.Context, bucket, key, up string, opts PutOptions) (backends.PutOptions, *backends.ObjectInfo, error) {
	if opts.IfMatch != "" || opts.IfNoneMatch != "" {
		cond, err := n.putConditions(ctx, bucket, key, up, opts.IfNoneMatch, opts.IfMatch)
		return cond, nil, err
	}
	st, err := n.svc.store.Stat(ctx, up)
	if isNotExist(err) {
		return backends.PutOptions{IfAbsent: true}, nil, nil
	}
	if err != nil {
		return backends.PutOptions{}, nil, upstreamErr(err, ErrNoSuchKey)
	}
	return backends.PutOptions{IfMatch: st.ETag}, &st, nil
}

// multipartDigest is the MD5 of the parts' MD5s (the multipart ETag's
// digest) and the parts' total size.
func multipartDigest(parts []cryptolayer.PartInfo) ([16]byte, int64) {
	h := md5.New()
	var total int64
	for _, p := range parts {
		h.Write(p.MD5[:])
		total += p.Size
	}
	return [16]byte(h.Sum(nil)), total
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
		out[i] = cryptolayer.PartInfo{Number: p.Number, Size: rec.Size, MD5: [16]byte(rec.MD5)}
		recs[i] = rec
	}
	return out, recs, nil
}

// reseal streams the parts' plaintext into one new single-layout object
// that keeps the multipart ETag.
func (n *userNS) reseal(ctx context.Context, bucket, key, up, id string, u cryptolayer.Upload,
	parts []cryptolayer.PartInfo, recs []partRecord, cond backends.PutOptions, po PutOptions) (ObjectInfo, error) {
	digest, total := multipartDigest(parts)
	fill := func(w *cryptolayer.Writer) error {
		for i, p := range parts {
			if err := n.copyPart(ctx, w, id, u, p, recs[i]); err != nil {
				return err
			}
		}
		return nil
	}
	sizes := make([]int64, len(parts))
	for i, p := range parts {
		sizes[i] = p.Size
	}
	return n.writeObject(ctx, bucket, key, up, cond, po, fill, total, sealOptions{externalDigest: &digest, etagParts: len(parts), partSizes: sizes})
}

// copyPart streams one part's plaintext into w, authenticated chunk by
// chunk, and checks its MD5 against the part's record: a genuine but older
// attempt of the same part number, substituted by the upstream, fails here.
func (n *userNS) copyPart(ctx context.Context, w io.Writer, id string, u cryptolayer.Upload, p cryptolayer.PartInfo, rec partRecord) error {
	rc, err := n.pinned(n.uploadDir(id)+"p"+partName(p.Number), rec.UpETag)(ctx, 0, -1)
	if errors.Is(err, errChanged) || errors.Is(err, ErrNoSuchKey) {
		return fmt.Errorf("%w: part %d is being replaced or missing", ErrInvalidPart, p.Number)
	}
	if err != nil {
		return err
	}
	r, err := u.NewPartReader(rc, n.keys(), p.Number, p.Size)
	if err != nil {
		_ = rc.Close()
		return err
	}
	defer func() { _ = r.Close() }() // closes rc too
	h := newAsyncMD5()
	defer h.Close()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return n.readErr(err)
	}
	if h.Sum() != p.MD5 {
		n.svc.integrityFailure("object")
		return fmt.Errorf("%w: part %d is not the part the client completed", ErrIntegrity, p.Number)
	}
	return nil
}
