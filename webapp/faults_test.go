package webapp

import (
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/internal/faultstore"
)

// faultyEnv is a door over the real gateway over a fault-injecting mem
// store (no rule yet), with alice's bucket "docs" holding f.txt.
func faultyEnv(t *testing.T) (*env, *client, *faultstore.Store) {
	t.Helper()
	fs := faultstore.New(mem.New(), 1)
	e := newEnvOn(t, fs)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	c.must(201, "PUT", objPath("docs", "f.txt"), "old content")
	return e, c, fs
}

// TestUpstreamFailures: an upstream out of space is 507, one that fails
// 503 with Retry-After, and a failed upload keeps the previous content.
func TestUpstreamFailures(t *testing.T) {
	big := strings.Repeat("x", 4<<20)
	for _, tc := range []struct {
		name   string
		rule   faultstore.Rule
		status int
	}{
		{"no space", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1, After: 1000}, 507},
		{"reset", faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.Reset, Prob: 1, After: 70_000}, 503},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, c, fs := faultyEnv(t)
			fs.Add(tc.rule)
			resp := c.do("PUT", objPath("docs", "f.txt", "overwrite", "1"), strings.NewReader(big))
			_ = resp.Body.Close()
			fs.Clear()
			if resp.StatusCode != tc.status || (tc.status == 503) != (resp.Header.Get("Retry-After") != "") {
				t.Fatalf("upload: %d, Retry-After %q; want %d", resp.StatusCode, resp.Header.Get("Retry-After"), tc.status)
			}
			if got, _ := e.get("alice", "docs", "f.txt"); got != "old content" {
				t.Fatalf("content after a failed upload: %d bytes", len(got))
			}
		})
	}
}

// TestDownloadFailureAborts: when the upstream fails after a download's
// header went out, the connection is cut: the browser gets a body error,
// never a complete-looking short file, and the access log shows the
// failure.
func TestDownloadFailureAborts(t *testing.T) {
	for _, tc := range []struct {
		fault  faultstore.Fault
		status string
	}{{faultstore.Reset, `"status":503`}, {faultstore.Short, `"status":500`}} {
		t.Run(string(tc.fault), func(t *testing.T) {
			e, c, fs := faultyEnv(t)
			data := bytes.Repeat([]byte("0123456789abcdef"), 20_000)
			c.must(201, "PUT", objPath("docs", "big"), string(data))
			fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: tc.fault, Prob: 1, After: 150_000})
			resp := c.do("GET", objPath("docs", "big"), nil)
			defer func() { _ = resp.Body.Close() }()
			got, err := io.ReadAll(resp.Body)
			if resp.StatusCode != 200 || err == nil || !bytes.HasPrefix(data, got) || len(got) >= len(data) {
				t.Fatalf("download: %s, %d bytes, %v; want a 200 whose body fails after a prefix", resp.Status, len(got), err)
			}
			if !strings.Contains(e.logs.String(), tc.status) {
				t.Fatalf("no access line with %s:\n%s", tc.status, e.logs.String())
			}
		})
	}
}
