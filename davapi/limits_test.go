package davapi

import (
	"net/http"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// TestSlowDown: over the in-flight limits the door answers 503 with
// Retry-After at once and recovers when the load goes.
func TestSlowDown(t *testing.T) {
	l := gateway.NewLimiter(1, 0)
	h, err := New(Config{Logins: denyAll{}, Limiter: l})
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := l.Enter()
	w := newRecorder()
	h.ServeHTTP(w, mustRequest(t, "PROPFIND", "/"))
	if w.code != http.StatusServiceUnavailable || w.h.Get("Retry-After") == "" {
		t.Fatalf("at the limit: %d, Retry-After %q", w.code, w.h.Get("Retry-After"))
	}
	rel()
	w = newRecorder()
	h.ServeHTTP(w, mustRequest(t, "PROPFIND", "/"))
	if w.code != http.StatusUnauthorized {
		t.Fatalf("below the limit: %d", w.code)
	}
}

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
