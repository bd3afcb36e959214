//go:build !unix

package fs

import "io/fs"

// inode is not available here; size and mtime alone make the ETag.
func inode(fs.FileInfo) uint64 { return 0 }
