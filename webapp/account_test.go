package webapp

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway/accounts"
)

// testSecurity is cmd's webSecurity (cmd/sealgate/web_account.go) in
// short: the accounts behind the account page.
type testSecurity struct{ acc *accounts.Accounts }

func (s testSecurity) TwoFactor(name string) bool {
	a, err := s.acc.Get(name)
	return err == nil && a.TOTPEnabled()
}
func (s testSecurity) VerifyCode(ctx context.Context, name, code string) error {
	return mapSec(s.acc.VerifyCode(ctx, name, code))
}
func (s testSecurity) Settings(name string) (AccountSettings, error) {
	a, err := s.acc.Get(name)
	if err != nil {
		return AccountSettings{}, err
	}
	st := AccountSettings{TwoFactor: a.TOTPEnabled(), RecoveryCodesLeft: a.RecoveryCodesLeft()}
	for _, p := range a.AppPasswords() {
		st.AppPasswords = append(st.AppPasswords, AppPasswordInfo{ID: p.ID, Name: p.Name, Created: p.Created})
	}
	for _, k := range a.S3Keys() {
		st.S3Keys = append(st.S3Keys, S3KeyInfo{AccessKeyID: k.AccessKeyID, Created: k.Created, Original: k.Original})
	}
	return st, nil
}
func (s testSecurity) BeginTOTP(name string) (string, string, error) {
	t, err := s.acc.BeginTOTP(name)
	return t.Secret, t.URL, err
}
func (s testSecurity) ConfirmTOTP(ctx context.Context, name, secret, code string) ([]string, error) {
	c, err := s.acc.ConfirmTOTP(ctx, name, secret, code)
	return c, mapSec(err)
}
func (s testSecurity) DisableTOTP(ctx context.Context, name, code string) error {
	return mapSec(s.acc.DisableTOTP(ctx, name, code))
}
func (s testSecurity) NewRecoveryCodes(ctx context.Context, name, code string) ([]string, error) {
	c, err := s.acc.NewRecoveryCodes(ctx, name, code)
	return c, mapSec(err)
}
func (s testSecurity) AddAppPassword(ctx context.Context, name, label string) (AppPasswordInfo, string, error) {
	i, pw, err := s.acc.AddAppPassword(ctx, name, label)
	return AppPasswordInfo{ID: i.ID, Name: i.Name, Created: i.Created}, string(pw), mapSec(err)
}
func (s testSecurity) RevokeAppPassword(ctx context.Context, name, id string) error {
	return mapSec(s.acc.RevokeAppPassword(ctx, name, id))
}
func (s testSecurity) AddS3Key(ctx context.Context, name string) (string, string, error) {
	c, err := s.acc.AddS3Key(ctx, name)
	return c.AccessKeyID, string(c.SecretAccessKey), mapSec(err)
}
func (s testSecurity) RevokeS3Key(ctx context.Context, name, id string) error {
	return mapSec(s.acc.RevokeS3Key(ctx, name, id))
}
func (s testSecurity) ChangePassword(ctx context.Context, name string, cur, next []byte) error {
	return mapSec(s.acc.ChangeOwnPassword(ctx, name, cur, next))
}

func (s testSecurity) DeleteAccount(ctx context.Context, name string, pw []byte, code string) error {
	a, err := s.acc.Login(name, pw)
	if err != nil {
		return err
	}
	if a.TOTPEnabled() {
		if err := s.acc.VerifyCode(ctx, name, code); err != nil {
			return mapSec(err)
		}
	}
	_, err = s.acc.Delete(ctx, name)
	return err
}

func mapSec(err error) error {
	switch {
	case errors.Is(err, accounts.ErrBadCode):
		return ErrWrongCode
	case errors.Is(err, accounts.ErrNoSuchItem), errors.Is(err, accounts.ErrLastKey), errors.Is(err, accounts.ErrTOTPOn):
		return Refused(err.Error())
	}
	return err
}

// newSecEnv is newEnv with the account page.
func newSecEnv(t *testing.T) *env {
	e := newEnv(t)
	h, err := New(Config{Logins: testLogins{e.acc, e.svc}, Logger: zerolog.Nop(), Now: e.clock.Now,
		RecheckAfter: time.Hour, Security: testSecurity{e.acc}})
	if err != nil {
		t.Fatal(err)
	}
	e.srv.Close()
	e.srv = httptest.NewServer(h)
	t.Cleanup(e.srv.Close)
	return e
}

func loginBody(name, pw, code string) string {
	return `{"name":"` + name + `","password":"` + pw + `","code":"` + code + `"}`
}

// TestWebTwoFactor: enable with the QR and a code, recovery codes shown
// once; sign-in then needs a code (the page learns it from
// code_required); a wrong or replayed code fails; disabling needs a code.
func TestWebTwoFactor(t *testing.T) {
	e := newSecEnv(t)
	c, other := e.login("alice"), e.login("alice")
	var begin struct{ Secret, URL, QR string }
	decode(t, c.must(200, "POST", "/api/account/2fa/begin", ""), &begin)
	if !strings.HasPrefix(begin.QR, "data:image/png;base64,") || !strings.HasPrefix(begin.URL, "otpauth://") {
		t.Fatalf("begin: %.60s", begin.QR)
	}
	code, _ := totp.GenerateCode(begin.Secret, time.Now())
	c.must(403, "POST", "/api/account/2fa/confirm", `{"secret":"`+begin.Secret+`","code":"000000"}`)
	var conf confirmAnswer
	resp := c.do("POST", "/api/account/2fa/confirm", strings.NewReader(`{"secret":"`+begin.Secret+`","code":"`+code+`"}`))
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	body, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	decode(t, string(body), &conf)
	if len(conf.RecoveryCodes) != 10 {
		t.Fatal(conf)
	}
	// Turning 2FA on ends the sessions opened with the password alone;
	// this one continues under a new cookie and CSRF token.
	other.must(401, "GET", "/api/buckets", "")
	c.must(401, "GET", "/api/buckets", "")
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			c.cookie = ck
		}
	}
	c.csrf = conf.Session.CSRF
	c.must(200, "GET", "/api/buckets", "")
	var st AccountSettings
	decode(t, c.must(200, "GET", "/api/account", ""), &st)
	if !st.TwoFactor || st.RecoveryCodesLeft != 10 {
		t.Fatalf("%+v", st)
	}
	anon := &client{e: e}
	for _, tc := range []struct {
		body string
		want int
		need bool
	}{
		{loginBody("alice", "pw-alice", ""), 401, true},
		{loginBody("alice", "wrong", ""), 401, false},
		{loginBody("alice", "wrong", conf.RecoveryCodes[0]), 401, false},
		{loginBody("alice", "pw-alice", code), 401, true}, // the confirming code is used
		{loginBody("alice", "pw-alice", conf.RecoveryCodes[0]), 200, false},
		{loginBody("alice", "pw-alice", conf.RecoveryCodes[0]), 401, true},
	} {
		got, body := anon.call("POST", "/api/login", tc.body)
		if got != tc.want || strings.Contains(body, "code_required") != tc.need {
			t.Fatalf("%s: %d %s", tc.body, got, body)
		}
	}
	// New recovery codes need a code; the old ones then fail.
	c.must(403, "POST", "/api/account/2fa/recovery-codes", `{"code":"123456"}`)
	var fresh struct {
		RecoveryCodes []string `json:"recovery_codes"`
	}
	decode(t, c.must(200, "POST", "/api/account/2fa/recovery-codes", `{"code":"`+conf.RecoveryCodes[1]+`"}`), &fresh)
	if len(fresh.RecoveryCodes) != 10 {
		t.Fatal(fresh)
	}
	c.must(403, "POST", "/api/account/2fa/disable", `{"code":"`+conf.RecoveryCodes[2]+`"}`)
	c.must(403, "POST", "/api/account/2fa/disable", `{"code":"123456"}`)
	c.must(204, "POST", "/api/account/2fa/disable", `{"code":"`+fresh.RecoveryCodes[0]+`"}`)
	e.login("alice")
}

// TestWebAppPasswordsAndKeys: app passwords and S3 keys are shown once,
// listed without secrets, and revoked.
func TestWebAppPasswordsAndKeys(t *testing.T) {
	e := newSecEnv(t)
	c := e.login("bob")
	var ap struct{ ID, Name, Password string }
	decode(t, c.must(200, "POST", "/api/account/app-passwords", `{"name":"phone"}`), &ap)
	var key map[string]string
	decode(t, c.must(200, "POST", "/api/account/s3-keys", ""), &key)
	list := c.must(200, "GET", "/api/account", "")
	if strings.Contains(list, ap.Password) || strings.Contains(list, key["secret_access_key"]) || !strings.Contains(list, "phone") {
		t.Fatalf("listing: %s", list)
	}
	if _, err := e.acc.LoginDAV("bob", []byte(ap.Password)); err != nil {
		t.Fatal(err)
	}
	c.must(204, "DELETE", "/api/account/app-passwords?id="+ap.ID, "")
	c.must(400, "DELETE", "/api/account/app-passwords?id="+ap.ID, "")
	c.must(204, "DELETE", "/api/account/s3-keys?id="+key["access_key_id"], "")
	if _, err := e.acc.LoginDAV("bob", []byte(ap.Password)); err == nil {
		t.Fatal("revoked app password works")
	}
}

// TestWebChangePassword: the current password is required; the session
// that changed it goes on with a new cookie, every other one ends.
func TestWebChangePassword(t *testing.T) {
	e := newSecEnv(t)
	c, other := e.login("alice"), e.login("alice")
	c.must(403, "POST", "/api/account/password", `{"current":"nope","new":"new password 1"}`)
	resp := c.do("POST", "/api/account/password", strings.NewReader(`{"current":"pw-alice","new":"new password 1"}`))
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatal(resp.Status)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == cookieName {
			c.cookie = ck
		}
	}
	c.must(200, "GET", "/api/buckets", "")
	other.must(401, "GET", "/api/buckets", "")
}

// TestWebDeleteAccount: the password is required; the account is gone and
// its session with it.
func TestWebDeleteAccount(t *testing.T) {
	e := newSecEnv(t)
	c := e.login("bob")
	c.must(403, "POST", "/api/account/delete", `{"password":"nope"}`)
	c.must(204, "POST", "/api/account/delete", `{"password":"pw-bob"}`)
	c.must(401, "GET", "/api/buckets", "")
	if _, err := e.acc.Get("bob"); err == nil {
		t.Fatal("bob still exists")
	}
}
