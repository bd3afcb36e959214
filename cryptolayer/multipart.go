package cryptolayer

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Upload holds what an object's key derivation needs before any byte is
// sealed: suite, epoch and the random salt. A multipart upload makes one at
// CreateMultipartUpload and keeps it (sealed, by the gateway) in its upload
// state, so parts can be sealed by any gateway, in any order, after a
// restart. It contains no secret.
type Upload struct {
	Suite Suite
	Epoch uint32
	Salt  [32]byte
	// customer: the object is sealed with a customer key (header flag
	// 0x01); customerKey, for parts, is that key. Neither is part of the
	// upload's binary form: the key is never stored.
	customer    bool
	customerKey *[CustomerKeySize]byte
}

// WithCustomerKey returns u set to seal and open parts under a customer
// key (S3's SSE-C with a multipart upload): the parts' chunks are sealed
// under K_cust, derived as for a single object with the customer-key
// flag, so they open only with the same key. Every part write and read
// needs it again (it is not in MarshalBinary's output).
func (u Upload) WithCustomerKey(ck []byte) (Upload, error) {
	if len(ck) != CustomerKeySize {
		return u, fmt.Errorf("%w: %d bytes", ErrCustomerKey, len(ck))
	}
	u.customer, u.customerKey = true, (*[CustomerKeySize]byte)(bytes.Clone(ck))
	return u, nil
}

// uploadStateSize is the length of Upload's binary form.
const uploadStateSize = 1 + 4 + 32

// NewUpload draws a fresh salt. suite 0 means DefaultSuite().
func NewUpload(suite Suite, epoch uint32) Upload {
	if suite == 0 {
		suite = DefaultSuite()
	}
	u := Upload{Suite: suite, Epoch: epoch}
	randomBytes(u.Salt[:])
	return u
}

// MarshalBinary encodes the upload for the gateway's upload state.
func (u Upload) MarshalBinary() ([]byte, error) {
	b := append([]byte{byte(u.Suite)}, binary.BigEndian.AppendUint32(nil, u.Epoch)...)
	return append(b, u.Salt[:]...), nil
}

// UnmarshalBinary decodes MarshalBinary's output.
func (u *Upload) UnmarshalBinary(b []byte) error {
	if len(b) != uploadStateSize || !Suite(b[0]).valid() {
		return fmt.Errorf("%w: upload state", ErrUnsupportedFormat)
	}
	u.Suite, u.Epoch = Suite(b[0]), binary.BigEndian.Uint32(b[1:5])
	copy(u.Salt[:], b[5:])
	return nil
}

func (u Upload) header() *header {
	h := &header{suite: u.Suite, epoch: u.Epoch, salt: u.Salt}
	if u.customer {
		h.flags = flagCustomerKey
	}
	return h
}

func (u Upload) keys(ring KeyRing) (*objectKeys, error) {
	if !u.Suite.valid() {
		return nil, fmt.Errorf("%w: suite %d", ErrUnsupportedFormat, u.Suite)
	}
	k, err := ring.EpochKey(u.Epoch)
	if err != nil {
		return nil, err
	}
	keys, err := deriveObjectKeys(u.header(), k)
	if err == nil && u.customerKey != nil {
		err = keys.useCustomerKey(u.customerKey[:])
	}
	return keys, err
}

// prefix returns the header and sealed metadata slot (PrefixSize bytes)
// of an object sealed under u, and the object's keys.
func (u Upload) prefix(ring KeyRing, b Binding, meta Metadata) ([]byte, *objectKeys, error) {
	k, err := u.keys(ring)
	if err != nil {
		return nil, nil, err
	}
	if b.Version == AnyVersion {
		return nil, nil, fmt.Errorf("%w: sealing under AnyVersion", ErrWriterState)
	}
	meta = withVersion(meta, b.Version)
	h := u.header()
	h.mac = k.headerMAC(h.marshalBody(), b)
	hdr := h.marshal()
	slot, err := sealSlot(k, hdr, meta)
	if err != nil {
		return nil, nil, err
	}
	return append(hdr, slot...), k, nil
}

// PartInfo describes a sealed part, as the gateway keeps it in upload state.
type PartInfo struct {
	Number int      // position in the object, 1-based
	Size   int64    // plaintext bytes
	MD5    [16]byte // MD5 of the part's plaintext (its S3 ETag)
}

// PartWriter seals one part of a multipart upload: its chunks only, with
// the part number in every chunk's AAD and the index restarting at 0.
// Re-sealing a part with other data is safe (nonces are random).
type PartWriter struct {
	cw   *chunkWriter
	info PartInfo
}

// NewPartWriter returns a writer for part number part (1..MaxParts); the
// part's NewPartReader must be given the same number. Close or Abort must
// be called.
func (u Upload) NewPartWriter(dst io.Writer, ring KeyRing, part int) (*PartWriter, error) {
	if part < 1 || part > MaxParts {
		return nil, fmt.Errorf("%w: part number %d", ErrPartLayout, part)
	}
	k, err := u.keys(ring)
	if err != nil {
		return nil, err
	}
	return &PartWriter{cw: newChunkWriter(dst, k, uint32(part), true), info: PartInfo{Number: part}}, nil
}

// Write seals p.
func (w *PartWriter) Write(p []byte) (int, error) { return w.cw.Write(p) }

// Close seals the part's last chunk. The part is complete only if Close returns nil.
func (w *PartWriter) Close() error {
	sum, err := w.cw.close()
	if err != nil {
		return err
	}
	w.info.Size, w.info.MD5 = w.cw.size, sum
	return nil
}

// Abort gives up the part.
func (w *PartWriter) Abort() { w.cw.abort() }

// Info describes the part after a successful Close.
func (w *PartWriter) Info() PartInfo { return w.info }

// NewPartReader decrypts a part sealed by NewPartWriter: src yields its
// SealedPartSize(size) bytes, and the result yields its size plaintext
// bytes, each chunk authenticated (position and last flag included) before
// it is released; bytes after the last chunk are ErrIntegrity. Used to
// re-seal uploads. Close returns its buffers and closes src if it can.
func (u Upload) NewPartReader(src io.Reader, ring KeyRing, part int, size int64) (io.ReadCloser, error) {
	if part < 1 || part > MaxParts || size < 0 {
		return nil, fmt.Errorf("%w: part %d of %d bytes", ErrPartLayout, part, size)
	}
	k, err := u.keys(ring)
	if err != nil {
		return nil, err
	}
	n := ChunkCount(size)
	pos := func(g int64) (uint32, uint32, bool) { return uint32(part), uint32(g), g == n-1 }
	r := &rangeReader{seq: chunkSeq{keys: k, size: size, chunks: n, pos: pos}, src: src, remain: size}
	if size == 0 { // an empty part is one empty chunk: verify it too
		r.err = r.next()
	}
	return wholeReader{r}, nil
}

// wholeReader reads a whole chunk sequence and then requires its source to
// end: nothing may follow the last chunk.
type wholeReader struct{ *rangeReader }

func (w wholeReader) Read(p []byte) (int, error) {
	n, err := w.rangeReader.Read(p)
	if err == io.EOF && w.rangeReader.err == nil {
		w.rangeReader.err = expectEnd(w.src)
		err = w.rangeReader.err
	}
	return n, err
}

// expectEnd returns io.EOF if src has no more bytes, ErrIntegrity if it has.
func expectEnd(src io.Reader) error {
	var b [1]byte
	n, err := io.ReadFull(src, b[:])
	switch {
	case n > 0:
		return integrity("part", errors.New("bytes after the last chunk"))
	case err == io.EOF:
		return io.EOF
	}
	return err
}
