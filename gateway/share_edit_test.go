package gateway

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// handleOf is the handle of alice's only link.
func (sf *shareFixture) handleOf(t *testing.T) string {
	t.Helper()
	list, err := sf.links[0].List(context.Background(), sf.alice)
	if err != nil || len(list) != 1 {
		t.Fatalf("list: %v %v", list, err)
	}
	return list[0].Handle
}

// aliceOn is alice's namespace on gateway i.
func (sf *shareFixture) aliceOn(i int) *userNS { return sf.links[i].svc.namespaceFor(sf.alice.user) }

func TestShareUpdate(t *testing.T) {
	ctx := context.Background()
	ptr := func(n int64) *int64 { return &n }
	pw := func(s string) *[]byte { b := []byte(s); return &b }
	at := func(d time.Duration) *time.Time { x := time.Now().Add(d); return &x }
	tests := []struct {
		name     string
		spec     ShareSpec
		uses     int
		edit     ShareEdit
		err      error
		limit    int64
		password string // "": none; checked with CheckPassword
	}{
		{"limit set", ShareSpec{}, 0, ShareEdit{Limit: ptr(5)}, nil, 5, ""},
		{"limit removed", ShareSpec{Limit: 2}, 1, ShareEdit{Limit: ptr(0)}, nil, 0, ""},
		{"limit at the uses", ShareSpec{Limit: 5}, 2, ShareEdit{Limit: ptr(2)}, nil, 2, ""},
		{"limit below the uses", ShareSpec{Limit: 5}, 2, ShareEdit{Limit: ptr(1)}, ErrInvalidArgument, 5, ""},
		{"limit negative", ShareSpec{}, 0, ShareEdit{Limit: ptr(-1)}, ErrInvalidArgument, 0, ""},
		{"limit too high", ShareSpec{}, 0, ShareEdit{Limit: ptr(MaxShareLimit + 1)}, ErrInvalidArgument, 0, ""},
		{"password set", ShareSpec{}, 0, ShareEdit{Password: pw("new")}, nil, 0, "new"},
		{"password changed", ShareSpec{Password: []byte("old")}, 0, ShareEdit{Password: pw("new")}, nil, 0, "new"},
		{"password removed", ShareSpec{Password: []byte("old")}, 0, ShareEdit{Password: pw("")}, nil, 0, ""},
		{"password kept", ShareSpec{Password: []byte("old")}, 0, ShareEdit{Limit: ptr(3)}, nil, 3, "old"},
		{"expiry in the past", ShareSpec{Password: []byte("old")}, 0, ShareEdit{Expires: at(-time.Minute), Password: pw("")}, ErrInvalidArgument, 0, "old"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			sf := newShareFixture(t)
			tc.spec.Key = "f.txt"
			id := sf.create(t, tc.spec)
			for range tc.uses {
				sh, err := sf.links[0].Open(ctx, id)
				if err == nil {
					err = sf.links[0].Use(ctx, sh)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			_, err := sf.links[1].Update(ctx, sf.aliceOn(1), sf.handleOf(t), tc.edit)
			if !errors.Is(err, tc.err) || (tc.err == nil) != (err == nil) {
				t.Fatalf("Update: %v, want %v", err, tc.err)
			}
			list, err := sf.links[2].List(ctx, sf.aliceOn(2)) // as another gateway reads it
			if err != nil || len(list) != 1 {
				t.Fatal(list, err)
			}
			l := list[0].Link
			if l.Limit != tc.limit || l.Uses != int64(tc.uses) {
				t.Fatalf("limit %d uses %d, want %d and %d", l.Limit, l.Uses, tc.limit, tc.uses)
			}
			if (l.Password != nil) != (tc.password != "") {
				t.Fatalf("password set: %v, want %q", l.Password != nil, tc.password)
			}
			if tc.password != "" {
				sh, err := sf.links[2].Open(ctx, id) // the same id still opens it
				if err != nil {
					t.Fatal(err)
				}
				if ok, _ := sf.links[2].CheckPassword(ctx, sh, []byte(tc.password)); !ok {
					t.Fatalf("password %q refused", tc.password)
				}
				if ok, _ := sf.links[2].CheckPassword(ctx, sh, []byte("old"+"x")); ok {
					t.Fatal("a wrong password accepted")
				}
			}
		})
	}
}

// TestShareUpdateExpiryAndTokens: a new expiry is kept, an expired link
// opens again once extended, and a new password ends the old one's unlock
// tokens.
func TestShareUpdateExpiryAndTokens(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "f.txt", Password: []byte("old")})
	sh, err := sf.links[0].Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	tok := sh.UnlockToken(sf.clock.Now().Add(time.Hour))
	sf.clock.Advance(2 * time.Hour)
	if _, err := sf.links[0].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("expired: %v", err)
	}
	later := sf.clock.Now().Add(24 * time.Hour)
	newPW := []byte("new")
	got, err := sf.links[1].Update(ctx, sf.aliceOn(1), sf.handleOf(t), ShareEdit{Expires: &later, Password: &newPW})
	if err != nil || !got.Expires.Equal(later.UTC()) {
		t.Fatalf("Update: %v, expires %v", err, got.Expires)
	}
	sh, err = sf.links[2].Open(ctx, id)
	if err != nil {
		t.Fatalf("extended: %v", err)
	}
	if sh.CheckUnlock(tok, sf.clock.Now().Add(-90*time.Minute)) {
		t.Fatal("the old password's token opened the link")
	}
}

// TestShareUpdateOthers: another account's handle, an unknown one and a
// revoked link's are ErrNoSuchShare.
func TestShareUpdateOthers(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	sf.create(t, ShareSpec{Key: "f.txt"})
	h := sf.handleOf(t)
	bob := sf.f.user(t, "bob")
	sf.owners[bob.user.ID] = bob.user
	limit := int64(1)
	for name, try := range map[string]func() error{
		"other account": func() error { _, err := sf.links[0].Update(ctx, bob, h, ShareEdit{Limit: &limit}); return err },
		"unknown": func() error {
			_, err := sf.links[0].Update(ctx, sf.alice, "nope", ShareEdit{Limit: &limit})
			return err
		},
		"path": func() error {
			_, err := sf.links[0].Update(ctx, sf.alice, "../x", ShareEdit{Limit: &limit})
			return err
		},
	} {
		if err := try(); !errors.Is(err, ErrNoSuchShare) {
			t.Errorf("%s: %v, want ErrNoSuchShare", name, err)
		}
	}
	if err := sf.links[0].Revoke(ctx, sf.alice, h); err != nil {
		t.Fatal(err)
	}
	if _, err := sf.links[1].Update(ctx, sf.aliceOn(1), h, ShareEdit{Limit: &limit}); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("revoked: %v", err)
	}
}

// TestShareUpdateRacesUse: downloads counted through two gateways while
// the owner changes the limit through a third are all kept.
func TestShareUpdateRacesUse(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "f.txt", Limit: 1000})
	h := sf.handleOf(t)
	var wg sync.WaitGroup
	const uses = 20
	errs := make(chan error, uses+10)
	for i := range uses {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := sf.links[i%2]
			for {
				sh, err := l.Open(ctx, id)
				if err == nil {
					err = l.Use(ctx, sh)
				}
				if !errors.Is(err, ErrSlowDown) {
					errs <- err
					return
				}
			}
		}()
	}
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			limit := int64(500 + i)
			for {
				_, err := sf.links[2].Update(ctx, sf.aliceOn(2), h, ShareEdit{Limit: &limit})
				if !errors.Is(err, ErrSlowDown) {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	sh, err := sf.links[0].Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if sh.Link.Uses != uses || sh.Link.Limit < 500 || sh.Link.Limit > 509 {
		t.Fatalf("uses %d limit %d, want %d uses and a limit of 500..509", sh.Link.Uses, sh.Link.Limit, uses)
	}
}

// TestShareDiesWithItsBucket: a file link and a folder link stop working
// once their bucket is deleted, and stay dead when a bucket of that name
// is made again with the same files in it. A link made before links
// recorded their bucket's creation opens as before.
func TestShareDiesWithItsBucket(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	ids := []ShareID{sf.create(t, ShareSpec{Key: "f.txt"}), sf.create(t, ShareSpec{Key: "dir/"})}
	for _, id := range ids {
		if _, err := sf.links[1].Open(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	files := map[string]string{"f.txt": "hello", "dir/a.txt": "a", "dir/sub/b.txt": "bb"}
	for k := range files {
		if err := sf.alice.DeleteObject(ctx, "bkt", k); err != nil {
			t.Fatal(err)
		}
	}
	if err := sf.alice.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
	for i, id := range ids {
		if _, err := sf.links[1].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
			t.Fatalf("link %d, its bucket deleted: %v", i, err)
		}
	}
	time.Sleep(time.Millisecond) // another creation time, whatever the clock's grain
	mustBucket(t, sf.alice, "bkt")
	for k, v := range files {
		put(t, sf.alice, "bkt", k, []byte(v), nil)
	}
	for i, id := range ids {
		if _, err := sf.links[2].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
			t.Fatalf("link %d, its bucket made again: %v", i, err)
		}
	}
	old := &Share{Link: ShareLink{Bucket: "bkt", Key: "f.txt"}, NS: sf.alice}
	if err := old.sameBucket(ctx); err != nil {
		t.Fatalf("a link without the bucket's creation time: %v", err)
	}
}
