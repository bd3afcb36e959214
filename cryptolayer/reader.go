package cryptolayer

import (
	"bytes"
	"context"
	"crypto/hmac"
	"fmt"
	"io"
)

// Fetcher reads upstream bytes [off, off+n) of one object version. The
// caller of Open supplies it (a backends.Store Get, usually pinned to the
// upstream ETag seen first, so that a changing upstream is not mistaken for
// tampering).
type Fetcher func(ctx context.Context, off, n int64) (io.ReadCloser, error)

// Object is an opened, authenticated object: its header MAC, metadata slot
// and END record verified, its plaintext size authenticated. Reads of any
// range go through Range or Decrypt and release only verified chunks.
type Object struct {
	Meta     Metadata // decrypted metadata
	Size     int64    // plaintext size (authenticated by END)
	upstream int64
	hdr      *header
	keys     *objectKeys
	end      *endRecord
	fetch    Fetcher
}

// Open authenticates the object of upstream size size by reading its
// prefix (header and slot) and its END record through fetch: two small
// reads, whatever the object's size. b must be where the caller found the
// object: an object moved to another user, bucket or key fails here.
func Open(ctx context.Context, ring KeyRing, b Binding, size int64, fetch Fetcher) (*Object, error) {
	if _, ok := DecryptedSize(size); !ok {
		return nil, integrity("size", nil)
	}
	prefix, err := fetchAll(ctx, fetch, 0, PrefixSize)
	if err != nil {
		return nil, err
	}
	end, err := fetchAll(ctx, fetch, size-EndSize, EndSize)
	if err != nil {
		return nil, err
	}
	o, err := Parse(ring, b, size, prefix, end)
	if err != nil {
		return nil, err
	}
	o.fetch = fetch
	return o, nil
}

// Parse authenticates an object from its prefix (the first PrefixSize
// bytes) and its END (the last EndSize bytes), for callers that fetched
// them themselves — for example a small object read in one request. The
// result has no Fetcher: use Decrypt, not Range.
func Parse(ring KeyRing, b Binding, size int64, prefix, end []byte) (*Object, error) {
	p, ok := DecryptedSize(size)
	if !ok {
		return nil, integrity("size", nil)
	}
	h, keys, meta, err := openPrefix(ring, &b, prefix)
	if err != nil {
		return nil, err
	}
	e, err := openEnd(keys, end)
	if err != nil {
		return nil, err
	}
	if e.size != p {
		return nil, integrity("size", nil)
	}
	return &Object{Meta: meta, Size: p, upstream: size, hdr: h, keys: keys, end: e}, nil
}

// VerifyPrefix authenticates an object's prefix (header MAC against b, and
// the metadata slot) and returns its metadata, without END: enough to
// trust metadata, not sizes or data.
func VerifyPrefix(ring KeyRing, b Binding, prefix []byte) (Metadata, error) {
	_, _, meta, err := openPrefix(ring, &b, prefix)
	return meta, err
}

// PeekMetadata opens the metadata slot of a prefix without checking the
// header MAC's binding. The slot's AEAD still proves the gateway sealed it
// (its key derives from the epoch key and salt only), so the metadata is
// genuine, but it may belong to an object moved from another name. The one
// use: reading the full key of a long-named object, which the caller then
// checks with VerifyPrefix under the binding that key implies.
func PeekMetadata(ring KeyRing, prefix []byte) (Metadata, error) {
	_, _, meta, err := openPrefix(ring, nil, prefix)
	return meta, err
}

// openPrefix parses the header, derives the keys, checks the MAC against b
// (unless b is nil) and opens the slot.
func openPrefix(ring KeyRing, b *Binding, prefix []byte) (*header, *objectKeys, Metadata, error) {
	if len(prefix) < PrefixSize {
		return nil, nil, nil, integrity("header", fmt.Errorf("short prefix"))
	}
	h, err := parseHeader(prefix)
	if err != nil {
		return nil, nil, nil, err
	}
	k, err := ring.EpochKey(h.epoch)
	if err != nil {
		return nil, nil, nil, integrity("header", err)
	}
	keys, err := deriveObjectKeys(h, k)
	if err != nil {
		return nil, nil, nil, integrity("header", err)
	}
	checkMAC := func(b Binding) error {
		if want := keys.headerMAC(h.marshalBody(), b); !hmac.Equal(want[:], h.mac[:]) {
			return integrity("header", nil)
		}
		return nil
	}
	if b != nil && b.Version != AnyVersion {
		if err := checkMAC(*b); err != nil {
			return nil, nil, nil, err
		}
	}
	meta, err := openSlot(keys, prefix[:HeaderSize], prefix[HeaderSize:PrefixSize])
	if err != nil {
		return nil, nil, nil, err
	}
	if b != nil && b.Version == AnyVersion {
		// The slot is authentic (its AEAD covers the header); the version
		// it names must be the one the MAC binds.
		named := *b
		named.Version = meta[MetaVersion]
		if err := checkMAC(named); err != nil {
			return nil, nil, nil, err
		}
	}
	return h, keys, meta, nil
}

// Digest is the ETag digest sealed in END.
func (o *Object) Digest() [16]byte { return o.end.digest }

// ETag returns the S3 ETag (without quotes), as the writer's Summary did.
func (o *Object) ETag() string { return formatETag(o.end.digest, int(o.end.etagParts)) }

// ETagParts is 0 for a single PUT and N for a multipart upload of N parts.
func (o *Object) ETagParts() int { return int(o.end.etagParts) }

// Checksum is the client checksum sealed in END (Algorithm ChecksumNone if none).
func (o *Object) Checksum() Checksum { return o.end.checksum }

// Epoch is the content epoch the object is sealed under (for rotation).
func (o *Object) Epoch() uint32 { return o.hdr.epoch }

// UpstreamRange returns the one contiguous upstream range [off, off+n)
// that holds the chunks of plaintext range [poff, poff+pn). pn = 0 needs no
// upstream bytes and returns n = 0.
func (o *Object) UpstreamRange(poff, pn int64) (off, n int64, err error) {
	if poff < 0 || pn < 0 || poff > o.Size || pn > o.Size-poff {
		return 0, 0, ErrRange
	}
	if pn == 0 {
		return PrefixSize, 0, nil
	}
	g0, g1 := poff/ChunkSize, (poff+pn-1)/ChunkSize
	off = PrefixSize + g0*SealedChunkSize
	end := min(PrefixSize+(g1+1)*SealedChunkSize, o.upstream-EndSize)
	return off, end - off, nil
}

// Range returns the plaintext [off, off+n), fetching exactly one upstream
// range. Each chunk is authenticated before any of its bytes is returned;
// a failure mid-way is an error from Read (the caller must then abort the
// response, never complete it). The caller closes the reader.
func (o *Object) Range(ctx context.Context, off, n int64) (io.ReadCloser, error) {
	uoff, un, err := o.UpstreamRange(off, n)
	if err != nil {
		return nil, err
	}
	if un == 0 {
		return io.NopCloser(bytes.NewReader(nil)), nil
	}
	if o.fetch == nil {
		return nil, fmt.Errorf("%w: object opened by Parse has no fetcher", ErrWriterState)
	}
	src, err := o.fetch(ctx, uoff, un)
	if err != nil {
		return nil, err
	}
	return o.Decrypt(src, off, n), nil
}

// Decrypt returns the plaintext [off, off+n) from src, which must yield the
// upstream bytes starting at UpstreamRange(off, n)'s offset. If src is an
// io.Closer, closing the result closes it.
func (o *Object) Decrypt(src io.Reader, off, n int64) io.ReadCloser {
	seq := chunkSeq{keys: o.keys, size: o.Size, chunks: o.end.chunks, pos: o.end.chunkPos}
	r := &rangeReader{seq: seq, src: src, remain: n, g: off / ChunkSize, skip: off % ChunkSize}
	if _, _, err := o.UpstreamRange(off, n); err != nil {
		r.err = err
	}
	if o.keys.chunk == nil {
		r.err = fmt.Errorf("%w: the object needs its customer key", ErrCustomerKey)
	}
	return r
}

// NeedsCustomerKey reports whether the object was sealed with a customer
// key (S3's SSE-C): its data reads only after UseCustomerKey.
func (o *Object) NeedsCustomerKey() bool { return o.keys.customer != nil }

// UseCustomerKey gives the customer key of an object sealed with one. A
// wrong key is not detected here: its chunks then fail to authenticate
// (the caller should check the key against what it recorded first).
func (o *Object) UseCustomerKey(ck []byte) error { return o.keys.useCustomerKey(ck) }

func fetchAll(ctx context.Context, fetch Fetcher, off, n int64) ([]byte, error) {
	rc, err := fetch(ctx, off, n)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	b := make([]byte, n)
	if err := readExactly(rc, b, "size"); err != nil {
		return nil, err
	}
	return b, nil
}

// Version is the version id the object is sealed under: its MetaVersion,
// or NullVersion for an object sealed under "" or NullVersion.
func (o *Object) Version() string {
	if v := o.Meta[MetaVersion]; v != "" {
		return v
	}
	return NullVersion
}
