package storetest

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// testListEdges: empty store, exact pages, limits, deleted keys, bad delimiters.
func testListEdges(t *testing.T, s backends.Store) {
	page, err := s.List(t.Context(), backends.ListOptions{})
	if err != nil || len(page.Objects)+len(page.Prefixes) != 0 || page.NextToken != "" {
		t.Fatalf("List of an empty store = %+v, %v", page, err)
	}
	keys := []string{"p/1", "p/2", "p/q/r", "p/s/t/u"}
	for _, k := range keys {
		put(t, s, k, []byte(k))
	}
	for _, limit := range []int{0, -1, 4, backends.MaxListLimit + 1} {
		page, err := s.List(t.Context(), backends.ListOptions{Limit: limit})
		if err != nil || len(page.Objects) != 4 || page.NextToken != "" {
			t.Fatalf("List(Limit %d) = %+v, %v; want 4 objects and no NextToken", limit, page, err)
		}
	}
	page, err = s.List(t.Context(), backends.ListOptions{Prefix: "p/", Delimiter: "/", Limit: 4})
	if err != nil || len(page.Objects) != 2 || !slices.Equal(page.Prefixes, []string{"p/q/", "p/s/"}) || page.NextToken != "" {
		t.Fatalf("List(p/, /) = %+v, %v", page, err)
	}
	for _, k := range []string{"p/q/r", "p/s/t/u"} {
		if err := s.Delete(t.Context(), k); err != nil {
			t.Fatal(err)
		}
	}
	if got := listAll(t, s, backends.ListOptions{Prefix: "p/", Delimiter: "/"}, nil); !slices.Equal(got, []string{"p/1", "p/2"}) {
		t.Fatalf("after deletes, List(p/, /) = %q; want only p/1 and p/2", got)
	}
	for _, d := range []string{",", "//", "a", "\\"} {
		if _, err := s.List(t.Context(), backends.ListOptions{Delimiter: d}); err == nil {
			t.Errorf("List with delimiter %q: no error", d)
		}
	}
}

// badKeys break the key rules; each must be refused with ErrInvalidKey.
var badKeys = []struct{ name, key string }{
	{"Empty", ""},
	{"LeadingSlash", "/x"},
	{"TrailingSlash", "x/"},
	{"DoubleSlash", "a//b"},
	{"DotDot", ".."},
	{"DotDotInside", "a/../b"},
	{"DotDotLast", "a/.."},
	{"Dot", "."},
	{"DotFirst", "./a"},
	{"DotInside", "a/./b"},
	{"NUL", "a\x00b"},
	{"Backslash", "a\\b"},
	{"BackslashDotDot", "..\\x"},
	{"TooLong", strings.Repeat("abcd/", 204) + "abcde"},
}

// testInvalidKeys: every method refuses bad keys and nothing is written.
func testInvalidKeys(t *testing.T, s backends.Store) {
	for _, tc := range badKeys {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Put(t.Context(), tc.key, bytes.NewReader([]byte("x")), 1, backends.PutOptions{})
			wantErr(t, "Put", err, backends.ErrInvalidKey)
			_, err = s.Put(t.Context(), tc.key, bytes.NewReader([]byte("x")), -1, backends.PutOptions{IfAbsent: true})
			wantErr(t, "Put IfAbsent", err, backends.ErrInvalidKey)
			_, err = s.Stat(t.Context(), tc.key)
			wantErr(t, "Stat", err, backends.ErrInvalidKey)
			rc, _, err := s.Get(t.Context(), tc.key, 0, -1)
			if rc != nil {
				_ = rc.Close()
			}
			wantErr(t, "Get", err, backends.ErrInvalidKey)
			wantErr(t, "Delete", s.Delete(t.Context(), tc.key), backends.ErrInvalidKey)
		})
	}
	if got := listAll(t, s, backends.ListOptions{}, nil); len(got) != 0 {
		t.Fatalf("invalid keys left objects behind: %q", got)
	}
}

// testInvalidPuts: a negative size other than -1 and two conditions at once
// are ErrInvalidArgument, and nothing is written.
func testInvalidPuts(t *testing.T, s backends.Store) {
	for _, tc := range []struct {
		name string
		size int64
		opts backends.PutOptions
	}{
		{"size -2", -2, backends.PutOptions{}},
		{"two conditions", 1, backends.PutOptions{IfAbsent: true, IfMatch: "x"}},
	} {
		_, err := s.Put(t.Context(), "bad-put", bytes.NewReader([]byte("x")), tc.size, tc.opts)
		wantErr(t, tc.name, err, backends.ErrInvalidArgument)
	}
	checkAbsent(t, s, "bad-put")
}

// testLongKeys: a 1024-byte key of many segments works everywhere; segments
// over 255 bytes either work or are refused with ErrInvalidKey (fs).
func testLongKeys(t *testing.T, s backends.Store) {
	seg := strings.Repeat("s", 99) // 100 bytes with the slash
	longest := strings.Repeat(seg+"/", 10) + strings.Repeat("t", backends.MaxKeyLen-1000)
	if len(longest) != backends.MaxKeyLen {
		t.Fatalf("test key has %d bytes", len(longest))
	}
	data := content(300, 1)
	info := put(t, s, longest, data)
	checkObject(t, s, longest, data, info.ETag)
	odd := []string{"x/.../y", "w/...", "x/.a", "x/a.", "x/ sp ace ", "x/-", "x/" + strings.Repeat("n", 255)}
	for _, k := range odd {
		checkObject(t, s, k, data, put(t, s, k, data).ETag)
	}
	want := append([]string{longest}, odd...)
	slices.Sort(want)
	if got := listAll(t, s, backends.ListOptions{}, nil); !slices.Equal(got, want) {
		t.Fatalf("List = %q; want %q", got, want)
	}
	long := "y/" + strings.Repeat("n", 256)
	_, err := s.Put(t.Context(), long, bytes.NewReader(data), int64(len(data)), backends.PutOptions{})
	switch {
	case errors.Is(err, backends.ErrInvalidKey):
		checkAbsentOrInvalid(t, s, long)
	case err != nil:
		t.Fatalf("Put of a 256-byte segment: %v", err)
	default:
		checkObject(t, s, long, data, "")
	}
}

// checkAbsentOrInvalid: key is refused or absent, and lists nowhere.
func checkAbsentOrInvalid(t *testing.T, s backends.Store, key string) {
	t.Helper()
	_, err := s.Stat(t.Context(), key)
	if !errors.Is(err, backends.ErrInvalidKey) && !errors.Is(err, backends.ErrNotExist) {
		t.Fatalf("Stat(%q) after a refused Put: %v", key, err)
	}
	for _, o := range listPage(t, s, backends.ListOptions{Prefix: key}).Objects {
		if o.Key == key {
			t.Fatalf("refused key %q is listed", key)
		}
	}
}

func listPage(t *testing.T, s backends.Store, opts backends.ListOptions) backends.ListPage {
	t.Helper()
	page, err := s.List(t.Context(), opts)
	if err != nil {
		t.Fatalf("List(%+v): %v", opts, err)
	}
	return page
}
