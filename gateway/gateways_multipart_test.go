package gateway

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
)

// TestMultipartAcrossGateways: an upload created on A, its parts sent to B
// and C, is listed and completed on any gateway, and reads back on all.
func TestMultipartAcrossGateways(t *testing.T) {
	ctx := context.Background()
	for _, up := range upstreams {
		t.Run(up.name, func(t *testing.T) {
			gw := gateways(t, up.open(t), 3)
			a, b, c := gw[0], gw[1], gw[2]
			id, err := a.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			p1, p2 := bytes.Repeat([]byte("1"), 5*mib), []byte("two")
			e1, err := b.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader(p1), int64(len(p1)))
			if err != nil {
				t.Fatal(err)
			}
			e2, err := c.UploadPart(ctx, "bkt", "k", id, 2, bytes.NewReader(p2), int64(len(p2)))
			if err != nil {
				t.Fatal(err)
			}
			if page, err := a.ListParts(ctx, "bkt", "k", id, 0, 0); err != nil || len(page.Parts) != 2 || page.Parts[1].ETag != e2 {
				t.Fatalf("ListParts on A: %+v %v", page, err)
			}
			if ups, _, err := b.ListMultipartUploads(ctx, "bkt", "", "", "", 0); err != nil || len(ups) != 1 || ups[0].UploadID != id {
				t.Fatalf("ListMultipartUploads on B: %+v %v", ups, err)
			}
			parts := []CompletedPart{{Number: 1, ETag: e1}, {Number: 2, ETag: e2}}
			info, err := c.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, n := range gw {
				if got, r := get(t, n, "bkt", "k", GetOptions{}); !bytes.Equal(got, append(p1, p2...)) || r.Info.ETag != info.ETag {
					t.Fatalf("GET after the Complete: %d bytes, %+v", len(got), r.Info)
				}
			}
			if again, err := b.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{}); err != nil || again.ETag != info.ETag {
				t.Fatalf("repeated Complete on B: %+v %v", again, err)
			}
			if ups, _, _ := a.ListMultipartUploads(ctx, "bkt", "", "", "", 0); len(ups) != 0 {
				t.Fatalf("completed upload still listed: %+v", ups)
			}
		})
	}
}

// TestCompletesOnTwoGateways: two Completes of one upload on two gateways,
// each stopped at a race point while the other runs to its end, make one
// object and answer with the same one (ETag, size, time).
func TestCompletesOnTwoGateways(t *testing.T) {
	for _, tc := range []struct {
		name  string
		after bool // A stops after writing the object, before recording it done
	}{{"both before writing", false}, {"one written, not recorded", true}} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			base := mem.New()
			gw := gateways(t, base, 2)
			h := &hook{Store: base}
			a, b := onServiceStore(t, gw[0], h), gw[1]
			all, id, parts := upload(t, a, "k", []int{5 * mib, 100}, nil)
			up, _ := a.objectKey("bkt", "k")
			g := newGate(opOn("put", up))
			if tc.after {
				h.after = func(op, key string, _ error) { g.hold(op, key) }
			} else {
				h.before = g.hold
			}
			var infoA ObjectInfo
			var errA error
			done := make(chan struct{})
			go func() {
				defer close(done)
				infoA, errA = a.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
			}()
			<-g.entered
			infoB, errB := b.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
			close(g.release)
			<-done
			if errA != nil || errB != nil {
				t.Fatalf("Completes: %v, %v", errA, errB)
			}
			if infoA.ETag != infoB.ETag || infoA.Size != infoB.Size || !infoA.LastModified.Equal(infoB.LastModified) {
				t.Fatalf("answers differ: %+v and %+v", infoA, infoB)
			}
			checkCompleted(t, gw[0], "k", id, all, infoA)
		})
	}
}

// checkCompleted checks the object an upload made and that its parts are
// gone.
func checkCompleted(t *testing.T, n *userNS, key, id string, all []byte, info ObjectInfo) {
	t.Helper()
	got, r := get(t, n, "bkt", key, GetOptions{})
	if !bytes.Equal(got, all) || r.Info.ETag != info.ETag || !r.Info.LastModified.Equal(info.LastModified) {
		t.Fatalf("object: %d bytes, %+v; answered %+v", len(got), r.Info, info)
	}
	if left := upstreamUnder(t, n.svc.store, n.uploadDir(id)); len(left) != 1 || left[0] != n.uploadDir(id)+"done" {
		t.Fatalf("upload dir holds %q, want only its done record", left)
	}
}

// TestCompletesOnTwoGatewaysRandomized: Completes of one upload started at
// once on two gateways: every answer is the object, or a clean
// ErrUnavailable (retry); at least one is the object.
func TestCompletesOnTwoGatewaysRandomized(t *testing.T) {
	ctx := context.Background()
	gw := gateways(t, mem.New(), 2)
	for range 20 {
		all, id, parts := upload(t, gw[0], "k", []int{1000}, nil)
		var wg sync.WaitGroup
		infos, errs := make([]ObjectInfo, 2), make([]error, 2)
		for i, n := range gw {
			wg.Go(func() { infos[i], errs[i] = n.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{}) })
		}
		wg.Wait()
		var ok []ObjectInfo
		for i, err := range errs {
			switch {
			case err == nil:
				ok = append(ok, infos[i])
			case !errors.Is(err, ErrUnavailable):
				t.Fatalf("Complete: %v", err)
			}
		}
		if len(ok) == 0 || len(ok) == 2 && ok[0].ETag != ok[1].ETag {
			t.Fatalf("answers %+v, errors %v", infos, errs)
		}
		checkCompleted(t, gw[1], "k", id, all, ok[0])
	}
}

// TestStaleCompleteKeepsNewerPut: a Complete held up while the same upload
// is completed elsewhere and a client then writes the key does not
// overwrite that newer version: it answers with the completed object.
func TestStaleCompleteKeepsNewerPut(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 2)
	h := &hook{Store: base}
	slow := onServiceStore(t, gw[0], h)
	_, id, parts := upload(t, slow, "k", []int{5 * mib, 10}, nil)
	up, _ := slow.objectKey("bkt", "k")
	g := newGate(opOn("put", up))
	h.before = g.hold
	var stale ObjectInfo
	var staleErr error
	done := make(chan struct{})
	go func() {
		defer close(done)
		stale, staleErr = slow.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
	}()
	<-g.entered
	info, err := gw[1].CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	put(t, gw[1], "bkt", "k", []byte("newer"), nil)
	close(g.release)
	<-done
	if staleErr != nil || stale.ETag != info.ETag {
		t.Fatalf("stale Complete: %+v %v; want the completed object %+v", stale, staleErr, info)
	}
	if got, _ := get(t, gw[0], "bkt", "k", GetOptions{}); string(got) != "newer" {
		t.Fatalf("the stale Complete overwrote a newer PUT: %d bytes", len(got))
	}
}

// TestAbortWhilePartUploads: an upload aborted on A while B sends a part
// stays aborted for everyone; the part B stored meanwhile is an orphan that
// gc removes once old.
func TestAbortWhilePartUploads(t *testing.T) {
	ctx := context.Background()
	base := mem.New()
	gw := gateways(t, base, 3)
	h := &hook{Store: base}
	a, b, c := gw[0], onServiceStore(t, gw[1], h), gw[2]
	id, err := a.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g := newGate(opOn("put", a.uploadDir(id)+"p"))
	h.before = g.hold
	partErr := make(chan error, 1)
	go func() {
		_, err := b.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader([]byte("part")), 4)
		partErr <- err
	}()
	<-g.entered
	if err := a.AbortMultipartUpload(ctx, "bkt", "k", id); err != nil {
		t.Fatal(err)
	}
	close(g.release)
	if err := <-partErr; err != nil && !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("UploadPart racing the abort: %v", err)
	}
	if _, err := c.ListParts(ctx, "bkt", "k", id, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("ListParts after the abort: %v", err)
	}
	if _, err := c.CompleteMultipartUpload(ctx, "bkt", "k", id, []CompletedPart{{Number: 1, ETag: md5hex([]byte("part"))}}, PutOptions{}); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("Complete after the abort: %v", err)
	}
	if ups, _, _ := c.ListMultipartUploads(ctx, "bkt", "", "", "", 0); len(ups) != 0 {
		t.Fatalf("aborted upload listed: %+v", ups)
	}
	later := time.Now().Add(2 * time.Hour)
	c.svc.cfg.Now = func() time.Time { return later }
	if _, err := c.svc.GC(ctx, GCOptions{OlderThan: time.Hour}); err != nil {
		t.Fatal(err)
	}
	if left := upstreamUnder(t, base, a.uploadDir(id)); len(left) != 0 {
		t.Fatalf("gc left %q", left)
	}
}

var _ backends.Store = (*hook)(nil)
