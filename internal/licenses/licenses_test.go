package licenses

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/internal/testenv"
)

// listFormat is docs/licenses.md's go list template plus the module's directory.
const listFormat = `{{with .Module}}{{if not .Main}}{{.Path}} {{.Version}} {{.Dir}}{{end}}{{end}}`

// compatible: licenses of code that may be part of an Apache-2.0 work.
var compatible = []string{"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0"}

const tableBegin, tableEnd = "<!-- modules:begin -->\n", "<!-- modules:end -->"

type module struct{ path, version, dir string }

// buildModules lists the modules compiled into the module's packages
// (test-only dependencies excluded), sorted and without duplicates.
func buildModules(t *testing.T) []module {
	t.Helper()
	goBin, err := exec.LookPath("go")
	if err != nil {
		testenv.SkipOrFail(t, "the go command is not in PATH (%v)", err)
	}
	cmd := exec.Command(goBin, "list", "-deps", "-f", listFormat, "./...")
	var stderr strings.Builder
	cmd.Dir, cmd.Stderr = filepath.Join("..", ".."), &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var mods []module
	for _, line := range slices.Compact(slices.Sorted(slices.Values(strings.Split(strings.TrimSpace(string(out)), "\n")))) {
		f := strings.Fields(line)
		if len(f) != 3 {
			t.Fatalf("go list: unexpected line %q (module not in the module cache? run go mod download)", line)
		}
		mods = append(mods, module{f[0], f[1], f[2]})
	}
	return mods
}

// flatten joins the words of s with single spaces.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// classify names a license file's license by phrases of its text ("A AND B" for several).
func classify(text string) string {
	t := flatten(text)
	has := func(s string) bool { return strings.Contains(t, s) }
	switch { // MPL-2.0 names the GNU licenses, so it is checked first
	case has("Mozilla Public License") && has("version 2.0"):
		return "MPL-2.0"
	case has("GNU Affero General Public License"):
		return "AGPL"
	case has("GNU Lesser General Public License") || has("GNU Library General Public License"):
		return "LGPL"
	case has("GNU General Public License"):
		return "GPL"
	}
	var ids []string
	bsd := has("Redistribution and use in source and binary forms")
	for id, found := range map[string]bool{
		"MIT":          has("Permission is hereby granted, free of charge"),
		"ISC":          has("Permission to use, copy, modify, and/or distribute this software for any purpose"),
		"BSD-3-Clause": bsd && has("Neither the name"),
		"BSD-2-Clause": bsd && !has("Neither the name"),
		"Apache-2.0":   has("Apache License") && has("Version 2.0"),
	} {
		if found {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return "unknown"
	}
	slices.Sort(ids)
	return strings.Join(ids, " AND ")
}

// readFirst returns the content of the first of names that exists in dir.
func readFirst(t *testing.T, dir string, names ...string) (string, bool) {
	t.Helper()
	for _, name := range names {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err == nil {
			return string(b), true
		}
		if !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	return "", false
}

func TestModuleTable(t *testing.T) {
	want := "| module | version | license |\n|---|---|---|\n"
	for _, m := range buildModules(t) {
		text, ok := readFirst(t, m.dir, "LICENSE", "LICENSE.txt", "LICENSE.md", "COPYING")
		if !ok {
			t.Errorf("%s %s: no license file in %s", m.path, m.version, m.dir)
		}
		id := classify(text)
		for _, part := range strings.Split(id, " AND ") {
			if !slices.Contains(compatible, part) {
				t.Errorf("%s %s: license %s is not one that may be distributed with Apache-2.0 code", m.path, m.version, id)
			}
		}
		want += "| " + m.path + " | " + m.version + " | " + id + " |\n"
	}
	doc, _ := readFirst(t, filepath.Join("..", "..", "docs"), "licenses.md")
	_, rest, _ := strings.Cut(doc, tableBegin)
	got, _, _ := strings.Cut(rest, tableEnd)
	if got != want {
		t.Errorf("docs/licenses.md: the table between %q and %q differs from the build; it should read:\n%s",
			strings.TrimSpace(tableBegin), tableEnd, want)
	}
}

func TestNoticeHoldsDependencyNotices(t *testing.T) {
	notice, _ := readFirst(t, filepath.Join("..", ".."), "NOTICE")
	notice = flatten(notice)
	for _, m := range buildModules(t) {
		if text, ok := readFirst(t, m.dir, "NOTICE", "NOTICE.txt", "NOTICE.md"); ok &&
			!strings.Contains(notice, flatten(text)) {
			t.Errorf("NOTICE does not reproduce the NOTICE file of %s %s (%s)", m.path, m.version, m.dir)
		}
	}
}

func TestClassify(t *testing.T) {
	for text, want := range map[string]string{
		"GNU General Public License":        "GPL",
		"GNU Lesser General Public License": "LGPL",
		"GNU Affero General Public License": "AGPL",
		"Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee": "ISC",
		"Redistribution and use in source and binary forms, with or without modification":                      "BSD-2-Clause",
		"a README": "unknown",
	} {
		if got := classify(text); got != want {
			t.Errorf("classify(%q) = %s, want %s", text, got, want)
		}
	}
}
