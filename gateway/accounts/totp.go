package accounts

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
)

// Two-factor sign-in errors.
var (
	// ErrBadCode: a wrong, malformed or already used TOTP or recovery code.
	// It wraps gateway.ErrAccessDenied.
	ErrBadCode = fmt.Errorf("accounts: wrong or already used code: %w", gateway.ErrAccessDenied)
	// ErrTOTPOn: two-factor sign-in is already on.
	ErrTOTPOn = errors.New("accounts: two-factor sign-in is already on")
	// ErrTOTPOff: two-factor sign-in is off.
	ErrTOTPOff = errors.New("accounts: two-factor sign-in is off")
)

// TOTP parameters (RFC 6238 as every authenticator app does it).
const (
	totpPeriod   = 30
	totpSkew     = 1 // steps accepted before and after the current one
	totpDigits   = otp.DigitsSix
	totpIssuer   = "sealgate"
	recoveryLen  = 10 // base32 characters of a recovery code (50 bits)
	recoveryDash = 5  // shown as xxxxx-xxxxx
)

// TOTPSetup is what BeginTOTP gives the person enabling two-factor
// sign-in: the secret (base32, for typing) and the otpauth URL (for the QR
// code). Both reveal the secret: printing a TOTPSetup redacts them.
type TOTPSetup struct {
	Secret string
	URL    string
}

// String redacts the secret.
func (TOTPSetup) String() string { return "TOTPSetup{[REDACTED]}" }

// GoString is String.
func (t TOTPSetup) GoString() string { return t.String() }

// Format prints String for every verb.
func (t TOTPSetup) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(t.String())) }

// RecoveryCodes are shown once, when two-factor sign-in is turned on;
// printing them (%v) redacts them.
type RecoveryCodes []string

// String redacts the codes.
func (RecoveryCodes) String() string { return "RecoveryCodes[REDACTED]" }

// Format prints String for every verb.
func (c RecoveryCodes) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(c.String())) }

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// BeginTOTP returns a new TOTP secret for the account; nothing is stored
// until ConfirmTOTP proves an authenticator holds it.
func (a *Accounts) BeginTOTP(name string) (TOTPSetup, error) {
	acc, err := a.Get(name)
	if err != nil {
		return TOTPSetup{}, err
	}
	if acc.TOTPEnabled() {
		return TOTPSetup{}, ErrTOTPOn
	}
	secret := make([]byte, cryptolayer.TOTPSecretLen)
	_, _ = rand.Read(secret)
	s := b32.EncodeToString(secret)
	clear(secret)
	v := url.Values{"secret": {s}, "issuer": {totpIssuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + totpIssuer + ":" + name, RawQuery: v.Encode()}
	return TOTPSetup{Secret: s, URL: u.String()}, nil
}

// ConfirmTOTP turns two-factor sign-in on with the secret BeginTOTP gave,
// if code is its current code; it returns the ten recovery codes, shown
// once (the keystore holds only their keyed hashes).
func (a *Accounts) ConfirmTOTP(ctx context.Context, name, secret, code string) (RecoveryCodes, error) {
	raw, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil || len(raw) != cryptolayer.TOTPSecretLen {
		return nil, fmt.Errorf("%w: not a secret of BeginTOTP", ErrBadCode)
	}
	defer clear(raw)
	step, ok := totpStep(raw, code, a.now(), 0)
	if !ok {
		return nil, ErrBadCode
	}
	codes := make(RecoveryCodes, cryptolayer.MaxRecoveryCodes)
	acc, err := a.fresh(ctx, name)
	if err != nil {
		return nil, err
	}
	err = a.changeUser(ctx, name, acc.ID(), func(u *cryptolayer.User) error {
		s := settingsOf(u)
		if s.TOTPEnabled() {
			return ErrTOTPOn
		}
		s.TOTPSecret, s.TOTPLastStep, s.RecoveryCodes = cryptolayer.Secret(bytes.Clone(raw)), step, nil
		for i := range codes {
			codes[i] = newRecoveryCode()
			s.RecoveryCodes = append(s.RecoveryCodes, u.RecoveryCodeHash([]byte(normalizeCode(codes[i]))))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// DisableTOTP turns two-factor sign-in off, given a valid TOTP or recovery
// code (which is used up).
func (a *Accounts) DisableTOTP(ctx context.Context, name, code string) error {
	return a.useCode(ctx, name, code, func(u *cryptolayer.User) { clearTOTP(u.Settings) })
}

// NewRecoveryCodes replaces the account's recovery codes with ten new
// ones, given a valid TOTP or recovery code (used up): the old codes stop
// working on every gateway. The new codes are shown once.
func (a *Accounts) NewRecoveryCodes(ctx context.Context, name, code string) (RecoveryCodes, error) {
	codes := make(RecoveryCodes, cryptolayer.MaxRecoveryCodes)
	for i := range codes {
		codes[i] = newRecoveryCode()
	}
	err := a.useCode(ctx, name, code, func(u *cryptolayer.User) {
		u.Settings.RecoveryCodes = nil
		for _, c := range codes {
			u.Settings.RecoveryCodes = append(u.Settings.RecoveryCodes, u.RecoveryCodeHash([]byte(normalizeCode(c))))
		}
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// ResetTOTP turns two-factor sign-in off without a code: the operator's
// reset for a lost phone (`sealgate user 2fa NAME off`).
func (a *Accounts) ResetTOTP(ctx context.Context, name string) error {
	acc, err := a.fresh(ctx, name)
	if err != nil {
		return err
	}
	return a.changeUser(ctx, name, acc.ID(), func(u *cryptolayer.User) error {
		if !u.Settings.TOTPEnabled() {
			return ErrTOTPOff
		}
		clearTOTP(u.Settings)
		tidy(u)
		return nil
	})
}

// VerifyCode checks a sign-in's second factor: a TOTP code (six digits)
// or a recovery code. A TOTP code is accepted once across every gateway:
// the newest accepted time step is stored in the keystore by a
// compare-and-swap, so a code replayed anywhere, or an older one, fails;
// a recovery code is deleted. Each success costs one keystore write.
// Failures wrap ErrBadCode and are slowed per account name as failed
// passwords are.
func (a *Accounts) VerifyCode(ctx context.Context, name, code string) error {
	return a.useCode(ctx, name, code, nil)
}

// useCode verifies and uses up a code, then applies then (if not nil) to
// the account's record in the same compare-and-swap.
func (a *Accounts) useCode(ctx context.Context, name, code string, then func(*cryptolayer.User)) error {
	g := a.login
	if d := g.delay(name, a.now()); d > 0 {
		a.sleep(d)
	}
	acc, err := a.fresh(ctx, name)
	if err != nil {
		return err
	}
	err = a.changeUser(ctx, name, acc.ID(), func(u *cryptolayer.User) error {
		if !u.Settings.TOTPEnabled() {
			return ErrTOTPOff
		}
		if err := consumeCode(u, code, a.now()); err != nil {
			return err
		}
		if then != nil {
			then(u)
		}
		tidy(u)
		return nil
	})
	if errors.Is(err, ErrBadCode) {
		g.failed(name, a.now())
	}
	return err
}

// consumeCode checks code against u's fresh settings and uses it up.
func consumeCode(u *cryptolayer.User, code string, now time.Time) error {
	s := u.Settings
	if isTOTPCode(code) {
		step, ok := totpStep(s.TOTPSecret, code, now, s.TOTPLastStep)
		if !ok {
			return ErrBadCode
		}
		s.TOTPLastStep = step
		return nil
	}
	h := u.RecoveryCodeHash([]byte(normalizeCode(code)))
	for i, c := range s.RecoveryCodes {
		if subtle.ConstantTimeCompare(c[:], h[:]) == 1 {
			s.RecoveryCodes = append(s.RecoveryCodes[:i:i], s.RecoveryCodes[i+1:]...)
			return nil
		}
	}
	return ErrBadCode
}

// totpStep returns the time step within ±totpSkew of now whose code is
// code and that is newer than after.
func totpStep(secret []byte, code string, now time.Time, after uint64) (uint64, bool) {
	if !isTOTPCode(code) {
		return 0, false
	}
	s := b32.EncodeToString(secret)
	cur := now.Unix() / totpPeriod
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: totpDigits, Algorithm: otp.AlgorithmSHA1}
	for d := int64(-totpSkew); d <= totpSkew; d++ {
		step := cur + d
		if step <= 0 || uint64(step) <= after {
			continue
		}
		want, err := totp.GenerateCodeCustom(s, time.Unix(step*totpPeriod, 0), opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return uint64(step), true
		}
	}
	return 0, false
}

func isTOTPCode(code string) bool {
	if len(code) != 6 {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func newRecoveryCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	s := strings.ToLower(b32.EncodeToString(b))[:recoveryLen]
	return s[:recoveryDash] + "-" + s[recoveryDash:]
}

// normalizeCode lowercases a recovery code and drops spaces and dashes.
func normalizeCode(code string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(code))
}

func clearTOTP(s *cryptolayer.AccountSettings) {
	clear(s.TOTPSecret)
	s.TOTPSecret, s.TOTPLastStep, s.RecoveryCodes = nil, 0, nil
}

// settingsOf returns u's settings, made if it has none.
func settingsOf(u *cryptolayer.User) *cryptolayer.AccountSettings {
	if u.Settings == nil {
		u.Settings = &cryptolayer.AccountSettings{}
	}
	return u.Settings
}

// tidy drops empty settings (a record without any is written as v2).
func tidy(u *cryptolayer.User) {
	if u.Settings.Empty() {
		u.Settings = nil
	}
}

// TOTPEnabled reports whether the account signs in with a second factor.
func (a *Account) TOTPEnabled() bool { return a.u.Settings.TOTPEnabled() }

// RecoveryCodesLeft is how many unused recovery codes the account has.
func (a *Account) RecoveryCodesLeft() int {
	if a.u.Settings == nil {
		return 0
	}
	return len(a.u.Settings.RecoveryCodes)
}
