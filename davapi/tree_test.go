package davapi

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/gateway"
)

// bigTreeFiles is more than one listing page (the gateway caps MaxKeys at
// backends.MaxListLimit), so that tree operations must page.
const bigTreeFiles = backends.MaxListLimit + 150

// bigTree makes /big-b with big/ holding bigTreeFiles files in a few
// folders (markers included) and a sibling keep.txt, through the gateway.
func bigTree(t *testing.T, e *env) {
	t.Helper()
	e.must(201, "alice", "MKCOL", "/big-b", "")
	e.must(201, "alice", "MKCOL", "/big-b/big", "")
	e.must(201, "alice", "PUT", "/big-b/keep.txt", "K")
	ns, ctx := e.ns("alice"), context.Background()
	var g errgroup.Group
	g.SetLimit(16)
	for i := range bigTreeFiles {
		g.Go(func() error {
			key := fmt.Sprintf("big/d%d/f%04d", i%7, i)
			_, err := ns.PutObject(ctx, "big-b", key, bytes.NewReader([]byte("x")), 1, gateway.PutOptions{})
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	e.must(207, "alice", "PROPPATCH", "/big-b/big/d3/f0003", proppatch("set", "<Z:p>deep</Z:p>"))
}

// countKeys counts the keys under prefix, over every listing page.
func countKeys(t *testing.T, e *env, bucket, prefix string) int {
	t.Helper()
	ns, q, n := e.ns("alice"), gateway.ListQuery{Prefix: prefix}, 0
	for {
		res, err := ns.ListObjects(context.Background(), bucket, q)
		if err != nil {
			t.Fatal(err)
		}
		n += len(res.Objects)
		if !res.IsTruncated {
			return n
		}
		q.Marker = res.NextMarker
	}
}

func TestTreeLargerThanAPage(t *testing.T) {
	tests := []struct {
		name   string
		method string
		path   string
		dest   string
		status int
		counts map[string]int // prefix in big-b -> keys expected
	}{
		{name: "move folder", method: "MOVE", path: "/big-b/big", dest: "/big-b/moved", status: 201,
			counts: map[string]int{"big/": 0, "moved/": bigTreeFiles + 1, "keep.txt": 1}},
		{name: "delete folder", method: "DELETE", path: "/big-b/big", status: 204,
			counts: map[string]int{"big/": 0, "keep.txt": 1}},
		{name: "delete bucket", method: "DELETE", path: "/big-b", status: 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			bigTree(t, e)
			var hdr []string
			if tc.dest != "" {
				hdr = []string{"Destination", e.srv.URL + tc.dest}
			}
			e.must(tc.status, "alice", tc.method, tc.path, "", hdr...)
			for prefix, want := range tc.counts {
				if got := countKeys(t, e, "big-b", prefix); got != want {
					t.Errorf("%s: %d keys under %q, want %d", tc.name, got, prefix, want)
				}
			}
			if tc.method == "MOVE" && !hasProp(t, e, "/big-b/moved/d3/f0003", "deep") {
				t.Error("moved file lost its properties")
			}
			if tc.path == "/big-b" {
				e.must(404, "alice", "PROPFIND", "/big-b", "", "Depth", "0")
			}
		})
	}
}

// TestEnsureMarker: a folder's Stat tells PROPPATCH whether to write the
// marker; only a folder of unknown marker state costs a HeadObject.
func TestEnsureMarker(t *testing.T) {
	tests := []struct {
		name      string
		marker    markerState
		hasMarker bool // the marker exists upstream
		wantHeads bool // ensureMarker asks the gateway
		wantKeys  string
	}{
		{name: "present", marker: markerPresent, hasMarker: true, wantKeys: "d/,d/f"},
		{name: "absent", marker: markerAbsent, wantKeys: "d/,d/f"},
		{name: "unknown with marker", marker: markerUnknown, hasMarker: true, wantHeads: true, wantKeys: "d/,d/f"},
		{name: "unknown without marker", marker: markerUnknown, wantHeads: true, wantKeys: "d/,d/f"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &statCounter{Store: mem.New()}
			e := newEnvOn(t, store)
			ns := e.ns("alice")
			ctx := withState(context.Background(), &reqState{ns: ns, cache: map[string]*fileInfo{}})
			if err := ns.CreateBucket(ctx, "em-b"); err != nil {
				t.Fatal(err)
			}
			keys := []string{"d/f"}
			if tc.hasMarker {
				keys = append(keys, "d/")
			}
			for _, k := range keys {
				if _, err := ns.PutObject(ctx, "em-b", k, bytes.NewReader(nil), 0, gateway.PutOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			f, tg := &davFS{}, target{name: "/em-b/d", bucket: "em-b", key: "d"}
			fi := dirInfo("d", time.Unix(0, 0))
			fi.marker = tc.marker
			before := store.stats.Load()
			if err := f.ensureMarker(ctx, tg, fi); err != nil {
				t.Fatal(err)
			}
			if heads := store.stats.Load() > before; heads != tc.wantHeads {
				t.Errorf("asked the gateway: %v, want %v", heads, tc.wantHeads)
			}
			if got := strings.Join(s3Keys(t, e, "em-b"), ","); got != tc.wantKeys {
				t.Errorf("keys %s, want %s", got, tc.wantKeys)
			}
			if fi.marker != markerPresent {
				t.Errorf("marker state %d after ensureMarker", fi.marker)
			}
		})
	}
}
