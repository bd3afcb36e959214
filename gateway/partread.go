package gateway

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Reads by part number (S3's GET and HEAD ?partNumber=N). A completed
// multipart upload is re-sealed into one layout, so the client's part
// boundaries are recorded in the object's sealed metadata at Complete:
// "sg:partsize" when every part but the last has one size (the usual
// case), else "sg:parts", the sizes, when they fit in partsListMax bytes.
// An object with neither (an older one, or parts too many and uneven)
// answers ErrNotImplemented for a part number above 1.
const (
	metaPartSize   = "sg:partsize"
	metaPartSizes  = "sg:parts"
	partsListMax   = 1024
	partsSeparator = ","
)

// ErrInvalidPartNumber is the error of a part number beyond the object's parts.
var ErrInvalidPartNumber = errors.New("gateway: part number not satisfiable")

// partsMeta records the part layout of parts (sizes) in sealed metadata.
func partsMeta(sm map[string]string, sizes []int64) {
	if len(sizes) < 2 {
		return
	}
	uniform := true
	for _, s := range sizes[:len(sizes)-1] {
		uniform = uniform && s == sizes[0]
	}
	if uniform && sizes[len(sizes)-1] <= sizes[0] {
		sm[metaPartSize] = strconv.FormatInt(sizes[0], 10)
		return
	}
	list := make([]string, len(sizes))
	for i, s := range sizes {
		list[i] = strconv.FormatInt(s, 10)
	}
	if enc := strings.Join(list, partsSeparator); len(enc) <= partsListMax {
		sm[metaPartSizes] = enc
	}
}

// PartRange resolves part number part of an object (info, as GetObject
// and HeadObject return it) to its byte range; nil for the whole of an
// empty object.
func PartRange(info ObjectInfo, part int) (*Range, error) {
	return partRange(info, info.partMeta, part)
}

func partRange(info ObjectInfo, meta map[string]string, part int) (*Range, error) {
	count := info.PartsCount
	if count == 0 { // a single PUT: part 1 is the whole object
		if part != 1 {
			return nil, fmt.Errorf("%w: part %d of 1", ErrInvalidPartNumber, part)
		}
		return wholeRange(info.Size), nil
	}
	if part > count {
		return nil, fmt.Errorf("%w: part %d of %d", ErrInvalidPartNumber, part, count)
	}
	if ps, err := strconv.ParseInt(meta[metaPartSize], 10, 64); err == nil && ps > 0 {
		start := int64(part-1) * ps
		return &Range{Start: start, End: min(start+ps, info.Size) - 1}, nil
	}
	if list := meta[metaPartSizes]; list != "" {
		var start int64
		for i, f := range strings.Split(list, partsSeparator) {
			n, err := strconv.ParseInt(f, 10, 64)
			if err != nil {
				break
			}
			if i == part-1 {
				return &Range{Start: start, End: start + n - 1}, nil
			}
			start += n
		}
	}
	if part == 1 && count == 1 {
		return wholeRange(info.Size), nil
	}
	return nil, fmt.Errorf("%w: the part layout of this object was not recorded", ErrNotImplemented)
}

func wholeRange(size int64) *Range {
	if size == 0 {
		return nil // nothing to range over: the whole (empty) object
	}
	return &Range{Start: 0, End: size - 1}
}
