package cryptolayer

import (
	"encoding/hex"
	"fmt"
	"io"
	"strconv"
)

// Params describe an object to seal.
type Params struct {
	Suite   Suite      // 0 means DefaultSuite()
	Key     ContentKey // the current epoch's key
	Binding Binding    // who, which bucket, which key
	Meta    Metadata   // sealed into the 4096-byte slot
	// ExternalDigest: the caller computes the plaintext MD5 itself (say,
	// because its protocol library already hashes the body) and passes it to
	// SetDigest before Close; the writer then does not hash.
	ExternalDigest bool
	// ETagParts, with ExternalDigest, gives the object a multipart ETag of
	// that many parts: for an upload whose parts are re-sealed into one
	// layout (SetDigest then takes the MD5 of the part MD5s). 0: single PUT.
	ETagParts int
	// CustomerKey, if set (CustomerKeySize bytes), seals the chunks under a
	// key that mixes it in (S3's SSE-C; header flag byte 7): the content
	// reads only with it. Metadata, sizes and END do not depend on it.
	CustomerKey []byte
}

// Summary describes a sealed object.
type Summary struct {
	Size         int64 // plaintext bytes
	UpstreamSize int64 // bytes written upstream
	Digest       [16]byte
	// ETagParts is 0 for a single PUT's ETag ("hex") and N for a multipart
	// upload of N parts ("hex-N").
	ETagParts int
}

// ETag returns the S3 ETag (without quotes): the hex MD5 of the plaintext,
// or for multipart objects the hex MD5 of the part MD5s and "-<parts>".
func (s Summary) ETag() string { return formatETag(s.Digest, s.ETagParts) }

func formatETag(d [16]byte, etagParts int) string {
	if etagParts > 0 {
		return hex.EncodeToString(d[:]) + "-" + strconv.Itoa(etagParts)
	}
	return hex.EncodeToString(d[:])
}

// Writer seals one whole object as it is written: header and metadata slot
// at once, then 64 KiB chunks, then END at Close. It buffers at most a few
// chunks whatever the object's size. The upstream copy is complete only
// after Close returned nil; the caller must commit the upload only then.
// Write, SetDigest, SetChecksum and Close are not safe for concurrent use.
type Writer struct {
	keys     *objectKeys
	cw       *chunkWriter
	dst      io.Writer
	external bool
	etagPart int
	digest   *[16]byte
	checksum Checksum
	summary  Summary
}

// NewWriter writes the header and the sealed metadata to dst and returns a
// Writer for the plaintext. Close or Abort must be called.
func NewWriter(dst io.Writer, p Params) (*Writer, error) {
	u := NewUpload(p.Suite, p.Key.Epoch)
	u.customer = p.CustomerKey != nil
	prefix, keys, err := u.prefix(p.Key, p.Binding, p.Meta)
	if err != nil {
		return nil, err
	}
	if u.customer {
		if err := keys.useCustomerKey(p.CustomerKey); err != nil {
			return nil, err
		}
	}
	if p.ETagParts < 0 || p.ETagParts > MaxParts || (p.ETagParts > 0 && !p.ExternalDigest) {
		return nil, fmt.Errorf("%w: ETagParts %d without ExternalDigest or out of range", ErrWriterState, p.ETagParts)
	}
	if _, err := dst.Write(prefix); err != nil {
		return nil, err
	}
	return &Writer{
		keys: keys, dst: dst, external: p.ExternalDigest, etagPart: p.ETagParts,
		cw: newChunkWriter(dst, keys, 1, !p.ExternalDigest),
	}, nil
}

// Write seals p. An error is sticky: the object is then unusable.
func (w *Writer) Write(p []byte) (int, error) { return w.cw.Write(p) }

// SetDigest gives the plaintext MD5 when Params.ExternalDigest was set.
func (w *Writer) SetDigest(md5 [16]byte) { w.digest = &md5 }

// SetChecksum records a client checksum of the plaintext (verified by the
// caller) in END. Call it before Close.
func (w *Writer) SetChecksum(c Checksum) { w.checksum = c }

// Close seals the last chunk and END. The object is complete only if Close
// returns nil.
func (w *Writer) Close() error {
	if err := w.checksum.validate(); err != nil {
		w.cw.abort()
		return err
	}
	sum, err := w.cw.close()
	if err != nil {
		return err
	}
	if w.external {
		if w.digest == nil {
			return fmt.Errorf("%w: Close without SetDigest", ErrWriterState)
		}
		sum = *w.digest
	}
	e := &endRecord{size: w.cw.size, chunks: int64(w.cw.idx), parts: 1, digest: sum,
		etagParts: uint32(w.etagPart), checksum: w.checksum}
	if _, err := w.dst.Write(sealEnd(w.keys, e)); err != nil {
		return err
	}
	w.summary = Summary{Size: e.size, UpstreamSize: EncryptedSize(e.size), Digest: sum, ETagParts: w.etagPart}
	return nil
}

// Abort gives up the object: nothing more is written. Safe after Close.
func (w *Writer) Abort() { w.cw.abort() }

// Summary describes the object after a successful Close.
func (w *Writer) Summary() Summary { return w.summary }
