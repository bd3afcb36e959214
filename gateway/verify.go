package gateway

import (
	"context"
	"errors"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// VerifyReport summarises a verify run: every object read and
// authenticated end to end (restic's check --read-data).
type VerifyReport struct {
	Objects  int64            // objects that verified
	Bytes    int64            // plaintext bytes read and verified
	Failures map[string]int64 // failures by kind: name, header, metadata, chunk, end, size, record, upstream
	Failed   []string         // "bucket/key" (or upstream names) of the first failures, at most 100
}

func (r *VerifyReport) fail(kind, what string) {
	if r.Failures == nil {
		r.Failures = map[string]int64{}
	}
	r.Failures[kind]++
	if len(r.Failed) < 100 {
		r.Failed = append(r.Failed, kind+": "+what)
	}
}

// Verify reads and authenticates every object of an account (one bucket,
// or all when bucket is ""), straight from the upstream: names, headers,
// metadata, every chunk and END. progress, if set, is called after each
// object. It stops early only when ctx ends or the upstream cannot be
// listed.
func (s *Service) Verify(ctx context.Context, a Account, bucket string, progress func(VerifyReport)) (VerifyReport, error) {
	n := s.namespaceFor(a.KeyRecord())
	var rep VerifyReport
	buckets := []string{bucket}
	if bucket == "" {
		bs, err := n.ListBuckets(ctx)
		if err != nil {
			return rep, err
		}
		buckets = buckets[:0]
		for _, b := range bs {
			buckets = append(buckets, b.Name)
		}
	}
	for _, b := range buckets {
		if _, err := n.readBucketRecord(ctx, b); err != nil {
			if errors.Is(err, ErrNoSuchBucket) {
				return rep, err
			}
			rep.fail("record", b)
		}
		if err := n.verifyBucket(ctx, b, &rep, progress); err != nil {
			return rep, err
		}
	}
	return rep, nil
}

func (n *userNS) verifyBucket(ctx context.Context, bucket string, rep *VerifyReport, progress func(VerifyReport)) error {
	for _, prefix := range []string{n.bucketPrefix(bucket), versionsRoot + n.bucketPrefix(bucket)} {
		err := n.svc.eachObject(ctx, prefix, func(o backends.ObjectInfo) error {
			n.verifyObject(ctx, bucket, o, rep)
			if progress != nil {
				progress(*rep)
			}
			return ctx.Err()
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (n *userNS) verifyObject(ctx context.Context, bucket string, o backends.ObjectInfo, rep *VerifyReport) {
	name, err := n.storedName(ctx, bucket, o)
	if err != nil {
		rep.fail("name", o.Key)
		return
	}
	if isMarkerSize(o.Size) {
		if _, err := n.readMarker(ctx, bucket, name, o.Key, o); err != nil {
			rep.fail("marker", bucket+"/"+name)
		}
		return
	}
	obj, err := cryptolayer.Open(ctx, n.keys(), n.readBinding(bucket, name, o.Key), o.Size, n.pinned(o.Key, o.ETag))
	if err == nil && obj.NeedsCustomerKey() {
		rep.Objects++ // header, metadata and END verified; the content needs its owner's key
		return
	}
	if err == nil {
		var rc io.ReadCloser
		if rc, err = obj.Range(ctx, 0, obj.Size); err == nil {
			var got int64
			got, err = io.Copy(io.Discard, rc)
			_ = rc.Close()
			rep.Bytes += got
		}
	}
	if err != nil {
		rep.fail(failureKind(err), bucket+"/"+name)
		return
	}
	rep.Objects++
}

// failureKind names what failed: the region of an integrity failure, or
// "upstream" for I/O errors.
func failureKind(err error) string {
	var ie *cryptolayer.IntegrityError
	if errors.As(err, &ie) {
		return ie.Region
	}
	return "upstream"
}
