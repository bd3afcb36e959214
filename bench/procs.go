package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/sealgate/sealgate/internal/rss"
)

// proc is a server process under test.
type proc struct {
	name     string
	dir      string // its data, for evicting it from the page cache
	cmd      *exec.Cmd
	endpoint string // S3 endpoint
	dav      string // WebDAV endpoint ("" if none)
	ak, sk   string
	user, pw string
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer func() { _ = ln.Close() }()
	return ln.Addr().String(), nil
}

// startVersitygw runs versitygw's posix backend in dir: the unencrypted
// baseline on the same disk.
func startVersitygw(bin, dir string) (*proc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p := &proc{name: "versitygw", dir: dir, endpoint: "http://" + addr, ak: "benchroot", sk: "benchroot-secret-key-0123456789"}
	for _, d := range []string{filepath.Join(dir, "posix"), filepath.Join(dir, "iam")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, err
		}
	}
	p.cmd = exec.Command(bin, "--port", addr, "--iam-dir", filepath.Join(dir, "iam"), "--health", "/health", "posix", filepath.Join(dir, "posix"))
	p.cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY="+p.ak, "ROOT_SECRET_KEY="+p.sk)
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	return p, waitHTTP(p.endpoint + "/health")
}

// startSealgate runs the sealgate binary with a fresh data dir in dir and
// reads the first account's credentials.
func startSealgate(bin, dir string) (*proc, error) {
	p, err := launchSealgate(bin, dir, nil)
	if err != nil {
		return nil, err
	}
	if err := readCreds(p, filepath.Join(dir, "first-account.txt")); err != nil {
		p.stop(stopCtx())
		return nil, err
	}
	return p, nil
}

// startPeer runs a second gateway of a's deployment: its own data dir in
// dir, a's fs upstream directory and a's root key file (the contract of
// docs/deploy.md). It serves a's accounts, so it uses a's credentials.
func startPeer(bin string, a *proc, dir string) (*proc, error) {
	p, err := launchSealgate(bin, dir, []string{"SEALGATE_ROOT_KEY_FILE=" + filepath.Join(a.dir, "root.key")},
		"--upstream", "fs", "--upstream-dir", filepath.Join(a.dir, "store"))
	if err != nil {
		return nil, err
	}
	p.name = "sealgate B"
	p.ak, p.sk, p.user, p.pw = a.ak, a.sk, a.user, a.pw
	return p, nil
}

// launchSealgate runs `sealgate serve` with its data dir in dir, env added
// to this process's environment and args after serve's own flags, and waits
// until it prints its WebDAV endpoint.
func launchSealgate(bin, dir string, env []string, args ...string) (*proc, error) {
	s3a, err := freeAddr()
	if err != nil {
		return nil, err
	}
	dava, err := freeAddr()
	if err != nil {
		return nil, err
	}
	p := &proc{name: "sealgate", dir: dir, endpoint: "http://" + s3a}
	p.cmd = exec.Command(bin, append([]string{"serve", "--data-dir", dir, "--s3-addr", s3a, "--dav-addr", dava,
		"--web-addr", "off", "--admin-addr", "off", "--log-level", "warn"}, args...)...)
	p.cmd.Env = append(os.Environ(), env...)
	out, err := p.cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		return nil, err
	}
	sc := bufio.NewScanner(out)
	deadline := time.Now().Add(30 * time.Second)
	for p.dav == "" && sc.Scan() && time.Now().Before(deadline) {
		// serve prints one line per door: "sealgate: s3 URL", "sealgate: webdav URL"
		if f := strings.Fields(sc.Text()); len(f) >= 3 && f[1] == "webdav" {
			p.dav = f[2]
		}
	}
	go func() { _, _ = bufio.NewReader(out).WriteTo(devNull{}) }()
	if p.dav == "" {
		p.stop(stopCtx())
		return nil, fmt.Errorf("%s did not print its endpoints", bin)
	}
	return p, nil
}

type devNull struct{}

func (devNull) Write(b []byte) (int, error) { return len(b), nil }

func readCreds(p *proc, file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			continue
		}
		v = strings.TrimSpace(v)
		switch strings.TrimSpace(k) {
		case "user":
			p.user = v
		case "access key id":
			p.ak = v
		case "secret access key":
			p.sk = v
		case "password":
			p.pw = v
		}
	}
	if p.ak == "" || p.sk == "" {
		return errors.New("no credentials in " + file)
	}
	return nil
}

func waitHTTP(url string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			_ = resp.Body.Close()
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer", url)
}

// sampleRSS samples the server's RSS until the returned function is
// called, which returns the peak in MiB.
func (p *proc) sampleRSS() func() float64 { return rss.Sample(p.cmd.Process.Pid, 20*time.Millisecond) }

// stop ends the process gracefully (SIGINT), then waits.
func (p *proc) stop(ctx context.Context) {
	_ = p.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		_ = p.cmd.Process.Kill()
	case <-time.After(40 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}
