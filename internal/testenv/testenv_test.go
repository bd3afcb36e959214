package testenv

import (
	"runtime"
	"testing"
)

// recorder is a testing.TB that records how SkipOrFail ended the test;
// like the real methods, Skip and Fatal end the calling goroutine.
type recorder struct {
	testing.TB
	skipped, fatal string
}

func (r *recorder) Helper()           {}
func (r *recorder) Skip(args ...any)  { r.skipped = args[0].(string); runtime.Goexit() }
func (r *recorder) Fatal(args ...any) { r.fatal = args[0].(string); runtime.Goexit() }

// run calls SkipOrFail on its own goroutine, as a test would.
func run(t *testing.T) *recorder {
	r := &recorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		SkipOrFail(r, "%s is not installed (apt-get install %s)", "tool", "pkg")
	}()
	<-done
	return r
}

func TestSkipOrFail(t *testing.T) {
	const want = "NOT TESTED: tool is not installed (apt-get install pkg)"
	for _, env := range []string{"", "0", "yes"} {
		t.Setenv(EnvRequireExternal, env)
		if r := run(t); r.skipped != want || r.fatal != "" {
			t.Errorf("%s=%q: skipped %q, failed %q; want a skip", EnvRequireExternal, env, r.skipped, r.fatal)
		}
	}
	t.Setenv(EnvRequireExternal, "1")
	r := run(t)
	if r.skipped != "" || r.fatal != want+" ($SEALGATE_REQUIRE_EXTERNAL=1)" {
		t.Errorf("%s=1: skipped %q, failed %q; want a failure naming the variable", EnvRequireExternal, r.skipped, r.fatal)
	}
}
