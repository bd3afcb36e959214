package fs

import (
	"errors"
	"io"
	"os"
	"sync"
	"syscall"
)

// aheadBlocks is how many blocks one large read holds: the disk fills the
// others while the caller drains one. With two, a 1 GiB GET through the
// door measured 906-995 MB/s, with four 1060-1194 (the disk and the
// consumer run at about the same speed here, so the slack absorbs jitter).
const aheadBlocks = 4

// aheadReader reads [off, off+n) of a file in aligned blocks on its own
// goroutine, one block ahead of the caller, with O_DIRECT where the file
// system allows it. Large objects are written direct (blockWriter), so they
// are rarely in the page cache; a cold buffered read cost as much kernel
// time per byte as the writes did, and without read-ahead the disk, the
// decryption and the socket took turns. Close stops the goroutine and
// closes the file.
type aheadReader struct {
	f    *os.File
	full chan aheadBlock
	free chan *[]byte
	stop chan struct{}
	wg   sync.WaitGroup

	cur     aheadBlock
	err     error // sticky
	closed  bool
	release func() // returns the budget, after the blocks
}

// aheadBlock is one block's data (a window of buf) or the error that ended
// the read.
type aheadBlock struct {
	buf  *[]byte
	data []byte
	err  error
}

// newAheadReader starts reading [off, off+n) of f; release is called once,
// by Close, after the blocks are back in the pool.
func newAheadReader(f *os.File, off, n int64, release func()) *aheadReader {
	r := &aheadReader{
		f:       f,
		release: release,
		full:    make(chan aheadBlock, aheadBlocks),
		free:    make(chan *[]byte, aheadBlocks),
		stop:    make(chan struct{}),
	}
	for range aheadBlocks {
		r.free <- blockBufs.Get().(*[]byte)
	}
	direct := setDirect(f, true) == nil
	r.wg.Add(1)
	go r.run(off, off+n, direct)
	return r
}

// run fills blocks from the aligned offset at or below start until end.
func (r *aheadReader) run(start, end int64, direct bool) {
	defer r.wg.Done()
	defer close(r.full)
	for pos := start &^ (blockAlign - 1); pos < end; pos += blockSize {
		var bp *[]byte
		select {
		case <-r.stop: // checked first: a free block must not win the race
			return
		default:
		}
		select {
		case bp = <-r.free:
		case <-r.stop:
			return
		}
		want := min(int64(blockSize), alignUp(end)-pos)
		m, err := r.readBlock((*bp)[:want], pos, &direct)
		lo, hi := max(start-pos, 0), min(int64(m), end-pos)
		if err == nil && hi < end-pos && hi < want {
			err = io.ErrUnexpectedEOF // the file shrank under us
		}
		b := aheadBlock{buf: bp, err: err}
		if lo < hi {
			b.data = (*bp)[lo:hi]
		}
		r.full <- b // never blocks: at most aheadBlocks buffers exist
		if err != nil {
			return
		}
	}
}

// readBlock reads b at pos. A direct read the kernel refuses (EINVAL)
// turns O_DIRECT off for good and is retried buffered. Reaching the end of
// the file is not an error here; run checks the count.
func (r *aheadReader) readBlock(b []byte, pos int64, direct *bool) (int, error) {
	m, err := r.f.ReadAt(b, pos)
	if *direct && errors.Is(err, syscall.EINVAL) {
		*direct = false
		if err = setDirect(r.f, false); err != nil {
			return 0, err
		}
		m, err = r.f.ReadAt(b, pos)
	}
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return m, err
}

func alignUp(x int64) int64 { return (x + blockAlign - 1) &^ (blockAlign - 1) }

// Read implements io.Reader.
func (r *aheadReader) Read(p []byte) (int, error) {
	for len(r.cur.data) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if !r.next() {
			return 0, r.err
		}
	}
	n := copy(p, r.cur.data)
	r.cur.data = r.cur.data[n:]
	return n, nil
}

// next recycles the drained block and takes the following one; it reports
// false with r.err set at the end or on an error.
func (r *aheadReader) next() bool {
	if r.cur.buf != nil {
		r.free <- r.cur.buf
		r.cur = aheadBlock{}
	}
	b, ok := <-r.full
	if !ok {
		r.err = io.EOF
		return false
	}
	r.cur = b
	if b.err != nil {
		r.err = b.err
		return len(b.data) > 0
	}
	return true
}

// Close stops the read-ahead, returns the blocks to the pool and closes
// the file; a Read after it answers os.ErrClosed. Read and Close must not
// run concurrently (an io.ReadCloser's usual contract).
func (r *aheadReader) Close() error {
	if r.closed {
		return os.ErrClosed
	}
	r.closed = true
	close(r.stop)
	r.wg.Wait()
	if r.cur.buf != nil {
		blockBufs.Put(r.cur.buf)
	}
	r.cur, r.err = aheadBlock{}, os.ErrClosed // no Read touches the blocks again
	for b := range r.full {
		blockBufs.Put(b.buf)
	}
	for len(r.free) > 0 {
		blockBufs.Put(<-r.free)
	}
	r.release()
	return r.f.Close()
}
