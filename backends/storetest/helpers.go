package storetest

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// content returns n deterministic bytes; different seeds give different bytes
// at every position, so a mix-up of two bodies is always visible.
func content(n int, seed byte) []byte {
	b := make([]byte, n)
	x := uint32(seed)*2654435761 + 1
	for i := range b {
		x ^= x << 13
		x ^= x >> 17
		x ^= x << 5
		b[i] = byte(x) ^ seed
	}
	return b
}

// put stores data under key with a known size and checks the returned info.
func put(t *testing.T, s backends.Store, key string, data []byte) backends.ObjectInfo {
	t.Helper()
	return putOpts(t, s, key, data, backends.PutOptions{})
}

func putOpts(t *testing.T, s backends.Store, key string, data []byte, opts backends.PutOptions) backends.ObjectInfo {
	t.Helper()
	info, err := s.Put(t.Context(), key, bytes.NewReader(data), int64(len(data)), opts)
	if err != nil {
		t.Fatalf("Put(%q, %d bytes, %+v): %v", key, len(data), opts, err)
	}
	checkInfo(t, "Put", info, key, int64(len(data)))
	return info
}

// checkInfo checks the fields of info that every store must fill.
func checkInfo(t *testing.T, op string, info backends.ObjectInfo, key string, size int64) {
	t.Helper()
	if info.Key != key || info.Size != size || info.ETag == "" {
		t.Fatalf("%s(%q) info = %+v; want key %q, size %d, non-empty ETag", op, key, info, key, size)
	}
}

// get reads [off, off+n) of key and returns the bytes and the info.
func get(t *testing.T, s backends.Store, key string, off, n int64) ([]byte, backends.ObjectInfo) {
	t.Helper()
	rc, info, err := s.Get(t.Context(), key, off, n)
	if err != nil {
		t.Fatalf("Get(%q, %d, %d): %v", key, off, n, err)
	}
	defer func() {
		if err := rc.Close(); err != nil {
			t.Errorf("Get(%q) Close: %v", key, err)
		}
	}()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("Get(%q, %d, %d) read: %v", key, off, n, err)
	}
	return b, info
}

// checkObject checks that key holds exactly want, under etag if not "".
func checkObject(t *testing.T, s backends.Store, key string, want []byte, etag string) backends.ObjectInfo {
	t.Helper()
	st, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat(%q): %v", key, err)
	}
	checkInfo(t, "Stat", st, key, int64(len(want)))
	if st.ModTime.IsZero() {
		t.Errorf("Stat(%q): zero ModTime", key)
	}
	if etag != "" && st.ETag != etag {
		t.Fatalf("Stat(%q).ETag = %q, want %q", key, st.ETag, etag)
	}
	got, gi := get(t, s, key, 0, -1)
	if !bytes.Equal(got, want) {
		t.Fatalf("Get(%q) = %d bytes %s, want %d bytes %s", key, len(got), short(got), len(want), short(want))
	}
	if gi.ETag != st.ETag || gi.Size != st.Size {
		t.Fatalf("Get(%q) info %+v differs from Stat %+v", key, gi, st)
	}
	return st
}

// checkAbsent checks that Stat and Get report ErrNotExist for key.
func checkAbsent(t *testing.T, s backends.Store, key string) {
	t.Helper()
	if info, err := s.Stat(t.Context(), key); !errors.Is(err, backends.ErrNotExist) {
		t.Fatalf("Stat(%q) = %+v, %v; want ErrNotExist", key, info, err)
	}
	rc, _, err := s.Get(t.Context(), key, 0, -1)
	if !errors.Is(err, backends.ErrNotExist) {
		if rc != nil {
			_ = rc.Close()
		}
		t.Fatalf("Get(%q) err = %v; want ErrNotExist", key, err)
	}
}

// wantErr fails unless err wraps target.
func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("%s: err = %v; want %v", what, err, target)
	}
}

func short(b []byte) string {
	const shown = 16
	if len(b) > shown {
		return hex.EncodeToString(b[:shown]) + "…"
	}
	return hex.EncodeToString(b)
}
