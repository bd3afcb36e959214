package storetest

import (
	"bytes"
	"slices"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testObjectAndFolder: "a" and "a/b" either coexist (S3, mem) or the second
// one is refused with ErrInvalidKey and nothing changes (fs).
func testObjectAndFolder(t *testing.T, s backends.Store) {
	cases := []struct{ first, second string }{
		{"of/a", "of/a/b"},
		{"of/c/d/e", "of/c"},
		{"of/f/g", "of/f/g/h/i"},
	}
	for _, tc := range cases {
		t.Run(tc.first+"+"+tc.second, func(t *testing.T) {
			v1, v2 := []byte("first"), []byte("second")
			i1 := put(t, s, tc.first, v1)
			i2, err := s.Put(t.Context(), tc.second, bytes.NewReader(v2), int64(len(v2)), backends.PutOptions{})
			switch {
			case err == nil:
				checkObject(t, s, tc.second, v2, i2.ETag)
			default:
				wantErr(t, "Put of a conflicting key", err, backends.ErrInvalidKey)
				checkAbsentOrInvalid(t, s, tc.second)
			}
			checkObject(t, s, tc.first, v1, i1.ETag)
			want := []string{tc.first}
			if err == nil {
				want = append(want, tc.second)
				slices.Sort(want)
			}
			got := listAll(t, s, backends.ListOptions{Prefix: tc.first[:4]}, nil)
			if !slices.Equal(got, want) {
				t.Fatalf("List = %q; want %q", got, want)
			}
		})
	}
}
