package davapi

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/internal/testenv"
)

// litmusAccepted are the litmus results other than "pass" that the door
// accepts, per suite: x/net/webdav has no shared locks (LOCK with
// lockscope shared is 501), so lock_shared fails and the tests that need a
// shared lock are skipped. Any other failure, and any of these passing, is a
// change this test reports.
var litmusAccepted = map[string]litmusWant{
	"basic":    {passed: 16},
	"copymove": {passed: 13},
	"props":    {passed: 30},
	"http":     {passed: 4},
	"locks": {passed: 33, failed: 1, other: []string{
		"double_sharedlock SKIPPED", "lock_shared FAIL", "notowner_lock SKIPPED",
		"notowner_modify SKIPPED", "owner_modify SKIPPED", "unlock SKIPPED",
	}},
}

// litmusWant is a suite's expected summary and its results other than pass
// (sorted "name RESULT").
type litmusWant struct {
	passed, failed int
	other          []string
}

var litmusSummary = regexp.MustCompile(`of (\d+) tests run: (\d+) passed, (\d+) failed`)

var litmusLine = regexp.MustCompile(`(?m)\d+\.\s+(\w+)\.*\s+(pass|FAIL|SKIPPED|WARNING)`)

func TestLitmus(t *testing.T) {
	bin, err := exec.LookPath("litmus")
	if err != nil {
		testenv.SkipOrFail(t, "litmus is not installed (run .ci/install-dav-clients or apt-get install litmus)")
	}
	e := newEnv(t)
	e.must(201, "alice", "MKCOL", "/litmus-bkt", "")
	for suite, accepted := range litmusAccepted {
		t.Run(suite, func(t *testing.T) {
			got := runLitmus(t, bin, e.srv.URL+"/litmus-bkt/", suite)
			if got.passed != accepted.passed || got.failed != accepted.failed ||
				strings.Join(got.other, "\n") != strings.Join(accepted.other, "\n") {
				t.Fatalf("litmus %s: got %d passed, %d failed, other:\n%s\nwant %d passed, %d failed, other:\n%s",
					suite, got.passed, got.failed, strings.Join(got.other, "\n"),
					accepted.passed, accepted.failed, strings.Join(accepted.other, "\n"))
			}
		})
	}
}

// runLitmus runs one suite and returns its summary and its "name RESULT"
// lines other than pass, sorted (a name once per result kind).
func runLitmus(t *testing.T, bin, url, suite string) litmusWant {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, url, "alice", "pw-alice")
	cmd.Dir = litmusDir(t)
	cmd.Env = append(os.Environ(), "TESTS="+suite)
	out, err := cmd.CombinedOutput()
	t.Logf("litmus %s:\n%s", suite, out)
	if ctx.Err() != nil {
		t.Fatalf("litmus %s timed out", suite)
	}
	_ = err // litmus exits non-zero when a test fails; the lines decide
	sum := litmusSummary.FindStringSubmatch(string(out))
	if sum == nil {
		t.Fatalf("litmus %s: no summary", suite)
	}
	var got litmusWant
	got.passed, _ = strconv.Atoi(sum[2])
	got.failed, _ = strconv.Atoi(sum[3])
	seen := map[string]bool{}
	for _, m := range litmusLine.FindAllStringSubmatch(string(out), -1) {
		if m[2] != "pass" && !seen[m[1]+" "+m[2]] {
			seen[m[1]+" "+m[2]] = true
			got.other = append(got.other, m[1]+" "+m[2])
		}
	}
	sort.Strings(got.other)
	return got
}

// litmusDir is where litmus writes debug.log: SEALGATE_LITMUS_DIR if set
// (to keep it), else a temp dir.
func litmusDir(t *testing.T) string {
	if d := os.Getenv("SEALGATE_LITMUS_DIR"); d != "" {
		return d
	}
	return t.TempDir()
}
