package integration

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/gateway/accounts"
	"github.com/sealgate/sealgate/internal/s3server"
	"github.com/sealgate/sealgate/s3api"
)

// versitygw v1.8.0 ships its own S3 test suite (`versitygw test … <Name>`,
// over 1,400 named tests). TestVersitygwSuite runs the data-plane part of
// it against sealgate's S3 door, one test at a time, each as a fresh
// account (so that a failed test's leftovers cannot fail the next), and
// compares the outcome with testdata/versitygw-suite.txt: the tests that
// fail today, each with the reason. A test failing that is not listed is a
// regression; a listed test that passes must leave the list. The groups
// left out of the selection test versitygw's own IAM, bucket policies and
// ACLs, and website hosting (suiteExcluded).

// suiteExcluded are the test name prefixes outside the data plane, with why.
var suiteExcluded = map[string]string{
	"IAM":                 "versitygw's IAM service API",
	"S3IAM":               "versitygw's IAM service API",
	"AccessControl":       "bucket policies and ACLs between accounts (sealgate accounts never share buckets)",
	"PublicBucket":        "public buckets (sealgate serves no anonymous access)",
	"PutBucketPolicy":     "bucket policies",
	"GetBucketPolicy":     "bucket policies",
	"DeleteBucketPolicy":  "bucket policies",
	"PutBucketAcl":        "bucket ACLs",
	"GetBucketAcl":        "bucket ACLs",
	"WebsiteHosting":      "static website hosting",
	"PutBucketWebsite":    "static website hosting",
	"GetBucketWebsite":    "static website hosting",
	"DeleteBucketWebsite": "static website hosting",
	"NoAclMode":           "versitygw's ACL-disabled mode",
}

// suiteNames lists the suite's tests (from `versitygw test --help`) and
// keeps the selection.
func suiteNames(t *testing.T, bin string) []string {
	out, err := exec.Command(bin, "test", "--help").CombinedOutput()
	if err != nil {
		t.Fatalf("versitygw test --help: %v", err)
	}
	re := regexp.MustCompile(`(?m)^\s+(\S+)\s+Runs \S+ integration test`)
	var names []string
	for _, m := range re.FindAllStringSubmatch(string(out), -1) {
		if !excluded(m[1]) {
			names = append(names, m[1])
		}
	}
	sort.Strings(names)
	return names
}

func excluded(name string) bool {
	group, _, _ := strings.Cut(name, "_")
	for p := range suiteExcluded {
		if strings.HasPrefix(group, p) {
			return true
		}
	}
	return false
}

// expectedFailures reads testdata/versitygw-suite.txt: "Name<TAB>reason".
// A reason starting with "flaky:" marks a test whose outcome depends on
// timing: it may pass or fail.
func expectedFailures(t *testing.T) map[string]string {
	b, err := os.ReadFile(filepath.Join("testdata", "versitygw-suite.txt"))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, reason, ok := strings.Cut(line, "\t")
		if !ok || reason == "" {
			t.Fatalf("versitygw-suite.txt: %q has no reason", line)
		}
		m[name] = reason
	}
	return m
}

// suiteDoor is sealgate's S3 door, in process, over a mem upstream, with
// accounts made cheaply (minimum Argon2id cost) for each test.
type suiteDoor struct {
	url   string
	accts *accounts.Accounts
}

func newSuiteDoor(t *testing.T) *suiteDoor {
	store := mem.New()
	acc, err := accounts.Open(context.Background(), accounts.Config{Store: store, DataDir: t.TempDir(), Root: cryptolayer.NewKey(),
		Create: true, PasswordParams: cryptolayer.MinPasswordParams, PollInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = acc.Close() })
	svc, err := gateway.NewService(gateway.Config{Store: store, Accounts: func() []gateway.Account {
		var out []gateway.Account
		for _, a := range acc.Accounts() {
			out = append(out, a)
		}
		return out
	}})
	if err != nil {
		t.Fatal(err)
	}
	h, err := s3api.New(s3api.Config{Users: gatewayUsers{acc, svc}, Region: "us-east-1", Logger: zerolog.Nop(), CORS: svc})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &suiteDoor{url: srv.URL, accts: acc}
}

// run runs one suite test as a fresh account; it returns whether it passed
// and the suite's failure line.
func (d *suiteDoor) run(t *testing.T, bin, dir, name string, n int) (bool, string) {
	cr, err := d.accts.Create(context.Background(), fmt.Sprintf("suite%d", n), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// --versioning-enabled: sealgate serves versioning, so the suite's
	// cleanup deletes every version (ListObjectVersions), not just keys.
	cmd := exec.CommandContext(ctx, bin, "test", "-a", cr.AccessKeyID, "-s", string(cr.SecretAccessKey), "-e", d.url, name, "--versioning-enabled")
	cmd.Dir = dir // some tests run ./versitygw
	cmd.Env = suiteEnv()
	out, err := cmd.CombinedOutput()
	if err == nil {
		return true, ""
	}
	return false, failLine(out)
}

// suiteEnv is the environment without AWS_CA_BUNDLE: the suite's client
// refuses a custom CA bundle with its own HTTP client.
func suiteEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

var ansi = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// failLine is the suite's "FAIL name: why" line, without colours.
func failLine(out []byte) string {
	lines := strings.Split(ansi.ReplaceAllString(string(out), ""), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.HasPrefix(lines[i], "FAIL") {
			return strings.TrimSpace(lines[i])
		}
	}
	return "no FAIL line: " + strings.TrimSpace(lines[len(lines)-1])
}

func TestVersitygwSuite(t *testing.T) {
	bin, err := s3server.Binary()
	if err != nil {
		skipOrFail(t, "versitygw not found (%v)", err)
	}
	dir := t.TempDir()
	if err := os.Symlink(bin, filepath.Join(dir, "versitygw")); err != nil {
		t.Fatal(err)
	}
	names, want := suiteNames(t, bin), expectedFailures(t)
	door := newSuiteDoor(t)
	passed, failed := 0, map[string]string{}
	for i, name := range names {
		ok, why := door.run(t, bin, dir, name, i)
		if ok {
			passed++
		} else {
			failed[name] = why
		}
	}
	t.Logf("versitygw suite: %d of %d selected tests pass", passed, len(names))
	for _, name := range names {
		reason, listed := want[name]
		why, failedNow := failed[name]
		switch {
		case failedNow && !listed:
			t.Errorf("%s fails and is not in testdata/versitygw-suite.txt: %s", name, why)
		case !failedNow && listed && !strings.HasPrefix(reason, "flaky:"):
			t.Errorf("%s passes now: remove it from testdata/versitygw-suite.txt (listed: %s)", name, reason)
		}
	}
	if os.Getenv("SEALGATE_SUITE_REPORT") != "" {
		writeSuiteReport(t, names, failed, os.Getenv("SEALGATE_SUITE_REPORT"))
	}
}

// writeSuiteReport writes every failure with its line (for updating the list).
func writeSuiteReport(t *testing.T, names []string, failed map[string]string, path string) {
	var b strings.Builder
	for _, n := range names {
		if why, ok := failed[n]; ok {
			fmt.Fprintf(&b, "%s\t%s\n", n, why)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
