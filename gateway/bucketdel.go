package gateway

import (
	"context"
	"errors"
	"fmt"

	"github.com/sealgate/sealgate/backends"
)

// Deleting a bucket while other gateways write into it.
//
// The store offers atomic Put, Put-if-absent, Put-if-ETag-matches and an
// unconditional Delete; there is no lock and no conditional delete. The
// protocol between DeleteBucket (D) and every write W into the bucket's
// object prefix P (PutObject, CopyObject, CompleteMultipartUpload, folder
// markers, re-encryption, and SetProps for the properties kept with it):
//
//	D1  read the record R: absent or gone → ErrNoSuchBucket
//	D2  swap R live|deleting → deleting (IfMatch)         raced → from D1
//	D3  list P, one entry
//	D4  an entry: swap R deleting → live (IfMatch), answer ErrBucketNotEmpty
//	D5  none: swap R deleting → gone (IfMatch)             raced → from D1
//
//	W1  commit the object (one atomic Put)
//	W2  read R: live → done
//	W3          deleting → swap it → live (IfMatch); raced → W2
//	W4          absent or gone → delete what W1 stored, answer ErrNoSuchBucket
//
// Readers and HeadBucket take "deleting" as existing: D takes effect at D5.
//
// Claim 1: D never deletes a bucket that holds an object some write was
// told it stored. Such a write's W1 precedes D3, or follows it. If it
// precedes D3, D3 lists it and D answers ErrBucketNotEmpty, unless the
// object was deleted by a client before D3 (then the bucket is empty). If
// W1 follows D3, its W2 follows D2, so it reads "deleting" with D's ETag,
// or a later version. W was told it stored the object only after W2 read
// "live" or W3 swapped "deleting" for "live"; either way R changed after
// D2, so D5, a swap against D2's ETag, fails.
//
// Claim 2: after D succeeds, no object is left under P, once the writes in
// flight end. D3 found P empty, so every object there was stored after D3
// by a W1 whose W2 reads "gone" (D5 succeeded, and R changes again only by
// a CreateBucket) and whose W4 deletes it. A W4 deletes only data no write
// was told it stored: the key it deletes held, since D3, only objects of
// writes that also end in W4 (by Claim 1's argument), unless CreateBucket
// revived the bucket and a new write stored the same key between W2 and
// W4, within one upstream round trip of W: that write would be lost. This
// is the protocol's one window; closing it needs a conditional delete.
//
// Claim 3: a write answers ErrNoSuchBucket only when the bucket was
// absent or gone at a moment during that write (W2 read it so).
//
// Why no record is ever deleted: D5 must be a swap, because a Delete after
// D3 would remove a record a concurrent W3 has just made live again,
// orphaning W's object (Claim 1 fails). Deleting the tombstone later would
// race the same way with CreateBucket reviving it. So a deleted bucket
// keeps a tombstone of about 40 bytes until its name is used again (or the
// account is purged).
//
// Crashes: a D that stops between D2 and D5 leaves "deleting", which every
// other operation takes as live; the next write makes it live again and the
// next DeleteBucket takes it over (D2 accepts "deleting"). A W that stops
// between W1 and W2 can leave an object in a bucket deleted meanwhile; it
// becomes visible again if the bucket is re-created.
//
// Writes outside P (multipart state and parts, under .sealgate/) cannot
// leave objects in P: CreateMultipartUpload and UploadPart read R before
// acting, the upload remembers the bucket's creation time (so an upload of
// a deleted bucket never continues in a re-created one), and what a
// deleted bucket's uploads leave behind is removed by gc once expired.

// DeleteBucket removes an empty bucket (protocol above). Two DeleteBuckets
// of one bucket may both run: one takes the record over from the other,
// whose final swap fails; it starts again, and finds the bucket gone.
func (n *userNS) DeleteBucket(ctx context.Context, bucket string) error {
	if CheckBucketName(bucket) != nil {
		return fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	for range maxSwapAttempts {
		done, err := n.deleteBucketOnce(ctx, bucket)
		if done || err != nil {
			return err
		}
	}
	return errRecordContended(bucket)
}

// deleteBucketOnce runs D1 to D5 once; done is false when a swap lost.
func (n *userNS) deleteBucketOnce(ctx context.Context, bucket string) (done bool, err error) {
	rec, err := n.readBucket(ctx, bucket) // D1
	if err != nil {
		return true, err
	}
	if !rec.phase.exists() {
		n.forgetBucket(bucket)
		return true, fmt.Errorf("%w: %s", ErrNoSuchBucket, bucket)
	}
	marked, err := n.swapBucket(ctx, bucket, rec, bucketDeleting, rec.created) // D2
	if errors.Is(err, errBucketRaced) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	empty, err := n.bucketEmpty(ctx, bucket) // D3
	if err != nil || !empty {
		// D4: a failed restore leaves "deleting", which is live to all.
		_, _ = n.swapBucket(ctx, bucket, marked, bucketLive, marked.created)
		if err != nil {
			return true, err
		}
		return true, fmt.Errorf("%w: %s", ErrBucketNotEmpty, bucket)
	}
	_, err = n.swapBucket(ctx, bucket, marked, bucketGone, marked.created) // D5
	if errors.Is(err, errBucketRaced) {
		return false, nil
	}
	if err != nil {
		return true, err
	}
	n.forgetBucket(bucket)
	n.dropProps(ctx, bucket, "")
	n.dropCORSMarkerOfDeleted(ctx, bucket)
	n.svc.lists.invalidate(n.bucketPrefix(bucket))
	return true, nil
}

// bucketEmpty reports whether the bucket holds nothing: no current
// version (objects and delete markers) and no noncurrent one.
func (n *userNS) bucketEmpty(ctx context.Context, bucket string) (bool, error) {
	for _, prefix := range []string{n.bucketPrefix(bucket), versionsRoot + n.bucketPrefix(bucket)} {
		page, err := n.svc.store.List(ctx, backends.ListOptions{Prefix: prefix, Limit: 1})
		if err != nil {
			return false, upstreamErr(err, ErrNoSuchBucket)
		}
		if len(page.Objects) > 0 || len(page.Prefixes) > 0 {
			return false, nil
		}
	}
	return true, nil
}

// confirmBucket is W2 to W4 for a write that has committed into bucket:
// nil if the bucket exists (a "deleting" record is made live again, so that
// the DeleteBucket racing with the write fails); otherwise undo, which
// removes what the write stored, runs and the answer is ErrNoSuchBucket. If
// the record cannot be read, the write stays and the error is returned: the
// write's outcome is then unknown to the client, as after a lost
// connection. It runs to its end once the write committed, even if ctx
// ends (a client that went away must not leave an object in a deleted
// bucket).
func (n *userNS) confirmBucket(ctx context.Context, bucket string, undo func(context.Context)) error {
	ctx = context.WithoutCancel(ctx)
	for range maxSwapAttempts {
		rec, err := n.readBucket(ctx, bucket) // W2
		if err != nil {
			return err
		}
		switch rec.phase {
		case bucketLive:
			n.sawLive(bucket, rec)
			return nil
		case bucketDeleting: // W3
			if _, err := n.swapBucket(ctx, bucket, rec, bucketLive, rec.created); !errors.Is(err, errBucketRaced) {
				if err == nil {
					n.sawLive(bucket, rec)
				}
				return err
			}
		default: // W4
			n.forgetBucket(bucket)
			undo(ctx)
			return fmt.Errorf("%w: %s (deleted during the write)", ErrNoSuchBucket, bucket)
		}
	}
	return errRecordContended(bucket)
}
