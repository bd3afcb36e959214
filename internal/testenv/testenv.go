// Package testenv decides what a test does when something outside the
// module that it needs (a client program, a server binary, the go command)
// is missing: by default the test is skipped with a message starting "NOT
// TESTED", so the gap shows in the test output; with
// SEALGATE_REQUIRE_EXTERNAL=1 (CI sets it) the test fails instead, so a
// missing tool cannot pass silently.
package testenv

import (
	"fmt"
	"os"
	"testing"
)

// EnvRequireExternal is the environment variable that turns a skip for a
// missing external tool into a failure when it is "1".
const EnvRequireExternal = "SEALGATE_REQUIRE_EXTERNAL"

// RequireExternal reports whether a missing external tool must fail the
// test ($SEALGATE_REQUIRE_EXTERNAL is "1").
func RequireExternal() bool {
	return os.Getenv(EnvRequireExternal) == "1"
}

// SkipOrFail ends the test for a missing external tool. The message is
// "NOT TESTED: " followed by the formatted text, which should say what is
// missing and how to install it. The test is skipped, or failed (with
// "($SEALGATE_REQUIRE_EXTERNAL=1)" appended) when [RequireExternal] holds.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := "NOT TESTED: " + fmt.Sprintf(format, args...)
	if RequireExternal() {
		tb.Fatal(msg + " ($" + EnvRequireExternal + "=1)")
	}
	tb.Skip(msg)
}
