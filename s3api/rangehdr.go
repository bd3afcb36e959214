package s3api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// errRangeNotSatisfiable: a syntactically valid range outside the object.
var errRangeNotSatisfiable = errors.New("s3api: range not satisfiable")

// parseRange resolves an HTTP Range header against an object size, as S3
// does: nil (serve everything) for an absent, malformed or multi-range
// header; errRangeNotSatisfiable when the first byte is past the end.
// "bytes=a-b" (b clipped to the end), "bytes=a-" and "bytes=-n" (the last n
// bytes; all of them when n exceeds the size).
func parseRange(h string, size int64) (*gateway.Range, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(strings.TrimSpace(spec), "-")
	if !ok {
		return nil, nil
	}
	if first == "" {
		n, err := parseNonNeg(last)
		if err != nil {
			return nil, nil
		}
		if n == 0 || size == 0 {
			return nil, errRangeNotSatisfiable
		}
		return &gateway.Range{Start: max(size-n, 0), End: size - 1}, nil
	}
	start, err := parseNonNeg(first)
	if err != nil {
		return nil, nil
	}
	end := size - 1
	if last != "" {
		if end, err = parseNonNeg(last); err != nil || end < start {
			return nil, nil
		}
	}
	if start >= size {
		return nil, errRangeNotSatisfiable
	}
	return &gateway.Range{Start: start, End: min(end, size-1)}, nil
}

func parseNonNeg(s string) (int64, error) {
	if s == "" || strings.TrimLeft(s, "0123456789") != "" {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseInt(s, 10, 64)
}

// parseCopyRange parses x-amz-copy-source-range, which must be the explicit
// "bytes=first-last" form, within the source size.
func parseCopyRange(h string, size int64) (*gateway.Range, error) {
	bad := errMsg("InvalidArgument", "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy")
	spec, ok := strings.CutPrefix(h, "bytes=")
	if !ok {
		return nil, bad
	}
	first, last, ok := strings.Cut(spec, "-")
	if !ok {
		return nil, bad
	}
	start, err1 := parseNonNeg(first)
	end, err2 := parseNonNeg(last)
	if err1 != nil || err2 != nil || end < start {
		return nil, bad
	}
	if end >= size {
		return nil, errMsg("InvalidRange", "The requested range is not satisfiable")
	}
	return &gateway.Range{Start: start, End: end}, nil
}
