package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// target is an S3 endpoint and one account's credentials.
type target struct {
	Name      string // for messages: "versitygw", "sealgate-fs" …
	Endpoint  string // http(s)://127.0.0.1:port, path-style addressing
	Region    string
	AccessKey string
	Secret    string
	CAFile    string // PEM of the server's CA for HTTPS; "" for HTTP
	SigV2     bool   // the server accepts SigV2 (versitygw does not)
}

func (tg target) https() bool { return strings.HasPrefix(tg.Endpoint, "https://") }

// hostPort is the endpoint without its scheme.
func (tg target) hostPort() string {
	_, hp, _ := strings.Cut(tg.Endpoint, "://")
	return hp
}

// Command timeouts: every client run is bounded.
const (
	shortTimeout = 60 * time.Second
	longTimeout  = 4 * time.Minute // 100 MiB copies, restic check --read-data
)

// clientEnv is a sandbox for one client: a temp HOME, the process
// environment without any setting that would change a client, and the
// strings to redact from logs.
type clientEnv struct {
	t       testing.TB
	home    string
	env     []string
	secrets []string
}

// Environment variables dropped from every client's environment (prefixes).
var dropEnv = []string{
	"AWS_", "BOTO_", "RCLONE_", "RESTIC_", "S3CMD", "HOME=", "XDG_", "PYTHON",
	"HTTP_PROXY=", "HTTPS_PROXY=", "http_proxy=", "https_proxy=", "ALL_PROXY=", "all_proxy=",
	"NO_PROXY=", "no_proxy=", "REQUESTS_CA_BUNDLE=", "CURL_CA_BUNDLE=", "SSL_CERT_",
}

func newClientEnv(t testing.TB, tg target) *clientEnv {
	t.Helper()
	return newSandbox(t, tg.Secret)
}

// newSandbox is a clientEnv that redacts secrets.
func newSandbox(t testing.TB, secrets ...string) *clientEnv {
	t.Helper()
	home := t.TempDir()
	var env []string
	for _, kv := range os.Environ() {
		keep := true
		for _, p := range dropEnv {
			if strings.HasPrefix(kv, p) {
				keep = false
				break
			}
		}
		if keep {
			env = append(env, kv)
		}
	}
	// aws cli v1 comes from pyenv shims, which find their root from HOME.
	if os.Getenv("PYENV_ROOT") == "" {
		if h, err := os.UserHomeDir(); err == nil {
			if _, err := os.Stat(filepath.Join(h, ".pyenv")); err == nil {
				env = append(env, "PYENV_ROOT="+filepath.Join(h, ".pyenv"))
			}
		}
	}
	env = append(env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "NO_PROXY=127.0.0.1,localhost,::1",
		"no_proxy=127.0.0.1,localhost,::1", "PYTHONDONTWRITEBYTECODE=1")
	return &clientEnv{t: t, home: home, env: env, secrets: secrets}
}

// with returns a copy of the environment with extra variables.
func (c *clientEnv) with(kv ...string) []string {
	return append(append([]string(nil), c.env...), kv...)
}

// signatureRE finds signatures and credentials in presigned URLs and headers.
var signatureRE = regexp.MustCompile(`(?i)((?:X-Amz-Signature|Signature|X-Amz-Security-Token)=|Signature=)[^&\s"'<]+`)

// redact removes the secrets and any request signature from s.
func (c *clientEnv) redact(s string) string {
	for _, sec := range c.secrets {
		if sec != "" {
			s = strings.ReplaceAll(s, sec, "[REDACTED]")
		}
	}
	return signatureRE.ReplaceAllString(s, "${1}[REDACTED]")
}

// run executes a client with a timeout and returns its stdout. A failure
// (exit status, timeout) fails the test with the redacted command and output.
func (c *clientEnv) run(timeout time.Duration, env []string, name string, args ...string) string {
	c.t.Helper()
	out, _ := c.runInput(timeout, env, "", name, args...)
	return out
}

// runInput is run with stdin as the client's standard input; it returns
// stdout and stderr.
func (c *clientEnv) runInput(timeout time.Duration, env []string, stdin, name string, args ...string) (string, string) {
	c.t.Helper()
	out, errOut, err := c.tryInput(timeout, env, stdin, name, args...)
	if err != nil {
		c.t.Fatalf("%s: %v\nstdout:\n%s\nstderr:\n%s", c.redact(cmdline(name, args)), err,
			c.redact(tail(out)), c.redact(tail(errOut)))
	}
	return out, errOut
}

// try is run without failing the test: it returns stdout, stderr and the error.
func (c *clientEnv) try(timeout time.Duration, env []string, name string, args ...string) (string, string, error) {
	c.t.Helper()
	return c.tryInput(timeout, env, "", name, args...)
}

// tryInput is try with stdin as the client's standard input.
func (c *clientEnv) tryInput(timeout time.Duration, env []string, stdin, name string, args ...string) (string, string, error) {
	c.t.Helper()
	if env == nil {
		env = c.env
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env, cmd.Dir, cmd.Stdin = env, c.home, strings.NewReader(stdin)
	cmd.WaitDelay = 5 * time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", timeout, err)
	}
	c.t.Logf("%s (%.1fs, err=%v)", c.redact(cmdline(name, args)), time.Since(start).Seconds(), err)
	return stdout.String(), stderr.String(), err
}

// writeConfig writes a 0600 file in the sandbox and returns its path.
func (c *clientEnv) writeConfig(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.home, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		c.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		c.t.Fatal(err)
	}
	return p
}

func cmdline(name string, args []string) string {
	q := make([]string, 0, len(args)+1)
	for _, a := range append([]string{name}, args...) {
		if a == "" || strings.ContainsAny(a, " \t'\"") {
			a = fmt.Sprintf("%q", a)
		}
		q = append(q, a)
	}
	return strings.Join(q, " ")
}

// tail keeps the end of long output for failure messages.
func tail(s string) string {
	const keep = 8 << 10
	if len(s) > keep {
		return "…" + s[len(s)-keep:]
	}
	return s
}

// lookClient finds a client binary, or skips/fails the test loudly.
func lookClient(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		skipOrFail(t, "%s not found (%v)", name, err)
	}
	return p
}
