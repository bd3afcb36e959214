package gateway

import (
	"fmt"
	"strings"
	"time"
)

// checkConditions applies RFC 7232 §6 to a read: If-Match, then
// If-Unmodified-Since (when no If-Match), then If-None-Match, then
// If-Modified-Since (when no If-None-Match). Dates compare at second
// precision, as HTTP dates carry.
func checkConditions(o GetOptions, info ObjectInfo) error {
	mod := info.LastModified.Truncate(time.Second)
	if o.IfMatch != "" {
		if !etagListMatches(o.IfMatch, info.ETag) {
			return fmt.Errorf("%w: If-Match", ErrPreconditionFailed)
		}
	} else if !o.IfUnmodifiedSince.IsZero() && mod.After(o.IfUnmodifiedSince) {
		return fmt.Errorf("%w: If-Unmodified-Since", ErrPreconditionFailed)
	}
	if o.IfNoneMatch != "" {
		if etagListMatches(o.IfNoneMatch, info.ETag) {
			return ErrNotModified
		}
	} else if !o.IfModifiedSince.IsZero() && !mod.After(o.IfModifiedSince) {
		return ErrNotModified
	}
	return nil
}

// etagListMatches reports whether a header value ("*", or a comma list of
// quoted or bare ETags, weak ones included) names etag.
func etagListMatches(header, etag string) bool {
	for _, c := range strings.Split(header, ",") {
		c = strings.TrimSpace(c)
		if c == "*" || normETag(c) == etag {
			return true
		}
	}
	return false
}

func normETag(s string) string {
	return strings.Trim(strings.TrimPrefix(strings.TrimSpace(s), "W/"), `"`)
}

// resolveRange turns a requested range into [off, off+n) of an object of
// size bytes. Start < 0 is a suffix range of -Start bytes; End < 0 means to
// the end. A range starting at or beyond the end is ErrInvalidRange.
func resolveRange(r *Range, size int64) (off, n int64, err error) {
	if r == nil {
		return 0, size, nil
	}
	if r.Start < 0 { // a suffix of an empty object is all of it (AWS's 200)
		n = size
		if r.Start > -size { // (and no overflow negating math.MinInt64)
			n = -r.Start
		}
		return size - n, n, nil
	}
	if r.Start >= size || (r.End >= 0 && r.End < r.Start) {
		return 0, 0, fmt.Errorf("%w: %d-%d of %d", ErrInvalidRange, r.Start, r.End, size)
	}
	end := size - 1
	if r.End >= 0 && r.End < end {
		end = r.End
	}
	return r.Start, end - r.Start + 1, nil
}

// ResolveRange resolves r against an object of size bytes, as GetObject
// does: the inclusive range served (nil for nil), or ErrInvalidRange when
// it starts at or beyond the end. Doors use it where they resolve a range
// themselves (a HEAD's Content-Range).
func ResolveRange(r *Range, size int64) (*Range, error) {
	if r == nil {
		return nil, nil
	}
	off, n, err := resolveRange(r, size)
	if err != nil || n == 0 {
		return nil, err // n == 0: a suffix of an empty object, served whole
	}
	return &Range{Start: off, End: off + n - 1}, nil
}
