package gateway

import (
	"crypto/md5"
	"hash"
)

// md5Block is how much an asyncMD5 hands its goroutine at a time.
const md5Block = 1 << 20

// asyncMD5 computes the MD5 of what is written to it on a goroutine of its
// own, a block behind the writer: the completion's check of each part's
// MD5 (copyPart) then runs beside its decryption and re-encryption, on
// another core, instead of after them on the same one. MD5 is the
// costliest step of a re-seal (about four times AES-GCM). Memory: at most
// three blocks. Sum or Close must be called.
type asyncMD5 struct {
	buf  []byte
	full chan []byte // blocks to hash
	free chan []byte // blocks hashed, for reuse
	sum  chan [16]byte
}

func newAsyncMD5() *asyncMD5 {
	a := &asyncMD5{buf: make([]byte, 0, md5Block), full: make(chan []byte, 1), free: make(chan []byte, 2), sum: make(chan [16]byte, 1)}
	go a.run(md5.New())
	return a
}

func (a *asyncMD5) run(h hash.Hash) {
	for b := range a.full {
		h.Write(b)
		select {
		case a.free <- b[:0]:
		default:
		}
	}
	a.sum <- [16]byte(h.Sum(nil))
}

// Write copies p into the current block, handing full blocks over.
func (a *asyncMD5) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := copy(a.buf[len(a.buf):cap(a.buf)], p)
		a.buf, p = a.buf[:len(a.buf)+k], p[k:]
		if len(a.buf) == cap(a.buf) {
			a.handOver()
		}
	}
	return n, nil
}

func (a *asyncMD5) handOver() {
	a.full <- a.buf
	select {
	case a.buf = <-a.free:
	default:
		a.buf = make([]byte, 0, md5Block)
	}
}

// Sum returns the MD5 of everything written; the hasher is then done.
func (a *asyncMD5) Sum() [16]byte {
	if len(a.buf) > 0 {
		a.full <- a.buf
	}
	a.buf = nil
	close(a.full)
	return <-a.sum
}

// Close stops the hasher without a result (after a failed copy). Calling
// it after Sum does nothing.
func (a *asyncMD5) Close() {
	if a.buf != nil {
		a.buf = nil
		close(a.full)
		<-a.sum
	}
}
