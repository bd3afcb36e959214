package webapp

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/sealgate/sealgate/gateway"
)

// Security is the account settings behind the account page and the second
// sign-in step (Config.Security; nil: no account page, sign-in by
// password alone). Wrong codes wrap ErrWrongCode; a change refused for a
// reason the user can fix is Refused(message); the rest is the error
// table's.
type Security interface {
	// TwoFactor reports whether the account signs in with a code.
	TwoFactor(name string) bool
	// VerifyCode checks and uses up a TOTP or recovery code.
	VerifyCode(ctx context.Context, name, code string) error
	Settings(name string) (AccountSettings, error)
	BeginTOTP(name string) (secret, url string, err error)
	ConfirmTOTP(ctx context.Context, name, secret, code string) (recoveryCodes []string, err error)
	DisableTOTP(ctx context.Context, name, code string) error
	// NewRecoveryCodes replaces the recovery codes, given a code.
	NewRecoveryCodes(ctx context.Context, name, code string) ([]string, error)
	AddAppPassword(ctx context.Context, name, label string) (AppPasswordInfo, string, error)
	RevokeAppPassword(ctx context.Context, name, id string) error
	AddS3Key(ctx context.Context, name string) (accessKeyID, secret string, err error)
	RevokeS3Key(ctx context.Context, name, accessKeyID string) error
	// ChangePassword checks the current password first.
	ChangePassword(ctx context.Context, name string, current, newPassword []byte) error
	// DeleteAccount checks the password (and a code with two-factor
	// sign-in on), then destroys the account as `sealgate user delete`
	// does, refusing an account with versions under Object Lock. A wrong
	// password is gateway.ErrAccessDenied.
	DeleteAccount(ctx context.Context, name string, password []byte, code string) error
}

// AccountSettings is what the account page shows: no secret.
type AccountSettings struct {
	TwoFactor         bool              `json:"two_factor"`
	RecoveryCodesLeft int               `json:"recovery_codes_left"`
	AppPasswords      []AppPasswordInfo `json:"app_passwords"`
	S3Keys            []S3KeyInfo       `json:"s3_keys"`
}

// AppPasswordInfo describes an app password (never the password).
type AppPasswordInfo struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
}

// S3KeyInfo describes an S3 access key pair (never the secret).
type S3KeyInfo struct {
	AccessKeyID string    `json:"access_key_id"`
	Created     time.Time `json:"created"`
	Original    bool      `json:"original"`
}

// Second-factor errors.
var (
	// ErrWrongCode: a wrong or already used TOTP or recovery code (403;
	// at sign-in 401, slowed as a wrong password).
	ErrWrongCode = errors.New("wrong or already used code")
	// errCodeRequired: the password was right and the account needs a
	// code.
	errCodeRequired = errors.New("a code from your authenticator app (or a recovery code) is needed")
)

// Refused is an account change refused for a reason the user can fix
// (400 with msg shown).
func Refused(msg string) error { return badRequest(msg) }

// maxAccountBody bounds an account request.
const maxAccountBody = 4 << 10

// routeAccount registers the account page's API.
func (s *server) routeAccount(mux *http.ServeMux) {
	a := func(pattern, op string, h accountFunc) { s.route(mux, pattern, op, s.withSecurity(h)) }
	a("GET /api/account", "account", s.accountInfo)
	a("POST /api/account/password", "account-password", s.changePassword)
	a("POST /api/account/2fa/begin", "2fa-begin", s.beginTOTP)
	a("POST /api/account/2fa/confirm", "2fa-confirm", s.confirmTOTP)
	a("POST /api/account/2fa/disable", "2fa-disable", s.disableTOTP)
	a("POST /api/account/2fa/recovery-codes", "2fa-codes", s.newRecoveryCodes)
	a("POST /api/account/app-passwords", "app-password-add", s.addAppPassword)
	a("DELETE /api/account/app-passwords", "app-password-revoke", s.revokeAppPassword)
	a("POST /api/account/s3-keys", "s3-key-add", s.addS3Key)
	a("DELETE /api/account/s3-keys", "s3-key-revoke", s.revokeS3Key)
	a("POST /api/account/delete", "account-delete", s.deleteAccount)
}

// accountFunc serves a request of the account page, given the accounts'
// security settings.
type accountFunc func(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error

// withSecurity serves h with Config.Security; without one (a door built
// without account settings) every account route is errNotFound.
func (s *server) withSecurity(h accountFunc) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request, sess *session) error {
		if s.cfg.Security == nil {
			return errNotFound
		}
		return h(w, r, sess, s.cfg.Security)
	}
}

// secondFactor is the sign-in's code step after a right password: none
// needed, errCodeRequired, or the code's verdict (a wrong one is slowed
// per client address).
func (s *server) secondFactor(r *http.Request, name, code string) error {
	if s.cfg.Security == nil || !s.cfg.Security.TwoFactor(name) {
		return nil
	}
	if code == "" {
		return errCodeRequired
	}
	err := s.cfg.Security.VerifyCode(r.Context(), name, code)
	if errors.Is(err, ErrWrongCode) {
		s.fails.Wait(r.Context(), clientAddr(r))
	}
	return err
}

func (s *server) accountInfo(w http.ResponseWriter, _ *http.Request, sess *session, sec Security) error {
	st, err := sec.Settings(sess.user.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, st)
	return nil
}

type passwordRequest struct {
	Current string `json:"current"`
	New     string `json:"new"`
}

// changePassword changes the password; every session of the account ends
// (the session key derives from the verifier) but this one, which gets a
// new cookie and CSRF token.
func (s *server) changePassword(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in passwordRequest
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	cur, next := []byte(in.Current), []byte(in.New)
	defer clear(cur)
	defer clear(next)
	if err := sec.ChangePassword(r.Context(), sess.user.Name, cur, next); err != nil {
		return err
	}
	u, err := s.cfg.Logins.Lookup(sess.user.Name)
	if err != nil {
		return err
	}
	ns := s.newSession(u)
	http.SetCookie(w, sessionCookie(ns.tok.seal(u.SessionKey), ns.tok.Expires, s.secure(r)))
	writeJSON(w, http.StatusOK, ns.info())
	return nil
}

func (s *server) beginTOTP(w http.ResponseWriter, _ *http.Request, sess *session, sec Security) error {
	secret, url, err := sec.BeginTOTP(sess.user.Name)
	if err != nil {
		return err
	}
	png, err := qrcode.Encode(url, qrcode.Medium, 256)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"secret": secret, "url": url,
		"qr": "data:image/png;base64," + base64.StdEncoding.EncodeToString(png)})
	return nil
}

type codeRequest struct {
	Secret string `json:"secret,omitempty"`
	Code   string `json:"code"`
}

// confirmAnswer is the answer to turning two-factor sign-in on.
type confirmAnswer struct {
	RecoveryCodes []string    `json:"recovery_codes"`
	Session       sessionJSON `json:"session"`
	// OthersEnded is false when the other sessions could not be ended
	// (the sign-out record could not be written): 2FA is on all the same,
	// and the page says so.
	OthersEnded bool `json:"others_ended"`
}

// confirmTOTP turns two-factor sign-in on. Every other session of the
// account ends, on every gateway (they were opened with the password
// alone); this one gets a new cookie and CSRF token, as after a password
// change. 2FA is on once ConfirmTOTP succeeds, so its recovery codes are
// answered even if the sessions could not be ended (OthersEnded false).
func (s *server) confirmTOTP(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in codeRequest
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	codes, err := sec.ConfirmTOTP(r.Context(), sess.user.Name, in.Secret, in.Code)
	if err != nil {
		return err
	}
	cut := s.cfg.Now()
	ended := s.revs.revoke(r.Context(), sess.user, func(rec *revocation) { rec.endAll(cut) })
	if ended != nil {
		s.cfg.Logger.Warn().Str("user", sess.user.Name).Err(ended).Msg("2FA turned on; the account's other sessions could not be ended")
	}
	ns := s.newSession(sess.user)
	if ns.tok.Issued.UnixMilli() <= cut.UnixMilli() { // "not before" ends sessions of its millisecond too
		ns.tok.Issued = cut.Add(time.Millisecond)
	}
	http.SetCookie(w, sessionCookie(ns.tok.seal(sess.user.SessionKey), ns.tok.Expires, s.secure(r)))
	writeJSON(w, http.StatusOK, confirmAnswer{RecoveryCodes: codes, Session: ns.info(), OthersEnded: ended == nil})
	return nil
}

func (s *server) disableTOTP(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in codeRequest
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	if err := sec.DisableTOTP(r.Context(), sess.user.Name, in.Code); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// newRecoveryCodes replaces the account's recovery codes (a TOTP or
// recovery code required, used up) and answers the new ones, shown once.
func (s *server) newRecoveryCodes(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in codeRequest
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	codes, err := sec.NewRecoveryCodes(r.Context(), sess.user.Name, in.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string][]string{"recovery_codes": codes})
	return nil
}

func (s *server) addAppPassword(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in struct {
		Name string `json:"name"`
	}
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	info, pw, err := sec.AddAppPassword(r.Context(), sess.user.Name, in.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, struct {
		AppPasswordInfo
		Password string `json:"password"`
	}{info, pw})
	return nil
}

func (s *server) revokeAppPassword(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	if err := sec.RevokeAppPassword(r.Context(), sess.user.Name, r.URL.Query().Get("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) addS3Key(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	id, secret, err := sec.AddS3Key(r.Context(), sess.user.Name)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"access_key_id": id, "secret_access_key": secret})
	return nil
}

func (s *server) revokeS3Key(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	if err := sec.RevokeS3Key(r.Context(), sess.user.Name, r.URL.Query().Get("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// codeAnswer answers a sign-in whose code step failed: 401 with
// code_required (so the page shows the code field) for a missing or
// wrong code; other errors go to the error table.
func codeAnswer(w http.ResponseWriter, err error) error {
	switch {
	case errors.Is(err, errCodeRequired):
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": err.Error(), "code_required": true})
	case errors.Is(err, ErrWrongCode):
		writeJSON(w, http.StatusUnauthorized, map[string]any{"error": "wrong or already used code", "code_required": true})
	default:
		return err
	}
	return nil
}

type deleteRequest struct {
	Password string `json:"password"`
	Code     string `json:"code,omitempty"`
}

// deleteAccount destroys the signed-in account (password, and a code with
// two-factor sign-in on); a wrong one is slowed per client address. The
// cookie is cleared.
func (s *server) deleteAccount(w http.ResponseWriter, r *http.Request, sess *session, sec Security) error {
	var in deleteRequest
	if err := decodeJSON(r, maxAccountBody, &in); err != nil {
		return err
	}
	pw := []byte(in.Password)
	defer clear(pw)
	err := sec.DeleteAccount(r.Context(), sess.user.Name, pw, in.Code)
	if errors.Is(err, ErrWrongCode) || errors.Is(err, gateway.ErrAccessDenied) {
		s.fails.Wait(r.Context(), clientAddr(r))
	}
	if err != nil {
		return err
	}
	s.clearCookie(w, r)
	w.WriteHeader(http.StatusNoContent)
	return nil
}
