package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/webapp"
)

// webSecurity adapts the accounts' security settings to the web app's
// account page and sign-in code step (webapp.Security).
type webSecurity struct {
	accts *accounts.Accounts
	svc   *gateway.Service
	log   zerolog.Logger // the background purge of a deleted account
}

var _ webapp.Security = webSecurity{}

func (s webSecurity) TwoFactor(name string) bool {
	a, err := s.accts.Get(name)
	return err == nil && a.TOTPEnabled()
}

func (s webSecurity) VerifyCode(ctx context.Context, name, code string) error {
	return webErr(s.accts.VerifyCode(ctx, name, code))
}

func (s webSecurity) Settings(name string) (webapp.AccountSettings, error) {
	a, err := s.accts.Get(name)
	if err != nil {
		return webapp.AccountSettings{}, err
	}
	st := webapp.AccountSettings{TwoFactor: a.TOTPEnabled(), RecoveryCodesLeft: a.RecoveryCodesLeft(),
		AppPasswords: []webapp.AppPasswordInfo{}, S3Keys: []webapp.S3KeyInfo{}}
	for _, p := range a.AppPasswords() {
		st.AppPasswords = append(st.AppPasswords, webapp.AppPasswordInfo{ID: p.ID, Name: p.Name, Created: p.Created})
	}
	for _, k := range a.S3Keys() {
		st.S3Keys = append(st.S3Keys, webapp.S3KeyInfo{AccessKeyID: k.AccessKeyID, Created: k.Created, Original: k.Original})
	}
	return st, nil
}

func (s webSecurity) BeginTOTP(name string) (string, string, error) {
	setup, err := s.accts.BeginTOTP(name)
	return setup.Secret, setup.URL, webErr(err)
}

func (s webSecurity) ConfirmTOTP(ctx context.Context, name, secret, code string) ([]string, error) {
	codes, err := s.accts.ConfirmTOTP(ctx, name, secret, code)
	return codes, webErr(err)
}

func (s webSecurity) DisableTOTP(ctx context.Context, name, code string) error {
	return webErr(s.accts.DisableTOTP(ctx, name, code))
}

func (s webSecurity) NewRecoveryCodes(ctx context.Context, name, code string) ([]string, error) {
	codes, err := s.accts.NewRecoveryCodes(ctx, name, code)
	return codes, webErr(err)
}

func (s webSecurity) AddAppPassword(ctx context.Context, name, label string) (webapp.AppPasswordInfo, string, error) {
	info, pw, err := s.accts.AddAppPassword(ctx, name, label)
	if err != nil {
		return webapp.AppPasswordInfo{}, "", webErr(err)
	}
	out := string(pw)
	clear(pw)
	return webapp.AppPasswordInfo{ID: info.ID, Name: info.Name, Created: info.Created}, out, nil
}

func (s webSecurity) RevokeAppPassword(ctx context.Context, name, id string) error {
	return webErr(s.accts.RevokeAppPassword(ctx, name, id))
}

func (s webSecurity) AddS3Key(ctx context.Context, name string) (string, string, error) {
	c, err := s.accts.AddS3Key(ctx, name)
	if err != nil {
		return "", "", webErr(err)
	}
	defer c.Wipe()
	return c.AccessKeyID, string(c.SecretAccessKey), nil
}

func (s webSecurity) RevokeS3Key(ctx context.Context, name, id string) error {
	return webErr(s.accts.RevokeS3Key(ctx, name, id))
}

func (s webSecurity) ChangePassword(ctx context.Context, name string, current, newPassword []byte) error {
	err := s.accts.ChangeOwnPassword(ctx, name, current, newPassword)
	if errors.Is(err, accounts.ErrInvalidPassword) {
		return webapp.Refused(err.Error())
	}
	return webErr(err)
}

// DeleteAccount is `sealgate user delete` from the web app: the password
// (and a code with 2FA on), then the Object Lock check (refused, never
// --discard-locked), then crypto-shredding; the upstream objects are
// deleted in the background, best effort (`sealgate gc` reports a dir
// left over; its objects are noise once the keys are gone).
func (s webSecurity) DeleteAccount(ctx context.Context, name string, password []byte, code string) error {
	a, err := s.accts.Login(name, password)
	if err != nil {
		return err
	}
	if a.TOTPEnabled() {
		if err := s.accts.VerifyCode(ctx, name, code); err != nil {
			return webErr(err)
		}
	}
	n, err := s.svc.ActiveLocks(ctx, a)
	if err != nil {
		return err
	}
	if n > 0 {
		return webapp.Refused(fmt.Sprintf("the account has %d versions under Object Lock (retention or legal hold): only an operator can delete it", n))
	}
	dir, err := s.accts.Delete(ctx, name)
	if err != nil {
		return err
	}
	go func() {
		n, err := s.svc.PurgeUser(context.WithoutCancel(ctx), dir, nil)
		if err != nil {
			s.log.Warn().Err(err).Int("deleted", n).Str("upstream_dir", dir).
				Msg("purge of a deleted account stopped; `sealgate gc` lists what is left")
			return
		}
		s.log.Info().Int("deleted", n).Str("upstream_dir", dir).Msg("deleted account purged")
	}()
	return nil
}

// webErr maps the accounts' security errors to the web app's: codes to
// webapp.ErrWrongCode, refusals the user can fix to webapp.Refused.
func webErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, accounts.ErrBadCode):
		return fmt.Errorf("%w", webapp.ErrWrongCode)
	case errors.Is(err, accounts.ErrTOTPOn):
		return webapp.Refused("two-factor sign-in is already on")
	case errors.Is(err, accounts.ErrTOTPOff):
		return webapp.Refused("two-factor sign-in is off")
	case errors.Is(err, accounts.ErrTooMany), errors.Is(err, accounts.ErrLastKey),
		errors.Is(err, accounts.ErrInvalidLabel), errors.Is(err, accounts.ErrNoSuchItem):
		return webapp.Refused(err.Error())
	}
	return err
}
