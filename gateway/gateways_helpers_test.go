package gateway

import (
	"context"
	"io"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// upstreams are the stores the multi-gateway tests run over: one mem store
// and one fs store, each shared by every Service of a test.
var upstreams = []struct {
	name string
	open func(testing.TB) backends.Store
}{
	{"mem", func(testing.TB) backends.Store { return mem.New() }},
	{"fs", func(tb testing.TB) backends.Store {
		st, err := fs.Open(tb.TempDir())
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { _ = st.Close() })
		return st
	}},
}

// gateways returns one user's namespace on n Services over one store, the
// first of which created bucket "bkt".
func gateways(t testing.TB, st backends.Store, n int) []*userNS {
	t.Helper()
	ks := &cryptolayer.Keystore{}
	u, err := ks.AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]*userNS, n)
	for i := range out {
		svc, err := NewService(Config{Store: st})
		if err != nil {
			t.Fatal(err)
		}
		out[i] = svc.namespaceFor(u)
	}
	mustBucket(t, out[0], "bkt")
	return out
}

// upstreamUnder returns the upstream keys under prefix.
func upstreamUnder(t testing.TB, st backends.Store, prefix string) []string {
	t.Helper()
	var keys []string
	opts := backends.ListOptions{Prefix: prefix}
	for {
		page, err := st.List(context.Background(), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Objects {
			keys = append(keys, o.Key)
		}
		if page.NextToken == "" {
			sort.Strings(keys)
			return keys
		}
		opts.Token = page.NextToken
	}
}

// listedETags lists a whole bucket (or prefix) through n and returns the keys
// with their ETags.
func listedETags(t testing.TB, n *userNS, bucket string, q ListQuery) map[string]string {
	t.Helper()
	out := map[string]string{}
	pageThrough(t, n, bucket, q, func(objs []ObjectInfo) {
		for _, o := range objs {
			out[o.Key] = o.ETag
		}
	})
	return out
}

// hook is a store that calls a function before or after chosen upstream
// calls, to hold an operation at a race point: the function decides by
// method and key, and may block.
type hook struct {
	backends.Store
	before func(op, key string)
	after  func(op, key string, err error)
}

func (h *hook) at(op, key string) {
	if h.before != nil {
		h.before(op, key)
	}
}

func (h *hook) done(op, key string, err error) {
	if h.after != nil {
		h.after(op, key, err)
	}
}

func (h *hook) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	h.at("put", key)
	info, err := h.Store.Put(ctx, key, r, size, o)
	h.done("put", key, err)
	return info, err
}

func (h *hook) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	h.at("get", key)
	rc, info, err := h.Store.Get(ctx, key, off, n)
	h.done("get", key, err)
	return rc, info, err
}

func (h *hook) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	h.at("stat", key)
	info, err := h.Store.Stat(ctx, key)
	h.done("stat", key, err)
	return info, err
}

func (h *hook) Delete(ctx context.Context, key string) error {
	h.at("delete", key)
	err := h.Store.Delete(ctx, key)
	h.done("delete", key, err)
	return err
}

func (h *hook) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	h.at("list", o.Prefix)
	page, err := h.Store.List(ctx, o)
	h.done("list", o.Prefix, err)
	return page, err
}

// onServiceStore returns ns as seen through another Service over st (same
// user): the way to give one gateway of a test a hooked store.
func onServiceStore(t testing.TB, ns *userNS, st backends.Store) *userNS {
	t.Helper()
	svc, err := NewService(Config{Store: st})
	if err != nil {
		t.Fatal(err)
	}
	return svc.namespaceFor(ns.user)
}

// gate holds the first upstream call it matches until released: a race
// point an interleaving test stops an operation at.
type gate struct {
	match   func(op, key string) bool
	armed   atomic.Bool
	entered chan struct{}
	release chan struct{}
}

func newGate(match func(op, key string) bool) *gate {
	g := &gate{match: match, entered: make(chan struct{}), release: make(chan struct{})}
	g.armed.Store(true)
	return g
}

// hold blocks the calling operation if this is the call the gate waits for.
func (g *gate) hold(op, key string) {
	if g.match(op, key) && g.armed.CompareAndSwap(true, false) {
		close(g.entered)
		<-g.release
	}
}

// opOn matches an upstream method on keys with a prefix.
func opOn(op, prefix string) func(string, string) bool {
	return func(o, k string) bool { return o == op && strings.HasPrefix(k, prefix) }
}
