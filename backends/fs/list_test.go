package fs_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestWidePages: the fs store serves pages beyond MaxListLimit when asked
// (it is a WidePager), and still 1,000 by default.
func TestWidePages(t *testing.T) {
	s := open(t, t.TempDir())
	const n = 1500
	for i := range n {
		put(t, s, fmt.Sprintf("d/%05d", i), "x")
	}
	if s.PageLimit() <= backends.MaxListLimit {
		t.Fatalf("PageLimit %d", s.PageLimit())
	}
	for _, tc := range []struct{ limit, want int }{{0, backends.MaxListLimit}, {1200, 1200}, {5000, n}} {
		page, err := s.List(context.Background(), backends.ListOptions{Prefix: "d/", Limit: tc.limit})
		if err != nil || len(page.Objects) != tc.want || (tc.want < n) != (page.NextToken != "") {
			t.Fatalf("Limit %d: %d objects, token %q, %v; want %d", tc.limit, len(page.Objects), page.NextToken, err, tc.want)
		}
	}
}
