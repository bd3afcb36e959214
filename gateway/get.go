package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// errChanged: the upstream object was replaced between two reads of one
// request. The request is retried from the start (an honest upstream with a
// concurrent writer); a persistent change is reported as such.
var errChanged = errors.New("gateway: object changed while being read")

// smallObject is the upstream size up to which a GET reads the whole
// object in one request (one chunk: a few KiB of overhead, no second trip).
const smallObject = cryptolayer.PrefixSize + cryptolayer.SealedChunkSize + cryptolayer.EndSize

// GetObject implements Namespace.
func (n *userNS) GetObject(ctx context.Context, bucket, key string, opts GetOptions) (*ObjectReader, error) {
	return retryChanged(func() (*ObjectReader, error) { return n.getOnce(ctx, bucket, key, opts) })
}

// retryChanged runs read again when the object was replaced while it was
// read (errChanged), twice at most; then it reports ErrUnavailable.
func retryChanged[T any](read func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		r, err := read()
		switch {
		case !errors.Is(err, errChanged):
			return r, err
		case attempt == 2:
			return r, fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
	}
}

// HeadObject implements Namespace.
func (n *userNS) HeadObject(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error) {
	return retryChanged(func() (ObjectInfo, error) { return n.headOnce(ctx, bucket, key, opts) })
}

func (n *userNS) headOnce(ctx context.Context, bucket, key string, opts GetOptions) (ObjectInfo, error) {
	up, st, err := n.stat(ctx, bucket, key, opts.VersionID)
	if err != nil {
		return ObjectInfo{}, err
	}
	info, err := n.objectInfo(ctx, bucket, key, up, st)
	if err != nil {
		return ObjectInfo{}, err
	}
	namedNull(&info, opts.VersionID)
	if err := checkCustomerKey(info, opts.CustomerKey); err != nil {
		return ObjectInfo{}, err
	}
	if _, _, err = checkRequest(opts, info); err != nil {
		return info, err
	}
	return info, n.addLock(ctx, bucket, key, &info)
}

// checkRequest checks the conditions of a GET or HEAD against info, then
// resolves its range.
func checkRequest(opts GetOptions, info ObjectInfo) (off, cnt int64, err error) {
	if err := checkConditions(opts, info); err != nil {
		return 0, 0, err
	}
	return resolveRange(opts.Range, info.Size)
}

// getOnce reads one version of the object. The bucket's record is read
// only when the object is absent (ErrNoSuchBucket or ErrNoSuchKey).
func (n *userNS) getOnce(ctx context.Context, bucket, key string, opts GetOptions) (*ObjectReader, error) {
	up, err := n.versionKey(ctx, bucket, key, opts.VersionID)
	if err != nil {
		return nil, err
	}
	first, st, err := n.firstRead(ctx, up, opts)
	if errors.Is(err, ErrNoSuchKey) {
		return nil, n.orNoBucket(ctx, bucket, n.noVersion(err, opts.VersionID))
	}
	if err != nil {
		return nil, err
	}
	if isMarkerSize(st.Size) {
		if first != nil {
			_ = first.Close()
		}
		return nil, n.markerErr(ctx, bucket, key, up, st, opts.VersionID != "")
	}
	// A revalidation (304, 412) or a bad range is answered from the cache
	// when it can, without reading the object (such a GET made no first
	// read: only a plain GET does, and it cannot fail these checks).
	if info, ok := n.svc.cachedInfo(metaKey{up, st.ETag}); ok && first == nil {
		if err := checkCustomerKey(info, opts.CustomerKey); err != nil {
			return nil, err
		}
		if _, _, err := checkRequest(opts, info); err != nil {
			return &ObjectReader{Info: info}, err
		}
	}
	var obj *cryptolayer.Object
	var whole []byte
	if st.Size > smallObject {
		obj, err = n.openAfter(ctx, bucket, key, up, st, first)
	} else {
		obj, whole, err = n.readSmall(ctx, bucket, key, up, first, st)
	}
	if err != nil {
		return nil, err
	}
	info := infoFrom(key, obj)
	n.svc.meta.Add(metaKey{up, st.ETag}, info)
	namedNull(&info, opts.VersionID)
	if err := useCustomerKey(obj, info, opts.CustomerKey); err != nil {
		return nil, err
	}
	if opts.PartNumber > 0 {
		if opts.Range, err = PartRange(info, opts.PartNumber); err != nil {
			return &ObjectReader{Info: info}, err
		}
	}
	off, cnt, err := checkRequest(opts, info)
	if err != nil {
		return &ObjectReader{Info: info}, err
	}
	if err := n.addLock(ctx, bucket, key, &info); err != nil {
		return nil, err
	}
	body, err := n.body(ctx, obj, whole, off, cnt)
	if err != nil {
		return nil, err
	}
	r := &ObjectReader{Info: info, Body: body}
	if opts.Range != nil && cnt > 0 { // (a suffix of an empty object is served whole)
		r.Range = &Range{Start: off, End: off + cnt - 1}
	}
	return r, nil
}

// firstRead starts a GET of the upstream key up. A plain GET (no range, no
// condition) reads the first smallObject bytes, which also tell the size
// and version: a small object costs one upstream request. Any other GET
// starts with a stat (first is nil), so that a revalidation answered from
// the metadata cache reads no object data.
func (n *userNS) firstRead(ctx context.Context, up string, opts GetOptions) (first io.ReadCloser, st backends.ObjectInfo, err error) {
	if opts == (GetOptions{VersionID: opts.VersionID}) {
		first, st, err = n.svc.store.Get(ctx, up, 0, smallObject)
	} else {
		st, err = n.svc.store.Stat(ctx, up)
	}
	return first, st, upstreamErr(err, ErrNoSuchKey)
}

func (n *userNS) body(ctx context.Context, obj *cryptolayer.Object, whole []byte, off, cnt int64) (io.ReadCloser, error) {
	if whole == nil {
		rc, err := obj.Range(ctx, off, cnt)
		if err != nil {
			return nil, n.readErr(err)
		}
		return &integrityReader{ns: n, r: rc}, nil
	}
	uoff, un, err := obj.UpstreamRange(off, cnt)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidRange, err)
	}
	return &integrityReader{ns: n, r: obj.Decrypt(bytes.NewReader(whole[uoff:uoff+un]), off, cnt)}, nil
}

// stat finds the upstream version of a key (vid: "" for the current one);
// like getOnce, it reads the bucket's record only when the object is
// absent. A delete marker is a DeleteMarkerError.
func (n *userNS) stat(ctx context.Context, bucket, key, vid string) (string, backends.ObjectInfo, error) {
	up, err := n.versionKey(ctx, bucket, key, vid)
	if err != nil {
		return "", backends.ObjectInfo{}, err
	}
	st, err := n.svc.store.Stat(ctx, up)
	if isNotExist(err) {
		return "", backends.ObjectInfo{}, n.orNoBucket(ctx, bucket, n.noVersion(upstreamErr(err, ErrNoSuchKey), vid))
	}
	if err != nil {
		return "", backends.ObjectInfo{}, upstreamErr(err, ErrNoSuchKey)
	}
	if isMarkerSize(st.Size) {
		return "", backends.ObjectInfo{}, n.markerErr(ctx, bucket, key, up, st, vid != "")
	}
	return up, st, nil
}

// objectInfo returns the decrypted metadata of an upstream version, from
// the cache or by opening the object (two small reads).
func (n *userNS) objectInfo(ctx context.Context, bucket, key, up string, st backends.ObjectInfo) (ObjectInfo, error) {
	if info, ok := n.svc.cachedInfo(metaKey{up, st.ETag}); ok {
		return info, nil
	}
	obj, err := n.openSmallWhole(ctx, bucket, key, up, st)
	if err != nil {
		return ObjectInfo{}, err
	}
	info := infoFrom(key, obj)
	n.svc.meta.Add(metaKey{up, st.ETag}, info)
	return info, nil
}

// openSmallWhole authenticates the version st of up like open, but reads a
// small object whole: one upstream request instead of two (the prefix,
// then END), for HEAD and for every object a cold listing opens.
func (n *userNS) openSmallWhole(ctx context.Context, bucket, key, up string, st backends.ObjectInfo) (*cryptolayer.Object, error) {
	if st.Size > smallObject {
		return n.open(ctx, bucket, key, up, st)
	}
	obj, _, err := n.readSmall(ctx, bucket, key, up, nil, st)
	return obj, err
}

// open authenticates the version st of up, reading only that version.
func (n *userNS) open(ctx context.Context, bucket, key, up string, st backends.ObjectInfo) (*cryptolayer.Object, error) {
	return n.openWith(ctx, bucket, key, up, st, n.pinned(up, st.ETag))
}

func (n *userNS) openWith(ctx context.Context, bucket, key, up string, st backends.ObjectInfo, fetch cryptolayer.Fetcher) (*cryptolayer.Object, error) {
	obj, err := cryptolayer.Open(ctx, n.keys(), n.readBinding(bucket, key, up), st.Size, fetch)
	return obj, n.readErr(err)
}

// openAfter opens a large object whose first bytes a plain GET has already
// requested (first; nil after a stat). They are read to the end, so that an
// S3 upstream keeps its connection, and they serve the prefix, so that only
// END is fetched besides: three upstream requests for the GET, not four.
func (n *userNS) openAfter(ctx context.Context, bucket, key, up string, st backends.ObjectInfo, first io.ReadCloser) (*cryptolayer.Object, error) {
	fetch := n.pinned(up, st.ETag)
	if first != nil {
		head, err := io.ReadAll(io.LimitReader(first, smallObject))
		_ = first.Close()
		if err != nil {
			return nil, upstreamErr(err, ErrNoSuchKey)
		}
		fetch = withHead(head, fetch)
	}
	return n.openWith(ctx, bucket, key, up, st, fetch)
}

// withHead serves the reads that fall inside head (the first bytes of the
// same version) from it, and the others through fetch.
func withHead(head []byte, fetch cryptolayer.Fetcher) cryptolayer.Fetcher {
	return func(ctx context.Context, off, cnt int64) (io.ReadCloser, error) {
		if off >= 0 && cnt >= 0 && off+cnt <= int64(len(head)) {
			return io.NopCloser(bytes.NewReader(head[off : off+cnt])), nil
		}
		return fetch(ctx, off, cnt)
	}
}

// readSmall reads the whole small object version st, from rc if it is not
// nil (it is closed), and authenticates it.
func (n *userNS) readSmall(ctx context.Context, bucket, key, up string, rc io.ReadCloser, st backends.ObjectInfo) (*cryptolayer.Object, []byte, error) {
	if rc != nil {
		defer func() { _ = rc.Close() }()
	}
	if st.Size < cryptolayer.PrefixSize+cryptolayer.EndSize || st.Size > smallObject {
		n.svc.integrityFailure("object") // no sealed object has that size
		return nil, nil, fmt.Errorf("%w: object size %d", ErrIntegrity, st.Size)
	}
	if rc == nil {
		var err error
		if rc, err = n.pinned(up, st.ETag)(ctx, 0, -1); err != nil {
			return nil, nil, n.readErr(err)
		}
		defer func() { _ = rc.Close() }()
	}
	// One allocation of the announced size, plus one byte that reveals a
	// longer body.
	buf := make([]byte, st.Size+1)
	m, err := io.ReadFull(rc, buf)
	// ReadFull's own short-read sentinels, by identity: an upstream error
	// that merely wraps one (a dropped connection) is not a short object.
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF { //nolint:errorlint // see above
		return nil, nil, upstreamErr(err, ErrNoSuchKey)
	}
	if int64(m) != st.Size {
		n.svc.integrityFailure("object")
		return nil, nil, fmt.Errorf("%w: object size", ErrIntegrity)
	}
	whole := buf[:m]
	obj, err := cryptolayer.Parse(n.keys(), n.readBinding(bucket, key, up), st.Size, whole[:cryptolayer.PrefixSize], whole[m-cryptolayer.EndSize:])
	return obj, whole, n.readErr(err)
}

// pinned returns a Fetcher that reads only the upstream version etag.
func (n *userNS) pinned(up, etag string) cryptolayer.Fetcher {
	return func(ctx context.Context, off, cnt int64) (io.ReadCloser, error) {
		rc, info, err := n.svc.store.Get(ctx, up, off, cnt)
		if err != nil {
			return nil, upstreamErr(err, ErrNoSuchKey)
		}
		if info.ETag != etag {
			_ = rc.Close()
			return nil, errChanged
		}
		return rc, nil
	}
}

// readErr maps a read error, counting integrity failures.
func (n *userNS) readErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, cryptolayer.ErrIntegrity) {
		n.svc.integrityFailure("object")
	}
	return upstreamErr(err, ErrNoSuchKey) // errChanged passes through
}

// integrityReader maps the errors of a decrypting reader.
type integrityReader struct {
	ns *userNS
	r  io.ReadCloser
}

func (r *integrityReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF {
		err = r.ns.readErr(err)
	}
	return n, err
}

func (r *integrityReader) Close() error { return r.r.Close() }
