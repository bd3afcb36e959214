package storetest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// listKeys are chosen so that a naive directory walk misorders them: '-' and
// '.' sort before '/', '0' after it, and bytes ≥ 0x80 after ASCII. No key is
// also a folder of another key (fs refuses that), and there are ~50 of them.
func listKeys() []string {
	keys := []string{
		"a-c", "a.x", "a/b-1", "a/b/c", "a/b/d/e", "a/b0", "a/b.z/q", "a0", "ab",
		"b", "b!", "b~", "B", "Z/z", ".sealgate/up/1", "~",
		"c/ü", "c/z", "c/日本/x", "c/😀", "c/ä b+c%20&?#",
		"d/0/a", "d/0/b", "d/00", "d/0-", "d/1/x/y/z",
	}
	for i := range 24 {
		keys = append(keys, fmt.Sprintf("e/%d/k%02d", i%3, i))
	}
	return keys
}

// expectList computes the listing the contract prescribes: merged, in byte
// order, prefixes marked by their trailing "/".
func expectList(keys []string, prefix, delim string) []string {
	var out []string
	for _, k := range keys {
		if !strings.HasPrefix(k, prefix) {
			continue
		}
		if delim != "" {
			if i := strings.Index(k[len(prefix):], delim); i >= 0 {
				k = k[:len(prefix)+i+1]
			}
		}
		out = append(out, k)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// listAll pages through a listing and returns the merged entries, checking
// each page against the contract on the way.
func listAll(t *testing.T, s backends.Store, opts backends.ListOptions, sizes map[string]int64) []string {
	t.Helper()
	var all []string
	for pages := 0; ; pages++ {
		if pages > 200 {
			t.Fatalf("List(%+v): no end after %d pages", opts, pages)
		}
		page, err := s.List(t.Context(), opts)
		if err != nil {
			t.Fatalf("List(%+v): %v", opts, err)
		}
		entries := checkPage(t, opts, page, sizes)
		if page.NextToken != "" && len(entries) == 0 {
			t.Fatalf("List(%+v): empty page with NextToken %q", opts, page.NextToken)
		}
		all = append(all, entries...)
		if page.NextToken == "" {
			return all
		}
		opts.Token = page.NextToken
	}
}

// checkPage checks one page and returns its objects and prefixes merged.
func checkPage(t *testing.T, opts backends.ListOptions, page backends.ListPage, sizes map[string]int64) []string {
	t.Helper()
	limit, _ := backends.CheckListOptions(opts)
	var keys []string
	for _, o := range page.Objects {
		if want, ok := sizes[o.Key]; ok && o.Size != want {
			t.Errorf("List: %q has size %d, want %d", o.Key, o.Size, want)
		}
		if o.ETag == "" || o.ModTime.IsZero() {
			t.Errorf("List: %q has ETag %q, ModTime %v", o.Key, o.ETag, o.ModTime)
		}
		keys = append(keys, o.Key)
	}
	for _, p := range page.Prefixes {
		if !strings.HasSuffix(p, "/") || opts.Delimiter == "" {
			t.Errorf("List(%+v): bad prefix %q", opts, p)
		}
	}
	if !slices.IsSorted(keys) || !slices.IsSorted(page.Prefixes) {
		t.Errorf("List(%+v): page not in byte order: %q %q", opts, keys, page.Prefixes)
	}
	if n := len(keys) + len(page.Prefixes); n > limit {
		t.Errorf("List(%+v): %d entries, limit %d", opts, n, limit)
	}
	merged := append(keys, page.Prefixes...)
	slices.Sort(merged)
	return merged
}

// testList: one-shot and paged listings over a fixed key set, with and
// without a delimiter, with prefixes of every shape.
func testList(t *testing.T, s backends.Store) {
	keys := listKeys()
	sizes := map[string]int64{}
	for i, k := range keys {
		data := content(i, byte(i))
		put(t, s, k, data)
		sizes[k] = int64(len(data))
	}
	prefixes := []string{"", "a", "a/", "a/b", "a/b/", "a/b/d/e", "c/", "c/日", "d/0", "e/", "e/1/", "x", "zzz", ".", "~"}
	for _, delim := range []string{"", "/"} {
		for _, prefix := range prefixes {
			opts := backends.ListOptions{Prefix: prefix, Delimiter: delim}
			t.Run(fmt.Sprintf("OneShot/%q/%q", delim, prefix), func(t *testing.T) {
				want := expectList(keys, prefix, delim)
				if got := listAll(t, s, opts, sizes); !slices.Equal(got, want) {
					t.Fatalf("List(%+v)\n got %q\nwant %q", opts, got, want)
				}
			})
		}
		for _, prefix := range []string{"", "a/", "e/"} {
			for _, limit := range []int{1, 2, 3, 1000} {
				opts := backends.ListOptions{Prefix: prefix, Delimiter: delim, Limit: limit}
				t.Run(fmt.Sprintf("Paged/%q/%q/%d", delim, prefix, limit), func(t *testing.T) {
					want := expectList(keys, prefix, delim)
					if got := listAll(t, s, opts, sizes); !slices.Equal(got, want) {
						t.Fatalf("List(%+v) paged\n got %q\nwant %q", opts, got, want)
					}
				})
			}
		}
	}
}
