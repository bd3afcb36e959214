package webapp

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/testclock"
	"github.com/sealgate/sealgate/internal/testlog"
)

// testLogins is what cmd wires (cmd/sealgate/web.go): accounts, the
// service, and the session key derived the same way.
type testLogins struct {
	acc *accounts.Accounts
	svc *gateway.Service
}

func (l testLogins) Login(name string, pw []byte) (User, error) {
	a, err := l.acc.Login(name, pw)
	if err != nil {
		return User{}, err
	}
	return l.user(a), nil
}

func (l testLogins) Lookup(name string) (User, error) {
	a, err := l.acc.Get(name)
	if err != nil {
		return User{}, err
	}
	if a.Status() != accounts.AccountActive {
		return User{}, gateway.ErrAccessDenied
	}
	return l.user(a), nil
}

func (l testLogins) user(a *accounts.Account) User {
	u := a.KeyRecord()
	k := u.DeriveUserKey("web session")
	m := hmac.New(sha256.New, k[:])
	m.Write(u.Password.Salt[:])
	m.Write(u.Password.Hash[:])
	var key SessionKey
	copy(key[:], m.Sum(nil))
	return User{Name: a.Name(), NS: l.svc.Namespace(a), SessionKey: key}
}

// env is a live web door over the real gateway on a mem store, with the
// accounts alice and bob (password "pw-" + name).
type env struct {
	t     testing.TB
	srv   *httptest.Server
	store backends.Store
	svc   *gateway.Service
	acc   *accounts.Accounts
	logs  *testlog.Buffer
	clock *testclock.Clock
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, mem.New())
}

// newEnvOn is newEnv over store.
func newEnvOn(t testing.TB, store backends.Store) *env {
	t.Helper()
	acc, err := accounts.Open(context.Background(), accounts.Config{Store: store, DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = acc.Close() })
	for _, u := range []string{"alice", "bob"} {
		if _, err := acc.Create(context.Background(), u, []byte("pw-"+u)); err != nil {
			t.Fatal(err)
		}
	}
	return newGateway(t, store, acc, testclock.New(time.Now()), false)
}

// newGateway is another door (another gateway) over the same upstream and
// accounts.
func newGateway(t testing.TB, store backends.Store, acc *accounts.Accounts, clock *testclock.Clock, tls bool) *env {
	t.Helper()
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	logs := &testlog.Buffer{}
	h, err := New(Config{Logins: testLogins{acc, svc}, Logger: zerolog.New(logs).Level(zerolog.DebugLevel),
		Now: clock.Now, RecheckAfter: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(h)
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, store: store, svc: svc, acc: acc, logs: logs, clock: clock}
}

// ns is a user's namespace, as the other doors see it.
func (e *env) ns(user string) gateway.Namespace {
	e.t.Helper()
	a, err := e.acc.Get(user)
	if err != nil {
		e.t.Fatal(err)
	}
	return e.svc.Namespace(a)
}

// client is a signed-in browser: its session cookie and CSRF token.
type client struct {
	e      *env
	cookie *http.Cookie
	csrf   string
}

// rawLogin posts a sign-in and returns the response (body unread).
func (e *env) rawLogin(name, password string, hdr ...string) *http.Response {
	e.t.Helper()
	body, _ := json.Marshal(loginRequest{Name: name, Password: password})
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/login", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", e.srv.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// login signs user in with the right password.
func (e *env) login(user string) *client {
	e.t.Helper()
	resp := e.rawLogin(user, "pw-"+user)
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		e.t.Fatalf("login %s: %d %s", user, resp.StatusCode, b)
	}
	var s sessionJSON
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		e.t.Fatal(err)
	}
	c := &client{e: e, csrf: s.CSRF}
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			c.cookie = ck
		}
	}
	if c.cookie == nil || s.User != user || s.CSRF == "" {
		e.t.Fatalf("login %s: cookie %v, session %+v", user, c.cookie, s)
	}
	return c
}

// on is the same browser session sent to another gateway.
func (c *client) on(e *env) *client { return &client{e: e, cookie: c.cookie, csrf: c.csrf} }

// do sends a request as a same-origin page would (cookie, Origin,
// Sec-Fetch-Site, and the CSRF token on state-changing methods); hdr pairs
// override or, with an empty value, remove headers.
func (c *client) do(method, path string, body io.Reader, hdr ...string) *http.Response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.srv.URL+path, body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	if c.cookie != nil {
		req.AddCookie(c.cookie)
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	if unsafeMethod(method) {
		req.Header.Set("Origin", c.e.srv.URL)
		req.Header.Set(csrfHeader, c.csrf)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i+1] == "" {
			req.Header.Del(hdr[i])
		} else {
			req.Header.Set(hdr[i], hdr[i+1])
		}
	}
	resp, err := c.e.srv.Client().Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp
}

// call sends a request and returns the status and body.
func (c *client) call(method, path, body string, hdr ...string) (int, string) {
	c.e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	resp := c.do(method, path, rd, hdr...)
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// must sends a request and fails unless the status is want.
func (c *client) must(want int, method, path, body string, hdr ...string) string {
	c.e.t.Helper()
	code, b := c.call(method, path, body, hdr...)
	if code != want {
		c.e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, b)
	}
	return b
}

// decode parses a JSON answer into v.
func decode(t testing.TB, body string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%v: %s", err, body)
	}
}
