package accounts

import (
	"errors"
	"testing"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// TestLoginCache: a successful login is cached (no Argon2id), and the
// cache entry dies with a change of password, keys, status or the account.
func TestLoginCache(t *testing.T) {
	clk := newTestClock()
	a := openTest(t, newTestDir(t), clk)
	pw := []byte("ivan password")
	mustCreate(t, a, "ivan", pw)
	steps := []struct {
		name   string
		before func() error
		pw     string
		want   error
		argon  int64 // Argon2id runs of the Login
	}{
		{"first login", nil, string(pw), nil, 1},
		{"cached", nil, string(pw), nil, 0},
		{"wrong password, not from cache", nil, "wrong", gateway.ErrAccessDenied, 1},
		{"still cached", nil, string(pw), nil, 0},
		{"after NewKeys", func() error { _, err := a.NewKeys(ctx, "ivan"); return err }, string(pw), nil, 1},
		{"cached again", nil, string(pw), nil, 0},
		{"after expiry", func() error { clk.Advance(loginCacheTTL); return nil }, string(pw), nil, 1},
		{"rotation keeps the cache", func() error { _, err := a.Rotate(ctx, "ivan"); return err }, string(pw), nil, 0},
		{"after disable", func() error { return setStatus(a, "ivan", AccountDisabled) }, string(pw), gateway.ErrAccessDenied, 1},
		{"after delete", func() error { _, err := a.Delete(ctx, "ivan"); return err }, string(pw), gateway.ErrAccessDenied, 1},
	}
	for _, s := range steps {
		if s.before != nil {
			if err := s.before(); err != nil {
				t.Fatalf("%s: %v", s.name, err)
			}
		}
		runs := a.login.runs.Load()
		acc, err := a.Login("ivan", []byte(s.pw))
		if got := a.login.runs.Load() - runs; got != s.argon {
			t.Errorf("%s: %d Argon2id runs, want %d", s.name, got, s.argon)
		}
		if s.want == nil && (err != nil || acc.Name() != "ivan") {
			t.Errorf("%s: %v, %v", s.name, acc, err)
		}
		if s.want != nil && (err != s.want || acc != nil) { // exactly gateway.ErrAccessDenied: uniform
			t.Errorf("%s: %v, %v; want exactly %v", s.name, acc, err, s.want)
		}
	}
}

// TestChangePassword: the old password fails (cached or not), the new one
// works, and nothing else of the record changes.
func TestChangePassword(t *testing.T) {
	dir, clk := newTestDir(t), newTestClock()
	a := openTest(t, dir, clk)
	mustCreate(t, a, "judy", []byte("old password"))
	if _, err := a.Rotate(ctx, "judy"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Login("judy", []byte("old password")); err != nil { // now cached
		t.Fatal(err)
	}
	ks, _ := readKeystore(t, dir)
	before, _ := ks.User("judy")
	if err := a.ChangePassword(ctx, "judy", []byte("new password")); err != nil {
		t.Fatal(err)
	}
	ks, _ = readKeystore(t, dir)
	after, _ := ks.User("judy")
	if !sameUser(before, after) {
		t.Error("ChangePassword changed more than the verifier")
	}
	if before.Password.Salt == after.Password.Salt || before.Password.Hash == after.Password.Hash {
		t.Error("verifier not replaced")
	}
	for _, tt := range []struct {
		pw   string
		want error
	}{{"old password", gateway.ErrAccessDenied}, {"new password", nil}} {
		if _, err := a.Login("judy", []byte(tt.pw)); !errors.Is(err, tt.want) || (tt.want == nil) != (err == nil) {
			t.Errorf("Login(%s) = %v, want %v", tt.pw, err, tt.want)
		}
	}
	if err := a.ChangePassword(ctx, "judy", nil); !errors.Is(err, ErrInvalidPassword) {
		t.Errorf("empty new password: %v", err)
	}
}

// TestLoginUnknownUser: an unknown name costs one Argon2id run (dummy
// verifier) and fails exactly like a wrong password.
func TestLoginUnknownUser(t *testing.T) {
	a := openTest(t, newTestDir(t), newTestClock())
	for _, name := range []string{"Not:Valid"} {
		runs := a.login.runs.Load()
		acc, err := a.Login(name, []byte("whatever"))
		if acc != nil || err != gateway.ErrAccessDenied { // exactly gateway.ErrAccessDenied: uniform
			t.Errorf("Login(%s) = %v, %v", name, acc, err)
		}
		if n := a.login.runs.Load() - runs; n != 1 {
			t.Errorf("Login(%s): %d Argon2id runs, want 1", name, n)
		}
	}
}

// TestLoginThrottle: after failFree failures of a name within failWindow,
// uncached attempts wait, doubling up to failMaxDelay.
func TestLoginThrottle(t *testing.T) {
	clk := newTestClock()
	g := newLoginGuard(cryptolayer.MinPasswordParams, 1)
	now := clk.Now()
	want := []time.Duration{0, 0, 0, 0, 0, 250 * time.Millisecond, 500 * time.Millisecond,
		time.Second, 2 * time.Second, 4 * time.Second, 4 * time.Second}
	for i, w := range want {
		if d := g.delay("kim", now); d != w {
			t.Errorf("after %d failures: delay %v, want %v", i, d, w)
		}
		g.failed("kim", now)
	}
	if d := g.delay("other", now); d != 0 {
		t.Errorf("another name is delayed %v", d)
	}
	if d := g.delay("kim", now.Add(failWindow+time.Second)); d != 0 {
		t.Errorf("after the window: delay %v", d)
	}

	// Through Login: the delay is slept before the Argon2id run.
	a := openTest(t, newTestDir(t), clk)
	var slept []time.Duration
	a.sleep = func(d time.Duration) { slept = append(slept, d) }
	for range failFree + 1 {
		a.login.failed("nobody", clk.Now())
	}
	if _, err := a.Login("nobody", []byte("guess")); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatal(err)
	}
	if len(slept) != 1 || slept[0] != 2*failBaseDelay {
		t.Errorf("slept %v, want [%v]", slept, 2*failBaseDelay)
	}
}

func TestLoginGuardBounds(t *testing.T) {
	g := newLoginGuard(cryptolayer.MinPasswordParams, 1)
	now := newTestClock().Now()
	for i := range failTrackMax + 10 {
		g.failed(string(rune('a'+i%26))+time.Duration(i).String(), now)
	}
	if len(g.fails) > failTrackMax {
		t.Errorf("%d failure records", len(g.fails))
	}
	long := string(make([]byte, 1000))
	g.failed(long, now)
	if _, ok := g.fails[long]; ok {
		t.Error("a long name is tracked by itself")
	}
	for i := range loginCacheMax + 10 {
		g.succeeded(time.Duration(i).String(), [32]byte{}, accountStamp{}, now)
	}
	if len(g.cache) > loginCacheMax {
		t.Errorf("%d cached logins", len(g.cache))
	}
}

// TestLoginNeverQueues: with every Argon2id slot busy, a login that needs
// one fails at once with gateway.ErrSlowDown instead of waiting; cached logins
// still work.
func TestLoginNeverQueues(t *testing.T) {
	a := openTest(t, newTestDir(t), newTestClock())
	mustCreate(t, a, "erin", []byte("erin password"))
	if _, err := a.Login("erin", []byte("erin password")); err != nil { // now cached
		t.Fatal(err)
	}
	for range cap(a.login.sem) {
		a.login.sem <- struct{}{}
	}
	defer func() {
		for range cap(a.login.sem) {
			<-a.login.sem
		}
	}()
	start := time.Now()
	if _, err := a.Login("erin", []byte("wrong")); !errors.Is(err, gateway.ErrSlowDown) || time.Since(start) > time.Second {
		t.Fatalf("busy Argon2id slots: %v after %v", err, time.Since(start))
	}
	if _, err := a.Login("erin", []byte("erin password")); err != nil {
		t.Fatalf("cached login refused while busy: %v", err)
	}
}
