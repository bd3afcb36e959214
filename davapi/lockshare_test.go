package davapi

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/internal/testclock"
)

// newGatewayPair returns two gateways over one upstream (a mem store) and
// one keystore, each with its own gateway Service and WebDAV door, on the
// clock clk (nil: time.Now).
func newGatewayPair(t *testing.T, clk *testclock.Clock) (a, b *env, store *mem.Store) {
	t.Helper()
	now := time.Now
	if clk != nil {
		now = clk.Now
	}
	store = mem.New()
	acc := newAccounts(t, store)
	return newEnvWith(t, store, acc, now, nil), newEnvWith(t, store, acc, now, nil), store
}

const propBody = `<?xml version="1.0"?><D:propertyupdate xmlns:D="DAV:" xmlns:Z="urn:z">` +
	`<D:set><D:prop><Z:k>v</Z:k></D:prop></D:set></D:propertyupdate>`

// TestLocksAcrossGateways: a lock taken through one gateway binds writes
// through the other; its token works there, and refresh and UNLOCK too.
func TestLocksAcrossGateways(t *testing.T) {
	a, b, _ := newGatewayPair(t, nil)
	a.must(201, "alice", "MKCOL", "/shr", "")
	a.must(201, "alice", "PUT", "/shr/f.txt", "v1")
	a.must(201, "alice", "PUT", "/shr/other.txt", "o")
	tok, _ := lock(t, a, "alice", "/shr/f.txt", "Timeout", "Second-60")
	otherTok, _ := lock(t, b, "alice", "/shr/other.txt", "Timeout", "Second-60")
	withTok := []string{"If", "(<" + tok + ">)"}
	steps := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
	}{
		{"put", "PUT", "/shr/f.txt", "v2", nil, 423},
		{"delete", "DELETE", "/shr/f.txt", "", nil, 423},
		{"move away", "MOVE", "/shr/f.txt", "", []string{"Destination", b.srv.URL + "/shr/g.txt"}, 423},
		{"move onto", "MOVE", "/shr/other.txt", "", []string{"Destination", b.srv.URL + "/shr/f.txt", "If", "(<" + otherTok + ">)"}, 412},
		{"proppatch", "PROPPATCH", "/shr/f.txt", propBody, nil, 423},
		{"another lock", "LOCK", "/shr/f.txt", lockBody, nil, 423},
		{"lock of the folder", "LOCK", "/shr", lockBody, nil, 423},
		{"put, token of another resource", "PUT", "/shr/f.txt", "v2", []string{"If", "<" + b.srv.URL + "/shr/other.txt> (<" + otherTok + ">)"}, 412},
		{"put with token", "PUT", "/shr/f.txt", "v3", withTok, 201},
		{"proppatch with token", "PROPPATCH", "/shr/f.txt", propBody, withTok, 207},
		{"refresh", "LOCK", "/shr/f.txt", "", append([]string{"Timeout", "Second-120"}, withTok...), 200},
		{"unlock", "UNLOCK", "/shr/f.txt", "", []string{"Lock-Token", "<" + tok + ">"}, 204},
		{"put once unlocked", "PUT", "/shr/f.txt", "v4", nil, 201},
		{"unlock again", "UNLOCK", "/shr/f.txt", "", []string{"Lock-Token", "<" + tok + ">"}, 409},
	}
	for _, s := range steps {
		code, body, _ := b.call("alice", s.method, s.path, s.body, s.hdr...)
		if code != s.status {
			t.Fatalf("%s through B: %d, want %d: %s", s.name, code, s.status, body)
		}
		if s.name == "refresh" && !strings.Contains(body, "Second-120") {
			t.Fatalf("refresh: %s", body)
		}
	}
	a.must(201, "alice", "PUT", "/shr/f.txt", "v5") // A sees the UNLOCK made through B
	if got, _ := b.must(200, "alice", "GET", "/shr/f.txt", ""); got != "v5" {
		t.Fatalf("content %q", got)
	}
	a.must(423, "alice", "PUT", "/shr/other.txt", "x") // and B's lock
	a.must(201, "bob", "MKCOL", "/shr", "")
	a.must(201, "bob", "PUT", "/shr/other.txt", "bob's") // another user's table
}

// TestLockExpiryAcrossGateways: a lock ends at its timeout on every
// gateway, a refresh through the other gateway extends it.
func TestLockExpiryAcrossGateways(t *testing.T) {
	clk := newTestClock()
	a, b, _ := newGatewayPair(t, clk)
	a.must(201, "alice", "MKCOL", "/exp", "")
	a.must(201, "alice", "PUT", "/exp/f.txt", "v1")
	tok, _ := lock(t, a, "alice", "/exp/f.txt", "Timeout", "Second-60")
	withTok := []string{"If", "(<" + tok + ">)"}
	steps := []struct {
		advance      time.Duration
		method, body string
		hdr          []string
		status       int
	}{
		{59 * time.Second, "PUT", "x", nil, 423},
		{0, "LOCK", "", append([]string{"Timeout", "Second-120"}, withTok...), 200}, // until 179 s
		{61 * time.Second, "PUT", "x", nil, 423},
		{58 * time.Second, "PUT", "x", nil, 423}, // 178 s
		{time.Second, "PUT", "x", nil, 201},      // 179 s: expired
		{0, "LOCK", "", append([]string{"Timeout", "Second-120"}, withTok...), 412},
		{0, "UNLOCK", "", []string{"Lock-Token", "<" + tok + ">"}, 409},
	}
	for i, s := range steps {
		clk.Advance(s.advance)
		if code, body, _ := b.call("alice", s.method, "/exp/f.txt", s.body, s.hdr...); code != s.status {
			t.Fatalf("step %d, %s through B: %d, want %d: %s", i, s.method, code, s.status, body)
		}
	}
}

// TestLockRaceAcrossGateways: two LOCKs of one resource at once, one
// through each gateway: exactly one is granted.
func TestLockRaceAcrossGateways(t *testing.T) {
	a, b, _ := newGatewayPair(t, nil)
	a.must(201, "alice", "MKCOL", "/race", "")
	for round := range 10 {
		path := "/race/f" + string(rune('a'+round))
		a.must(201, "alice", "PUT", path, "x")
		var wg sync.WaitGroup
		codes, errs := make([]int, 2), make([]error, 2)
		start := make(chan struct{})
		for i, g := range []*env{a, b} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				codes[i], errs[i] = rawStatus(g.srv.URL+path, "LOCK", lockBody)
			}()
		}
		close(start)
		wg.Wait()
		slices.Sort(codes)
		if errs[0] != nil || errs[1] != nil || codes[0] != 200 || codes[1] != 423 {
			t.Fatalf("round %d: statuses %v, errors %v", round, codes, errs)
		}
	}
}

// rawStatus sends one request as alice from any goroutine.
func rawStatus(url, method, body string) (int, error) {
	req, err := http.NewRequestWithContext(context.Background(), method, url, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.SetBasicAuth("alice", "pw-alice")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	_ = resp.Body.Close()
	return resp.StatusCode, nil
}

// TestDepthLocksAcrossGateways: a depth-infinity lock on a folder binds
// everything below it through the other gateway; a lock below a folder
// stops a tokenless DELETE or MOVE of the folder, and a depth-infinity
// lock above it.
func TestDepthLocksAcrossGateways(t *testing.T) {
	a, b, _ := newGatewayPair(t, nil)
	a.must(201, "alice", "MKCOL", "/dpt", "")
	a.must(201, "alice", "MKCOL", "/dpt/dir", "")
	a.must(201, "alice", "MKCOL", "/dpt/low", "")
	a.must(201, "alice", "PUT", "/dpt/low/g.txt", "g")
	dirTok, _ := lock(t, a, "alice", "/dpt/dir", "Depth", "infinity")
	lock(t, a, "alice", "/dpt/low/g.txt", "Depth", "0")
	steps := []struct {
		name, method, path, body string
		hdr                      []string
		status                   int
	}{
		{"put below", "PUT", "/dpt/dir/new.txt", "n", nil, 423},
		{"mkcol below", "MKCOL", "/dpt/dir/sub", "", nil, 423},
		{"lock below", "LOCK", "/dpt/dir/x.txt", lockBody, []string{"Depth", "0"}, 423},
		{"lock above", "LOCK", "/dpt", lockBody, nil, 423},
		{"delete folder with a locked file", "DELETE", "/dpt/low", "", nil, 423},
		{"move folder with a locked file", "MOVE", "/dpt/low", "", []string{"Destination", b.srv.URL + "/dpt/low2"}, 423},
		{"put below with token", "PUT", "/dpt/dir/new.txt", "n", []string{"If", "<" + b.srv.URL + "/dpt/dir> (<" + dirTok + ">)"}, 201},
		{"put beside", "PUT", "/dpt/low/h.txt", "h", nil, 201},
		{"depth-0 lock of the folder", "LOCK", "/dpt/low", lockBody, []string{"Depth", "0"}, 200},
	}
	for _, s := range steps {
		if code, body, _ := b.call("alice", s.method, s.path, s.body, s.hdr...); code != s.status {
			t.Fatalf("%s through B: %d, want %d: %s", s.name, code, s.status, body)
		}
	}
}

// TestLockRecordTampered: a lock table altered upstream is an integrity
// failure on every gateway (500, counted), never a crash or a free pass.
func TestLockRecordTampered(t *testing.T) {
	a, b, store := newGatewayPair(t, nil)
	a.must(201, "alice", "MKCOL", "/tmp", "")
	a.must(201, "alice", "PUT", "/tmp/f.txt", "v1")
	tok, _ := lock(t, a, "alice", "/tmp/f.txt")
	tamperShared(t, store)
	before := b.svc.Stats().IntegrityFailures
	steps := []struct {
		name, method, body string
		hdr                []string
	}{
		{"tokenless put", "PUT", "v2", nil},
		{"put with token", "PUT", "v2", []string{"If", "(<" + tok + ">)"}},
		{"lock", "LOCK", lockBody, nil},
		{"refresh", "LOCK", "", []string{"If", "(<" + tok + ">)"}},
		{"unlock", "UNLOCK", "", []string{"Lock-Token", "<" + tok + ">"}},
	}
	for _, s := range steps {
		if code, body, _ := b.call("alice", s.method, "/tmp/f.txt", s.body, s.hdr...); code != 500 {
			t.Fatalf("%s: %d, want 500: %s", s.name, code, body)
		}
	}
	if got := b.svc.Stats().IntegrityFailures - before; got != int64(len(steps)) {
		t.Fatalf("%d integrity failures counted, want %d", got, len(steps))
	}
	if got, _ := b.must(200, "alice", "GET", "/tmp/f.txt", ""); got != "v1" {
		t.Fatalf("content %q", got)
	}
}

// tamperShared flips one byte of the only shared record upstream.
func tamperShared(t *testing.T, store *mem.Store) {
	t.Helper()
	ctx := context.Background()
	page, err := store.List(ctx, backends.ListOptions{Prefix: ".sealgate/shared/"})
	if err != nil || len(page.Objects) != 1 {
		t.Fatalf("shared records: %+v %v", page.Objects, err)
	}
	key := page.Objects[0].Key
	rc, _, err := store.Get(ctx, key, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(rc)
	_ = rc.Close()
	data := buf.Bytes()
	data[len(data)/2] ^= 0x40
	if _, err := store.Put(ctx, key, bytes.NewReader(data), int64(len(data)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
}

// sharedCounter counts upstream reads and writes of shared records.
type sharedCounter struct {
	*mem.Store
	gets, puts atomic.Int64
}

func (s *sharedCounter) Get(ctx context.Context, key string, off, n int64) (io.ReadCloser, backends.ObjectInfo, error) {
	if strings.HasPrefix(key, ".sealgate/shared/") {
		s.gets.Add(1)
	}
	return s.Store.Get(ctx, key, off, n)
}

func (s *sharedCounter) Put(ctx context.Context, key string, r io.Reader, size int64, o backends.PutOptions) (backends.ObjectInfo, error) {
	if strings.HasPrefix(key, ".sealgate/shared/") {
		s.puts.Add(1)
	}
	return s.Store.Put(ctx, key, r, size, o)
}

// TestLockUpstreamCost: what each request costs in lock table reads and
// writes (the cost davapi's doc states).
func TestLockUpstreamCost(t *testing.T) {
	store := &sharedCounter{Store: mem.New()}
	e := newEnvOn(t, store)
	e.must(201, "alice", "MKCOL", "/cost", "")
	e.must(201, "alice", "PUT", "/cost/f.txt", "v1")
	tok := ""
	steps := []struct {
		name, method, path, body string
		hdr                      func() []string
		status                   int
		gets, puts               int64
	}{
		{"get", "GET", "/cost/f.txt", "", nil, 200, 0, 0},
		{"propfind", "PROPFIND", "/cost/", "", func() []string { return []string{"Depth", "1"} }, 207, 0, 0},
		{"put", "PUT", "/cost/f.txt", "v2", nil, 201, 1, 0},
		{"move", "MOVE", "/cost/f.txt", "", func() []string { return []string{"Destination", e.srv.URL + "/cost/g.txt"} }, 201, 1, 0},
		{"lock", "LOCK", "/cost/g.txt", lockBody, nil, 200, 1, 1},
		{"put with token", "PUT", "/cost/g.txt", "v3", func() []string { return []string{"If", "(<" + tok + ">)"} }, 201, 1, 0},
		{"refresh", "LOCK", "/cost/g.txt", "", func() []string { return []string{"If", "(<" + tok + ">)"} }, 200, 1, 1},
		{"unlock", "UNLOCK", "/cost/g.txt", "", func() []string { return []string{"Lock-Token", "<" + tok + ">"} }, 204, 1, 1},
	}
	for _, s := range steps {
		var hdr []string
		if s.hdr != nil {
			hdr = s.hdr()
		}
		gets, puts := store.gets.Load(), store.puts.Load()
		_, h := e.must(s.status, "alice", s.method, s.path, s.body, hdr...)
		if s.name == "lock" {
			tok = strings.Trim(h.Get("Lock-Token"), "<>")
		}
		if g, p := store.gets.Load()-gets, store.puts.Load()-puts; g != s.gets || p != s.puts {
			t.Errorf("%s: %d reads and %d writes of the lock table, want %d and %d", s.name, g, p, s.gets, s.puts)
		}
	}
}
