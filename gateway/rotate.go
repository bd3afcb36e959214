package gateway

import (
	"context"
	"errors"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// ReencryptReport says what a re-encryption run did.
type ReencryptReport struct {
	Objects   int            // objects re-sealed under the current epoch
	Bytes     int64          // their plaintext bytes
	Remaining map[uint32]int // objects or uploads still on an old epoch, by epoch
}

// Reencrypt re-seals every object of the account that is not under its
// current content epoch (after Accounts.Rotate): each is read, verified and
// written again in place, conditionally on the upstream version it read,
// so a concurrent write by a client wins. Objects it could not re-seal,
// and multipart uploads started under an old epoch, are counted in
// Remaining; an epoch absent from Remaining can be dropped. Only objects
// and uploads that vanished or fail authentication (readable under no
// epoch) are passed over; any other failure to read one ends the run with
// an error, because its epoch would otherwise go uncounted.
func (s *Service) Reencrypt(ctx context.Context, a Account, progress func(ReencryptReport)) (ReencryptReport, error) {
	n := s.namespaceFor(a.KeyRecord())
	rep := ReencryptReport{Remaining: map[uint32]int{}}
	cur, err := n.user.ContentKey()
	if err != nil {
		return rep, err
	}
	buckets, err := n.ListBuckets(ctx)
	if err != nil {
		return rep, err
	}
	for _, b := range buckets {
		for _, prefix := range []string{n.bucketPrefix(b.Name), versionsRoot + n.bucketPrefix(b.Name)} {
			err := s.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
				if err := n.reencryptObject(ctx, b.Name, o, cur.Epoch, &rep); err != nil {
					return err
				}
				if progress != nil {
					progress(rep)
				}
				return ctx.Err()
			})
			if err != nil {
				return rep, err
			}
		}
	}
	return rep, n.countOldUploads(ctx, cur.Epoch, &rep)
}

func (n *userNS) reencryptObject(ctx context.Context, bucket string, o backends.ObjectInfo, current uint32, rep *ReencryptReport) error {
	if isMarkerSize(o.Size) {
		return nil // delete markers are sealed under a user key, not an epoch
	}
	name, err := n.storedName(ctx, bucket, o)
	if err != nil {
		return passOver(err) // not ours or tampered: verify reports it
	}
	obj, err := n.open(ctx, bucket, name, o.Key, o)
	if err != nil {
		return passOver(err)
	}
	if obj.Epoch() == current {
		return nil
	}
	if err := n.resealEpoch(ctx, bucket, name, o, obj); err != nil {
		rep.Remaining[obj.Epoch()]++
		return nil
	}
	rep.Objects++
	rep.Bytes += obj.Size
	return nil
}

// passOver returns nil for a failure a rotation may pass over: the object
// or upload vanished, or its bucket did (such an upload can never be
// completed), it changed under it (then rewritten under the current epoch),
// or it fails authentication (readable under no epoch). Any other failure,
// an unavailable upstream above all, is returned.
func passOver(err error) error {
	for _, skip := range []error{ErrNoSuchKey, ErrNoSuchUpload, ErrNoSuchBucket, errChanged, ErrIntegrity, cryptolayer.ErrIntegrity, cryptolayer.ErrNameAuth} {
		if errors.Is(err, skip) {
			return nil
		}
	}
	return err
}

// resealEpoch writes the object again under the current epoch, keeping its
// metadata, checksum, ETag and modification time, only if the upstream still
// holds the version that was read.
func (n *userNS) resealEpoch(ctx context.Context, bucket, key string, o backends.ObjectInfo, obj *cryptolayer.Object) error {
	rc, err := obj.Range(ctx, 0, obj.Size)
	if err != nil {
		return err
	}
	defer func() { _ = rc.Close() }()
	info := infoFrom(key, obj)
	// The content is authenticated chunk by chunk as it is read, so the MD5
	// sealed in END is its MD5: reuse it rather than hash every byte again.
	d := obj.Digest()
	so := sealOptions{mtime: info.LastModified, externalDigest: &d, etagParts: obj.ETagParts(), keepVersion: &info.VersionID, lockable: info.lockable, tagCount: info.TagCount,
		partMeta: info.partMeta}
	po := PutOptions{Meta: info.Meta, Checksum: info.Checksum}
	_, err = n.writeObject(ctx, bucket, key, o.Key, backends.PutOptions{IfMatch: o.ETag}, po, func(w *cryptolayer.Writer) error {
		_, err := io.Copy(w, rc)
		return err
	}, obj.Size, so)
	return err
}

// countOldUploads counts multipart uploads started under an old epoch: their
// parts are sealed under it, so it must stay until they end or expire.
func (n *userNS) countOldUploads(ctx context.Context, current uint32, rep *ReencryptReport) error {
	ups, err := n.uploads(ctx)
	if err != nil {
		return err
	}
	for _, u := range ups {
		_, up, err := n.loadUpload(ctx, u.bucket, u.Key, u.UploadID, false)
		switch {
		case err != nil:
			if err := passOver(err); err != nil {
				return err
			}
		case up.Epoch != current:
			rep.Remaining[up.Epoch]++
		}
	}
	return nil
}
