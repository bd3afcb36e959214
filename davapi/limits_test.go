package davapi

import (
	"net/http"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestSlowDown: over the in-flight limits, in total or per user, an
// authenticated request is answered 503 with Retry-After at once; slots
// are taken only after authentication (a failing login holds none).
func TestSlowDown(t *testing.T) {
	for name, l := range map[string]*gateway.Limiter{"total": gateway.NewLimiter(1, 0), "per user": gateway.NewLimiter(0, 1)} {
		h, err := New(Config{Logins: allowAll{}, Limiter: l})
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := l.Enter()
		relUser, _ := l.EnterUser("u")
		w := newRecorder()
		req := mustRequest(t, "PROPFIND", "/")
		req.SetBasicAuth("u", "pw")
		h.ServeHTTP(w, req)
		if w.code != http.StatusServiceUnavailable || w.h.Get("Retry-After") == "" {
			t.Fatalf("%s at the limit: %d, Retry-After %q", name, w.code, w.h.Get("Retry-After"))
		}
		rel()
		relUser()
		h2, _ := New(Config{Logins: denyAll{}, Limiter: l})
		w = newRecorder()
		h2.ServeHTTP(w, mustRequest(t, "PROPFIND", "/"))
		if w.code != http.StatusUnauthorized {
			t.Fatalf("%s: a failed login: %d", name, w.code)
		}
	}
}

type allowAll struct{}

func (allowAll) Login(name string, _ []byte) (User, error) { return User{Name: name}, nil }

type denyAll struct{}

func (denyAll) Login(string, []byte) (User, error) { return User{}, gateway.ErrAccessDenied }

type recorder struct {
	h    http.Header
	code int
}

func newRecorder() *recorder                    { return &recorder{h: http.Header{}} }
func (r *recorder) Header() http.Header         { return r.h }
func (r *recorder) Write(b []byte) (int, error) { return len(b), nil }
func (r *recorder) WriteHeader(c int)           { r.code = c }

func mustRequest(t *testing.T, method, path string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(method, "http://dav.test"+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	r.RemoteAddr = "127.0.0.1:1234"
	return r
}

// TestMethodLabel: metrics labels come from a fixed set (review H2: each
// invented method was a new series, an unauthenticated memory DoS).
func TestMethodLabel(t *testing.T) {
	for m, want := range map[string]string{"PROPFIND": "PROPFIND", "GET": "GET", "XYZZY1": "OTHER", "": "OTHER", "get": "OTHER"} {
		if got := methodLabel(m); got != want {
			t.Errorf("methodLabel(%q) = %q", m, got)
		}
	}
}
