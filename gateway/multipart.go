package gateway

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Multipart uploads keep their state sealed in the upstream, so any gateway
// continues them after a restart:
//
//	.sealgate/mp/<dir>/<upload id>/state      sealed uploadState
//	.sealgate/mp/<dir>/<upload id>/p00001     part 1's sealed chunks
//	.sealgate/mp/<dir>/<upload id>/i00001     sealed partRecord of part 1
//	.sealgate/mp/<dir>/<upload id>/done       sealed doneRecord after completion
//
// Records are bound to their upload id and role (cryptolayer.SealRecord
// contexts), and the state names the bucket and key it belongs to, and the
// bucket's creation time: an upload of a bucket that was deleted and
// created again is not continued in the new bucket.

// minPartSize is S3's minimum size of every part but the last.
const minPartSize = 5 << 20

type uploadState struct {
	Bucket  string    `json:"b"`
	Key     string    `json:"k"`
	Upload  []byte    `json:"u"` // cryptolayer.Upload (suite, epoch, salt)
	Meta    Meta      `json:"m"`
	Created time.Time `json:"t"`
	// BucketCreated is the bucket's creation time when the upload began
	// (zero in states written before it was recorded: not checked).
	BucketCreated time.Time `json:"c,omitzero"`
	// Lock and Tags are the Object Lock and tags asked for at the start,
	// applied at Complete.
	Lock *ObjectLock `json:"l,omitempty"`
	Tags Tags        `json:"g,omitempty"`
	// CkAlg and CkComposite are the checksum the upload declared (none
	// in states written before checksums were recorded).
	CkAlg       ChecksumAlgorithm `json:"ca,omitempty"`
	CkComposite bool              `json:"cc,omitempty"`
	// CustomerKeyMD5 is base64(MD5) of the upload's customer key (SSE-C),
	// "" without one; the key itself is never stored.
	CustomerKeyMD5 string `json:"sk,omitempty"`
}

type partRecord struct {
	Size   int64     `json:"s"`
	MD5    []byte    `json:"h"`
	UpETag string    `json:"e"` // upstream ETag of the part object it describes
	Time   time.Time `json:"t"`
	// CkAlg and Ck are the part's checksum: of the upload's algorithm, or
	// CRC64NVME if it declared none (absent in older records).
	CkAlg ChecksumAlgorithm `json:"ca,omitempty"`
	Ck    []byte            `json:"c,omitempty"`
}

type doneRecord struct {
	Bucket string     `json:"b"`
	Key    string     `json:"k"`
	Info   ObjectInfo `json:"i"`
}

func (n *userNS) uploadDir(id string) string { return ".sealgate/mp/" + n.dir + "/" + id + "/" }
func partName(num int) string                { return fmt.Sprintf("%05d", num) }
func (n *userNS) mpKey() cryptolayer.Key     { return n.user.DeriveUserKey("multipart") }

// CreateMultipartUpload implements Namespace. It reads the bucket's record
// (the upload keeps its creation time); the state it stores lies outside the
// bucket, so a DeleteBucket does not wait for it: an upload of a bucket
// deleted meanwhile ends with ErrNoSuchBucket, and gc removes it once expired.
func (n *userNS) CreateMultipartUpload(ctx context.Context, bucket, key string, opts PutOptions) (string, error) {
	bi, err := n.headBucket(ctx, bucket)
	if err != nil {
		return "", err
	}
	if opts.Lock != nil && !bi.lock.Enabled {
		return "", fmt.Errorf("%w: %s", ErrNoLockConfig, bucket)
	}
	if _, err := n.objectKey(bucket, key); err != nil {
		return "", err
	}
	if _, err := sealMeta(opts.Meta, key, false, time.Time{}); err != nil {
		return "", err
	}
	if err := CheckTags(opts.Tags, MaxObjectTags); err != nil {
		return "", err
	}
	ck, err := n.user.ContentKey()
	if err != nil {
		return "", err
	}
	if err := n.epochCurrent(ck.Epoch); err != nil {
		return "", err
	}
	if err := checkUploadChecksum(opts.Checksum); err != nil {
		return "", err
	}
	u, _ := cryptolayer.NewUpload(0, ck.Epoch).MarshalBinary()
	id := rand.Text()
	st := uploadState{Bucket: bucket, Key: key, Upload: u, Meta: opts.Meta, Created: n.svc.cfg.Now().UTC(), BucketCreated: bi.created, Lock: opts.Lock, Tags: opts.Tags,
		CkAlg: opts.Checksum.Algorithm, CkComposite: opts.Checksum.Composite}
	if opts.CustomerKey != nil {
		st.CustomerKeyMD5 = customerKeyMD5(opts.CustomerKey)
	}
	if err := n.putRecord(ctx, n.uploadDir(id)+"state", "upload\x00"+id, st, backends.PutOptions{IfAbsent: true}); err != nil {
		return "", err
	}
	return id, nil
}

func (n *userNS) putRecord(ctx context.Context, up, context string, v any, cond backends.PutOptions) error {
	pt, err := json.Marshal(v)
	if err != nil {
		return err
	}
	rec := cryptolayer.SealRecord(n.mpKey(), context, pt)
	_, err = n.svc.store.Put(ctx, up, bytes.NewReader(rec), int64(len(rec)), cond)
	return upstreamErr(err, ErrNoSuchUpload)
}

// getRecord reads and opens a record; absent is notExist.
func (n *userNS) getRecord(ctx context.Context, up, context string, v any, notExist error) (backends.ObjectInfo, error) {
	rc, info, err := n.svc.store.Get(ctx, up, 0, -1)
	if err != nil {
		return info, upstreamErr(err, notExist)
	}
	defer func() { _ = rc.Close() }()
	sealed, err := io.ReadAll(io.LimitReader(rc, 1<<20))
	if err != nil {
		return info, upstreamErr(err, notExist)
	}
	pt, err := cryptolayer.OpenRecord(n.mpKey(), context, sealed)
	if err == nil {
		err = json.Unmarshal(pt, v)
	}
	if err != nil {
		n.svc.integrityFailure("record")
		return info, fmt.Errorf("%w: multipart record", ErrIntegrity)
	}
	return info, nil
}

// loadUpload returns the upload's state and salt, checking that it belongs
// to bucket and key, and that the bucket exists and is the one the upload
// began in. The bucket's record is read, or with hint, trusted from the
// write hint (for a Complete, whose write confirms the bucket after it).
func (n *userNS) loadUpload(ctx context.Context, bucket, key, id string, hint bool) (*uploadState, cryptolayer.Upload, error) {
	var st uploadState
	var u cryptolayer.Upload
	if !validUploadID(id) {
		return nil, u, fmt.Errorf("%w: %q", ErrNoSuchUpload, id)
	}
	created, err := n.bucketCreated(ctx, bucket, hint)
	if err != nil {
		return nil, u, err
	}
	if _, err := n.getRecord(ctx, n.uploadDir(id)+"state", "upload\x00"+id, &st, ErrNoSuchUpload); err != nil {
		return nil, u, err
	}
	if hint && !st.BucketCreated.IsZero() && !st.BucketCreated.Equal(created) {
		created, err = n.bucketCreated(ctx, bucket, false) // the hint may be of an older bucket
		if err != nil {
			return nil, u, err
		}
	}
	if st.Bucket != bucket || st.Key != key || !st.BucketCreated.IsZero() && !st.BucketCreated.Equal(created) {
		return nil, u, fmt.Errorf("%w: %q", ErrNoSuchUpload, id)
	}
	if err := u.UnmarshalBinary(st.Upload); err != nil {
		return nil, u, fmt.Errorf("%w: upload state", ErrIntegrity)
	}
	return &st, u, nil
}

// bucketCreated returns the bucket's creation time: read, or from the hint.
func (n *userNS) bucketCreated(ctx context.Context, bucket string, hint bool) (time.Time, error) {
	if hint {
		return n.bucketHint(ctx, bucket)
	}
	bi, err := n.HeadBucket(ctx, bucket)
	return bi.Created, err
}

func validUploadID(id string) bool {
	if len(id) < 16 || len(id) > 64 {
		return false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !(c >= 'A' && c <= 'Z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// UploadPart implements Namespace.
func (n *userNS) UploadPart(ctx context.Context, bucket, key, id string, part int, body io.Reader, size int64) (string, error) {
	p, err := n.UploadPartChecked(ctx, bucket, key, id, part, body, size, PartOptions{})
	return p.ETag, err
}

// UploadPartChecked implements Namespace.
func (n *userNS) UploadPartChecked(ctx context.Context, bucket, key, id string, part int, body io.Reader, size int64, opts PartOptions) (PartInfo, error) {
	if part < 1 || part > cryptolayer.MaxParts {
		return PartInfo{}, fmt.Errorf("%w: part number %d", ErrInvalidArgument, part)
	}
	st, u, err := n.loadUpload(ctx, bucket, key, id, false)
	if err != nil {
		return PartInfo{}, err
	}
	// A part counts at Complete; this refuses early what the bytes cannot
	// take (the object limit is checked at Complete).
	quota, err := n.svc.quotas.admit(ctx, n, footprint{size, 0})
	if err != nil {
		return PartInfo{}, err
	}
	defer quota.done(footprint{})
	alg, err := partChecksumAlg(st, opts)
	if err != nil {
		return PartInfo{}, err
	}
	if u, err = uploadWithKey(st, u, opts.CustomerKey); err != nil {
		return PartInfo{}, err
	}
	h := NewChecksumHash(alg)
	body = io.TeeReader(body, h)
	pr, pw := io.Pipe()
	sealed := make(chan partResult, 1)
	go func() { sealed <- n.sealPart(pw, u, part, body, size) }()
	encSize := int64(-1)
	if size >= 0 {
		encSize = cryptolayer.SealedPartSize(size)
	}
	info, perr := n.svc.store.Put(ctx, n.uploadDir(id)+"p"+partName(part), pr, encSize, backends.PutOptions{})
	_ = pr.CloseWithError(errWriteAborted)
	res := <-sealed
	if res.err != nil && !errors.Is(res.err, errWriteAborted) {
		return PartInfo{}, res.err
	}
	if perr != nil {
		return PartInfo{}, upstreamErr(perr, ErrNoSuchUpload)
	}
	rec := partRecord{Size: res.info.Size, MD5: res.info.MD5[:], UpETag: info.ETag, Time: n.svc.cfg.Now().UTC(), CkAlg: alg, Ck: h.Sum(nil)}
	if err := n.putRecord(ctx, n.uploadDir(id)+"i"+partName(part), "part\x00"+id+"\x00"+partName(part), rec, backends.PutOptions{}); err != nil {
		return PartInfo{}, err
	}
	return partInfo(part, rec, st), nil
}

type partResult struct {
	info cryptolayer.PartInfo
	err  error
}

func (n *userNS) sealPart(pw *io.PipeWriter, u cryptolayer.Upload, part int, body io.Reader, size int64) partResult {
	w, err := u.NewPartWriter(pw, n.user, part)
	if err != nil {
		_ = pw.CloseWithError(err)
		return partResult{err: err}
	}
	if err := copyBody(w, body, size); err != nil {
		w.Abort()
		_ = pw.CloseWithError(err)
		return partResult{err: err}
	}
	if err := w.Close(); err != nil {
		_ = pw.CloseWithError(err)
		return partResult{err: err}
	}
	_ = pw.Close()
	return partResult{info: w.Info()}
}

// UploadPartCopy implements Namespace: the source range is read through
// the gateway (one GetObject: its conditions and range are checked against
// the version read) and sealed as the part, under the upload's customer
// key if it has one (dstKey must be it, as on UploadPart). Unlike a GET's,
// the range is not cut at the end: one ending at or beyond the source's
// size is ErrInvalidRange (S3 refuses such an x-amz-copy-source-range),
// and no part is stored.
func (n *userNS) UploadPartCopy(ctx context.Context, bucket, key, id string, part int, srcBucket, srcKey string, src GetOptions, dstKey *[32]byte) (PartInfo, error) {
	r, err := n.GetObject(ctx, srcBucket, srcKey, src)
	if err != nil {
		return PartInfo{}, err
	}
	defer func() { _ = r.Body.Close() }()
	if rg := src.Range; rg != nil && rg.End >= r.Info.Size {
		return PartInfo{}, fmt.Errorf("%w: copy range %d-%d of %d", ErrInvalidRange, rg.Start, rg.End, r.Info.Size)
	}
	size := r.Info.Size
	if r.Range != nil {
		size = r.Range.End - r.Range.Start + 1
	}
	return n.UploadPartChecked(ctx, bucket, key, id, part, r.Body, size, PartOptions{CustomerKey: dstKey})
}

// AbortMultipartUpload implements Namespace: everything of the upload goes.
func (n *userNS) AbortMultipartUpload(ctx context.Context, bucket, key, id string) error {
	if _, _, err := n.loadUpload(ctx, bucket, key, id, false); err != nil {
		return err
	}
	return n.removeUpload(ctx, id, false)
}

// AbortMultipartUploadIf implements Namespace.
func (n *userNS) AbortMultipartUploadIf(ctx context.Context, bucket, key, id string, initiated time.Time) error {
	st, _, err := n.loadUpload(ctx, bucket, key, id, false)
	if err != nil {
		return err
	}
	if !st.Created.Truncate(time.Second).Equal(initiated.Truncate(time.Second)) {
		return fmt.Errorf("%w: x-amz-if-match-initiated-time", ErrPreconditionFailed)
	}
	return n.removeUpload(ctx, id, false)
}

// removeUpload deletes an upload's objects (keeping "done" if asked).
func (n *userNS) removeUpload(ctx context.Context, id string, keepDone bool) error {
	dir := n.uploadDir(id)
	return n.svc.eachObject(ctx, dir, func(o backends.ObjectInfo) error {
		if keepDone && o.Key == dir+"done" {
			return nil
		}
		return upstreamErr(n.svc.store.Delete(ctx, o.Key), ErrNoSuchUpload)
	})
}
