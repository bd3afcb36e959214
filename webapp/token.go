package webapp

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"time"
	"unicode/utf8"
)

// A session token is the value of the sg_session cookie:
//
//	base64url( 0x01 || issued (int64 BE, Unix ms) || expires (int64 BE, Unix ms)
//	           || id (16 random bytes) || account name (UTF-8, 1..255 bytes)
//	           || HMAC-SHA256(session key, "sealgate web session v1\x00" || all before) )
//
// It is MAC'd, not encrypted: the account name is readable by whoever
// holds the cookie (HttpOnly keeps it from scripts). The key is the
// account's SessionKey, the same on every gateway, so any gateway can
// verify a token another one issued without shared session state.
const (
	tokenVersion  = 1
	tokenIDLen    = 16
	tokenMACLen   = sha256.Size
	tokenFixedLen = 1 + 8 + 8 + tokenIDLen
	maxTokenName  = 255
	// maxTokenLen bounds a cookie value that is decoded at all.
	maxTokenLen = (4*(tokenFixedLen+maxTokenName+tokenMACLen) + 2) / 3
)

const (
	labelSession = "sealgate web session v1\x00"
	labelCSRF    = "sealgate web csrf v1\x00"
)

var errBadToken = errors.New("webapp: malformed session token")

var b64 = base64.RawURLEncoding

// token is a session: who, when, until when, and its id (what a sign-out
// revokes).
type token struct {
	Issued, Expires time.Time
	ID              [tokenIDLen]byte
	Name            string
}

// seal returns the cookie value of t under key.
func (t token) seal(key SessionKey) string {
	b := make([]byte, 0, tokenFixedLen+len(t.Name)+tokenMACLen)
	b = append(b, tokenVersion)
	b = binary.BigEndian.AppendUint64(b, uint64(t.Issued.UnixMilli()))
	b = binary.BigEndian.AppendUint64(b, uint64(t.Expires.UnixMilli()))
	b = append(b, t.ID[:]...)
	b = append(b, t.Name...)
	return b64.EncodeToString(append(b, macOf(key, labelSession, b)...))
}

// parsedToken is a token whose MAC is not checked yet: the key depends on
// the account it names.
type parsedToken struct {
	token
	body, mac []byte
}

// parseToken decodes a cookie value without checking its MAC.
func parseToken(v string) (parsedToken, error) {
	if len(v) > maxTokenLen {
		return parsedToken{}, errBadToken
	}
	b, err := b64.DecodeString(v)
	if err != nil || len(b) < tokenFixedLen+1+tokenMACLen || b[0] != tokenVersion {
		return parsedToken{}, errBadToken
	}
	body, mac := b[:len(b)-tokenMACLen], b[len(b)-tokenMACLen:]
	name := string(body[tokenFixedLen:])
	if len(name) > maxTokenName || !utf8.ValidString(name) {
		return parsedToken{}, errBadToken
	}
	p := parsedToken{body: body, mac: mac}
	p.Issued = time.UnixMilli(int64(binary.BigEndian.Uint64(body[1:9])))
	p.Expires = time.UnixMilli(int64(binary.BigEndian.Uint64(body[9:17])))
	copy(p.ID[:], body[17:tokenFixedLen])
	p.Name = name
	return p, nil
}

// verify reports whether the token was sealed under key (constant time).
func (p parsedToken) verify(key SessionKey) bool {
	return hmac.Equal(macOf(key, labelSession, p.body), p.mac)
}

// csrfToken is the CSRF token of session id: HMAC-SHA256(session key,
// "sealgate web csrf v1\x00" || id), base64url. The page gets it in a JSON
// answer (never in the cookie) and sends it in X-CSRF-Token.
func csrfToken(key SessionKey, id [tokenIDLen]byte) string {
	return b64.EncodeToString(macOf(key, labelCSRF, id[:]))
}

// checkCSRF compares a presented CSRF token with the session's in
// constant time.
func checkCSRF(key SessionKey, id [tokenIDLen]byte, got string) bool {
	want := csrfToken(key, id)
	return subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

func macOf(key SessionKey, label string, data []byte) []byte {
	m := hmac.New(sha256.New, key[:])
	m.Write([]byte(label))
	m.Write(data)
	return m.Sum(nil)
}
