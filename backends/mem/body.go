package mem

import (
	"bytes"
	"context"
	"fmt"
	"io"

	"github.com/sealgate/sealgate/backends"
)

// checkPut validates the arguments of Put.
func checkPut(key string, size int64, opts backends.PutOptions) error {
	if err := backends.CheckPut(key, size, opts); err != nil {
		return fmt.Errorf("mem: %w", err)
	}
	return nil
}

// checkCall validates the arguments of Get, Stat and Delete.
func checkCall(ctx context.Context, key string) error {
	if err := backends.CheckKey(key); err != nil {
		return fmt.Errorf("mem: %w", err)
	}
	return ctx.Err()
}

// readBody reads r fully, failing if it does not yield exactly size bytes
// (when size >= 0) or if ctx is cancelled while reading.
func readBody(ctx context.Context, r io.Reader, size int64) ([]byte, error) {
	src := backends.ContextReader(ctx, r)
	if size >= 0 {
		src = io.LimitReader(src, size+1) // one byte more reveals a long body
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(src); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if size >= 0 && int64(buf.Len()) != size {
		return nil, fmt.Errorf("got %d bytes or more, announced %d: %w", buf.Len(), size, backends.ErrSizeMismatch)
	}
	return bytes.Clone(buf.Bytes()), nil
}
