package storetest

import (
	"strconv"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testComposer: Compose of 0, 1 and several sources, empty ones included.
func testComposer(t *testing.T, s backends.Store) {
	c, ok := s.(backends.Composer)
	if !ok {
		t.Skip("store does not implement backends.Composer")
	}
	srcs := map[string][]byte{
		"cs/a":     content(3, 1),
		"cs/empty": nil,
		"cs/b":     content(64<<10+1, 2),
		"cs/c":     content(1<<20, 3),
	}
	etags := map[string]string{}
	for k, v := range srcs {
		etags[k] = put(t, s, k, v).ETag
	}
	cases := []struct {
		name string
		srcs []string
	}{
		{"None", nil},
		{"One", []string{"cs/b"}},
		{"OneEmpty", []string{"cs/empty"}},
		{"Several", []string{"cs/a", "cs/empty", "cs/b", "cs/c", "cs/empty"}},
		{"Repeated", []string{"cs/a", "cs/a", "cs/b"}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dst := "cs/dst/" + strconv.Itoa(i)
			var want []byte
			for _, k := range tc.srcs {
				want = append(want, srcs[k]...)
			}
			info, err := c.Compose(t.Context(), dst, tc.srcs, backends.PutOptions{IfAbsent: true})
			if err != nil {
				t.Fatalf("Compose(%q): %v", tc.srcs, err)
			}
			checkInfo(t, "Compose", info, dst, int64(len(want)))
			checkObject(t, s, dst, want, info.ETag)
		})
	}
	t.Run("OntoSource", func(t *testing.T) {
		put(t, s, "cs/self", []byte("ab"))
		info, err := c.Compose(t.Context(), "cs/self", []string{"cs/self", "cs/a", "cs/self"}, backends.PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		checkObject(t, s, "cs/self", append(append([]byte("ab"), srcs["cs/a"]...), "ab"...), info.ETag)
	})
	t.Run("Errors", func(t *testing.T) {
		checkWriteErrors(t, s, func(dst string, opts backends.PutOptions) error {
			_, err := c.Compose(t.Context(), dst, []string{"cs/a", "cs/b"}, opts)
			return err
		}, func(dst string) error {
			_, err := c.Compose(t.Context(), dst, []string{"cs/a", "cs/missing"}, backends.PutOptions{})
			return err
		})
		_, err := c.Compose(t.Context(), "cs/z", []string{"cs/a", "a//b"}, backends.PutOptions{})
		wantErr(t, "Compose from an invalid key", err, backends.ErrInvalidKey)
		checkAbsent(t, s, "cs/z")
	})
	for k, v := range srcs {
		checkObject(t, s, k, v, etags[k])
	}
}
