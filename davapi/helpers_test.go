package davapi

import (
	"context"
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
	"github.com/sealgate/sealgate/internal/testlog"
)

// accountLogins is what cmd wires: accounts.Accounts + Service.
type accountLogins struct {
	acc *accounts.Accounts
	svc *gateway.Service
}

func (l accountLogins) Login(name string, pw []byte) (User, error) {
	a, err := l.acc.Login(name, pw)
	if err != nil {
		return User{}, err
	}
	return User{Name: a.Name(), NS: l.svc.Namespace(a)}, nil
}

// env is a live WebDAV door over the real gateway on a mem store.
type env struct {
	t    testing.TB
	srv  *httptest.Server
	svc  *gateway.Service
	acc  *accounts.Accounts
	logs *testlog.Buffer
}

func newEnv(t testing.TB) *env {
	t.Helper()
	return newEnvOn(t, mem.New())
}

// newEnvOn is a live door over the real gateway on store.
func newEnvOn(t testing.TB, store backends.Store) *env {
	t.Helper()
	return newEnvWith(t, store, newAccounts(t, store), time.Now, nil)
}

// newEnvWith is a live door over a new gateway Service on store, for the
// accounts of acc, with the door's clock now and obs as Config.Observe.
// Two of them over one store and one acc are two gateways over one
// upstream.
func newEnvWith(t testing.TB, store backends.Store, acc *accounts.Accounts, now func() time.Time, obs gateway.Observer) *env {
	t.Helper()
	svc, err := gateway.NewService(gateway.Config{Store: store})
	if err != nil {
		t.Fatal(err)
	}
	logs := &testlog.Buffer{}
	h, err := New(Config{Logins: accountLogins{acc, svc}, Logger: zerolog.New(logs).Level(zerolog.DebugLevel), Now: now, Observe: obs})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &env{t: t, srv: srv, svc: svc, acc: acc, logs: logs}
}

// newAccounts opens a new deployment's keystore in store with the accounts
// alice and bob (password "pw-" + name).
func newAccounts(t testing.TB, store backends.Store) *accounts.Accounts {
	t.Helper()
	acc, err := accounts.Open(context.Background(), accounts.Config{Store: store, DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { acc.Close() })
	for _, u := range []string{"alice", "bob"} {
		if _, err := acc.Create(context.Background(), u, []byte("pw-"+u)); err != nil {
			t.Fatal(err)
		}
	}
	return acc
}

// ns is the user's namespace, as the S3 door sees it.
func (e *env) ns(user string) gateway.Namespace {
	e.t.Helper()
	a, err := e.acc.Login(user, []byte("pw-"+user))
	if err != nil {
		e.t.Fatal(err)
	}
	return e.svc.Namespace(a)
}

// do sends a request as user ("" = no auth) with header pairs.
func (e *env) do(user, method, path, body string, hdr ...string) *http.Response {
	e.t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if user != "" {
		req.SetBasicAuth(user, "pw-"+user)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp
}

// call sends a request and returns the status and body.
func (e *env) call(user, method, path, body string, hdr ...string) (int, string, http.Header) {
	e.t.Helper()
	resp := e.do(user, method, path, body, hdr...)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// must sends a request and fails unless the status is want.
func (e *env) must(want int, user, method, path, body string, hdr ...string) (string, http.Header) {
	e.t.Helper()
	code, b, h := e.call(user, method, path, body, hdr...)
	if code != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, code, want, b)
	}
	return b, h
}

// get reads an object through the gateway (what S3 sees).
func (e *env) get(user, bucket, key string) ([]byte, gateway.ObjectInfo, error) {
	e.t.Helper()
	or, err := e.ns(user).GetObject(context.Background(), bucket, key, gateway.GetOptions{})
	if err != nil {
		return nil, gateway.ObjectInfo{}, err
	}
	defer or.Body.Close()
	b, err := io.ReadAll(or.Body)
	return b, or.Info, err
}
