package storetest

import (
	"bytes"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testRange: Get of every range shape, on a non-empty and an empty object.
func testRange(t *testing.T, s backends.Store) {
	const size = 1000
	data := content(size, 3)
	full := put(t, s, "range/k", data)
	empty := put(t, s, "range/empty", nil)
	cases := []struct {
		name    string
		key     string
		off, n  int64
		from    int64 // expected bytes are data[from:to]
		to      int64
		invalid bool
	}{
		{"Whole", "range/k", 0, -1, 0, size, false},
		{"WholeExact", "range/k", 0, size, 0, size, false},
		{"Prefix", "range/k", 0, 10, 0, 10, false},
		{"Middle", "range/k", 100, 250, 100, 350, false},
		{"Suffix", "range/k", 900, -1, 900, size, false},
		{"SuffixExact", "range/k", 900, 100, 900, size, false},
		{"LastByte", "range/k", size - 1, -1, size - 1, size, false},
		{"PastEndCut", "range/k", 950, 100, 950, size, false},
		{"HugeN", "range/k", 1, 1 << 62, 1, size, false},
		{"ZeroLength", "range/k", 10, 0, 10, 10, false},
		{"OffAtSize", "range/k", size, -1, 0, 0, true},
		{"OffAtSizeWithN", "range/k", size, 5, 0, 0, true},
		{"OffPastSize", "range/k", size + 1, -1, 0, 0, true},
		{"OffFarPastSize", "range/k", 1 << 40, 10, 0, 0, true},
		{"EmptyWhole", "range/empty", 0, -1, 0, 0, false},
		{"EmptyWithN", "range/empty", 0, 5, 0, 0, false},
		{"EmptyOffPast", "range/empty", 1, -1, 0, 0, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, etag := data, full.ETag
			if tc.key == "range/empty" {
				want, etag = nil, empty.ETag
			}
			if tc.invalid {
				rc, _, err := s.Get(t.Context(), tc.key, tc.off, tc.n)
				if rc != nil {
					_ = rc.Close()
				}
				wantErr(t, "Get out of range", err, backends.ErrInvalidRange)
				return
			}
			got, info := get(t, s, tc.key, tc.off, tc.n)
			if !bytes.Equal(got, want[tc.from:tc.to]) {
				t.Fatalf("Get(%d, %d) = %d bytes %s; want %d bytes [%d:%d]", tc.off, tc.n, len(got), short(got), tc.to-tc.from, tc.from, tc.to)
			}
			checkInfo(t, "Get", info, tc.key, int64(len(want)))
			if info.ETag != etag {
				t.Fatalf("Get ETag %q; want %q", info.ETag, etag)
			}
		})
	}
}

// testAbsent: Stat/Get of absent keys fail with ErrNotExist; Delete succeeds.
func testAbsent(t *testing.T, s backends.Store) {
	checkAbsent(t, s, "absent/never")
	if err := s.Delete(t.Context(), "absent/never"); err != nil {
		t.Fatalf("Delete of an absent key: %v", err)
	}
	put(t, s, "absent/once", []byte("x"))
	put(t, s, "absent/sibling", []byte("y"))
	for i := range 2 {
		if err := s.Delete(t.Context(), "absent/once"); err != nil {
			t.Fatalf("Delete #%d: %v", i+1, err)
		}
		checkAbsent(t, s, "absent/once")
	}
	checkObject(t, s, "absent/sibling", []byte("y"), "")
	if err := s.Delete(t.Context(), "absent"); err != nil {
		t.Fatalf("Delete of a folder name: %v", err)
	}
	checkAbsent(t, s, "absent")
	checkObject(t, s, "absent/sibling", []byte("y"), "")
}
