package s3server

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// findBinary looks name up in $env, then in PATH, then in
// $(go env GOPATH)/bin.
func findBinary(name, env string) (string, error) {
	if p := os.Getenv(env); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("$%s: %w", env, err)
		}
		return p, nil
	}
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	out, err := exec.Command("go", "env", "GOPATH").Output()
	if err == nil {
		for _, gopath := range filepath.SplitList(strings.TrimSpace(string(out))) {
			p := filepath.Join(gopath, "bin", name)
			if _, err := os.Stat(p); err == nil {
				return p, nil
			}
		}
	}
	return "", fmt.Errorf("%s not found in $%s, PATH or $(go env GOPATH)/bin", name, env)
}

// launch calls run, which starts the process on free ports and waits until
// it answers, up to startTries times: a port can be taken between the probe
// and the start.
func launch(run func() error) error {
	var err error
	for range startTries {
		if err = run(); err == nil {
			return nil
		}
	}
	return err
}

// spawn starts cmd with its output in the tail buffer and records it as
// the server's process.
func (s *Server) spawn(cmd *exec.Cmd) error {
	cmd.Stdout, cmd.Stderr = s.out, s.out
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", s.bin, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	s.cmd, s.done = cmd, done
	return nil
}

// waitReady calls ready until it holds, the process exits or timeout
// passes; in the last two cases the process is stopped.
func (s *Server) waitReady(timeout time.Duration, ready func() bool) error {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		select {
		case <-s.done:
			return fmt.Errorf("%s exited during start", s.Kind)
		default:
		}
		if ready() {
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	s.kill()
	return fmt.Errorf("%s was not ready on %s within %v", s.Kind, s.Endpoint, timeout)
}

// stop ends the process and shows its output if the test failed.
func (s *Server) stop(tb testing.TB) {
	s.kill()
	if tb.Failed() {
		tb.Logf("s3server: %s output:\n%s", s.Kind, s.out.String())
	}
}

func (s *Server) kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	_ = s.cmd.Process.Kill()
	<-s.done
}

// cleanEnv is the environment without settings that would change the
// server: versitygw's (VGW_, ROOT_, ADMIN_) and MinIO's (MINIO_).
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(name, "VGW_"), strings.HasPrefix(name, "ROOT_"),
			strings.HasPrefix(name, "ADMIN_"), strings.HasPrefix(name, "MINIO_"):
			continue
		}
		env = append(env, kv)
	}
	return env
}

// freeAddr returns a loopback address with a port that was free just now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	addr := l.Addr().String()
	return addr, l.Close()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf bytes.Buffer
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf.Write(p)
	if extra := t.buf.Len() - t.max; extra > 0 {
		t.buf.Next(extra)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.buf.String()
}
