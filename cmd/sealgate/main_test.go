package main

import (
	"bytes"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	cases := []struct {
		args       []string
		code       int
		out, inErr string
	}{
		{[]string{"version"}, 0, "sealgate dev", ""},
		{[]string{"help"}, 0, "Commands:", ""},
		{nil, 2, "", "Usage:"},
		{[]string{"serve"}, 1, "", "serve is not built yet"},
		{[]string{"frobnicate"}, 2, "", `unknown command "frobnicate"`},
	}
	for _, c := range cases {
		var out, errb bytes.Buffer
		code := run(c.args, &out, &errb)
		if code != c.code || !strings.Contains(out.String(), c.out) || !strings.Contains(errb.String(), c.inErr) {
			t.Errorf("run(%q) = %d, out %q, err %q", c.args, code, out.String(), errb.String())
		}
		if c.code != 0 && strings.Count(strings.TrimSpace(errb.String()), "\n") > 0 && c.code != 2 {
			t.Errorf("run(%q): error is more than one line", c.args)
		}
	}
}
