package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/internal/countstore"
)

// TestRequestsPerOperation counts the upstream requests of small
// operations through a gateway that has used the bucket before, on objects
// it wrote and objects another gateway wrote. Coherence across gateways
// costs one small read per write (the bucket record, after the commit; for
// an UploadPart, before), one per read of an absent key (NoSuchBucket or
// NoSuchKey?), one per HeadBucket and DeleteObject, and for a Complete also
// a stat of the key (a Complete on another gateway must not be
// overwritten); reads of existing objects and first pages of listings
// cost what they did, and what they cost the first time.
func TestRequestsPerOperation(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	oc := countstore.New(base)
	gw := gateways(t, base, 2)
	n, other := onServiceStore(t, gw[0], oc), gw[1]
	body := bytes.Repeat([]byte("x"), 4096)
	put(t, n, "bkt", "warm", body, nil) // n has used the bucket
	put(t, other, "bkt", "theirs", body, nil)
	put(t, other, "bkt", "more", body, nil)
	var snap ListResult
	var id, etag string
	steps := []struct {
		name string
		do   func() error
		want map[string]int
	}{
		{"PUT 4 KiB", func() error {
			_, err := n.PutObject(ctx, "bkt", "mine", bytes.NewReader(body), int64(len(body)), PutOptions{})
			return err
		}, map[string]int{"PUT": 1, "GET": 1}},
		{"GET 4 KiB", func() error { _, err := n.GetObject(ctx, "bkt", "mine", GetOptions{}); return err },
			map[string]int{"GET": 1}},
		{"HEAD, written elsewhere", func() error { _, err := n.HeadObject(ctx, "bkt", "theirs", GetOptions{}); return err },
			map[string]int{"HEAD": 1, "GET": 1}},
		{"HEAD again", func() error { _, err := n.HeadObject(ctx, "bkt", "theirs", GetOptions{}); return err },
			map[string]int{"HEAD": 1}},
		{"GET absent key", func() error {
			_, err := n.GetObject(ctx, "bkt", "absent", GetOptions{})
			return okIf(err, ErrNoSuchKey)
		}, map[string]int{"GET": 2}},
		{"LIST first page", func() error {
			var err error
			snap, err = n.ListObjects(ctx, "bkt", ListQuery{MaxKeys: 2})
			return err
		}, map[string]int{"LIST": 1, "GET": 1}}, // "more" is new to n: opened once
		{"LIST next page", func() error {
			_, err := n.ListObjects(ctx, "bkt", ListQuery{MaxKeys: 2, Marker: snap.NextMarker, Snapshot: snap.Snapshot})
			return err
		}, map[string]int{}},
		{"LIST again", func() error { _, err := n.ListObjects(ctx, "bkt", ListQuery{}); return err },
			map[string]int{"LIST": 1}},
		{"HeadBucket", func() error { _, err := n.HeadBucket(ctx, "bkt"); return err },
			map[string]int{"GET": 1}},
		{"DELETE", func() error { return n.DeleteObject(ctx, "bkt", "mine") },
			map[string]int{"GET": 1, "DELETE": 2}}, // the object and its properties
		{"CreateMultipartUpload", func() error {
			var err error
			id, err = n.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{})
			return err
		}, map[string]int{"GET": 1, "PUT": 1}},
		{"UploadPart", func() error {
			var err error
			etag, err = n.UploadPart(ctx, "bkt", "mp", id, 1, bytes.NewReader(body), int64(len(body)))
			return err
		}, map[string]int{"GET": 2, "PUT": 2}},
		{"CompleteMultipartUpload", func() error {
			_, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, []CompletedPart{{Number: 1, ETag: etag}}, PutOptions{})
			return err
		}, map[string]int{"GET": 5, "HEAD": 1, "PUT": 2, "LIST": 1, "DELETE": 3}},
	}
	oc.Take()
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		got := oc.Take()
		t.Logf("%-24s %v", s.name, got)
		if !maps.Equal(got, s.want) {
			t.Errorf("%s: upstream requests %v, want %v", s.name, got, s.want)
		}
	}
}

func okIf(err, want error) error {
	if errors.Is(err, want) {
		return nil
	}
	return fmt.Errorf("want %v, got %w", want, err)
}
