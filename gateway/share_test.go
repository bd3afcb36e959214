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
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/internal/testclock"
)

// shareFixture is alice's namespace with bucket "bkt" and file "f.txt",
// and the share links of three gateways over the same upstream.
type shareFixture struct {
	f      *fixture
	alice  *userNS
	links  [3]*ShareLinks
	clock  *testclock.Clock
	owners map[[16]byte]*cryptolayer.User
	mu     sync.Mutex
}

func newShareFixture(t *testing.T) *shareFixture {
	t.Helper()
	sf := &shareFixture{f: newFixture(t), clock: testclock.New(time.Now()), owners: map[[16]byte]*cryptolayer.User{}}
	sf.alice = sf.f.user(t, "alice")
	sf.owners[sf.alice.user.ID] = sf.alice.user
	mustBucket(t, sf.alice, "bkt")
	put(t, sf.alice, "bkt", "f.txt", []byte("hello"), nil)
	put(t, sf.alice, "bkt", "dir/a.txt", []byte("a"), nil)
	put(t, sf.alice, "bkt", "dir/sub/b.txt", []byte("bb"), nil)
	for i := range sf.links {
		svc := sf.f.svc
		if i > 0 {
			var err error
			if svc, err = NewService(Config{Store: sf.f.mem}); err != nil {
				t.Fatal(err)
			}
		}
		sf.links[i] = NewShareLinks(svc, ShareConfig{Owner: sf.owner, PasswordParams: cryptolayer.MinPasswordParams, Now: sf.clock.Now})
	}
	return sf
}

func (sf *shareFixture) owner(id [16]byte) (Account, error) {
	sf.mu.Lock()
	defer sf.mu.Unlock()
	if u := sf.owners[id]; u != nil {
		return testAccount{u}, nil
	}
	return nil, ErrNoSuchUser
}

func (sf *shareFixture) create(t *testing.T, spec ShareSpec) ShareID {
	t.Helper()
	if spec.Bucket == "" {
		spec.Bucket = "bkt"
	}
	if spec.Expires.IsZero() {
		spec.Expires = sf.clock.Now().Add(time.Hour)
	}
	id, err := sf.links[0].Create(context.Background(), sf.alice, spec)
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func readShare(t *testing.T, sh *Share, rel string) string {
	t.Helper()
	obj, _, err := sh.Get(context.Background(), rel, GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = obj.Body.Close() }()
	b, _ := io.ReadAll(obj.Body)
	return string(b)
}

func TestShareIDParse(t *testing.T) {
	id := NewShareID()
	got, err := ParseShareID(id.Encode())
	if err != nil || got != id {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{"", "x", id.Encode() + "A", strings.Repeat("!", 22), id.Encode()[:21] + "="} {
		if _, err := ParseShareID(bad); !errors.Is(err, ErrNoSuchShare) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	if s := fmt.Sprintf("%v %+v %#v %s", id, id, id, id); strings.Contains(s, id.Encode()) || !strings.Contains(s, "REDACTED") {
		t.Fatalf("an id printed: %s", s)
	}
}

func FuzzParseShareID(f *testing.F) {
	f.Add(NewShareID().Encode())
	f.Add("AAAAAAAAAAAAAAAAAAAAAA")
	f.Add("AAAAAAAAAAAAAAAAAAAAAB")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseShareID(s)
		if err != nil {
			return
		}
		if id.Encode() != s {
			t.Fatalf("%q parsed, encodes as %q", s, id.Encode())
		}
	})
}

func TestShareLifecycle(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "f.txt"})
	for i, l := range sf.links { // any gateway opens it
		sh, err := l.Open(ctx, id)
		if err != nil {
			t.Fatalf("gateway %d: %v", i, err)
		}
		if got := readShare(t, sh, ""); got != "hello" {
			t.Fatalf("gateway %d read %q", i, got)
		}
		if _, _, err := sh.Get(ctx, "other", GetOptions{}); !errors.Is(err, ErrNoSuchShare) {
			t.Fatalf("a file link read another name: %v", err)
		}
	}
	if _, err := sf.links[0].Open(ctx, NewShareID()); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("unknown id: %v", err)
	}
	list, err := sf.links[1].List(ctx, sf.links[1].svc.namespaceFor(sf.alice.user))
	if err != nil || len(list) != 1 || list[0].Link.Key != "f.txt" || list[0].Link.ETag == "" {
		t.Fatalf("list: %+v %v", list, err)
	}
	if strings.Contains(list[0].Handle, id.Encode()) {
		t.Fatal("the handle holds the id")
	}
	// The file replaced by other bytes kills the link; the same bytes do not.
	put(t, sf.alice, "bkt", "f.txt", []byte("hello"), nil)
	if _, err := sf.links[0].Open(ctx, id); err != nil {
		t.Fatalf("same bytes: %v", err)
	}
	put(t, sf.alice, "bkt", "f.txt", []byte("changed"), nil)
	sh, err := sf.links[0].Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := sh.Get(ctx, "", GetOptions{}); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("a changed file: %v", err)
	}
	// Revoked through one gateway, dead on the other.
	if err := sf.links[0].Revoke(ctx, sf.alice, list[0].Handle); err != nil {
		t.Fatal(err)
	}
	if _, err := sf.links[1].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("revoked: %v", err)
	}
	if err := sf.links[0].Revoke(ctx, sf.alice, list[0].Handle); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("revoked twice: %v", err)
	}
}

func TestShareExpiryOwnerAndFolder(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "dir/"})
	sh, err := sf.links[1].Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	files, next, err := sh.Files(ctx, "", 0)
	if err != nil || next != "" || len(files) != 2 || files[0].Key != "a.txt" || files[1].Key != "sub/b.txt" {
		t.Fatalf("files: %+v %q %v", files, next, err)
	}
	// Page by page: one file a page, then the end.
	var paged []string
	for after, pages := "", 0; pages == 0 || after != ""; pages++ {
		if pages > 5 {
			t.Fatalf("paging does not end: %q", paged)
		}
		page, next, err := sh.Files(ctx, after, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range page {
			paged = append(paged, f.Key)
		}
		after = next
	}
	if strings.Join(paged, ",") != "a.txt,sub/b.txt" {
		t.Fatalf("paged: %q", paged)
	}
	if got := readShare(t, sh, "sub/b.txt"); got != "bb" {
		t.Fatalf("read %q", got)
	}
	for _, rel := range []string{"", "sub/"} {
		if _, _, err := sh.Get(ctx, rel, GetOptions{}); !errors.Is(err, ErrNoSuchShare) {
			t.Fatalf("%q: %v", rel, err)
		}
	}
	if _, err := sf.links[0].Create(ctx, sf.alice, ShareSpec{Bucket: "bkt", Key: "nope/", Expires: sf.clock.Now().Add(time.Hour)}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("absent folder: %v", err)
	}
	if _, err := sf.links[0].Create(ctx, sf.alice, ShareSpec{Bucket: "bkt", Key: "f.txt", Expires: sf.clock.Now()}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("expired at creation: %v", err)
	}
	sf.clock.Advance(time.Hour)
	if _, err := sf.links[0].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("expired: %v", err)
	}
	id = sf.create(t, ShareSpec{Key: "f.txt"})
	sf.mu.Lock()
	delete(sf.owners, sf.alice.user.ID) // the account is deleted
	sf.mu.Unlock()
	if _, err := sf.links[0].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("owner gone: %v", err)
	}
}

// TestShareLimitAcrossGateways: ten downloads at once through three gateways
// of a link limited to three: at most three are counted.
func TestShareLimitAcrossGateways(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "f.txt", Limit: 3})
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := sf.links[i%len(sf.links)]
			sh, err := l.Open(ctx, id)
			if err == nil {
				err = l.Use(ctx, sh)
			}
			if err == nil {
				mu.Lock()
				ok++
				mu.Unlock()
			} else if !errors.Is(err, ErrNoSuchShare) && !errors.Is(err, ErrSlowDown) {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok > 3 {
		t.Fatalf("%d uses of a limit of 3", ok)
	}
	for ok < 3 { // the uses that lost the race may be retried
		sh, err := sf.links[0].Open(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if err := sf.links[0].Use(ctx, sh); err != nil {
			t.Fatal(err)
		}
		ok++
	}
	if _, err := sf.links[1].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("over the limit: %v", err)
	}
	list, _ := sf.links[0].List(ctx, sf.alice)
	if len(list) != 1 || list[0].Link.Uses != 3 {
		t.Fatalf("list: %+v", list)
	}
}

func TestSharePasswordAndUnlock(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	id := sf.create(t, ShareSpec{Key: "f.txt", Password: []byte("s3cret")})
	sh, err := sf.links[1].Open(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	for pw, want := range map[string]bool{"wrong": false, "": false, "s3cret": true} {
		if ok, err := sf.links[1].CheckPassword(ctx, sh, []byte(pw)); ok != want || err != nil {
			t.Fatalf("password %q: %v %v", pw, ok, err)
		}
	}
	now := sf.clock.Now()
	tok := sh.UnlockToken(now.Add(time.Minute))
	other := sf.create(t, ShareSpec{Key: "f.txt", Password: []byte("s3cret")})
	sh2, _ := sf.links[0].Open(ctx, other)
	switch {
	case !sh.CheckUnlock(tok, now):
		t.Fatal("a fresh token refused")
	case sh.CheckUnlock(tok, now.Add(time.Minute)):
		t.Fatal("an expired token accepted")
	case sh2.CheckUnlock(tok, now):
		t.Fatal("a token opened another link")
	case sh.CheckUnlock(tok[:len(tok)-1]+"A", now) && !strings.HasSuffix(tok, "A"):
		t.Fatal("a forged token accepted")
	}
}

// TestShareSealed checks what the upstream holds: no id, no name, and a
// record that cannot be moved to another link or altered.
func TestShareSealed(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	a := sf.create(t, ShareSpec{Key: "f.txt"})
	b := sf.create(t, ShareSpec{Key: "dir/"})
	keys := upstreamUnder(t, sf.f.mem, shareRoot)
	if len(keys) != 2 {
		t.Fatalf("records: %v", keys)
	}
	for _, k := range keys {
		rc, _, err := sf.f.mem.Get(ctx, k, 0, -1)
		if err != nil {
			t.Fatal(err)
		}
		data, _ := io.ReadAll(rc)
		_ = rc.Close()
		for _, secret := range []string{a.Encode(), b.Encode(), "f.txt", "dir/", "bkt"} {
			if strings.Contains(k, secret) || bytes.Contains(data, []byte(secret)) {
				t.Fatalf("%s holds %q", k, secret)
			}
		}
	}
	// Moving b's record over a's: a no longer opens.
	rc, _, _ := sf.f.mem.Get(ctx, shareRoot+b.locator(), 0, -1)
	data, _ := io.ReadAll(rc)
	_ = rc.Close()
	if _, err := sf.f.mem.Put(ctx, shareRoot+a.locator(), bytes.NewReader(data), int64(len(data)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	before := sf.f.svc.Stats().IntegrityFailures
	if _, err := sf.links[0].Open(ctx, a); !errors.Is(err, ErrNoSuchShare) {
		t.Fatalf("moved record: %v", err)
	}
	if sf.f.svc.Stats().IntegrityFailures != before+1 {
		t.Fatal("not counted as an integrity failure")
	}
}

// FuzzCheckUnlock: no input but a token made for the link opens it.
func FuzzCheckUnlock(f *testing.F) {
	sh := &Share{Link: ShareLink{Password: &SharePassword{Salt: [16]byte{1}}}, loc: NewShareID().locator(),
		owner: &cryptolayer.User{Root: cryptolayer.NewKey()}}
	now := time.Unix(1_800_000_000, 0)
	good := sh.UnlockToken(now.Add(time.Hour))
	f.Add(good)
	f.Add("")
	f.Add(good[:len(good)-2])
	f.Fuzz(func(t *testing.T, tok string) {
		if sh.CheckUnlock(tok, now) && tok != good {
			t.Fatalf("%q opened the link", tok)
		}
	})
}

func TestShareRevokeAll(t *testing.T) {
	sf := newShareFixture(t)
	ctx := context.Background()
	ids := []ShareID{sf.create(t, ShareSpec{Key: "f.txt"}), sf.create(t, ShareSpec{Key: "dir/"})}
	n, err := sf.links[1].RevokeAll(ctx, sf.links[1].svc.namespaceFor(sf.alice.user))
	if err != nil || n != 2 {
		t.Fatalf("revoked %d: %v", n, err)
	}
	for _, id := range ids {
		if _, err := sf.links[0].Open(ctx, id); !errors.Is(err, ErrNoSuchShare) {
			t.Fatalf("after RevokeAll: %v", err)
		}
	}
	if keys := upstreamUnder(t, sf.f.mem, shareRoot); len(keys) != 0 {
		t.Fatalf("records left: %v", keys)
	}
	if list, err := sf.links[0].List(ctx, sf.alice); err != nil || len(list) != 0 {
		t.Fatalf("list: %v %v", list, err)
	}
}
