package s3

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/smithy-go"

	"github.com/sealgate/sealgate/backends"
)

// testCopyCompose covers the three ways of Compose and the ranged Copy.
func testCopyCompose(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	big1, big2, small := data(minPartSize), data(minPartSize+3), data(10)
	for k, b := range map[string][]byte{"c/big 1+": big1, "c/big2": big2, "c/small": small, "c/empty": nil} {
		mustPut(t, s, k, b, backends.PutOptions{})
	}
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	tests := []struct {
		name  string
		srcs  []string
		want  []byte
		parts string // ETag suffix: "" single object, "-N" multipart
	}{
		{"none", nil, nil, ""},
		{"one", []string{"c/big 1+"}, big1, ""},
		{"copied parts", []string{"c/big 1+", "c/empty", "c/big2", "c/small"}, cat(big1, big2, small), "-3"},
		{"streamed", []string{"c/small", "c/big2", "c/small"}, cat(small, big2, small), "-2"},
		{"streamed small", []string{"c/small", "c/small"}, cat(small, small), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			info, err := s.Compose(t.Context(), "c/dst", tc.srcs, backends.PutOptions{})
			if err != nil {
				t.Fatal(err)
			}
			got := mustRead(t, s, "c/dst", tc.want)
			suffix := ""
			if i := strings.LastIndex(info.ETag, "-"); i >= 0 {
				suffix = info.ETag[i:]
			}
			if got.ETag != info.ETag || info.Size != int64(len(tc.want)) || suffix != tc.parts {
				t.Fatalf("Compose info %+v, Get ETag %q; want %d bytes, parts %q", info, got.ETag, len(tc.want), tc.parts)
			}
		})
	}
	t.Run("errors", func(t *testing.T) {
		_, err := s.Compose(t.Context(), "c/dst", []string{"c/big 1+", "c/missing"}, backends.PutOptions{})
		wantErr(t, "missing source", err, backends.ErrNotExist)
		_, err = s.Compose(t.Context(), "c/dst", []string{"c/big 1+", "c/small"}, backends.PutOptions{IfAbsent: true})
		wantErr(t, "IfAbsent on present dst", err, backends.ErrPreconditionFailed)
		if n := uploadsLeft(t, s); n != 0 {
			t.Fatalf("%d multipart uploads left", n)
		}
	})
	t.Run("ranged copy", func(t *testing.T) {
		defer func(old int64) { copyPartLimit = old }(copyPartLimit)
		copyPartLimit = minPartSize + 1<<20
		b := data(2 * int(copyPartLimit))
		mustPut(t, s, "c/huge", b, backends.PutOptions{})
		info, err := s.Copy(t.Context(), "c/huge", "c/huge copy", backends.PutOptions{IfAbsent: true})
		if err != nil || !strings.HasSuffix(info.ETag, "-2") {
			t.Fatalf("Copy = %+v, %v; want 2 copied parts", info, err)
		}
		mustRead(t, s, "c/huge copy", b)
	})
}

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
