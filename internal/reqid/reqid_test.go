package reqid

import (
	"net/http/httptest"
	"strings"
	"testing"
)

func TestOf(t *testing.T) {
	for _, c := range []struct{ header, want string }{{"abc", "abc"}, {strings.Repeat("x", 65), ""}, {"", ""}} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.header != "" {
			r.Header.Set("X-Request-Id", c.header)
		}
		got := Of(r)
		if c.want != "" && got != c.want || c.want == "" && (len(got) != 16 || got == c.header) {
			t.Errorf("X-Request-Id %q: %q", c.header, got)
		}
	}
}
