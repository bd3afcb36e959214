//go:build linux

package fs

import (
	"os"

	"golang.org/x/sys/unix"
)

// startWriteback asks the kernel to begin writing [off, off+n) of f to disk
// now, without waiting (sync_file_range SYNC_FILE_RANGE_WRITE). The final
// fsync of a large object then has little left to do: the flush overlaps
// the upload instead of following it.
func startWriteback(f *os.File, off, n int64) {
	_ = unix.SyncFileRange(int(f.Fd()), off, n, unix.SYNC_FILE_RANGE_WRITE)
}
