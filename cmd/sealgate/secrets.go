package main

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// errEmptySecret: standard input held no secret on its first line.
var errEmptySecret = errors.New("empty first line")

// writeSecretFile creates a new file of mode 0600 holding b and syncs it to
// disk. It never overwrites a file, never writes through a symlink, and
// removes the file it created if any later step fails, so a failure leaves
// nothing behind.
func writeSecretFile(path string, b []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL|syscall.O_NOFOLLOW, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(path)
		return err
	}
	return nil
}

// readSecretLine reads the first line of r as a secret (what names it in
// errors, e.g. "passphrase"), without its line ending. An empty line is
// errEmptySecret.
func readSecretLine(r io.Reader, what string) ([]byte, error) {
	line, err := bufio.NewReader(r).ReadBytes('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		clear(line)
		return nil, fmt.Errorf("reading the %s from standard input: %w", what, err)
	}
	secret := bytes.TrimRight(line, "\r\n")
	if len(secret) == 0 {
		return nil, fmt.Errorf("no %s on standard input: %w", what, errEmptySecret)
	}
	return secret, nil
}
