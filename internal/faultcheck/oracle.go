package faultcheck

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"slices"
)

// version is one state a key may be in: an object's bytes and ETag, or
// absent.
type version struct {
	data   []byte
	etag   string
	absent bool
}

// Oracle knows, for each key, the versions a read may see: the one the
// last acknowledged write (PUT, COPY, Complete, DELETE) left, plus every
// version a later write that failed may have left. Operations are
// recorded one at a time, in the order they ran.
type Oracle struct {
	keys map[string][]version
}

func newOracle(keys []string) *Oracle {
	o := &Oracle{keys: map[string][]version{}}
	for _, k := range keys {
		o.keys[k] = []version{{absent: true}}
	}
	return o
}

// record applies a write of v to key: an acknowledged one (err == nil)
// replaces what the key may hold; a failed one may or may not have
// happened.
func (o *Oracle) record(key string, err error, vs ...version) {
	if err == nil {
		o.keys[key] = vs
		return
	}
	for _, v := range vs {
		if !o.may(key, v) {
			o.keys[key] = append(o.keys[key], v)
		}
	}
}

func (o *Oracle) may(key string, v version) bool {
	return slices.ContainsFunc(o.keys[key], func(w version) bool {
		return w.absent == v.absent && w.etag == v.etag && bytes.Equal(w.data, v.data)
	})
}

// mayBeAbsent reports whether key may not exist.
func (o *Oracle) mayBeAbsent(key string) bool {
	return slices.ContainsFunc(o.keys[key], func(v version) bool { return v.absent })
}

// present returns the versions of key that are objects.
func (o *Oracle) present(key string) []version {
	var out []version
	for _, v := range o.keys[key] {
		if !v.absent {
			out = append(out, v)
		}
	}
	return out
}

// checkBody checks the bytes a GET of [start, end] (end < 0: to the end)
// returned: all of them (complete) or the first ones before an error.
func (o *Oracle) checkBody(key string, start, end int64, got []byte, complete bool) (version, error) {
	if !complete && len(got) == 0 {
		return version{}, nil // an error before any byte claims nothing
	}
	for _, v := range o.present(key) {
		want := cut(v.data, start, end)
		if complete && bytes.Equal(got, want) || !complete && bytes.HasPrefix(want, got) {
			return v, nil
		}
	}
	what := "bytes"
	if !complete {
		what = "bytes before its error"
	}
	return version{}, fmt.Errorf("GET %s [%d, %d] returned %d %s that no write of it wrote (%d versions possible)",
		key, start, end, len(got), what, len(o.present(key)))
}

// checkInfo checks a size and ETag shown by HEAD or LIST.
func (o *Oracle) checkInfo(key string, size int64, etag string) error {
	for _, v := range o.present(key) {
		if int64(len(v.data)) == size && v.etag == etag {
			return nil
		}
	}
	return fmt.Errorf("%s shown with size %d, ETag %s: no write of it made that", key, size, etag)
}

// minSize is the size of the smallest version of key that exists, or -1.
func (o *Oracle) minSize(key string) int64 {
	m := int64(-1)
	for _, v := range o.present(key) {
		if n := int64(len(v.data)); m < 0 || n < m {
			m = n
		}
	}
	return m
}

// cut is the part of data a GET of [start, end] returns (S3 cuts a range
// at the end of the object).
func cut(data []byte, start, end int64) []byte {
	n := int64(len(data))
	if start >= n {
		return nil
	}
	if end < 0 || end >= n {
		end = n - 1
	}
	return data[start : end+1]
}

// md5Hex is the ETag of a single-part upload of data.
func md5Hex(data []byte) string {
	s := md5.Sum(data)
	return hex.EncodeToString(s[:])
}
