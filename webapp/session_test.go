package webapp

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestLoginSetsStrictCookie(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	ck := c.cookie
	if !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" || ck.Secure {
		t.Fatalf("cookie over http: %+v; want HttpOnly, SameSite=Strict, Path=/, not Secure", ck)
	}
	if d := time.Until(ck.Expires); d < 11*time.Hour || d > 13*time.Hour {
		t.Fatalf("cookie expires in %v, want the 12h default", d)
	}
	var s sessionJSON
	decode(t, c.must(200, "GET", "/api/session", ""), &s)
	if s.User != "alice" || s.CSRF != c.csrf {
		t.Fatalf("session: %+v", s)
	}

	tls := newGateway(t, e.store, e.acc, e.clock, true)
	if ck := tls.login("bob").cookie; !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode {
		t.Fatalf("cookie over TLS: %+v; want Secure too", ck)
	}

	// Behind a proxy that ends TLS, Config.SecureCookie sets it.
	h, err := New(Config{Logins: testLogins{e.acc, e.svc}, SecureCookie: true})
	if err != nil {
		t.Fatal(err)
	}
	proxied := *e
	proxied.srv = httptest.NewServer(h)
	t.Cleanup(proxied.srv.Close)
	if ck := proxied.login("alice").cookie; !ck.Secure {
		t.Fatalf("cookie with SecureCookie: %+v; want Secure", ck)
	}
}

func TestLoginRefused(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name, pw string
		want     int
	}{
		{"alice", "wrong", 401},
		{"alice", "pw-bob", 401},
		{"nobody", "pw-alice", 401},
		{"alice", "", 400},
		{"", "pw-alice", 400},
	} {
		resp := e.rawLogin(tc.name, tc.pw)
		_ = resp.Body.Close()
		if resp.StatusCode != tc.want || len(resp.Cookies()) != 0 {
			t.Errorf("login %q/%q: %d with %d cookies, want %d and none", tc.name, tc.pw, resp.StatusCode, len(resp.Cookies()), tc.want)
		}
	}
	// Not JSON, unknown fields, cross-site: refused before any check.
	c := &client{e: e}
	for _, body := range []string{"name=alice&password=pw-alice", `{"name":"alice","password":"pw-alice","x":1}`} {
		if code, _ := c.call("POST", "/api/login", body, "Origin", e.srv.URL); code != 400 {
			t.Errorf("login body %q: %d, want 400", body, code)
		}
	}
	resp := e.rawLogin("alice", "pw-alice", "Origin", "http://evil.example")
	_ = resp.Body.Close()
	if resp.StatusCode != 403 || len(resp.Cookies()) != 0 {
		t.Errorf("cross-site login: %d, want 403", resp.StatusCode)
	}
}

// TestLoginFailuresPaced: past 5 failures from one address, each failure
// is answered later (the address throttle davapi uses; names differ so
// that the accounts' per-name pacing is not what is measured).
func TestLoginFailuresPaced(t *testing.T) {
	e := newEnv(t)
	var last time.Duration
	for i := range 7 {
		start := time.Now()
		resp := e.rawLogin("nobody"+strings.Repeat("x", i), "wrong")
		_ = resp.Body.Close()
		last = time.Since(start)
		if resp.StatusCode != 401 {
			t.Fatalf("attempt %d: %d", i, resp.StatusCode)
		}
	}
	if last < 150*time.Millisecond {
		t.Fatalf("the 7th failure was answered in %v; want it slowed (200ms)", last)
	}
}

func TestNoSessionRefused(t *testing.T) {
	e := newEnv(t)
	good := e.login("alice")
	tampered := func(f func([]byte)) *http.Cookie {
		p, err := parseToken(good.cookie.Value)
		if err != nil {
			t.Fatal(err)
		}
		b := append(append([]byte(nil), p.body...), p.mac...)
		f(b)
		return &http.Cookie{Name: cookieName, Value: b64.EncodeToString(b)}
	}
	bobTok := e.login("bob")
	for name, ck := range map[string]*http.Cookie{
		"none":          nil,
		"garbage":       {Name: cookieName, Value: "not a token"},
		"flipped mac":   tampered(func(b []byte) { b[len(b)-1] ^= 1 }),
		"later expiry":  tampered(func(b []byte) { b[10] ^= 1 }),
		"renamed":       tampered(func(b []byte) { b[tokenFixedLen] = 'b' }),
		"other's mac":   {Name: cookieName, Value: mixMAC(t, good.cookie.Value, bobTok.cookie.Value)},
		"oversized":     {Name: cookieName, Value: strings.Repeat("A", maxTokenLen+1)},
		"wrong version": tampered(func(b []byte) { b[0] = 2 }),
	} {
		c := &client{e: e, cookie: ck}
		resp := c.do("GET", "/api/buckets", nil)
		_ = resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Errorf("%s: %d, want 401", name, resp.StatusCode)
		}
		if ck != nil && !clearsCookie(resp) {
			t.Errorf("%s: the 401 does not clear the cookie", name)
		}
	}
}

// mixMAC is a's token with b's MAC.
func mixMAC(t *testing.T, a, b string) string {
	pa, err := parseToken(a)
	if err != nil {
		t.Fatal(err)
	}
	pb, err := parseToken(b)
	if err != nil {
		t.Fatal(err)
	}
	return b64.EncodeToString(append(append([]byte(nil), pa.body...), pb.mac...))
}

func clearsCookie(resp *http.Response) bool {
	for _, c := range resp.Cookies() {
		if c.Name == cookieName && c.Value == "" && c.MaxAge < 0 {
			return true
		}
	}
	return false
}

func TestSessionExpires(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(200, "GET", "/api/buckets", "")
	e.clock.Advance(12*time.Hour - time.Second)
	c.must(200, "GET", "/api/buckets", "")
	e.clock.Advance(2 * time.Second)
	c.must(401, "GET", "/api/buckets", "")
}

// TestLogoutEndsSessionEverywhere: a signed-out cookie replayed is
// refused on the gateway that signed it out at once, and on another
// gateway over the same upstream once its cached record is older than
// RecheckAfter (an hour in these tests).
func TestLogoutEndsSessionEverywhere(t *testing.T) {
	e := newEnv(t)
	other := newGateway(t, e.store, e.acc, e.clock, false)
	c := e.login("alice")
	c.on(other).must(200, "GET", "/api/buckets", "") // any gateway verifies it
	c.must(204, "POST", "/api/logout", "")
	c.must(401, "GET", "/api/buckets", "")
	c.must(401, "GET", "/api/session", "")
	c.on(other).must(200, "GET", "/api/buckets", "") // within its recheck bound
	e.clock.Advance(time.Hour + time.Second)
	c.on(other).must(401, "GET", "/api/buckets", "")
	// A gateway that never saw the session reads the record at once.
	third := newGateway(t, e.store, e.acc, e.clock, false)
	c.on(third).must(401, "GET", "/api/buckets", "")
	// Other sessions of the account go on.
	d := e.login("alice")
	d.on(other).must(200, "GET", "/api/buckets", "")
}

func TestLogoutEverywhere(t *testing.T) {
	e := newEnv(t)
	a, b, bob := e.login("alice"), e.login("alice"), e.login("bob")
	e.clock.Advance(time.Millisecond)
	a.must(204, "POST", "/api/logout?everywhere=1", "")
	b.must(401, "GET", "/api/buckets", "")
	bob.must(200, "GET", "/api/buckets", "")
	e.clock.Advance(time.Millisecond)
	e.login("alice").must(200, "GET", "/api/buckets", "")
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	if err := e.acc.ChangePassword(context.Background(), "alice", []byte("new password")); err != nil {
		t.Fatal(err)
	}
	c.must(401, "GET", "/api/buckets", "")
}

func TestRevokedIDsBounded(t *testing.T) {
	var r revocation
	now := time.Now()
	for i := range maxRevoked {
		r.add(token{Issued: now, Expires: now.Add(time.Hour), ID: [16]byte{byte(i), byte(i >> 8)}}, now)
	}
	if len(r.Revoked) != maxRevoked || r.NotBefore != 0 {
		t.Fatalf("%d revoked, not before %d", len(r.Revoked), r.NotBefore)
	}
	later := now.Add(time.Minute)
	r.add(token{Issued: later, Expires: later.Add(time.Hour), ID: [16]byte{0xff, 0xff}}, later)
	if len(r.Revoked) != 0 || r.NotBefore != later.UnixMilli() || !r.ends(token{Issued: now}) || r.ends(token{Issued: later.Add(time.Millisecond)}) {
		t.Fatalf("overflow: %d revoked, not before %d", len(r.Revoked), r.NotBefore)
	}
	// Expired sessions' ids are dropped at the next sign-out.
	r = revocation{}
	r.add(token{Expires: now.Add(time.Minute), ID: [16]byte{1}}, now)
	r.add(token{Expires: now.Add(3 * time.Hour), ID: [16]byte{2}}, now.Add(2*time.Hour))
	if len(r.Revoked) != 1 {
		t.Fatalf("expired ids kept: %v", r.Revoked)
	}
}

func TestTokenRoundTrip(t *testing.T) {
	var k SessionKey
	k[0] = 7
	now := time.UnixMilli(time.Now().UnixMilli())
	tok := token{Issued: now, Expires: now.Add(time.Hour), ID: [16]byte{1, 2, 3}, Name: "élise.o'brien"}
	p, err := parseToken(tok.seal(k))
	if err != nil || !p.verify(k) || !p.Issued.Equal(tok.Issued) || !p.Expires.Equal(tok.Expires) || p.ID != tok.ID || p.Name != tok.Name {
		t.Fatalf("round trip: %+v %v", p, err)
	}
	k[0] = 8
	if p.verify(k) {
		t.Fatal("a token verifies under another key")
	}
	if s := k.String() + k.GoString(); strings.Contains(s, "8") {
		t.Fatalf("a session key prints: %s", s)
	}
	if checkCSRF(k, tok.ID, csrfToken(k, [16]byte{9})) || !checkCSRF(k, tok.ID, csrfToken(k, tok.ID)) {
		t.Fatal("CSRF token not bound to the session id")
	}
}

// TestSecretsNeverLogged: passwords, cookies, CSRF tokens never reach the
// log, at debug level, through sign-in, failures and sign-out.
func TestSecretsNeverLogged(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	resp := e.rawLogin("alice", "wrong-secret-pw")
	_ = resp.Body.Close()
	c.must(201, "POST", "/api/buckets", `{"name":"logged"}`)
	c.must(403, "POST", "/api/buckets", `{"name":"x2"}`, csrfHeader, "forged-token-value")
	c.must(204, "POST", "/api/logout", "")
	c.must(401, "GET", "/api/buckets", "")
	log := e.logs.String()
	for _, secret := range []string{"pw-alice", "wrong-secret-pw", c.cookie.Value, c.csrf, "forged-token-value"} {
		if strings.Contains(log, secret) {
			t.Errorf("the log contains a secret (%d bytes)", len(secret))
		}
	}
	if !strings.Contains(log, `"op":"login"`) || !strings.Contains(log, `"user":"alice"`) {
		t.Fatalf("no access log lines:\n%s", log)
	}
}
