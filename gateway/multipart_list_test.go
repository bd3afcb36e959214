package gateway

import (
	"context"
	"errors"
	"testing"
)

// TestListMultipartUploadsOrderAndMarkers: uploads are listed by key, then
// in the order they began; upload-id-marker resumes after that upload of
// the key-marker's key, and one that is no upload ID, or an upload of
// another key, is ErrInvalidArgument.
func TestListMultipartUploadsOrderAndMarkers(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	var ids []string // in the order they began: bar×3, baz×4, foo×2
	for _, k := range []struct {
		key   string
		count int
	}{{"bar", 3}, {"baz", 4}, {"foo", 2}} {
		for range k.count {
			id, err := n.CreateMultipartUpload(ctx, "bkt", k.key, PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, id)
		}
	}
	for _, tc := range []struct {
		name              string
		keyMarker, marker string
		limit             int
		want              []string
		truncated         bool
		err               error
	}{
		{name: "all", want: ids},
		{name: "page", limit: 2, want: ids[:2], truncated: true},
		{name: "id marker alone is ignored", marker: ids[4], want: ids},
		{name: "key marker no key", keyMarker: "bat", want: ids[3:]},
		{name: "key marker", keyMarker: "baz", want: ids[7:]},
		{name: "both", keyMarker: "baz", marker: ids[4], want: ids[5:]},
		{name: "last of key", keyMarker: "baz", marker: ids[6], want: ids[7:]},
		{name: "gone meanwhile", keyMarker: "baz", marker: "AAAAAAAAAAAAAAAAAAAAAAAAAA", want: ids[3:]},
		{name: "no upload ID", keyMarker: "baz", marker: "invalid_uploadId_marker", err: ErrInvalidArgument},
		{name: "another key's", keyMarker: "bar", marker: ids[4], err: ErrInvalidArgument},
		{name: "key marker no key, an upload's", keyMarker: "bat", marker: ids[4], err: ErrInvalidArgument},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ups, more, err := n.ListMultipartUploads(ctx, "bkt", "", tc.keyMarker, tc.marker, tc.limit)
			if !errors.Is(err, tc.err) || more != tc.truncated || len(ups) != len(tc.want) {
				t.Fatalf("%d uploads, truncated %v, %v", len(ups), more, err)
			}
			for i, u := range ups {
				if u.UploadID != tc.want[i] {
					t.Fatalf("[%d] = %s %s, want %s", i, u.Key, u.UploadID, tc.want[i])
				}
			}
		})
	}
}
