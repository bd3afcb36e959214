package integration

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/faultstore"
	"github.com/sealgate/sealgate/internal/testlog"
	"github.com/sealgate/sealgate/s3api"
)

// putCounter counts the PUT requests that reach a handler, per path.
type putCounter struct {
	h  http.Handler
	mu sync.Mutex
	n  map[string]int
}

func (c *putCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPut {
		c.mu.Lock()
		c.n[r.URL.Path]++
		c.mu.Unlock()
	}
	c.h.ServeHTTP(w, r)
}

func (c *putCounter) count(path string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[path]
}

// fullGateway is sealgate's S3 door over an in-memory upstream that
// faultstore can make full, behind a PUT counter, with one account.
func fullGateway(t *testing.T) (target, *faultstore.Store, *putCounter) {
	t.Helper()
	fs := faultstore.New(mem.New(), 1)
	acc, err := accounts.Open(context.Background(), accounts.Config{Store: mem.New(), DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = acc.Close() })
	svc, err := gateway.NewService(gateway.Config{Store: fs})
	if err != nil {
		t.Fatal(err)
	}
	log := &testlog.Buffer{}
	door, err := s3api.New(s3api.Config{Users: gatewayUsers{acc, svc}, Logger: zerolog.New(log)})
	if err != nil {
		t.Fatal(err)
	}
	counter := &putCounter{h: door, n: map[string]int{}}
	srv := httptest.NewServer(counter)
	t.Cleanup(srv.Close)
	creds, err := acc.Create(context.Background(), "full.canary9", []byte("password of full"))
	if err != nil {
		t.Fatal(err)
	}
	tg := target{Name: "sealgate-full", Endpoint: srv.URL, Region: "us-east-1",
		AccessKey: creds.AccessKeyID, Secret: string(creds.SecretAccessKey), SigV2: true}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("sealgate log (tail):\n%s", tail(redactAll(log.String(), []string{tg.Secret})))
		}
	})
	return tg, fs, counter
}

// TestAWSCLIUpstreamFull: when the upstream is out of space, aws cli v1
// and v2 fail at once with a message a person understands, and send the
// upload once: the door answers 507 InsufficientStorage, which botocore
// does not retry (it retries a 500 InternalError four times, re-sending
// the whole body each time).
func TestAWSCLIUpstreamFull(t *testing.T) {
	t.Parallel()
	for _, major := range []int{1, 2} {
		t.Run(fmt.Sprintf("v%d", major), func(t *testing.T) {
			tg, fs, counter := fullGateway(t)
			a := newAWSCLI(t, tg, major)
			a.aws("s3", "mb", "s3://full")
			file := filepath.Join(t.TempDir(), "f.bin")
			if err := os.WriteFile(file, randomBytes(9, 1<<20), 0o600); err != nil {
				t.Fatal(err)
			}
			fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1})
			for _, c := range []struct {
				key  string
				args []string
			}{
				{"cp", []string{"s3", "cp", file, "s3://full/cp"}},
				{"put", []string{"s3api", "put-object", "--bucket", "full", "--key", "put", "--body", file}},
			} {
				start := time.Now()
				_, errOut, err := a.try(shortTimeout, a.env, a.bin,
					append([]string{"--endpoint-url", tg.Endpoint, "--cli-read-timeout", "20"}, c.args...)...)
				msg := a.redact(tail(errOut))
				if err == nil {
					t.Fatalf("%s to a full upstream succeeded", c.key)
				}
				if !strings.Contains(msg, "InsufficientStorage") || !strings.Contains(msg, "full or over its quota") {
					t.Errorf("%s: the cli's message does not say the storage is full:\n%s", c.key, msg)
				}
				if n := counter.count("/full/" + c.key); n != 1 {
					t.Errorf("%s: the door saw %d PUTs of the object, want 1 (no retry)", c.key, n)
				}
				t.Logf("%s failed after %.1fs: %s", c.key, time.Since(start).Seconds(), strings.TrimSpace(msg))
			}
		})
	}
}
