package accounts

import (
	"encoding/base32"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/internal/testclock"
)

// codeAt is the TOTP code of secret at t, as an authenticator app makes it.
func codeAt(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// enableTOTP turns TOTP on for name through a and returns the secret and
// the recovery codes.
func enableTOTP(t *testing.T, a *Accounts, clk *testclock.Clock, name string) (string, RecoveryCodes) {
	t.Helper()
	setup, err := a.BeginTOTP(name)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(setup.URL, "otpauth://totp/sealgate:"+name+"?") || strings.Contains(setup.String(), setup.Secret) {
		t.Fatalf("setup %q", setup.URL)
	}
	if _, err := a.ConfirmTOTP(ctx, name, setup.Secret, "000000x"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("bad confirm code: %v", err)
	}
	codes, err := a.ConfirmTOTP(ctx, name, setup.Secret, codeAt(t, setup.Secret, clk.Now()))
	if err != nil || len(codes) != 10 {
		t.Fatalf("confirm: %d codes, %v", len(codes), err)
	}
	return setup.Secret, codes
}

// TOTP across two gateways: a code accepted on one is refused on the other
// (and again on the first); the next step's code works; recovery codes
// work once; disabling needs a code.
func TestTOTPAcrossGateways(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	a, b := openTest(t, g, clk), openTest(t, g.other(t), clk)
	mustCreate(t, a, "erin", []byte("erin password"))
	secret, codes := enableTOTP(t, a, clk, "erin")
	if _, err := a.ConfirmTOTP(ctx, "erin", secret, codeAt(t, secret, clk.Now())); !errors.Is(err, ErrTOTPOn) && !errors.Is(err, ErrBadCode) {
		t.Fatalf("second confirm: %v", err)
	}
	// The confirming code was used: it does not sign in anywhere.
	if err := b.VerifyCode(ctx, "erin", codeAt(t, secret, clk.Now())); !errors.Is(err, ErrBadCode) {
		t.Fatalf("confirming code replayed: %v", err)
	}
	clk.Advance(30 * time.Second)
	code := codeAt(t, secret, clk.Now())
	if err := a.VerifyCode(ctx, "erin", code); err != nil {
		t.Fatal(err)
	}
	for i, gw := range []*Accounts{b, a} {
		if err := gw.VerifyCode(ctx, "erin", code); !errors.Is(err, ErrBadCode) || !errors.Is(err, gateway.ErrAccessDenied) {
			t.Fatalf("gateway %d accepted a replayed code: %v", i, err)
		}
	}
	// An older code (the previous step, within the skew) is refused too.
	clk.Advance(30 * time.Second)
	if err := b.VerifyCode(ctx, "erin", codeAt(t, secret, clk.Now().Add(-60*time.Second))); !errors.Is(err, ErrBadCode) {
		t.Fatalf("old code: %v", err)
	}
	if err := b.VerifyCode(ctx, "erin", codeAt(t, secret, clk.Now())); err != nil {
		t.Fatalf("next step on the other gateway: %v", err)
	}
	// Recovery codes: any spelling, once.
	if err := b.VerifyCode(ctx, "erin", strings.ToUpper(strings.ReplaceAll(codes[0], "-", " "))); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	if err := a.VerifyCode(ctx, "erin", codes[0]); !errors.Is(err, ErrBadCode) {
		t.Fatalf("recovery code reused: %v", err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if acc, _ := a.Get("erin"); acc.RecoveryCodesLeft() != 9 || !acc.TOTPEnabled() {
		t.Fatalf("%d codes left", acc.RecoveryCodesLeft())
	}
	if err := a.DisableTOTP(ctx, "erin", "123"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("disable with a bad code: %v", err)
	}
	if err := a.DisableTOTP(ctx, "erin", codes[1]); err != nil {
		t.Fatal(err)
	}
	ks, raw := readKeystore(t, g)
	if u, _ := ks.User("erin"); u.Settings != nil || raw[4] != 2 {
		t.Fatalf("settings left after disabling: %+v, format %d", u.Settings, raw[4])
	}
	if err := a.VerifyCode(ctx, "erin", codes[2]); !errors.Is(err, ErrTOTPOff) {
		t.Fatalf("code with TOTP off: %v", err)
	}
}

// New recovery codes, asked through one gateway with a code: the old
// codes stop working on the other; the new ones work there, once.
func TestNewRecoveryCodesAcrossGateways(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	a, b := openTest(t, g, clk), openTest(t, g.other(t), clk)
	mustCreate(t, a, "gus", []byte("gus password"))
	_, old := enableTOTP(t, a, clk, "gus")
	if _, err := a.NewRecoveryCodes(ctx, "gus", "nope"); !errors.Is(err, ErrBadCode) {
		t.Fatalf("new codes with a bad code: %v", err)
	}
	codes, err := a.NewRecoveryCodes(ctx, "gus", old[0])
	if err != nil || len(codes) != 10 || codes[0] == old[1] {
		t.Fatalf("new codes: %d, %v", len(codes), err)
	}
	if err := b.VerifyCode(ctx, "gus", old[1]); !errors.Is(err, ErrBadCode) {
		t.Fatalf("an old code after new ones: %v", err)
	}
	if err := b.VerifyCode(ctx, "gus", codes[0]); err != nil {
		t.Fatalf("a new code on the other gateway: %v", err)
	}
	if err := a.VerifyCode(ctx, "gus", codes[0]); !errors.Is(err, ErrBadCode) {
		t.Fatalf("a new code reused: %v", err)
	}
	if err := a.Refresh(ctx); err != nil {
		t.Fatal(err)
	}
	if acc, _ := a.Get("gus"); acc.RecoveryCodesLeft() != 9 || !acc.TOTPEnabled() {
		t.Fatalf("%d codes left", acc.RecoveryCodesLeft())
	}
}

// With TOTP on, WebDAV refuses the account password and takes app
// passwords; without it, both work. A revocation through another gateway
// ends the app password at that gateway's next poll, and a password change
// through another gateway ends the cached old password there.
func TestLoginDAVRules(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	a, b := openTest(t, g, clk), openTest(t, g.other(t), clk)
	pw := []byte("fay password")
	mustCreate(t, a, "fay", pw)
	info, app, err := a.AddAppPassword(ctx, "fay", "laptop")
	if err != nil || len(app) != 32 || info.Name != "laptop" {
		t.Fatalf("%+v %q %v", info, app, err)
	}
	for _, p := range [][]byte{pw, app} {
		if _, err := b.LoginDAV("fay", p); err != nil {
			t.Fatalf("without 2FA: %v", err)
		}
	}
	if _, err := b.LoginDAV("fay", []byte("wrong")); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatal(err)
	}
	enableTOTP(t, a, clk, "fay")
	pollAll([]*Accounts{b})
	if _, err := b.LoginDAV("fay", pw); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatalf("account password over WebDAV with 2FA on: %v", err)
	}
	if _, err := b.Login("fay", pw); err != nil {
		t.Fatalf("web first factor: %v", err)
	}
	if _, err := b.LoginDAV("fay", app); err != nil {
		t.Fatalf("app password with 2FA on: %v", err)
	}
	if err := a.RevokeAppPassword(ctx, "fay", info.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.RevokeAppPassword(ctx, "fay", info.ID); !errors.Is(err, ErrNoSuchItem) {
		t.Fatal(err)
	}
	pollAll([]*Accounts{b})
	if _, err := b.LoginDAV("fay", app); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatalf("revoked app password: %v", err)
	}
	// Password change through a: b's cached login of the old one ends.
	if err := a.ChangeOwnPassword(ctx, "fay", []byte("nope"), []byte("new password")); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatalf("change with a wrong current password: %v", err)
	}
	if err := a.ChangeOwnPassword(ctx, "fay", pw, []byte("new password")); err != nil {
		t.Fatal(err)
	}
	pollAll([]*Accounts{b})
	if _, err := b.Login("fay", pw); !errors.Is(err, gateway.ErrAccessDenied) {
		t.Fatalf("old password after a change elsewhere: %v", err)
	}
	if _, _, err := a.AddAppPassword(ctx, "fay", "bad\nname"); !errors.Is(err, ErrInvalidLabel) {
		t.Fatalf("bad label: %v", err)
	}
}

// Extra S3 keys: found by ByAccessKey on every gateway with their own
// secret; revoked within a poll; the last pair stays.
func TestS3Keys(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	a, b := openTest(t, g, clk), openTest(t, g.other(t), clk)
	orig := mustCreate(t, a, "gus", []byte("gus password"))
	extra, err := a.AddS3Key(ctx, "gus")
	if err != nil || strings.Contains(extra.String(), string(extra.SecretAccessKey)) {
		t.Fatal(err)
	}
	acc, err := b.ByAccessKey(extra.AccessKeyID)
	if err != nil || string(acc.SecretFor(extra.AccessKeyID)) != string(extra.SecretAccessKey) || len(acc.S3Keys()) != 2 {
		t.Fatalf("extra key lookup: %v", err)
	}
	if err := a.RevokeS3Key(ctx, "gus", orig.AccessKeyID); err != nil {
		t.Fatal(err)
	}
	pollAll([]*Accounts{b})
	if _, err := b.ByAccessKey(orig.AccessKeyID); !errors.Is(err, gateway.ErrNoSuchUser) {
		t.Fatalf("revoked original: %v", err)
	}
	if acc, err := b.ByAccessKey(extra.AccessKeyID); err != nil || !acc.S3Keys()[0].Original {
		t.Fatalf("extra became the original: %v", err)
	}
	if err := a.RevokeS3Key(ctx, "gus", extra.AccessKeyID); !errors.Is(err, ErrLastKey) {
		t.Fatalf("last key: %v", err)
	}
	if err := a.ResetTOTP(ctx, "gus"); !errors.Is(err, ErrTOTPOff) {
		t.Fatal(err)
	}
}

// Secrets never print.
func TestSecurityValuesRedact(t *testing.T) {
	s := TOTPSetup{Secret: base32.StdEncoding.EncodeToString([]byte("12345678901234567890")), URL: "otpauth://x"}
	c := RecoveryCodes{"abcde-fghij"}
	for _, out := range []string{s.String(), c.String()} {
		if strings.Contains(out, "abcde") || strings.Contains(out, s.Secret) || strings.Contains(out, "otpauth") {
			t.Fatalf("leaks: %s", out)
		}
	}
}

// TestTOTPRaceAcrossGateways: one code sent to three gateways at once (a
// replay racing the genuine sign-in) is accepted exactly once.
func TestTOTPRaceAcrossGateways(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	gws := []*Accounts{openTest(t, g, clk), openTest(t, g.other(t), clk), openTest(t, g.other(t), clk)}
	mustCreate(t, gws[0], "hal", []byte("hal password"))
	secret, _ := enableTOTP(t, gws[0], clk, "hal")
	clk.Advance(30 * time.Second)
	code := codeAt(t, secret, clk.Now())
	errs := make(chan error, len(gws))
	for _, a := range gws {
		go func() { errs <- a.VerifyCode(ctx, "hal", code) }()
	}
	ok := 0
	for range gws {
		err := <-errs
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrBadCode):
			t.Fatalf("unexpected %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("the code was accepted %d times", ok)
	}
}

// TestExportKeepsSettings: an export of a v3 record imports into a fresh
// data dir with its settings.
func TestExportKeepsSettings(t *testing.T) {
	g, clk := newTestDir(t), newTestClock()
	a := openTest(t, g, clk)
	mustCreate(t, a, "ida", []byte("ida password"))
	_, app, err := a.AddAppPassword(ctx, "ida", "nas")
	if err != nil {
		t.Fatal(err)
	}
	root, data := a.Export()
	if data[4] != 3 {
		t.Fatalf("format %d with an app password", data[4])
	}
	fresh := g.other(t)
	if err := Import(fresh.dir, root, data); err != nil {
		t.Fatal(err)
	}
	b := openTest(t, fresh, clk)
	if _, err := b.LoginDAV("ida", app); err != nil {
		t.Fatalf("app password after import: %v", err)
	}
}
