package cryptolayer

import (
	"errors"
	"io"
)

// chunkSeq describes a chunk sequence: how many chunks, the plaintext
// size, and each chunk's position as its AAD states it.
type chunkSeq struct {
	keys   *objectKeys
	size   int64
	chunks int64
	pos    func(g int64) (part, idx uint32, last bool)
}

// rangeReader decrypts chunks g, g+1, … from src and hands out plaintext
// bytes [skip, …) of the first chunk until remain bytes have been returned.
type rangeReader struct {
	seq     chunkSeq
	src     io.Reader
	g       int64 // next chunk to read
	skip    int64 // plaintext bytes to drop from the next chunk
	remain  int64 // plaintext bytes still to return
	sealed  []byte
	plain   []byte
	pending []byte // verified plaintext not yet returned
	aad     []byte
	err     error
}

func (r *rangeReader) Read(p []byte) (int, error) {
	if r.err != nil {
		return 0, r.err
	}
	if len(r.pending) == 0 {
		if r.remain == 0 {
			return 0, io.EOF
		}
		if r.err = r.next(); r.err != nil {
			return 0, r.err
		}
	}
	n := copy(p, r.pending)
	r.pending = r.pending[n:]
	return n, nil
}

// next reads, authenticates and decrypts chunk g.
func (r *rangeReader) next() error {
	q := r.seq
	size := int64(SealedChunkSize)
	if r.g == q.chunks-1 {
		size = q.size - r.g*ChunkSize + ChunkOverhead
	}
	if r.sealed == nil {
		r.sealed = getSealed()[:SealedChunkSize]
		r.plain = getPlain()
	}
	if err := readExactly(r.src, r.sealed[:size], "chunk"); err != nil {
		return err
	}
	part, idx, last := q.pos(r.g)
	r.aad = chunkAAD(r.aad, q.keys, part, idx, last)
	pt, err := open(q.keys.chunk, r.plain[:0], r.sealed[:size], r.aad)
	if err != nil {
		return integrity("chunk", nil)
	}
	pt = pt[r.skip:]
	r.skip = 0
	if int64(len(pt)) > r.remain {
		pt = pt[:r.remain]
	}
	r.remain -= int64(len(pt))
	r.pending = pt
	r.g++
	return nil
}

// Close closes the source if it is an io.Closer.
func (r *rangeReader) Close() error {
	if r.sealed != nil {
		putSealed(r.sealed)
		putPlain(r.plain)
		r.sealed, r.plain = nil, nil
	}
	r.pending, r.err = nil, errors.New("cryptolayer: read after Close")
	if c, ok := r.src.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// readExactly fills b from r. A body that ends early (io.EOF before all
// of b) is an integrity failure of what: the upstream stored less than it
// claimed. Any other error, such as a broken connection, is returned as it
// is, so that an outage is not reported as tampering. ReadFull's own
// sentinels are compared by identity: a store's error that merely wraps
// io.ErrUnexpectedEOF (backends/s3 reports a connection dropped mid-body
// so) is a transport failure, not a short object.
func readExactly(r io.Reader, b []byte, what string) error {
	_, err := io.ReadFull(r, b)
	if err == io.EOF || err == io.ErrUnexpectedEOF { //nolint:errorlint // see above
		return integrity(what, errors.New("upstream body ended early"))
	}
	return err
}
