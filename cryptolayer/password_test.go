package cryptolayer

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestPasswordParamsBounds(t *testing.T) {
	tests := []struct {
		name string
		p    PasswordParams
		ok   bool
	}{
		{"default", DefaultPasswordParams, true},
		{"floor", MinPasswordParams, true},
		{"owasp one pass", PasswordParams{Time: 1, MemoryKiB: 46 * 1024, Threads: 1}, true},
		{"max", PasswordParams{Time: 10, MemoryKiB: 1 << 20, Threads: 16}, true},
		{"zero", PasswordParams{}, false},
		{"memory low", PasswordParams{Time: 3, MemoryKiB: 19*1024 - 1, Threads: 1}, false},
		{"memory 4 GiB", PasswordParams{Time: 3, MemoryKiB: 4 << 20, Threads: 4}, false},
		{"memory 1 GiB + 1", PasswordParams{Time: 1, MemoryKiB: 1<<20 + 1, Threads: 4}, false},
		{"time 0", PasswordParams{Time: 0, MemoryKiB: 64 * 1024, Threads: 4}, false},
		{"time 11", PasswordParams{Time: 11, MemoryKiB: 64 * 1024, Threads: 4}, false},
		{"time huge", PasswordParams{Time: 1 << 31, MemoryKiB: 64 * 1024, Threads: 4}, false},
		{"threads 0", PasswordParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 0}, false},
		{"threads 17", PasswordParams{Time: 3, MemoryKiB: 64 * 1024, Threads: 17}, false},
		{"19 MiB one pass", PasswordParams{Time: 1, MemoryKiB: 19 * 1024, Threads: 1}, false},
	}
	for _, tc := range tests {
		err := tc.p.Validate()
		if (err == nil) != tc.ok || (err != nil && !errors.Is(err, ErrPasswordParams)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

// TestPasswordVerifier runs Argon2id five times.
func TestPasswordVerifier(t *testing.T) {
	pw := []byte("correct horse battery staple")
	idA, idB := [16]byte{1}, [16]byte{2}
	v, err := NewPasswordVerifier(pw, MinPasswordParams, "alice", idA)
	if err != nil {
		t.Fatal(err)
	}
	if v.PasswordParams != MinPasswordParams || v.Salt == [16]byte{} || v.Hash == [32]byte{} {
		t.Fatalf("verifier fields not set")
	}
	checks := []struct {
		name string
		pw   []byte
		user string
		id   [16]byte
		want bool
	}{
		{"right", pw, "alice", idA, true},
		{"wrong password", []byte("correct horse battery stapl"), "alice", idA, false},
		{"copied to another name", pw, "bob", idA, false},
		{"copied to another id", pw, "alice", idB, false},
	}
	for _, c := range checks {
		if got := v.Verify(c.pw, c.user, c.id); got != c.want {
			t.Errorf("%s: got %v", c.name, got)
		}
	}
}

func TestPasswordVerifierRejectsTamperedParamsFast(t *testing.T) {
	v := PasswordVerifier{PasswordParams: MinPasswordParams, Salt: [16]byte{1}, Hash: [32]byte{2}}
	for _, p := range []PasswordParams{
		{Time: 1 << 30, MemoryKiB: 64 * 1024, Threads: 4}, // DoS
		{Time: 3, MemoryKiB: 1 << 31, Threads: 4},         // DoS
		{Time: 1, MemoryKiB: 8, Threads: 1},               // downgrade
		{Time: 3, MemoryKiB: 64 * 1024, Threads: 255},     // bounds
		{}, // zero verifier
	} {
		v.PasswordParams = p
		start := time.Now()
		if v.Verify([]byte("pw"), "alice", [16]byte{}) {
			t.Fatalf("%+v verified", p)
		}
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Fatalf("%+v: Argon2 ran (%v)", p, d)
		}
	}
}

func TestPasswordVerifierInputErrors(t *testing.T) {
	secretPw := []byte("canary-password-7f3a")
	tests := []struct {
		name string
		pw   []byte
		p    PasswordParams
		want error
	}{
		{"empty", nil, MinPasswordParams, ErrInvalidPassword},
		{"too long", make([]byte, MaxPasswordBytes+1), MinPasswordParams, ErrInvalidPassword},
		{"weak params", secretPw, PasswordParams{Time: 1, MemoryKiB: 1024, Threads: 1}, ErrPasswordParams},
		{"dos params", secretPw, PasswordParams{Time: 100, MemoryKiB: 1 << 20, Threads: 1}, ErrPasswordParams},
	}
	for _, tc := range tests {
		_, err := NewPasswordVerifier(tc.pw, tc.p, "alice", [16]byte{})
		if !errors.Is(err, tc.want) || strings.Contains(err.Error(), string(secretPw)) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if (PasswordVerifier{}).Verify(nil, "", [16]byte{}) {
		t.Fatal("zero verifier verified")
	}
}

func TestPasswordVerifierRedacted(t *testing.T) {
	v := PasswordVerifier{PasswordParams: MinPasswordParams, Hash: [32]byte{0xde, 0xad, 0xbe, 0xef}}
	for _, s := range []string{fmt.Sprint(v), fmt.Sprintf("%+v %#v %x %s", v, v, v, v), v.String(), v.GoString()} {
		if strings.Contains(s, "dead") || strings.Contains(s, "222") {
			t.Fatalf("verifier printed: %s", s)
		}
	}
}

func TestGeneratePassword(t *testing.T) {
	re := regexp.MustCompile(`^[a-z2-7]{5}(-[a-z2-7]{5}){4}$`)
	seen := map[string]bool{}
	for range 100 {
		pw := GeneratePassword()
		if !re.Match(pw) || seen[string(pw)] {
			t.Fatalf("bad or repeated password %q", pw)
		}
		seen[string(pw)] = true
	}
}
