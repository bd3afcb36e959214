// Package gwproc runs the built sealgate binary for tests: built once per
// test binary (without the race detector, as users run it), started with
// `serve` on ephemeral loopback ports, its endpoints read from what it
// prints, stopped gracefully or killed. Commands (`user add`, …) run with
// the same environment.
//
// A gateway's stderr (its log) is kept, bounded, and shown when the test
// fails.
package gwproc

import (
	"bufio"
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Build builds github.com/sealgate/sealgate/cmd/sealgate once per test
// binary and returns the path of the executable.
func Build(tb testing.TB) string {
	tb.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sealgate-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sealgate")
		out, err := exec.Command("go", "build", "-o", binPath, "github.com/sealgate/sealgate/cmd/sealgate").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err, string(out)}
		}
	})
	if buildErr != nil {
		tb.Fatal(buildErr)
	}
	return binPath
}

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return "go build: " + e.err.Error() + "\n" + e.out }

// Gateway is a running `sealgate serve`.
type Gateway struct {
	Bin string
	Env []string          // the process environment (SEALGATE_*, AWS_*)
	URL map[string]string // door name (s3, webdav, web, admin) → base URL

	mu     sync.Mutex // guards URL while the endpoints are read
	cmd    *exec.Cmd
	exited chan struct{}
	err    error // of Wait, once exited is closed
	log    *tail
}

// Start runs `sealgate serve` with env added to a clean environment, on
// ephemeral ports unless env sets the addresses, and waits until it prints
// its endpoints. The process is killed at the end of the test.
func Start(tb testing.TB, bin string, env ...string) *Gateway {
	tb.Helper()
	g := &Gateway{Bin: bin, URL: map[string]string{}, exited: make(chan struct{}), log: &tail{},
		Env: append(BaseEnv(), "SEALGATE_S3_ADDR=127.0.0.1:0", "SEALGATE_DAV_ADDR=127.0.0.1:0", "SEALGATE_WEB_ADDR=127.0.0.1:0",
			"SEALGATE_ADMIN_ADDR=127.0.0.1:0",
			"SEALGATE_LOG_LEVEL=warn", "SEALGATE_LOG_FORMAT=json")}
	g.Env = append(g.Env, env...)
	g.cmd = exec.Command(bin, "serve")
	g.cmd.Env, g.cmd.Stderr = g.Env, g.log
	out, err := g.cmd.StdoutPipe()
	if err != nil {
		tb.Fatal(err)
	}
	if err := g.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	ready := make(chan struct{})
	go g.readEndpoints(out, ready)
	go func() { g.err = g.cmd.Wait(); close(g.exited) }()
	select {
	case <-ready:
	case <-g.exited:
		tb.Fatalf("sealgate exited at start: %v\n%s", g.err, g.log)
	case <-time.After(60 * time.Second):
		tb.Fatalf("sealgate did not start\n%s", g.log)
	}
	tb.Cleanup(func() {
		g.Kill()
		if tb.Failed() {
			tb.Logf("sealgate log (tail):\n%s", g.log)
		}
	})
	return g
}

// readEndpoints reads the "sealgate: <door> <url>" lines; ready closes
// once every door that env does not turn off has printed its line.
func (g *Gateway) readEndpoints(out io.Reader, ready chan struct{}) {
	want := map[string]bool{"s3": true, "webdav": true, "web": true, "admin": true}
	for _, kv := range g.Env {
		for door, v := range map[string]string{"webdav": "SEALGATE_DAV_ADDR=off", "web": "SEALGATE_WEB_ADDR=off", "admin": "SEALGATE_ADMIN_ADDR=off"} {
			if kv == v {
				delete(want, door)
			}
		}
	}
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] != "sealgate:" || !want[f[1]] || !strings.HasPrefix(f[2], "http") {
			continue
		}
		g.mu.Lock()
		g.URL[f[1]] = f[2]
		done := len(g.URL) == len(want)
		g.mu.Unlock()
		if done {
			close(ready)
		}
	}
}

// CLI runs a sealgate command with the gateway's environment and returns
// its stdout; a failure fails the test.
func (g *Gateway) CLI(tb testing.TB, stdin string, args ...string) string {
	tb.Helper()
	out, errOut, err := g.TryCLI(stdin, args...)
	if err != nil {
		tb.Fatalf("sealgate %s: %v\n%s", strings.Join(args, " "), err, errOut)
	}
	return out
}

// TryCLI runs a sealgate command with the gateway's environment.
func (g *Gateway) TryCLI(stdin string, args ...string) (stdout, stderr string, err error) {
	cmd := exec.Command(g.Bin, args...)
	cmd.Env, cmd.Stdin = g.Env, strings.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// Stop sends SIGTERM and fails the test unless the process exits cleanly
// (in-flight requests finish first).
func (g *Gateway) Stop(tb testing.TB) {
	tb.Helper()
	_ = g.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-g.exited:
		if g.err != nil {
			tb.Fatalf("unclean exit: %v\n%s", g.err, g.log)
		}
	case <-time.After(45 * time.Second):
		tb.Fatal("no graceful exit")
	}
}

// Pid is the process id of the gateway.
func (g *Gateway) Pid() int { return g.cmd.Process.Pid }

// Kill ends the process with SIGKILL and waits for it.
func (g *Gateway) Kill() {
	_ = g.cmd.Process.Kill()
	<-g.exited
}

// Within fails the test unless ok holds within d, polling it every 20 ms:
// for what a gateway process does on its own time (a change made through
// another gateway or the CLI reaches it at its next poll of the upstream,
// about a second).
func Within(tb testing.TB, d time.Duration, what string, ok func() bool) {
	tb.Helper()
	deadline := time.Now().Add(d)
	for !ok() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BaseEnv is the parent's environment without SEALGATE_* and AWS_*
// variables, with the EC2 metadata lookup off (no cloud here).
func BaseEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "SEALGATE_") && !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return append(env, "AWS_EC2_METADATA_DISABLED=true")
}

// tail keeps the last 64 KiB written to it.
type tail struct {
	mu sync.Mutex
	b  []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - 64<<10; over > 0 {
		t.b = t.b[over:]
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.b)
}
