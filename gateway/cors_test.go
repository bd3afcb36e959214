package gateway

import (
	"bytes"
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

func int32p(v int32) *int32 { return &v }

func TestCheckCORS(t *testing.T) {
	ok := CORSRule{AllowedOrigins: []string{"https://*.example.com"}, AllowedMethods: []string{"GET", "PUT"},
		AllowedHeaders: []string{"*", "x-amz-*"}, ExposeHeaders: []string{"ETag"}, MaxAgeSeconds: int32p(-5)}
	with := func(f func(*CORSRule)) []CORSRule { r := ok; f(&r); return []CORSRule{r} }
	many := make([]CORSRule, MaxCORSRules+1)
	for i := range many {
		many[i] = ok
	}
	tests := []struct {
		name  string
		rules []CORSRule
		want  CORSProblem
		value string
	}{
		{"valid", []CORSRule{ok}, 0, ""},
		{"100 rules", many[:MaxCORSRules], 0, ""},
		{"no rule", nil, CORSNoRules, ""},
		{"101 rules", many, CORSTooManyRules, ""},
		{"no origin", with(func(r *CORSRule) { r.AllowedOrigins = nil }), CORSNoOrigin, ""},
		{"two wildcards", with(func(r *CORSRule) { r.AllowedOrigins = []string{"ok", "*a*"} }), CORSOriginWildcard, "*a*"},
		{"no method", with(func(r *CORSRule) { r.AllowedMethods = nil }), CORSNoMethod, ""},
		{"lower-case method", with(func(r *CORSRule) { r.AllowedMethods = []string{"get"} }), CORSBadMethod, "get"},
		{"OPTIONS", with(func(r *CORSRule) { r.AllowedMethods = []string{"GET", "OPTIONS"} }), CORSBadMethod, "OPTIONS"},
		{"empty method", with(func(r *CORSRule) { r.AllowedMethods = []string{""} }), CORSBadMethod, ""},
		{"header with space", with(func(r *CORSRule) { r.AllowedHeaders = []string{"a b"} }), CORSBadHeader, "a b"},
		{"expose with colon", with(func(r *CORSRule) { r.ExposeHeaders = []string{"X:Y"} }), CORSBadHeader, "X:Y"},
		{"long ID", with(func(r *CORSRule) { r.ID = strings.Repeat("i", 256) }), CORSBadID, strings.Repeat("i", 256)},
		{"too large", with(func(r *CORSRule) { r.AllowedOrigins = []string{strings.Repeat("o", 70<<10)} }), CORSTooLarge, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckCORS(tt.rules)
			var ce *CORSError
			switch {
			case tt.want == 0 && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want == 0:
			case !errors.As(err, &ce) || ce.Problem != tt.want || ce.Value != tt.value || !errors.Is(err, ErrInvalidArgument):
				t.Fatalf("got %v, want problem %d value %q", err, tt.want, tt.value)
			}
		})
	}
}

func TestCORSAllows(t *testing.T) {
	rules := []CORSRule{
		{AllowedOrigins: []string{"http://example.com", "https://example.com"}, AllowedMethods: []string{"GET"},
			AllowedHeaders: []string{"X-Amz-Date", "x-amz-content-sha256"}},
		{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"HEAD"}},
		{AllowedOrigins: []string{"http://origin*"}, AllowedMethods: []string{"POST"}, AllowedHeaders: []string{"Authorization"}},
		{AllowedOrigins: []string{"https://*.site.net"}, AllowedMethods: []string{"PUT"}, AllowedHeaders: []string{"X-Amz-*"}},
	}
	tests := []struct {
		origin, method string
		headers        []string
		rule           int // index of the rule that allows; -1: none
		star           bool
	}{
		{"http://example.com", "GET", nil, 0, false},
		{"https://example.com", "GET", []string{"x-amz-date", "X-AMZ-CONTENT-SHA256"}, 0, false},
		{"http://example.com", "GET", []string{"X-Amz-Date", "Extra"}, -1, false},
		{"http://example.com", "PUT", nil, -1, false},
		{"http://example.com.evil", "GET", nil, -1, false},
		{"http://anything", "HEAD", nil, 1, true},
		{"http://anything", "HEAD", []string{"X-Custom"}, -1, false},
		{"http://origin.com", "POST", []string{"Authorization"}, 2, false},
		{"https://origin.com", "POST", nil, -1, false},
		{"https://a.b.site.net", "PUT", []string{"x-amz-meta-a", "X-Amz-Date"}, 3, false},
		{"https://site.net", "PUT", nil, -1, false},
		{"https://a.site.net", "PUT", []string{"Content-Type"}, -1, false},
		{"https://a.site.net", "put", nil, -1, false},
	}
	for _, tt := range tests {
		r, star := MatchCORS(rules, tt.origin, tt.method, tt.headers)
		got := -1
		for i := range rules {
			if r == &rules[i] {
				got = i
			}
		}
		if got != tt.rule || star != tt.star {
			t.Errorf("%s %s %v: rule %d star %v, want %d %v", tt.origin, tt.method, tt.headers, got, star, tt.rule, tt.star)
		}
	}
}

func TestWildcardMatch(t *testing.T) {
	for _, tt := range []struct {
		p, s string
		want bool
	}{
		{"", "", true}, {"*", "", true}, {"*", "anything", true}, {"a*", "a", true}, {"a*c", "abbbc", true},
		{"a*c", "abbbd", false}, {"*.example.com", "x.example.com", true}, {"*.example.com", "example.com", false},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "aXcYb", false}, {"abc", "abcd", false}, {"abcd", "abc", false},
	} {
		if got := wildcardMatch(tt.p, tt.s); got != tt.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", tt.p, tt.s, got)
		}
	}
	// A header pattern of many stars against a long name stays fast.
	start := time.Now()
	if wildcardMatch(strings.Repeat("*a", 200)+"b", strings.Repeat("a", 8000)) {
		t.Fatal("matched")
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("pathological match took %v", d)
	}
}

// corsDeployment is two gateways over one store, with accounts alice and
// bob, each owning a bucket "site", and a clock the test moves.
type corsDeployment struct {
	st         backends.Store
	svc        [2]*Service
	alice, bob [2]*userNS // on each gateway
	mu         sync.Mutex
	now        time.Time
}

func (d *corsDeployment) advance(dt time.Duration) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.now = d.now.Add(dt)
}

func newCORSDeployment(t *testing.T, st backends.Store) *corsDeployment {
	t.Helper()
	ks := &cryptolayer.Keystore{}
	var users []*cryptolayer.User
	for _, name := range []string{"alice", "bob"} {
		u, err := ks.AddUser(name, []byte("password-"+name), cryptolayer.MinPasswordParams)
		if err != nil {
			t.Fatal(err)
		}
		users = append(users, u)
	}
	d := &corsDeployment{st: st, now: time.Now()}
	clock := func() time.Time { d.mu.Lock(); defer d.mu.Unlock(); return d.now }
	accts := func() []Account { return []Account{testAccount{users[0]}, testAccount{users[1]}} }
	for i := range d.svc {
		svc, err := NewService(Config{Store: st, Now: clock, Accounts: accts})
		if err != nil {
			t.Fatal(err)
		}
		d.svc[i] = svc
		d.alice[i], d.bob[i] = svc.namespaceFor(users[0]), svc.namespaceFor(users[1])
	}
	mustBucket(t, d.alice[0], "site")
	mustBucket(t, d.bob[1], "site")
	return d
}

// TestCORSAcrossGateways: the rules are one record that every gateway
// reads; requests see a change within CORSCacheTTL; anonymous preflights
// find every owner of a bucket name.
func TestCORSAcrossGateways(t *testing.T) {
	for _, up := range upstreams {
		t.Run(up.name, func(t *testing.T) { testCORSAcrossGateways(t, up.open(t)) })
	}
}

func testCORSAcrossGateways(t *testing.T, st backends.Store) {
	ctx := context.Background()
	d := newCORSDeployment(t, st)
	a0, a1, b0, b1 := d.alice[0], d.alice[1], d.bob[0], d.bob[1]
	ruleA := []CORSRule{{ID: "a", AllowedOrigins: []string{"https://a.example"}, AllowedMethods: []string{"GET"}, MaxAgeSeconds: int32p(60)}}
	ruleA2 := []CORSRule{{ID: "a2", AllowedOrigins: []string{"*"}, AllowedMethods: []string{"PUT", "POST"}}}
	ruleB := []CORSRule{{ID: "b", AllowedOrigins: []string{"https://b.example"}, AllowedMethods: []string{"DELETE"}}}

	if _, err := a1.GetBucketCORS(ctx, "site"); !errors.Is(err, ErrNoSuchCORS) {
		t.Fatalf("unset: %v", err)
	}
	wantPreflight(t, d.svc[1], "site", nil)
	if err := a0.PutBucketCORS(ctx, "site", ruleA); err != nil {
		t.Fatal(err)
	}
	if got, err := a1.GetBucketCORS(ctx, "site"); err != nil || !reflect.DeepEqual(got, ruleA) {
		t.Fatalf("other gateway reads %+v %v", got, err)
	}
	// Gateway 1 listed the markers (none) less than CORSCacheTTL ago: it
	// sees alice's configuration once that has passed.
	d.advance(CORSCacheTTL)
	wantPreflight(t, d.svc[1], "site", ruleA)
	wantPreflight(t, d.svc[0], "site", ruleA)
	wantPreflight(t, d.svc[1], "other", nil)

	// A change through gateway 0 reaches gateway 1's requests within the TTL.
	if err := a0.PutBucketCORS(ctx, "site", ruleA2); err != nil {
		t.Fatal(err)
	}
	wantRules(t, a0, "site", ruleA2) // at once where it was made
	wantRules(t, a1, "site", ruleA)
	d.advance(CORSCacheTTL - time.Millisecond)
	wantRules(t, a1, "site", ruleA)
	d.advance(time.Millisecond)
	wantRules(t, a1, "site", ruleA2)

	// Bob's bucket of the same name: a preflight tries both owners' rules.
	if err := b1.PutBucketCORS(ctx, "site", ruleB); err != nil {
		t.Fatal(err)
	}
	d.advance(CORSCacheTTL)
	both := append(append([]CORSRule(nil), ruleA2...), ruleB...)
	if d.alice[0].dir > d.bob[0].dir {
		both = append(append([]CORSRule(nil), ruleB...), ruleA2...)
	}
	wantPreflight(t, d.svc[0], "site", both)
	wantPreflight(t, d.svc[1], "site", both)

	// Deleting bob's configuration (through the other gateway) removes it.
	if err := b0.PutBucketCORS(ctx, "site", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := b1.GetBucketCORS(ctx, "site"); !errors.Is(err, ErrNoSuchCORS) {
		t.Fatalf("deleted: %v", err)
	}
	d.advance(CORSCacheTTL)
	wantPreflight(t, d.svc[1], "site", ruleA2)

	// A bucket deleted and created again has no configuration.
	wantRules(t, a1, "site", ruleA2)
	if err := a1.DeleteBucket(ctx, "site"); err != nil {
		t.Fatal(err)
	}
	wantRules(t, a1, "site", nil) // at once on the gateway that deleted it
	if m := upstreamUnder(t, st, corsRoot+a1.dir+"/"); len(m) != 0 {
		t.Fatalf("the deleted bucket's marker is left: %v", m)
	}
	mustBucket(t, a1, "site")
	if _, err := a0.GetBucketCORS(ctx, "site"); !errors.Is(err, ErrNoSuchCORS) {
		t.Fatalf("recreated bucket: %v", err)
	}
	d.advance(CORSCacheTTL)
	wantPreflight(t, d.svc[0], "site", nil)
	if err := a0.PutBucketCORS(ctx, "nosuchbucket", ruleA); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("missing bucket: %v", err)
	}

	// The upstream holds no bucket name in clear.
	for _, k := range upstreamUnder(t, st, "") {
		if strings.Contains(k, "site") {
			t.Errorf("upstream key %q names the bucket", k)
		}
	}
}

func wantRules(t *testing.T, n *userNS, bucket string, want []CORSRule) {
	t.Helper()
	got, err := n.CORSRules(context.Background(), bucket)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("CORSRules = %+v %v, want %+v", got, err, want)
	}
}

func wantPreflight(t *testing.T, svc *Service, bucket string, want []CORSRule) {
	t.Helper()
	got, err := svc.PreflightCORS(context.Background(), bucket)
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("PreflightCORS(%s) = %+v %v, want %+v", bucket, got, err, want)
	}
}

// TestCORSForgedMarkers: markers the upstream makes up, or of accounts the
// gateway does not know, grant nothing and fail nothing.
func TestCORSForgedMarkers(t *testing.T) {
	ctx := context.Background()
	d := newCORSDeployment(t, newFixture(t).mem)
	key, err := d.alice[0].corsMarkerKey("site")
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{key, corsRoot + "unknown-dir/" + "X", corsRoot + d.bob[0].dir + "/NOTAMAC"} {
		if _, err := d.st.Put(ctx, k, bytes.NewReader(nil), 0, backends.PutOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	wantPreflight(t, d.svc[1], "site", nil) // alice's marker, but no record
	// A record that does not open (another user's, moved) is no rule.
	if err := d.bob[0].PutBucketCORS(ctx, "site", []CORSRule{{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}}); err != nil {
		t.Fatal(err)
	}
	bobKey, _ := d.bob[0].sharedKey(corsShare + "site")
	aliceKey, _ := d.alice[0].sharedKey(corsShare + "site")
	rc, _, err := d.st.Get(ctx, bobKey, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(rc)
	_ = rc.Close()
	if _, err := d.st.Put(ctx, aliceKey, bytes.NewReader(buf.Bytes()), int64(buf.Len()), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	d.advance(CORSCacheTTL)
	got, err := d.svc[1].PreflightCORS(ctx, "site")
	if err != nil || len(got) != 1 {
		t.Fatalf("only bob's rule should answer: %+v %v", got, err)
	}
	if _, err := d.alice[1].GetBucketCORS(ctx, "site"); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("moved record: %v", err)
	}
}
