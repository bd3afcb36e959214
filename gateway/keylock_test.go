package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
)

// size is the number of keys held or waited for.
func (l *keyLocks) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.m)
}

func TestKeyLocks(t *testing.T) {
	var l keyLocks
	ctx := context.Background()
	held, release, err := l.lock(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	// The holder's context takes the same lock again without waiting.
	_, again, err := l.lock(held, "a")
	if err != nil {
		t.Fatal(err)
	}
	again()
	// Another key is free.
	_, other, err := l.lock(ctx, "b")
	if err != nil {
		t.Fatal(err)
	}
	other()
	// A waiter gives up with its context.
	wctx, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, _, err := l.lock(wctx, "a"); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("waiting for a held key: %v, want the context's end", err)
	}
	// A waiter gets the lock once it is released; releasing twice is harmless.
	got := make(chan func(), 1)
	go func() {
		_, r, err := l.lock(ctx, "a")
		if err != nil {
			t.Error(err)
		}
		got <- r
	}()
	select {
	case <-got:
		t.Fatal("the second holder did not wait")
	case <-time.After(20 * time.Millisecond):
	}
	release()
	release()
	(<-got)()
	if n := l.size(); n != 0 {
		t.Fatalf("%d entries left after every release", n)
	}
}

// slowBodyStore makes every object body's Put (not records) take a while,
// as a real upload does, so that writes of one key overlap.
type slowBodyStore struct{ *countingStore }

func (s slowBodyStore) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if !strings.HasPrefix(key, ".sealgate/") {
		time.Sleep(10 * time.Millisecond)
	}
	return s.countingStore.Put(ctx, key, r, size, o)
}

func slowAlice(t *testing.T) *userNS {
	n, _ := aliceOver(t, func(c *countingStore) backends.Store { return slowBodyStore{c} })
	return n
}

// TestOverlappingVersionedPutsOnOneGateway: ten PUTs of one key at once
// in a versioned bucket (S3 clients and versitygw's PutObject_racey_success
// do this) all succeed, each as its own version; none loses the swap.
func TestOverlappingVersionedPutsOnOneGateway(t *testing.T) {
	ctx := context.Background()
	n := slowAlice(t)
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	const writers = 10
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			body := fmt.Sprintf("version %d", i)
			_, errs[i] = n.PutObject(ctx, "bkt", "k", strings.NewReader(body), int64(len(body)), PutOptions{})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("overlapping PUTs: %v", err)
	}
	vl, err := n.ListObjectVersions(ctx, "bkt", VersionQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(vl.Versions) != writers {
		t.Fatalf("%d versions, want %d", len(vl.Versions), writers)
	}
	if left := n.svc.keyLocks.size(); left != 0 {
		t.Fatalf("%d key locks left", left)
	}
}

// TestOverlappingCompletesOnOneGateway: Completes of several uploads of
// one key at once (versitygw's CompleteMultipartUpload_racey_success) all
// succeed, and the key holds one of the uploads whole.
func TestOverlappingCompletesOnOneGateway(t *testing.T) {
	ctx := context.Background()
	n := slowAlice(t)
	const uploads = 5
	ids, parts, bodies := oneKeyUploads(t, []*userNS{n, n, n, n, n})
	errs := make([]error, uploads)
	var wg sync.WaitGroup
	for i := range uploads {
		wg.Go(func() { _, errs[i] = n.CompleteMultipartUpload(ctx, "bkt", "k", ids[i], parts[i], PutOptions{}) })
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("overlapping Completes: %v", err)
	}
	holdsOneOf(t, n, bodies)
	for _, id := range ids {
		if left := upstreamUnder(t, n.svc.store, n.uploadDir(id)); len(left) != 1 {
			t.Fatalf("upload %s left %q, want only its done record", id, left)
		}
	}
}

// TestOverlappingCompletesOnThreeGateways: Completes of three uploads of
// one key, one through each of three gateways over one upstream, at once.
// The swap decides between gateways, and a Complete that lost it re-seals
// and tries again: every answer is the object or a clean ErrUnavailable,
// and the key holds one of the uploads whole.
func TestOverlappingCompletesOnThreeGateways(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	gw := gateways(t, slowBodyStore{f.store}, 3)
	ids, parts, bodies := oneKeyUploads(t, gw)
	errs := make([]error, len(gw))
	var wg sync.WaitGroup
	for i, n := range gw {
		wg.Go(func() { _, errs[i] = n.CompleteMultipartUpload(ctx, "bkt", "k", ids[i], parts[i], PutOptions{}) })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrUnavailable):
			t.Fatalf("Complete: %v", err)
		}
	}
	if ok == 0 {
		t.Fatalf("no Complete succeeded: %v", errs)
	}
	holdsOneOf(t, gw[2], bodies)
	t.Logf("%d of %d Completes succeeded at once", ok, len(gw))
}

// oneKeyUploads starts an upload of key "k" through each of ns (one
// 1000-byte part each, every upload's bytes its own) and returns the
// uploads' ids, part lists and bodies.
func oneKeyUploads(t *testing.T, ns []*userNS) ([]string, [][]CompletedPart, [][]byte) {
	t.Helper()
	ctx := context.Background()
	ids, parts, bodies := make([]string, len(ns)), make([][]CompletedPart, len(ns)), make([][]byte, len(ns))
	for i, n := range ns {
		id, err := n.CreateMultipartUpload(ctx, "bkt", "k", PutOptions{})
		if err != nil {
			t.Fatal(err)
		}
		bodies[i] = bytes.Repeat([]byte{byte('a' + i)}, 1000)
		etag, err := n.UploadPart(ctx, "bkt", "k", id, 1, bytes.NewReader(bodies[i]), 1000)
		if err != nil {
			t.Fatal(err)
		}
		ids[i], parts[i] = id, []CompletedPart{{Number: 1, ETag: etag}}
	}
	return ids, parts, bodies
}

// holdsOneOf fails t unless key "k" holds one of bodies.
func holdsOneOf(t *testing.T, n *userNS, bodies [][]byte) {
	t.Helper()
	got, _ := get(t, n, "bkt", "k", GetOptions{})
	for _, b := range bodies {
		if bytes.Equal(got, b) {
			return
		}
	}
	t.Fatalf("the key holds %d bytes that are none of the uploads", len(got))
}

// TestKeyLockReleasedByEveryWrite: after each kind of versioned write of a
// key (a PUT, a delete marker, a copy, a Complete) no lock of the key is
// left held, so the next write does not wait.
func TestKeyLockReleasedByEveryWrite(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	steps := []struct {
		name string
		do   func() error
	}{
		{"put", func() error {
			_, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("a"), 1, PutOptions{})
			return err
		}},
		{"delete marker", func() error { return n.DeleteObject(ctx, "bkt", "k") }},
		{"put again", func() error {
			_, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("b"), 1, PutOptions{})
			return err
		}},
		{"copy", func() error {
			_, err := n.CopyObject(ctx, "bkt", "k", "bkt", "k", CopyOptions{ReplaceMeta: true, Meta: Meta{"x": "y"}})
			return err
		}},
		{"complete", func() error {
			ids, parts, _ := oneKeyUploads(t, []*userNS{n})
			_, err := n.CompleteMultipartUpload(ctx, "bkt", "k", ids[0], parts[0], PutOptions{})
			return err
		}},
		{"delete marker again", func() error { return n.DeleteObject(ctx, "bkt", "k") }},
		{"delete a version", func() error {
			vl, err := n.ListObjectVersions(ctx, "bkt", VersionQuery{})
			if err != nil {
				return err
			}
			_, err = n.DeleteVersion(ctx, "bkt", "k", vl.Versions[len(vl.Versions)-1].VersionID, DeleteOptions{})
			return err
		}},
		{"put after all", func() error {
			_, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("c"), 1, PutOptions{})
			return err
		}},
	}
	for _, s := range steps {
		done := make(chan error, 1)
		go func() { done <- s.do() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s waited for a lock left held", s.name)
		}
		if left := n.svc.keyLocks.size(); left != 0 {
			t.Fatalf("after %s: %d key locks held", s.name, left)
		}
	}
}
