package gateway

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// errWriteAborted stops a sealer whose upstream write gave up.
var errWriteAborted = errors.New("gateway: upstream write aborted")

// PutObject implements Namespace.
func (n *userNS) PutObject(ctx context.Context, bucket, key string, body io.Reader, size int64, opts PutOptions) (ObjectInfo, error) {
	if _, err := n.bucketHint(ctx, bucket); err != nil {
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
	return n.writeObject(ctx, bucket, key, up, cond, opts, func(w *cryptolayer.Writer) error {
		return copyBody(w, body, size)
	}, size, sealOptions{})
}

// sealOptions are the writer settings beyond Meta.
type sealOptions struct {
	externalDigest *[16]byte // MD5 known in advance (re-sealed multipart)
	etagParts      int
	mtime          time.Time // keep this modification time (re-encryption); zero: now
	// keepVersion rewrites a version in place under its own id (re-encryption;
	// "" for a version written while versioning was off): no new version.
	keepVersion *string
	lockable    bool // keep the Object Lock mark (re-encryption)
	tagCount    int  // keep the tag count (re-encryption)
	// partSizes are the client's part sizes of a completed upload
	// (partread.go); partMeta keeps a re-encrypted object's record of them.
	partSizes []int64
	partMeta  map[string]string
}

// writeObject seals what fill writes into a new version at up, streaming
// through a pipe into the upstream Put. The version is committed only if
// fill and the writer's Close succeed; otherwise the pipe is closed with
// the error, the upstream Put fails, and the old version stays. After the
// commit it confirms that the bucket still exists (bucketdel.go): if it was
// deleted meanwhile, the version is removed and the answer is
// ErrNoSuchBucket.
func (n *userNS) writeObject(ctx context.Context, bucket, key, up string, cond backends.PutOptions, opts PutOptions,
	fill func(*cryptolayer.Writer) error, size int64, so sealOptions) (ObjectInfo, error) {
	now := n.svc.cfg.Now().UTC()
	if !so.mtime.IsZero() {
		now = so.mtime
	}
	sm, err := sealMeta(opts.Meta, key, hasLongSegment(up), now)
	if err != nil {
		return ObjectInfo{}, err
	}
	ck, err := n.user.ContentKey()
	if err != nil {
		return ObjectInfo{}, err
	}
	if opts.Lock != nil { // decide on a fresh record, not the bucket hint
		if _, err := n.headBucket(ctx, bucket); err != nil {
			return ObjectInfo{}, err
		}
	}
	quota, err := n.admitWrite(ctx, size, so)
	if err != nil {
		return ObjectInfo{}, err
	}
	var delta footprint // committed usage, for the quota
	defer func() { quota.done(delta) }()
	vw, err := n.beginVersion(ctx, bucket, key, up, cond, so.keepVersion, now)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer vw.done()
	release, err := n.lockTracked(ctx, quota, vw, up)
	if err != nil {
		return ObjectInfo{}, err
	}
	defer release()
	old := n.replaced(ctx, quota, vw, up)
	var lock ObjectLock
	if so.keepVersion == nil {
		if lock, err = vw.lockVersion(ctx, n, bucket, key, up, opts.Lock, now); err != nil {
			return ObjectInfo{}, err
		}
	}
	if vw.id == NullVersion {
		sm[metaNullVersion] = "1"
	}
	if (vw.lock.Enabled && so.keepVersion == nil) || so.lockable {
		sm[metaLockable] = "1"
	}
	if err := n.tagNewVersion(ctx, bucket, key, up, vw.id, now, opts.Tags, sm, so); err != nil {
		return ObjectInfo{}, err
	}
	partsMeta(sm, so.partSizes)
	if v := checksumMeta(opts.Checksum); v != "" {
		sm[metaChecksum] = v
	}
	for k, v := range so.partMeta {
		sm[k] = v
	}
	var customer []byte
	if opts.CustomerKey != nil {
		sm[metaCustomerKey], customer = customerKeyMD5(opts.CustomerKey), opts.CustomerKey[:]
	}
	b := n.binding(bucket, key)
	b.Version = vw.id
	params := cryptolayer.Params{Key: ck, Binding: b, Meta: sm,
		ExternalDigest: so.externalDigest != nil, ETagParts: so.etagParts, CustomerKey: customer}
	pr, pw := io.Pipe()
	sealed := make(chan sealResult, 1)
	go func() { sealed <- n.seal(pw, params, fill, opts, so) }()
	encSize := int64(-1)
	if size >= 0 {
		encSize = cryptolayer.EncryptedSize(size)
	}
	upInfo, perr := vw.put(ctx, n, up, pr, encSize)
	_ = pr.CloseWithError(errWriteAborted)
	res := <-sealed
	if res.err != nil && !errors.Is(res.err, errWriteAborted) {
		return ObjectInfo{}, res.err
	}
	if perr != nil {
		return ObjectInfo{}, perr
	}
	delta = versionFootprint(res.sum.Size).minus(old)
	oi := ObjectInfo{Key: key, Size: res.sum.Size, ETag: res.sum.ETag(), LastModified: now, Meta: doorMeta(sm),
		Checksum: res.checksum, VersionID: vw.id, lockable: sm[metaLockable] != "", TagCount: len(opts.Tags),
		CustomerKeyMD5: sm[metaCustomerKey], PartsCount: so.etagParts, partMeta: partMetaOf(sm)}
	n.svc.meta.Add(metaKey{up, upInfo.ETag}, oi)
	n.svc.lists.invalidate(n.bucketPrefix(bucket))
	if err := n.retainUpstream(ctx, up, lock); err != nil {
		return ObjectInfo{}, err // stored, and locked by the gateway; the client's retry makes a new version
	}
	if err := n.confirmBucket(ctx, bucket, func(ctx context.Context) {
		_ = n.svc.store.Delete(ctx, up)
		delta = old.neg()
		n.svc.lists.invalidate(n.bucketPrefix(bucket))
	}); err != nil {
		return ObjectInfo{}, err
	}
	if so.keepVersion == nil && lock == (ObjectLock{}) {
		if err := n.lateDefaultLock(ctx, bucket, key, up, vw.id, now); err != nil {
			return ObjectInfo{}, err
		}
	}
	return oi, vw.finish(ctx, n, up)
}

type sealResult struct {
	sum      cryptolayer.Summary
	checksum cryptolayer.Checksum
	err      error
}

// seal runs the writer over pw; it always closes pw.
func (n *userNS) seal(pw *io.PipeWriter, p cryptolayer.Params, fill func(*cryptolayer.Writer) error, opts PutOptions, so sealOptions) sealResult {
	w, err := cryptolayer.NewWriter(pw, p)
	if err != nil {
		_ = pw.CloseWithError(err)
		return sealResult{err: upstreamErr(err, ErrNoSuchKey)}
	}
	if err := fill(w); err != nil {
		w.Abort()
		_ = pw.CloseWithError(err)
		return sealResult{err: err}
	}
	cs := opts.Checksum
	if opts.ChecksumFunc != nil {
		cs = opts.ChecksumFunc()
	}
	w.SetChecksum(endChecksum(cs))
	if so.externalDigest != nil {
		w.SetDigest(*so.externalDigest)
	}
	if err := w.Close(); err != nil {
		_ = pw.CloseWithError(err)
		return sealResult{err: err}
	}
	if err := n.epochCurrent(p.Key.Epoch); err != nil {
		_ = pw.CloseWithError(err) // before EOF: the upstream Put commits nothing
		return sealResult{err: err}
	}
	_ = pw.Close()
	return sealResult{sum: w.Summary(), checksum: cs}
}

// copyBody copies exactly size bytes (or everything, size < 0) from body.
func copyBody(w io.Writer, body io.Reader, size int64) error {
	if size < 0 {
		_, err := io.Copy(w, body)
		return wrapBodyErr(err)
	}
	got, err := io.Copy(w, io.LimitReader(body, size+1))
	if err != nil {
		return wrapBodyErr(err)
	}
	if got != size {
		return fmt.Errorf("%w: %d bytes, announced %d", ErrIncompleteBody, got, size)
	}
	return nil
}

// wrapBodyErr keeps the door's own errors (a failed signature or digest
// check inside its verifying reader) reachable with errors.Is.
func wrapBodyErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %w", ErrIncompleteBody, err)
	}
	return fmt.Errorf("gateway: reading body: %w", err)
}

// putConditions turns S3 conditional-write headers into an atomic upstream
// condition.
func (n *userNS) putConditions(ctx context.Context, bucket, key, up, ifNoneMatch, ifMatch string) (backends.PutOptions, error) {
	switch {
	case ifNoneMatch != "" && ifMatch != "":
		return backends.PutOptions{}, fmt.Errorf("%w: If-Match with If-None-Match", ErrInvalidArgument)
	case ifNoneMatch == "*":
		return backends.PutOptions{IfAbsent: true}, nil
	case ifNoneMatch != "":
		return backends.PutOptions{}, fmt.Errorf("%w: If-None-Match other than *", ErrInvalidArgument)
	case ifMatch == "":
		return backends.PutOptions{}, nil
	}
	st, err := n.svc.store.Stat(ctx, up)
	if err != nil {
		return backends.PutOptions{}, upstreamErr(err, ErrNoSuchKey)
	}
	if isMarkerSize(st.Size) {
		return backends.PutOptions{}, fmt.Errorf("%w: If-Match on a deleted key", ErrNoSuchKey)
	}
	info, err := n.objectInfo(ctx, bucket, key, up, st)
	if err != nil {
		return backends.PutOptions{}, err
	}
	if !etagListMatches(ifMatch, info.ETag) {
		return backends.PutOptions{}, fmt.Errorf("%w: If-Match", ErrPreconditionFailed)
	}
	return backends.PutOptions{IfMatch: st.ETag}, nil
}

// hasLongSegment reports whether an upstream key has a long-form segment.
func hasLongSegment(up string) bool { return strings.Contains(up, "/~") }

// doorMeta drops the gateway's own entries from sealed metadata.
func doorMeta(sm cryptolayer.Metadata) Meta {
	m := Meta{}
	for k, v := range sm {
		if !strings.HasPrefix(k, "sg:") {
			m[k] = v
		}
	}
	return m
}
