package cryptolayer

import (
	"crypto/md5"
	"fmt"
	"io"
	"sync"
)

// Chunk buffers are pooled: a small object needs only one chunk, and a
// server with many streams would otherwise allocate (hashBuffers+2) × 64 KiB
// per request.
var (
	plainPool  = sync.Pool{New: func() any { b := make([]byte, 0, ChunkSize); return &b }}
	sealedPool = sync.Pool{New: func() any { b := make([]byte, 0, SealedChunkSize); return &b }}
)

func getPlain() []byte  { return (*plainPool.Get().(*[]byte))[:0] }
func getSealed() []byte { return (*sealedPool.Get().(*[]byte))[:0] }
func putPlain(b []byte) { plainPool.Put(&b) }
func putSealed(b []byte) {
	sealedPool.Put(&b)
}

// hashBuffers is how many plaintext chunks may wait for the MD5 goroutine.
// Memory per stream: (hashBuffers+1) plaintext chunks + one sealed chunk.
const hashBuffers = 3

// chunkWriter seals a stream of plaintext into the chunks of one part:
// index from 0, the last flag on the final chunk. A full chunk is held back
// until more data arrives, because only then is it known not to be the last.
// When hashing, each plaintext chunk is handed, after sealing, to a goroutine
// that computes the MD5, so the hash runs beside the encryption.
type chunkWriter struct {
	dst  io.Writer
	keys *objectKeys
	part uint32
	idx  uint32
	size int64
	buf  []byte // current plaintext chunk
	out  []byte // sealed chunk
	aad  []byte
	md5  *md5Pipe // nil: the caller supplies the digest
	err  error    // sticky
	done bool
}

func newChunkWriter(dst io.Writer, k *objectKeys, part uint32, hash bool) *chunkWriter {
	c := &chunkWriter{dst: dst, keys: k, part: part, out: getSealed()}
	if hash {
		c.md5 = newMD5Pipe()
		c.buf = c.md5.next()
	} else {
		c.buf = getPlain()
	}
	return c
}

func (c *chunkWriter) Write(p []byte) (int, error) {
	if c.done {
		return 0, ErrWriterState
	}
	written := 0
	for len(p) > 0 && c.err == nil {
		if len(c.buf) == ChunkSize {
			c.flush(false)
			continue
		}
		m := copy(c.buf[len(c.buf):ChunkSize], p)
		c.buf, p, written = c.buf[:len(c.buf)+m], p[m:], written+m
		c.size += int64(m)
	}
	return written, c.err
}

// flush seals and writes the current chunk.
func (c *chunkWriter) flush(last bool) {
	if c.idx == MaxChunks {
		c.err = fmt.Errorf("%w: more than %d chunks", ErrTooLarge, uint64(MaxChunks))
		return
	}
	c.aad = chunkAAD(c.aad, c.keys, c.part, c.idx, last)
	c.out = seal(c.keys.chunk, c.out[:0], c.buf, c.aad)
	if _, err := c.dst.Write(c.out); err != nil {
		c.err = err
		return
	}
	c.idx++
	if c.md5 != nil {
		c.md5.submit(c.buf)
		c.buf = c.md5.next()
	} else {
		c.buf = c.buf[:0]
	}
}

// close seals the final chunk and returns the MD5 (zero when not hashing).
func (c *chunkWriter) close() ([16]byte, error) {
	if c.done {
		return [16]byte{}, ErrWriterState
	}
	c.done = true
	if c.err == nil {
		c.flush(true)
	}
	var sum [16]byte
	if c.md5 != nil {
		sum = c.md5.finish()
	}
	c.release()
	return sum, c.err
}

// release returns the buffers to the pools; the writer is done with them.
func (c *chunkWriter) release() {
	putPlain(c.buf)
	putSealed(c.out)
	c.buf, c.out = nil, nil
}

// abort stops the writer and its goroutine without sealing anything more.
func (c *chunkWriter) abort() {
	if !c.done {
		c.done = true
		if c.md5 != nil {
			c.md5.finish()
		}
		c.release()
	}
}

// md5Pipe hashes chunks on its own goroutine. Buffers cycle between the
// writer and the hasher through two channels, so memory stays bounded.
type md5Pipe struct {
	work chan []byte
	free chan []byte
	sum  chan [16]byte
}

func newMD5Pipe() *md5Pipe {
	p := &md5Pipe{
		work: make(chan []byte, hashBuffers),
		free: make(chan []byte, hashBuffers+1),
		sum:  make(chan [16]byte, 1),
	}
	for range hashBuffers + 1 {
		p.free <- getPlain()
	}
	go p.run()
	return p
}

func (p *md5Pipe) run() {
	h := md5.New()
	for b := range p.work {
		h.Write(b)
		p.free <- b[:0]
	}
	var s [16]byte
	copy(s[:], h.Sum(nil))
	p.sum <- s
}

func (p *md5Pipe) submit(b []byte) { p.work <- b }
func (p *md5Pipe) next() []byte    { return <-p.free }

// finish waits for the hash and returns the free buffers to the pool
// (the one the writer holds is returned by the writer).
func (p *md5Pipe) finish() [16]byte {
	close(p.work)
	s := <-p.sum
	for range hashBuffers {
		putPlain(<-p.free)
	}
	return s
}
