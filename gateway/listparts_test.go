package gateway

import (
	"context"
	"testing"
)

// TestListPartsReadsOnePage: a ListParts page of limit parts reads the
// bucket's record, the upload's state and limit part records, not every
// record of the upload, and pages on from the marker.
func TestListPartsReadsOnePage(t *testing.T) {
	n, gs := withGetCounting(t)
	_, id, _ := upload(t, n, "obj", []int{10, 10, 10, 10, 10, 10, 10}, []int{1, 2, 3, 5, 8, 13, 21})
	for _, tc := range []struct {
		marker, limit int
		want          []int
		truncated     bool
	}{
		{0, 2, []int{1, 2}, true},
		{2, 3, []int{3, 5, 8}, true},
		{8, 2, []int{13, 21}, false},
		{21, 2, nil, false},
	} {
		before := gs.gets.Load()
		page, err := n.ListParts(context.Background(), "bkt", "obj", id, tc.marker, tc.limit)
		parts, more := page.Parts, page.Truncated
		if err != nil || more != tc.truncated || len(parts) != len(tc.want) {
			t.Fatalf("ListParts(%d, %d) = %+v, %v, %v", tc.marker, tc.limit, parts, more, err)
		}
		for i, p := range parts {
			if p.Number != tc.want[i] || p.Size != 10 {
				t.Fatalf("ListParts(%d, %d)[%d] = %+v, want part %d", tc.marker, tc.limit, i, p, tc.want[i])
			}
		}
		if got := gs.gets.Load() - before; got > int64(2+len(tc.want)) {
			t.Fatalf("ListParts(%d, %d) made %d upstream reads, want at most %d", tc.marker, tc.limit, got, 2+len(tc.want))
		}
	}
}
