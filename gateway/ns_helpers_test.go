package gateway

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"sort"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// countingStore counts List calls, to check listing costs.
type countingStore struct {
	backends.Store
	lists atomic.Int64
}

func (c *countingStore) List(ctx context.Context, o backends.ListOptions) (backends.ListPage, error) {
	c.lists.Add(1)
	return c.Store.List(ctx, o)
}

// PutGated forwards to the store's: the fixtures' mem store holds a
// versioned write's commit until its current version is set aside, as
// the fs store does.
func (c *countingStore) PutGated(ctx context.Context, k string, r io.Reader, size int64, o backends.PutOptions, gate func() error) (backends.ObjectInfo, error) {
	return c.Store.(backends.GatedPutter).PutGated(ctx, k, r, size, o, gate)
}

// aliceOver returns alice's namespace, with bucket "bkt", on a new service
// over the store wrap makes of a fixture's counting store.
func aliceOver(t *testing.T, wrap func(*countingStore) backends.Store) (*userNS, *Service) {
	t.Helper()
	f := newFixture(t)
	svc, err := NewService(Config{Store: wrap(f.store)})
	if err != nil {
		t.Fatal(err)
	}
	n := svc.namespaceFor(f.user(t, "alice").user)
	mustBucket(t, n, "bkt")
	return n, svc
}

// pageThrough pages a listing to its end, calling fn with each page's
// objects; it returns how many objects it saw.
func pageThrough(tb testing.TB, n *userNS, bucket string, q ListQuery, fn func([]ObjectInfo)) int {
	tb.Helper()
	seen := 0
	for {
		res, err := n.ListObjects(context.Background(), bucket, q)
		if err != nil {
			tb.Fatal(err)
		}
		if fn != nil {
			fn(res.Objects)
		}
		seen += len(res.Objects)
		if !res.IsTruncated {
			return seen
		}
		q.Marker = res.NextMarker
	}
}

type fixture struct {
	store *countingStore
	mem   *mem.Store
	svc   *Service
	ks    *cryptolayer.Keystore
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	m := mem.New()
	cs := &countingStore{Store: m}
	svc, err := NewService(Config{Store: cs})
	if err != nil {
		t.Fatal(err)
	}
	return &fixture{store: cs, mem: m, svc: svc, ks: &cryptolayer.Keystore{}}
}

// user adds an account and returns its namespace.
func (f *fixture) user(t testing.TB, name string) *userNS {
	t.Helper()
	u, err := f.ks.AddUser(name, []byte("password-"+name), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	return f.svc.namespaceFor(u)
}

func mustBucket(t testing.TB, n *userNS, b string) {
	t.Helper()
	if err := n.CreateBucket(context.Background(), b); err != nil {
		t.Fatal(err)
	}
}

func put(t testing.TB, n *userNS, b, k string, data []byte, meta Meta) ObjectInfo {
	t.Helper()
	info, err := n.PutObject(context.Background(), b, k, bytes.NewReader(data), int64(len(data)), PutOptions{Meta: meta})
	if err != nil {
		t.Fatalf("put %q: %v", k, err)
	}
	return info
}

func get(t testing.TB, n *userNS, b, k string, o GetOptions) ([]byte, *ObjectReader) {
	t.Helper()
	r, err := n.GetObject(context.Background(), b, k, o)
	if err != nil {
		t.Fatalf("get %q: %v", k, err)
	}
	defer func() { _ = r.Body.Close() }()
	data, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("read %q: %v", k, err)
	}
	return data, r
}

func md5hex(b []byte) string {
	s := md5.Sum(b)
	return hex.EncodeToString(s[:])
}

// oracleList is S3's ListObjects over plaintext keys: the reference the
// encrypted listing must match.
func oracleList(keys []string, q ListQuery) (objs, prefixes []string, truncated bool, next string) {
	sort.Strings(keys)
	type ent struct {
		name   string
		prefix bool
	}
	var all []ent
	for _, k := range keys {
		if !strings.HasPrefix(k, q.Prefix) {
			continue
		}
		if q.Delimiter != "" {
			if i := strings.Index(k[len(q.Prefix):], q.Delimiter); i >= 0 {
				cp := k[:len(q.Prefix)+i+len(q.Delimiter)]
				if len(all) == 0 || all[len(all)-1].name != cp {
					all = append(all, ent{cp, true})
				}
				continue
			}
		}
		all = append(all, ent{k, false})
	}
	limit := q.MaxKeys
	if limit == 0 {
		limit = 1000
	}
	n := 0
	for _, e := range all {
		if e.name <= q.Marker {
			continue
		}
		if n == limit {
			return objs, prefixes, true, next
		}
		n++
		next = e.name
		if e.prefix {
			prefixes = append(prefixes, e.name)
		} else {
			objs = append(objs, e.name)
		}
	}
	return objs, prefixes, false, ""
}

func backendsList(prefix string) backends.ListOptions { return backends.ListOptions{Prefix: prefix} }

// testAccount is a gateway.Account over a bare key record.
type testAccount struct{ u *cryptolayer.User }

func (a testAccount) KeyRecord() *cryptolayer.User { return a.u }

func (a testAccount) NamespaceKeys() (string, *cryptolayer.NameCipher) {
	return a.u.UpstreamDir(), a.u.BucketNameCipher()
}
