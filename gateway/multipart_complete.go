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

func (n *userNS) complete(ctx context.Context, bucket, key, id string, parts []CompletedPart, opts PutOptions) (ObjectInfo, error) {
	var done doneRecord
	if validUploadID(id) {
		if _, err := n.getRecord(ctx, n.uploadDir(id)+"done", "done\x00"+id, &done, ErrNoSuchUpload); err == nil {
			if done.Bucket == bucket && done.Key == key {
				return done.Info, nil
			}
		}
	}
	st, u, err := n.loadUpload(ctx, bucket, key, id, true)
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
	info, err := n.reseal(ctx, bucket, key, up, id, u, cparts, recs, cond, PutOptions{Meta: st.Meta})
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
		out[i] = cryptolayer.PartInfo{Number: p.Number, Size: rec.Size, MD5: [16]byte(rec.MD5)}
		recs[i] = rec
	}
	return out, recs, nil
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
	r, err := u.NewPartReader(rc, n.user, p.Number, p.Size)
	if err != nil {
		_ = rc.Close()
		return err
	}
	defer func() { _ = r.Close() }() // closes rc too
	h := md5.New()
	if _, err := io.Copy(io.MultiWriter(w, h), r); err != nil {
		return n.readErr(err)
	}
	if !bytes.Equal(h.Sum(nil), p.MD5[:]) {
		n.svc.integrityFailure("object")
		return fmt.Errorf("%w: part %d is not the part the client completed", ErrIntegrity, p.Number)
	}
	return nil
}
