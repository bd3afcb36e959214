//go:build !linux

package fs

import (
	"io/fs"
	"os"
)

// Elsewhere every read walks the os.Root (see beneath_linux.go).

func (s *Store) openBeneath(string, string) (*os.File, fs.FileInfo, bool, error) {
	return nil, nil, false, nil
}

func (s *Store) statBeneath(string, string) (fs.FileInfo, bool, error) { return nil, false, nil }

func (s *Store) openRootDir() {}

func (s *Store) linkBeneath(string, string) (bool, error) { return false, nil }

func (s *Store) installBeneath(string, string) (bool, error) { return false, nil }

func (s *Store) parentBeneath(string) bool { return false }
