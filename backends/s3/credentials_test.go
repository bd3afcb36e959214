package s3

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/sealgate/sealgate/backends"
)

// testCredentials: signatures are checked and accounts are separated (the
// latter where the server has a second account: versitygw).
func testCredentials(t *testing.T, u *upstream) {
	secret := "wrong" + u.srv.SecretAccessKey
	tests := []struct {
		name string
		mod  func(*Config)
		code string
		user bool // needs the second account
	}{
		{"wrong secret", func(c *Config) { c.SecretAccessKey = secret }, "SignatureDoesNotMatch", false},
		{"unknown key", func(c *Config) { c.AccessKeyID = "nobody" }, "InvalidAccessKeyId", false},
		{"user on root bucket", func(c *Config) {
			c.AccessKeyID, c.SecretAccessKey = u.srv.UserAccessKeyID, u.srv.UserSecretAccessKey
		}, "AccessDenied", true},
		{"missing bucket", func(c *Config) { c.Bucket = "no-such-bucket" }, "NoSuchBucket", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.user {
				needUser(t, u)
			}
			s := u.store(t, tc.mod)
			_, err := s.Put(t.Context(), "k", strings.NewReader("x"), 1, backends.PutOptions{})
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
				t.Fatalf("Put: %v; want code %s", err, tc.code)
			}
			for _, sentinel := range []error{backends.ErrNotExist, backends.ErrUnavailable, backends.ErrPreconditionFailed} {
				if errors.Is(err, sentinel) {
					t.Fatalf("Put: %v is %v", err, sentinel)
				}
			}
			for _, sec := range []string{secret, u.srv.UserSecretAccessKey} {
				if sec != "" && strings.Contains(err.Error(), sec) {
					t.Fatalf("error shows a secret: %v", err)
				}
			}
		})
	}
	t.Run("user bucket", func(t *testing.T) {
		needUser(t, u)
		s := u.store(t, func(c *Config) {
			c.Bucket = "user-" + randHex(4)
			u.srv.CreateUserBucket(t, c.Bucket)
			c.AccessKeyID, c.SecretAccessKey = u.srv.UserAccessKeyID, u.srv.UserSecretAccessKey
		})
		if err := s.Ping(t.Context()); err != nil {
			t.Fatal(err)
		}
		mustPut(t, s, "mine", []byte("data"), backends.PutOptions{})
		mustRead(t, s, "mine", []byte("data"))
	})
}

// needUser skips a test that needs the server's second account when it has
// none (MinIO).
func needUser(t *testing.T, u *upstream) {
	t.Helper()
	if u.srv.UserAccessKeyID == "" {
		t.Skipf("%s runs without a second account", u.srv.Kind)
	}
}

// testUnreachable: a closed port is ErrUnavailable, quickly with one retry.
func testUnreachable(t *testing.T, u *upstream) {
	t.Run("closed port", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		s := u.store(t, func(c *Config) { c.Endpoint = "http://" + addr; c.MaxRetries = 1 })
		start := time.Now()
		_, err = s.Stat(t.Context(), "k")
		wantErr(t, "Stat on a closed port", err, backends.ErrUnavailable)
		if d := time.Since(start); d > 5*time.Second {
			t.Fatalf("took %v", d)
		}
	})
}
