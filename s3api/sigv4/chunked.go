package sigv4

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"hash"
	"io"
	"strconv"
	"strings"
)

// Limits of the aws-chunked decoder. A chunk's size is further bounded by
// what remains of x-amz-decoded-content-length.
const (
	maxChunkLine    = 4096 // longest chunk header or trailer line, CRLF included
	maxTrailerLines = 16
	chunkBufSize    = 32 << 10
	// minChunkSize is AWS's least size of a chunk that is not the last
	// one holding data.
	minChunkSize = 8192
	// maxOverlong bounds how far past x-amz-decoded-content-length a chunk
	// is still read to check its framing (overlong).
	maxOverlong = 64 << 10
)

const trailerSigHeader = "x-amz-trailer-signature"

// chunkChain verifies the chain of chunk signatures seeded by the request
// signature.
type chunkChain struct {
	key     []byte
	amzDate string
	scope   string
	prev    string
}

func (c *chunkChain) verify(algo, what, lastLine, sig string) error {
	sts := stringToSign(algo, c.amzDate, c.scope, c.prev, lastLine)
	if !signatureMatches(c.key, sts, sig) {
		return &SignatureError{What: what, StringToSign: sts}
	}
	c.prev = sig
	return nil
}

func (c *chunkChain) verifyChunk(dataSHA256Hex, sig string) error {
	return c.verify(algoV4Payload, "chunk", emptySHA256+"\n"+dataSHA256Hex, sig)
}

func (c *chunkChain) verifyTrailer(canonical, sig string) error {
	return c.verify(algoV4Trailer, "trailer", sha256Hex(canonical), sig)
}

// chunkReader decodes an aws-chunked body: "hex-size[;chunk-signature=sig]
// CRLF data CRLF" repeated, a zero-size final chunk, optional trailer lines
// and a blank line. Data is released as it streams; a chunk's signature is
// checked when the chunk ends, before any byte of the next one.
type chunkReader struct {
	br        *bufio.Reader
	chain     *chunkChain // nil: unsigned chunks
	trailer   bool        // a trailer section is expected
	announced []string    // trailer names announced in x-amz-trailer
	remaining int64       // decoded bytes still allowed
	left      int64       // bytes left in the current chunk
	prev      int64       // size of the previous chunk (0: none yet)
	inChunk   bool
	sig       string
	h         hash.Hash
	done      bool
	err       error
	trailers  map[string]string
}

func newChunkReader(r io.Reader, chain *chunkChain, trailer bool, announced []string, decoded int64) *chunkReader {
	c := &chunkReader{br: bufio.NewReaderSize(r, chunkBufSize), chain: chain, trailer: trailer,
		announced: announced, remaining: decoded, trailers: map[string]string{}}
	if chain != nil {
		c.h = sha256.New()
	}
	return c
}

func (c *chunkReader) Read(p []byte) (int, error) {
	if len(p) == 0 && c.err == nil && !c.done {
		return 0, nil
	}
	for c.err == nil && !c.done {
		if c.inChunk && c.left > 0 {
			return c.readData(p)
		}
		if c.inChunk {
			c.err = c.endChunk()
			continue
		}
		c.err = c.startChunk()
	}
	if c.err != nil {
		return 0, c.err
	}
	return 0, io.EOF
}

func (c *chunkReader) readData(p []byte) (int, error) {
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.br.Read(p)
	c.left -= int64(n)
	if c.h != nil {
		c.h.Write(p[:n])
	}
	if err == io.EOF || (err == nil && n == 0) {
		err = chunkFault(ErrIncompleteBody, "body ends inside a chunk")
	}
	if err != nil {
		c.err = err
	}
	return n, nil
}

// endChunk consumes the CRLF after a chunk's data and checks its signature.
func (c *chunkReader) endChunk() error {
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
		return chunkFault(ErrMalformedChunk, "chunk data is not followed by CRLF")
	}
	c.inChunk = false
	return c.checkChunkSig()
}

func (c *chunkReader) checkChunkSig() error {
	if c.chain == nil {
		return nil
	}
	sum := hex.EncodeToString(c.h.Sum(nil))
	c.h.Reset()
	return c.chain.verifyChunk(sum, c.sig)
}

// startChunk parses a chunk header line; a zero size ends the data.
func (c *chunkReader) startChunk() error {
	line, err := c.readLine()
	if err == errNoLine {
		return chunkFault(ErrIncompleteBody, "body ends before the final chunk")
	}
	if err != nil {
		return err
	}
	size, sig, err := parseChunkHeader(line, c.chain != nil)
	if err != nil {
		return err
	}
	if size > 0 && c.prev > 0 && c.prev < minChunkSize {
		return awsErrorf(ErrInvalidChunkSize, "Only the last chunk is allowed to have a size less than %d bytes", minChunkSize)
	}
	if size > c.remaining {
		return c.overlong(size)
	}
	c.sig, c.left, c.remaining = sig, size, c.remaining-size
	if size > 0 {
		c.prev = size
		c.inChunk = true
		return nil
	}
	if err := c.checkChunkSig(); err != nil {
		return err
	}
	if c.remaining != 0 {
		return errorf(ErrIncompleteBody, "chunks are shorter than x-amz-decoded-content-length")
	}
	if err := c.readTrailers(); err != nil {
		return err
	}
	c.done = true
	return nil
}

// overlong answers a chunk larger than x-amz-decoded-content-length
// leaves. As AWS, the chunk is read first: if its framing is broken too,
// the body "terminated unexpectedly"; else its length is the fault. A chunk
// far past the length is not read.
func (c *chunkReader) overlong(size int64) error {
	mismatch := errorf(ErrIncompleteBody, "chunks exceed x-amz-decoded-content-length")
	if size-c.remaining > maxOverlong {
		return mismatch
	}
	if _, err := io.CopyN(io.Discard, c.br, size); err != nil {
		return chunkFault(ErrIncompleteBody, "body ends inside a chunk")
	}
	var crlf [2]byte
	if _, err := io.ReadFull(c.br, crlf[:]); err != nil || crlf != [2]byte{'\r', '\n'} {
		return chunkFault(ErrMalformedChunk, "chunk data is not followed by CRLF")
	}
	return mismatch
}

// parseChunkHeader parses "hex-size" plus, when signed is set, exactly
// ";chunk-signature=<64 hex>". Unsigned chunks may carry extensions, which
// are ignored.
func parseChunkHeader(line string, signed bool) (int64, string, error) {
	sizeHex, ext, hasExt := strings.Cut(line, ";")
	if len(sizeHex) == 0 || len(sizeHex) > 16 {
		return 0, "", chunkFault(ErrMalformedChunk, "chunk size is not 1-16 hex digits")
	}
	size, err := strconv.ParseUint(sizeHex, 16, 63)
	if err != nil {
		return 0, "", chunkFault(ErrMalformedChunk, "chunk size is not hexadecimal")
	}
	if !signed {
		return int64(size), "", nil
	}
	sig, ok := strings.CutPrefix(ext, "chunk-signature=")
	if !hasExt || !ok || !isHex(sig, 64) {
		return 0, "", chunkFault(ErrMalformedChunk, "chunk has no valid chunk-signature")
	}
	return int64(size), sig, nil
}

var errNoLine = errors.New("end of body")

// readLine reads one CRLF-terminated line of at most maxChunkLine bytes and
// returns it without the CRLF. A clean EOF before any byte is errNoLine.
func (c *chunkReader) readLine() (string, error) {
	line, err := c.br.ReadSlice('\n')
	if err == io.EOF && len(line) == 0 {
		return "", errNoLine
	}
	if err == bufio.ErrBufferFull || len(line) > maxChunkLine {
		return "", chunkFault(ErrMalformedChunk, "chunk header or trailer line too long")
	}
	if err != nil {
		return "", chunkFault(ErrIncompleteBody, "body ends inside a chunk header")
	}
	if !bytes.HasSuffix(line, []byte("\r\n")) || bytes.IndexByte(line[:len(line)-2], '\r') >= 0 {
		return "", chunkFault(ErrMalformedChunk, "line does not end in CRLF, or holds a bare CR")
	}
	return string(line[:len(line)-2]), nil
}
