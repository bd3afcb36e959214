package cryptolayer

import (
	"crypto/hmac"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"runtime/debug"

	"golang.org/x/crypto/argon2"
)

// Password errors. No error message ever contains a password.
var (
	// ErrPasswordParams: Argon2id parameters outside the accepted bounds.
	ErrPasswordParams = errors.New("cryptolayer: password parameters out of bounds")
	// ErrInvalidPassword: an empty password, or one longer than MaxPasswordBytes.
	ErrInvalidPassword = errors.New("cryptolayer: invalid password")
)

// MaxPasswordBytes bounds the password length (Argon2 accepts any length;
// the bound only stops absurd inputs).
const MaxPasswordBytes = 1024

// PasswordParams are the Argon2id cost parameters of a verifier. Memory is
// in KiB, as in argon2.IDKey.
type PasswordParams struct {
	Time      uint32 // passes, 1–10
	MemoryKiB uint32 // 19 MiB – 1 GiB
	Threads   uint8  // lanes, 1–16
}

// Bounds on PasswordParams, checked when a verifier is made and when one is
// read: a tampered keystore can neither make a login cost minutes (DoS) nor
// make a guess cheap (downgrade).
const (
	minPwMemoryKiB = 19 * 1024
	maxPwMemoryKiB = 1 << 20
	minPwTime      = 1
	maxPwTime      = 10
	minPwThreads   = 1
	maxPwThreads   = 16
	// minPwCost is the OWASP minimum (19 MiB, 2 passes) as memory × passes:
	// one pass is accepted from 38 MiB on.
	minPwCost = 2 * minPwMemoryKiB
)

// DefaultPasswordParams is RFC 9106's second recommended choice (64 MiB,
// 3 passes, 4 lanes): about 0.65 s on a 2-core server.
var DefaultPasswordParams = PasswordParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 4}

// MinPasswordParams is the floor (OWASP: 19 MiB, 2 passes, 1 lane), about
// 0.18 s. Tests use it to stay fast.
var MinPasswordParams = PasswordParams{Time: 2, MemoryKiB: minPwMemoryKiB, Threads: 1}

// Validate returns an error wrapping ErrPasswordParams unless p is within
// the bounds: memory 19 MiB–1 GiB, time 1–10, threads 1–16, and memory ×
// time at least the OWASP minimum of 19 MiB × 2.
func (p PasswordParams) Validate() error {
	switch {
	case p.MemoryKiB < minPwMemoryKiB || p.MemoryKiB > maxPwMemoryKiB:
		return fmt.Errorf("%w: memory %d KiB", ErrPasswordParams, p.MemoryKiB)
	case p.Time < minPwTime || p.Time > maxPwTime:
		return fmt.Errorf("%w: time %d", ErrPasswordParams, p.Time)
	case p.Threads < minPwThreads || p.Threads > maxPwThreads:
		return fmt.Errorf("%w: threads %d", ErrPasswordParams, p.Threads)
	case uint64(p.MemoryKiB)*uint64(p.Time) < minPwCost:
		return fmt.Errorf("%w: memory × time below the minimum", ErrPasswordParams)
	}
	return nil
}

// PasswordVerifier checks a user's password without storing it:
//
//	pdk  = Argon2id(password, Salt, Time, MemoryKiB, Threads, 32 bytes)
//	Hash = HKDF-SHA256(pdk, info = "sgw1 password verifier" || lp(user id) || lp(user name))
//
// The user id and name in the HKDF info bind the verifier to its account: a
// verifier copied into another user's record never verifies. Its String and
// Format methods print "[REDACTED]" (the hash allows offline guessing).
type PasswordVerifier struct {
	PasswordParams
	Salt [16]byte
	Hash [32]byte
}

const labelPasswordVerifier = "password verifier"

// String returns "[REDACTED]".
func (PasswordVerifier) String() string { return "[REDACTED]" }

// GoString returns "[REDACTED]".
func (PasswordVerifier) GoString() string { return "[REDACTED]" }

// Format prints "[REDACTED]" for every verb.
func (PasswordVerifier) Format(f fmt.State, _ rune) { _, _ = io.WriteString(f, "[REDACTED]") }

// NewPasswordVerifier returns a verifier of pw for the user (name, id) with
// a fresh random salt. It runs Argon2id once. Errors wrap
// ErrInvalidPassword or ErrPasswordParams.
func NewPasswordVerifier(pw []byte, p PasswordParams, name string, id [16]byte) (PasswordVerifier, error) {
	var salt [16]byte
	_, _ = rand.Read(salt[:])
	return newPasswordVerifier(pw, p, salt, name, id)
}

// newPasswordVerifier is NewPasswordVerifier with a given salt (golden tests).
func newPasswordVerifier(pw []byte, p PasswordParams, salt [16]byte, name string, id [16]byte) (PasswordVerifier, error) {
	if len(pw) == 0 || len(pw) > MaxPasswordBytes {
		return PasswordVerifier{}, fmt.Errorf("%w: length must be 1–%d bytes", ErrInvalidPassword, MaxPasswordBytes)
	}
	if err := p.Validate(); err != nil {
		return PasswordVerifier{}, err
	}
	v := PasswordVerifier{PasswordParams: p, Salt: salt}
	v.Hash = v.compute(pw, name, id)
	return v, nil
}

// Verify reports whether pw is the password of the user (name, id). It
// runs Argon2id once, unless the parameters are out of bounds (then it
// returns false at once). The comparison is constant time.
func (v PasswordVerifier) Verify(pw []byte, name string, id [16]byte) bool {
	if v.Validate() != nil || len(pw) == 0 || len(pw) > MaxPasswordBytes {
		return false
	}
	got := v.compute(pw, name, id)
	return hmac.Equal(got[:], v.Hash[:])
}

func (v PasswordVerifier) compute(pw []byte, name string, id [16]byte) [32]byte {
	pdk := argon2id(pw, v.Salt[:], v.Time, v.MemoryKiB, v.Threads, 32)
	defer clear(pdk)
	var out [32]byte
	tag := derive(pdk, nil, len(out), labelPasswordVerifier, id[:], []byte(name))
	copy(out[:], tag)
	clear(tag)
	return out
}

// GeneratePassword returns a random password of 125 bits: five groups of
// five lowercase base32 characters joined by '-' (29 bytes), e.g.
// "k3v7q-...". The caller shows it once and clears the slice.
func GeneratePassword() []byte {
	var raw [16]byte
	_, _ = rand.Read(raw[:])
	enc := make([]byte, nameB32.EncodedLen(len(raw)))
	nameB32.Encode(enc, raw[:])
	out := make([]byte, 0, 29)
	for i := 0; i < 25; i += 5 {
		if i > 0 {
			out = append(out, '-')
		}
		out = append(out, enc[i:i+5]...)
	}
	clear(enc)
	clear(raw[:])
	return out
}

// argon2GCFloor is the Argon2id memory (KiB) from which a run is followed
// by a garbage collection (argon2id): below it, the run cannot distort the
// collector's goal much.
const argon2GCFloor = 16 << 10

// argon2id is argon2.IDKey followed, for a run of argon2GCFloor or more,
// by a garbage collection that also returns free memory to the system.
// The run's memory (64 MiB by default) is garbage the moment it returns;
// but a collection that ran during it counted that memory as live and set
// the next goal at twice the heap with it. A gateway streaming objects
// afterwards let its short-lived buffers pile up to about 130 MiB before
// collecting again, so its resident size grew with the size of an upload
// through the web app (99 MiB for 256 MiB, 145 MiB for 2 GiB, `go run
// ./bench -web`), and the run's pages stayed resident long after. Collecting
// here sets the goal from the heap the process really keeps, and gives the
// pages back; it costs one collection per run, small beside the run.
func argon2id(pw, salt []byte, passes, memKiB uint32, threads uint8, n uint32) []byte {
	k := argon2.IDKey(pw, salt, passes, memKiB, threads, n)
	if memKiB >= argon2GCFloor {
		debug.FreeOSMemory()
	}
	return k
}
