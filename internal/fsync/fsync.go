// Package fsync makes a write, rename or removal in a directory durable:
// it fsyncs the directory (or a file) and closes it, reporting the first
// error. The data dir (cmd/sealgate, gateway/accounts) and the fs store
// use it.
package fsync

import "os"

// Dir fsyncs the directory dir.
func Dir(dir string) error { return Opened(os.Open(dir)) }

// Opened fsyncs and closes f, just opened with error err (pass the results
// of an Open call straight in).
func Opened(f *os.File, err error) error {
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
