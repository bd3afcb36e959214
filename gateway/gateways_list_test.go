package gateway

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/sealgate/sealgate/internal/countstore"
)

// TestListSeesOtherGatewaysWrites: a LIST through gateway B shows every
// write, overwrite (new size and ETag) and delete made through gateway A at
// once, for every query shape, although B listed the bucket (and cached its
// listings and metadata) before each change.
func TestListSeesOtherGatewaysWrites(t *testing.T) {
	queries := []ListQuery{{}, {Prefix: "d/", Delimiter: "/"}, {Prefix: "d/"}, {Prefix: "d/", MaxKeys: 2}, {Delimiter: "/"}, {Prefix: "d/s"}}
	for _, up := range upstreams {
		t.Run(up.name, func(t *testing.T) {
			gw := gateways(t, up.open(t), 2)
			a, b := gw[0], gw[1]
			model := map[string][]byte{}
			steps := []struct {
				name string
				do   func()
			}{
				{"write", func() { model["d/1"], model["d/2"], model["top"] = []byte("one"), []byte("two"), []byte("t") }},
				{"new key", func() { model["d/3"] = []byte("three") }},
				{"overwrite", func() { model["d/1"] = []byte("one, longer now") }},
				{"delete", func() { delete(model, "d/2") }},
				{"new folder", func() { model["d/sub/x"] = []byte("x") }},
				{"folder emptied", func() { delete(model, "d/sub/x") }},
			}
			written := map[string][]byte{}
			for _, step := range steps {
				step.do()
				for k, v := range model { // apply the model through A
					if string(written[k]) != string(v) {
						put(t, a, "bkt", k, v, nil)
					}
				}
				for k := range written {
					if _, ok := model[k]; !ok {
						if err := a.DeleteObject(context.Background(), "bkt", k); err != nil {
							t.Fatal(err)
						}
					}
				}
				written = maps.Clone(model)
				for _, q := range queries {
					checkListing(t, step.name, b, q, model)
				}
			}
		})
	}
}

// checkListing compares one page of n's listing with S3's answer over the
// model, sizes and ETags included.
func checkListing(t *testing.T, step string, n *userNS, q ListQuery, model map[string][]byte) {
	t.Helper()
	res, err := n.ListObjects(context.Background(), "bkt", q)
	if err != nil {
		t.Fatalf("%s: %+v: %v", step, q, err)
	}
	objs, prefixes, trunc, _ := oracleList(slices.Collect(maps.Keys(model)), q)
	var got []string
	for _, o := range res.Objects {
		got = append(got, o.Key)
		if want := model[o.Key]; o.Size != int64(len(want)) || o.ETag != md5hex(want) {
			t.Fatalf("%s: %+v: %q listed with size %d ETag %s, want %d %s", step, q, o.Key, o.Size, o.ETag, len(want), md5hex(want))
		}
	}
	if !slices.Equal(got, objs) || !slices.Equal(res.CommonPrefixes, prefixes) || res.IsTruncated != trunc {
		t.Fatalf("%s: %+v: got %q %q %v, want %q %q %v", step, q, got, res.CommonPrefixes, res.IsTruncated, objs, prefixes, trunc)
	}
}

// TestListContinuationPages: the continuation pages of a paging run come
// from the run's listing (one upstream listing per run), or from a fresh
// listing when this gateway does not hold it; never from an older listing
// of this gateway, even one that handed out the same marker.
func TestListContinuationPages(t *testing.T) {
	f := newFixture(t)
	oc := countstore.New(f.mem)
	gw := gateways(t, oc, 2)
	a, b := gw[0], gw[1]
	for i := range 6 {
		put(t, a, "bkt", fmt.Sprintf("k%d", i), []byte("v"), nil)
	}
	ctx := context.Background()
	q := ListQuery{MaxKeys: 2}
	page := func(n *userNS, q ListQuery) ListResult {
		t.Helper()
		res, err := n.ListObjects(ctx, "bkt", q)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	oc.Take()
	if seen := pageThrough(t, b, "bkt", q, nil); seen != 6 || oc.Take()["LIST"] != 1 {
		t.Fatal("a paging run of three pages did not cost one upstream listing")
	}
	// B's run 1 handed out marker k1; A writes k2a; run 2 starts on A,
	// continues on B with A's snapshot: B lists afresh and shows k2a.
	put(t, a, "bkt", "k2a", []byte("new"), nil)
	first := page(a, q)
	oc.Take()
	second := page(b, ListQuery{MaxKeys: 2, Marker: first.NextMarker, Snapshot: first.Snapshot})
	if len(second.Objects) != 2 || second.Objects[0].Key != "k2" || second.Objects[1].Key != "k2a" || oc.Take()["LIST"] != 1 {
		t.Fatalf("page 2 on another gateway: %+v", second.Objects)
	}
	// Within one gateway, a run's snapshot keeps serving from its listing.
	third := page(b, ListQuery{MaxKeys: 2, Marker: second.NextMarker, Snapshot: second.Snapshot})
	if len(third.Objects) != 2 || third.Objects[0].Key != "k3" || oc.Take()["LIST"] != 0 {
		t.Fatalf("page 3 on the same gateway: %+v", third.Objects)
	}
	// A marker without a snapshot (S3 v1) is served from the cache only if
	// a page of this gateway ended there: a start-after lists afresh.
	if page(b, ListQuery{MaxKeys: 2, Marker: third.NextMarker}); oc.Take()["LIST"] != 0 {
		t.Fatal("a v1 marker this gateway handed out was not served from its listing")
	}
	if page(b, ListQuery{MaxKeys: 2, Marker: "k0"}); oc.Take()["LIST"] != 1 {
		t.Fatal("a start-after this gateway never handed out was served from a cached listing")
	}
	// A first page ignores a snapshot.
	if page(b, ListQuery{MaxKeys: 2, Snapshot: third.Snapshot}); oc.Take()["LIST"] != 1 {
		t.Fatal("a first page was not listed afresh")
	}
}

// TestListOfDeletedBucket: an empty listing reads the bucket's record, so a
// bucket deleted through another gateway is ErrNoSuchBucket, and a bucket
// created through another one lists (empty).
func TestListOfDeletedBucket(t *testing.T) {
	gw := gateways(t, newFixture(t).mem, 2)
	a, b := gw[0], gw[1]
	ctx := context.Background()
	if _, err := b.ListObjects(ctx, "bkt", ListQuery{}); err != nil {
		t.Fatal(err)
	}
	if err := a.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.ListObjects(ctx, "bkt", ListQuery{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("LIST of a bucket deleted elsewhere: %v", err)
	}
	mustBucket(t, a, "bkt")
	if res, err := b.ListObjects(ctx, "bkt", ListQuery{}); err != nil || len(res.Objects) != 0 {
		t.Fatalf("LIST of a bucket created elsewhere: %+v %v", res, err)
	}
}
