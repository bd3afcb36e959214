package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
)

// quotaNS returns alice's namespace with bucket "bkt" and a quota of limit
// bytes.
func quotaNS(t *testing.T, limit int64) *userNS {
	t.Helper()
	n := newFixture(t).user(t, "alice")
	mustBucket(t, n, "bkt")
	if _, err := n.svc.SetQuota(context.Background(), testAccount{n.user}, Quota{Bytes: limit}); err != nil {
		t.Fatal(err)
	}
	return n
}

// usage is n's usage as its gateway knows it.
func usage(t *testing.T, n *userNS) footprint {
	t.Helper()
	u, err := n.Usage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return footprint{u.Bytes, u.Objects}
}

// TestQuotaAdmission: a write is admitted when record + pending + reserved
// + its size fits, in bytes and in objects; one of unknown size while
// under the byte limit; an empty one always under the byte limit; a part
// (no object) whatever the object count.
func TestQuotaAdmission(t *testing.T) {
	type fp = footprint
	cases := []struct {
		name                  string
		limit, objLimit       int64
		stored, pending, held fp
		ask                   fp
		ok                    bool
	}{
		{"no quota", 0, 0, fp{5000, 9}, fp{}, fp{}, fp{1 << 40, 1}, true},
		{"fits", 1000, 0, fp{400, 1}, fp{}, fp{}, fp{600, 1}, true},
		{"one byte over", 1000, 0, fp{400, 1}, fp{}, fp{}, fp{601, 1}, false},
		{"pending counts", 1000, 0, fp{400, 1}, fp{300, 1}, fp{}, fp{301, 1}, false},
		{"freed pending counts", 1000, 0, fp{400, 1}, fp{-300, -1}, fp{}, fp{900, 1}, true},
		{"reserved counts", 1000, 0, fp{400, 1}, fp{}, fp{300, 1}, fp{301, 1}, false},
		{"unknown size under", 1000, 0, fp{999, 1}, fp{}, fp{}, fp{-1, 1}, true},
		{"unknown size at", 1000, 0, fp{1000, 1}, fp{}, fp{}, fp{-1, 1}, false},
		{"empty at", 1000, 0, fp{1000, 1}, fp{}, fp{}, fp{0, 1}, true},
		{"empty over", 1000, 0, fp{1500, 1}, fp{}, fp{}, fp{0, 1}, true},
		{"over", 1000, 0, fp{1500, 1}, fp{}, fp{}, fp{1, 1}, false},
		{"objects: fits", 0, 10, fp{1 << 40, 9}, fp{}, fp{}, fp{1 << 40, 1}, true},
		{"objects: at", 0, 10, fp{0, 10}, fp{}, fp{}, fp{0, 1}, false},
		{"objects: pending counts", 0, 10, fp{0, 8}, fp{0, 2}, fp{}, fp{1, 1}, false},
		{"objects: freed pending counts", 0, 10, fp{0, 10}, fp{0, -1}, fp{}, fp{1, 1}, true},
		{"objects: reserved counts", 0, 10, fp{0, 9}, fp{}, fp{0, 1}, fp{1, 1}, false},
		{"objects: a part", 0, 10, fp{0, 10}, fp{}, fp{}, fp{1 << 20, 0}, true},
		{"both: bytes refuse", 1000, 10, fp{1000, 1}, fp{}, fp{}, fp{1, 1}, false},
		{"both: objects refuse", 1000, 10, fp{0, 10}, fp{}, fp{}, fp{1, 1}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n := newFixture(t).user(t, "alice")
			q := n.svc.quotas
			q.m[n.user.ID] = &quotaState{rec: quotaRecord{Limit: c.limit, Bytes: c.stored.bytes, ObjectLimit: c.objLimit, Objects: c.stored.objects},
				readAt: q.now(), pending: c.pending, reserved: c.held}
			tk, err := q.admit(context.Background(), n, c.ask)
			if ok := err == nil; ok != c.ok {
				t.Fatalf("admitted %v (%v), want %v", ok, err, c.ok)
			}
			if err != nil && !errors.Is(err, ErrQuotaExceeded) {
				t.Fatalf("error %v, want ErrQuotaExceeded", err)
			}
			want := c.held.plus(fp{max(c.ask.bytes, 0), c.ask.objects})
			if st := q.m[n.user.ID]; err == nil && (c.limit > 0 || c.objLimit > 0) && st.reserved != want {
				t.Fatalf("reserved %+v, want %+v", st.reserved, want)
			}
			tk.done(fp{})
			if st := q.m[n.user.ID]; st.reserved != c.held {
				t.Fatalf("reserved %+v after done, want %+v", st.reserved, c.held)
			}
		})
	}
}

// TestQuotaDeltas: puts, overwrites, copies, deletes, multipart uploads
// and versions move the usage by the plaintext bytes and the versions they
// commit or free (delete markers count nothing), and a recount from a
// listing agrees.
func TestQuotaDeltas(t *testing.T) {
	ctx := context.Background()
	n := quotaNS(t, 1<<30)
	steps := []struct {
		name string
		do   func(t *testing.T)
		want footprint
	}{
		{"put", func(t *testing.T) { put(t, n, "bkt", "a", make([]byte, 1000), nil) }, footprint{1000, 1}},
		{"overwrite", func(t *testing.T) { put(t, n, "bkt", "a", make([]byte, 300), nil) }, footprint{300, 1}},
		{"copy", func(t *testing.T) {
			if _, err := n.CopyObject(ctx, "bkt", "a", "bkt", "b", CopyOptions{}); err != nil {
				t.Fatal(err)
			}
		}, footprint{600, 2}},
		{"folder marker", func(t *testing.T) { put(t, n, "bkt", "dir/", nil, nil) }, footprint{600, 3}},
		{"delete", func(t *testing.T) { mustDelete(t, n, "a", "") }, footprint{300, 2}},
		{"delete absent", func(t *testing.T) { mustDelete(t, n, "a", "") }, footprint{300, 2}},
		{"delete folder marker", func(t *testing.T) { mustDelete(t, n, "dir/", "") }, footprint{300, 1}},
		{"multipart", func(t *testing.T) {
			_, id, parts := upload(t, n, "mp", []int{5 * mib, 10}, nil)
			if _, err := n.CompleteMultipartUpload(ctx, "bkt", "mp", id, parts, PutOptions{}); err != nil {
				t.Fatal(err)
			}
		}, footprint{300 + 5*mib + 10, 2}},
		{"delete multipart", func(t *testing.T) { mustDelete(t, n, "mp", "") }, footprint{300, 1}},
		{"versioning on", func(t *testing.T) {
			if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
				t.Fatal(err)
			}
			put(t, n, "bkt", "v", make([]byte, 100), nil)
			put(t, n, "bkt", "v", make([]byte, 200), nil) // the first stays, noncurrent
		}, footprint{600, 3}},
		{"delete marker", func(t *testing.T) { mustDelete(t, n, "v", "") }, footprint{600, 3}},
		{"delete versions", func(t *testing.T) {
			for _, v := range versionIDs(t, n, "v") {
				mustDelete(t, n, "v", v)
			}
		}, footprint{300, 1}},
		{"suspended overwrite of null", func(t *testing.T) {
			if err := n.PutBucketVersioning(ctx, "bkt", VersioningSuspended); err != nil {
				t.Fatal(err)
			}
			put(t, n, "bkt", "s", make([]byte, 50), nil)
			put(t, n, "bkt", "s", make([]byte, 70), nil)
		}, footprint{370, 2}},
		{"suspended delete of null", func(t *testing.T) { mustDelete(t, n, "s", "") }, footprint{300, 1}},
	}
	for _, s := range steps {
		s.do(t)
		if got := usage(t, n); got != s.want {
			t.Fatalf("after %s: usage %+v, want %+v", s.name, got, s.want)
		}
	}
	u, err := n.svc.RecountUsage(ctx, testAccount{n.user})
	if err != nil || u.Bytes != 300 || u.Objects != 1 || u.Reconciled.IsZero() {
		t.Fatalf("recount %+v, %v; want 300 bytes in 1 object", u, err)
	}
}

func mustDelete(t *testing.T, n *userNS, key, vid string) {
	t.Helper()
	if _, err := n.DeleteVersion(context.Background(), "bkt", key, vid, DeleteOptions{}); err != nil {
		t.Fatalf("delete %s %s: %v", key, vid, err)
	}
}

// versionIDs lists the version ids of key, markers included.
func versionIDs(t *testing.T, n *userNS, key string) []string {
	t.Helper()
	res, err := n.ListObjectVersions(context.Background(), "bkt", VersionQuery{Prefix: key, MaxKeys: 1000})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, v := range res.Versions {
		out = append(out, v.VersionID)
	}
	return out
}

// TestQuotaRefusesWritesNotDeletes: past the quota, puts, copies and parts
// are refused with ErrQuotaExceeded and store nothing; deletes go through
// and free room again; without a quota nothing is tracked.
func TestQuotaRefusesWritesNotDeletes(t *testing.T) {
	ctx := context.Background()
	n := quotaNS(t, 1000)
	put(t, n, "bkt", "a", make([]byte, 800), nil)
	over := func(what string, err error) {
		t.Helper()
		if !errors.Is(err, ErrQuotaExceeded) {
			t.Fatalf("%s over quota: %v, want ErrQuotaExceeded", what, err)
		}
	}
	_, err := n.PutObject(ctx, "bkt", "b", bytes.NewReader(make([]byte, 201)), 201, PutOptions{})
	over("put", err)
	_, err = n.CopyObject(ctx, "bkt", "a", "bkt", "c", CopyOptions{})
	over("copy", err)
	id, err := n.CreateMultipartUpload(ctx, "bkt", "mp", PutOptions{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = n.UploadPart(ctx, "bkt", "mp", id, 1, bytes.NewReader(make([]byte, 300)), 300)
	over("part", err)
	put(t, n, "bkt", "fill", make([]byte, 200), nil) // exactly at the limit
	_, err = n.PutObject(ctx, "bkt", "u", bytes.NewReader([]byte("x")), -1, PutOptions{})
	over("put of unknown size", err)
	if _, err := n.HeadObject(ctx, "bkt", "b", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("a refused write left something: %v", err)
	}
	mustDelete(t, n, "a", "")
	put(t, n, "bkt", "b", make([]byte, 700), nil)
	if got := usage(t, n); got.bytes != 900 {
		t.Fatalf("usage %d, want 900", got)
	}
	if _, err := n.svc.SetQuota(ctx, testAccount{n.user}, Quota{}); err != nil {
		t.Fatal(err)
	}
	n.svc.quotas.m[n.user.ID].readAt = time.Time{} // as after QuotaRefresh
	put(t, n, "bkt", "big", make([]byte, 5000), nil)
	if u, err := n.Usage(ctx); err != nil || u.Limit != 0 || u.Bytes != 900 {
		t.Fatalf("without a quota: %+v, %v; want no limit and no tracking", u, err)
	}
}

// TestQuotaRecordIsTheGateways: a door cannot write the quota record.
func TestQuotaRecordIsTheGateways(t *testing.T) {
	n := quotaNS(t, 1000)
	_, v, err := n.GetShared(context.Background(), quotaRecordName)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.PutShared(context.Background(), quotaRecordName, []byte(`{"l":0}`), v); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("PutShared of the quota record: %v", err)
	}
}

// TestQuotaDeletedAccountNotFlushed: the pending delta of an account
// deleted meanwhile is dropped, not written back into its purged area.
func TestQuotaDeletedAccountNotFlushed(t *testing.T) {
	n := quotaNS(t, 1<<20)
	put(t, n, "bkt", "a", make([]byte, 100), nil)
	n.svc.quotas.current = func([16]byte) *cryptolayer.User { return nil }
	if _, err := n.svc.PurgeUser(context.Background(), n.dir, nil); err != nil {
		t.Fatal(err)
	}
	if err := n.svc.FlushUsage(context.Background()); err != nil {
		t.Fatal(err)
	}
	if left := upstreamUnder(t, n.svc.store, ".sealgate/shared/"+n.dir+"/"); len(left) != 0 {
		t.Fatalf("a deleted account's record came back: %v", left)
	}
}

// TestQuotaLifecycleFrees: versions the lifecycle rules remove free their
// bytes, as a client's deletes do.
func TestQuotaLifecycleFrees(t *testing.T) {
	ctx := context.Background()
	var offset atomic.Int64
	svc, err := NewService(Config{Store: mem.New(), Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	u, err := (&cryptolayer.Keystore{}).AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	n := svc.namespaceFor(u)
	mustBucket(t, n, "bkt")
	if _, err := svc.SetQuota(ctx, testAccount{u}, Quota{Bytes: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	put(t, n, "bkt", "k", make([]byte, 100), nil)
	put(t, n, "bkt", "k", make([]byte, 200), nil)
	put(t, n, "bkt", "gone", make([]byte, 50), nil)
	rules := []LifecycleRule{{ID: "nc", Enabled: true, NoncurrentDays: 1}, {ID: "exp", Enabled: true, Prefix: "gone", ExpireDays: 1}}
	if err := n.PutBucketLifecycle(ctx, "bkt", rules); err != nil {
		t.Fatal(err)
	}
	offset.Store(int64(49 * time.Hour))
	if _, ran, err := svc.ApplyLifecycle(ctx, testAccount{u}, "me", time.Minute); err != nil || !ran {
		t.Fatalf("lifecycle: %v %v", ran, err)
	}
	// k's first version is gone; gone's version is noncurrent behind a
	// marker now (it still occupies storage until the next day's run).
	if got := usage(t, n); got.bytes != 250 {
		t.Fatalf("usage after the lifecycle run: %d, want 250", got)
	}
	if u, err := svc.RecountUsage(ctx, testAccount{u}); err != nil || u.Bytes != 250 {
		t.Fatalf("recount: %+v %v", u, err)
	}
}

// sharedReads counts the reads of shared records.
type sharedReads struct {
	backends.Store
	n atomic.Int64
}

func (s *sharedReads) Get(ctx context.Context, k string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if strings.HasPrefix(k, ".sealgate/shared/") {
		s.n.Add(1)
	}
	return s.Store.Get(ctx, k, off, n)
}

// TestQuotaRecordReadOncePerRefresh: without a quota, PUTs and deletes
// read the quota record once per QuotaRefresh, not once per request.
func TestQuotaRecordReadOncePerRefresh(t *testing.T) {
	var offset atomic.Int64
	st := &sharedReads{Store: mem.New()}
	svc, err := NewService(Config{Store: st, Now: func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	u, err := (&cryptolayer.Keystore{}).AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	n := svc.namespaceFor(u)
	mustBucket(t, n, "bkt")
	for i := range 20 {
		put(t, n, "bkt", "k", []byte("data"), nil)
		if i%2 == 1 {
			mustDelete(t, n, "k", "")
		}
	}
	if got := st.n.Load(); got != 1 {
		t.Fatalf("%d reads of shared records for 30 requests in one refresh interval, want 1", got)
	}
	offset.Store(int64(3 * time.Second))
	put(t, n, "bkt", "k", []byte("data"), nil)
	put(t, n, "bkt", "k", []byte("data"), nil)
	if got := st.n.Load(); got != 2 {
		t.Fatalf("%d reads after the refresh interval, want 2", got)
	}
}

// TestQuotaSameKeyAtOnce: concurrent writes of one new key through one
// gateway count one object, not one each (a client's retry while its
// first PUT runs would otherwise lock the account out of its object
// quota until a recount); concurrent deletes of it free it once.
func TestQuotaSameKeyAtOnce(t *testing.T) {
	ctx := context.Background()
	n := quotaNS(t, 1<<30)
	if _, err := n.svc.SetQuota(ctx, testAccount{n.user}, Quota{Bytes: 1 << 30, Objects: 5}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 5 {
		wg.Go(func() {
			if _, err := n.PutObject(ctx, "bkt", "same", bytes.NewReader(make([]byte, 10)), 10, PutOptions{}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if got := usage(t, n); got != (footprint{10, 1}) {
		t.Fatalf("after five writes of one key: %+v, want 10 bytes in 1 object", got)
	}
	for range 5 {
		wg.Go(func() { mustDelete(t, n, "same", "") })
	}
	wg.Wait()
	if got := usage(t, n); got != (footprint{}) {
		t.Fatalf("after five deletes of it: %+v, want none", got)
	}
}
