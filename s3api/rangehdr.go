package s3api

import (
	"errors"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// errRangeNotSatisfiable: a syntactically valid range outside the object.
var errRangeNotSatisfiable = errors.New("s3api: range not satisfiable")

// parseRangeHeader parses an HTTP Range header as S3 does, without the
// object's size: nil (serve everything) for an absent, malformed or
// multi-range header; "bytes=a-b" and "bytes=a-" as they are, "bytes=-n" as
// a suffix (Start = -n). The gateway resolves it against the size.
// "bytes=-0" can never be satisfied: errRangeNotSatisfiable.
func parseRangeHeader(h string) (*gateway.Range, error) {
	spec, ok := strings.CutPrefix(strings.TrimSpace(h), "bytes=")
	if !ok || strings.Contains(spec, ",") {
		return nil, nil
	}
	first, last, ok := strings.Cut(spec, "-") // "bytes= -1" is malformed, as S3 takes it
	if !ok {
		return nil, nil
	}
	if first == "" {
		n, err := parseNonNeg(last)
		switch {
		case err != nil:
			return nil, nil
		case n == 0:
			return nil, errRangeNotSatisfiable
		}
		return &gateway.Range{Start: -n, End: -1}, nil
	}
	start, err := parseNonNeg(first)
	if err != nil {
		return nil, nil
	}
	end := int64(-1)
	if last != "" {
		if end, err = parseNonNeg(last); err != nil || end < start {
			return nil, nil
		}
	}
	return &gateway.Range{Start: start, End: end}, nil
}

// parseRange resolves a Range header against an object size (a HEAD, which
// knows the size): nil to serve everything, errRangeNotSatisfiable when the
// first byte is past the end.
func parseRange(h string, size int64) (*gateway.Range, error) {
	rg, err := parseRangeHeader(h)
	if err != nil || rg == nil {
		return nil, err
	}
	r, err := gateway.ResolveRange(rg, size)
	if err != nil {
		return nil, errRangeNotSatisfiable
	}
	return r, nil
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
