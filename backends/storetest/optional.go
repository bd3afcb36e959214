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

// testCopier: Copy when the store offers it.
func testCopier(t *testing.T, s backends.Store) {
	c, ok := s.(backends.Copier)
	if !ok {
		t.Skip("store does not implement backends.Copier")
	}
	data := content(100<<10+3, 5)
	src := put(t, s, "cp/src", data)
	t.Run("Plain", func(t *testing.T) {
		info, err := c.Copy(t.Context(), "cp/src", "cp/dst/1", backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkInfo(t, "Copy", info, "cp/dst/1", int64(len(data)))
		checkObject(t, s, "cp/dst/1", data, info.ETag)
		checkObject(t, s, "cp/src", data, src.ETag)
	})
	t.Run("Empty", func(t *testing.T) {
		put(t, s, "cp/empty", nil)
		info, err := c.Copy(t.Context(), "cp/empty", "cp/dst/2", backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkObject(t, s, "cp/dst/2", nil, info.ETag)
	})
	t.Run("Replace", func(t *testing.T) {
		old := put(t, s, "cp/dst/3", []byte("old"))
		info, err := c.Copy(t.Context(), "cp/src", "cp/dst/3", backends.PutOptions{IfMatch: old.ETag})
		if err != nil {
			t.Fatal(err)
		}
		if info.ETag == old.ETag {
			t.Fatalf("Copy over an object kept its ETag %q", old.ETag)
		}
		checkObject(t, s, "cp/dst/3", data, info.ETag)
	})
	t.Run("Errors", func(t *testing.T) {
		checkWriteErrors(t, s, func(dst string, opts backends.PutOptions) error {
			_, err := c.Copy(t.Context(), "cp/src", dst, opts)
			return err
		}, func(dst string) error {
			_, err := c.Copy(t.Context(), "cp/missing", dst, backends.PutOptions{})
			return err
		})
		_, err := c.Copy(t.Context(), "cp/../x", "cp/y", backends.PutOptions{})
		wantErr(t, "Copy from an invalid key", err, backends.ErrInvalidKey)
		checkObject(t, s, "cp/src", data, src.ETag)
	})
}

// checkWriteErrors runs the shared failure cases of Copy and Compose: failed
// preconditions, an absent source and an invalid destination each leave the
// destination as it was.
func checkWriteErrors(t *testing.T, s backends.Store, write func(dst string, opts backends.PutOptions) error, missing func(dst string) error) {
	t.Helper()
	old := put(t, s, "werr/dst", []byte("old"))
	stale := put(t, s, "werr/stale", []byte("stale"))
	cases := []struct {
		name string
		dst  string
		opts backends.PutOptions
		want error
	}{
		{"IfAbsentPresent", "werr/dst", backends.PutOptions{IfAbsent: true}, backends.ErrPreconditionFailed},
		{"IfMatchStale", "werr/dst", backends.PutOptions{IfMatch: stale.ETag}, backends.ErrPreconditionFailed},
		{"IfMatchAbsent", "werr/none", backends.PutOptions{IfMatch: old.ETag}, backends.ErrPreconditionFailed},
		{"InvalidDst", "werr/../x", backends.PutOptions{}, backends.ErrInvalidKey},
	}
	for _, tc := range cases {
		wantErr(t, tc.name, write(tc.dst, tc.opts), tc.want)
	}
	wantErr(t, "absent source", missing("werr/dst"), backends.ErrNotExist)
	wantErr(t, "absent source to absent dst", missing("werr/none"), backends.ErrNotExist)
	checkObject(t, s, "werr/dst", []byte("old"), old.ETag)
	checkAbsent(t, s, "werr/none")
	if err := write("werr/new", backends.PutOptions{IfAbsent: true}); err != nil {
		t.Fatalf("IfAbsent to an absent key: %v", err)
	}
}
