package fs

import (
	"errors"
	"io"
	"sync"
	"syscall"
	"unsafe"
)

// Large bodies are written in aligned blocks with O_DIRECT where the file
// system allows it (see setDirect): each block goes from our buffer to the
// disk without a page-cache copy. On the 2-core VMs this was tuned on, a
// buffered write() of fresh pages cost 0.3–1.8 CPU-s/GB of kernel time
// (page allocation and reclaim), a direct one about 0.1, and the gateway
// shares those cores with MD5 and the client. The final fsync then has
// only the metadata and the unaligned tail left to do.
const (
	blockSize  = 1 << 20
	blockAlign = 4096    // covers 512 B and 4 KiB logical blocks
	directMin  = 4 << 20 // bodies announced smaller are written buffered
	// blockBudget bounds the blocks held by all transfers of a store.
	blockBudget = 64 << 20
)

var blockBufs = sync.Pool{New: func() any { return alignedBlock() }}

// alignedBlock returns a blockSize buffer whose address is a multiple of
// blockAlign, as O_DIRECT requires (Go's heap does not move objects).
func alignedBlock() *[]byte {
	b := make([]byte, blockSize+blockAlign)
	skew := int(uintptr(unsafe.Pointer(&b[0])) % blockAlign)
	off := (blockAlign - skew) % blockAlign
	b = b[off : off+blockSize : off+blockSize]
	return &b
}

// blockWriter gathers a body into aligned blocks and writes each full block
// directly when it can, else through out (buffered, with writeback). finish
// writes the tail; release returns the block to the pool.
type blockWriter struct {
	out    *flushingWriter
	blk    *[]byte
	n      int  // bytes pending in blk
	tried  bool // setDirect was tried
	direct bool // the file is in O_DIRECT mode
}

func newBlockWriter(out *flushingWriter) *blockWriter {
	return &blockWriter{out: out, blk: blockBufs.Get().(*[]byte)}
}

// Write implements io.Writer.
func (w *blockWriter) Write(p []byte) (int, error) {
	total := 0
	for len(p) > 0 {
		c := copy((*w.blk)[w.n:], p)
		w.n += c
		p = p[c:]
		total += c
		if err := w.flushFull(); err != nil {
			return total, err
		}
	}
	return total, nil
}

// ReadFrom implements io.ReaderFrom: r is read straight into the block, so
// a body is copied once on its way to the disk.
func (w *blockWriter) ReadFrom(r io.Reader) (int64, error) {
	var total int64
	for {
		m, err := r.Read((*w.blk)[w.n:])
		w.n += m
		total += int64(m)
		if ferr := w.flushFull(); ferr != nil {
			return total, ferr
		}
		if errors.Is(err, io.EOF) {
			return total, nil
		}
		if err != nil {
			return total, err
		}
	}
}

// flushFull writes the block if it is full.
func (w *blockWriter) flushFull() error {
	if w.n < blockSize {
		return nil
	}
	if !w.tried {
		w.tried = true
		w.direct = setDirect(w.out.f, true) == nil
	}
	err := w.writeBlock((*w.blk)[:w.n])
	w.n = 0
	return err
}

// writeBlock writes one aligned block, falling back to buffered writes for
// good if the file system refuses it direct (EINVAL).
func (w *blockWriter) writeBlock(b []byte) error {
	if !w.direct {
		_, err := w.out.Write(b)
		return err
	}
	n, err := w.out.f.Write(b)
	w.out.off += int64(n)
	w.out.due = w.out.off // nothing left in the page cache to start
	if errors.Is(err, syscall.EINVAL) && n == 0 {
		if err := w.leaveDirect(); err != nil {
			return err
		}
		_, err = w.out.Write(b)
	}
	return err
}

func (w *blockWriter) leaveDirect() error {
	if !w.direct {
		return nil
	}
	w.direct = false
	return setDirect(w.out.f, false)
}

// finish writes the pending tail, buffered (it need not be aligned).
func (w *blockWriter) finish() error {
	if w.n == 0 {
		return nil
	}
	if err := w.leaveDirect(); err != nil {
		return err
	}
	_, err := w.out.Write((*w.blk)[:w.n])
	w.n = 0
	return err
}

// release returns the block to the pool; w must not be used after.
func (w *blockWriter) release() {
	blockBufs.Put(w.blk)
	w.blk = nil
}
