package gateway

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// TestUpstreamErr: upstream errors map to gateway sentinels once; a mapped
// error passes through unchanged (mapping twice is harmless).
func TestUpstreamErr(t *testing.T) {
	cases := []struct {
		in   error
		want error
	}{
		{fmt.Errorf("x: %w", backends.ErrNotExist), ErrNoSuchUpload},
		{backends.ErrPreconditionFailed, ErrPreconditionFailed},
		{fmt.Errorf("chunk: %w", cryptolayer.ErrIntegrity), ErrIntegrity},
		{backends.ErrUnavailable, ErrUnavailable},
		{fmt.Errorf("fs: put: %w", backends.ErrNoSpace), ErrInsufficientStorage},
		{backends.ErrInvalidKey, ErrKeyTooLong},
	}
	for _, c := range cases {
		got := upstreamErr(c.in, ErrNoSuchUpload)
		if !errors.Is(got, c.want) || !errors.Is(got, c.in) {
			t.Fatalf("%v → %v, want %v", c.in, got, c.want)
		}
		if again := upstreamErr(got, ErrNoSuchKey); again != got {
			t.Fatalf("mapping twice changed %v into %v", got, again)
		}
	}
	mapped := fmt.Errorf("%w: %w", ErrInvalidRange, backends.ErrNotExist)
	if got := upstreamErr(mapped, ErrNoSuchKey); got != mapped {
		t.Fatalf("an error carrying a gateway sentinel was re-mapped: %v", got)
	}
}

// TestSentinelsComplete: every exported Err* variable this package declares
// with errors.New (read from its source) is in Sentinels(), so a new
// sentinel cannot be forgotten by the doors' error tables, which range over
// Sentinels().
func TestSentinelsComplete(t *testing.T) {
	declared := declaredSentinels(t)
	listed := map[string]bool{}
	for _, s := range Sentinels() {
		listed[s.Error()] = true
	}
	for name, msg := range declared {
		if !listed[msg] {
			t.Errorf("%s (%q) is missing from gatewaySentinels (errors.go)", name, msg)
		}
	}
	if len(listed) != len(declared) {
		t.Errorf("Sentinels() has %d errors, the source declares %d", len(listed), len(declared))
	}
}

// declaredSentinels parses the package's non-test files for exported
// package-level variables named Err* set to errors.New("..."), by message.
func declaredSentinels(t *testing.T) map[string]string {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			g, ok := d.(*ast.GenDecl)
			if !ok || g.Tok != token.VAR {
				continue
			}
			for _, spec := range g.Specs {
				addSentinels(t, out, spec.(*ast.ValueSpec))
			}
		}
	}
	if len(out) == 0 {
		t.Fatal("no sentinel found in the package source")
	}
	return out
}

func addSentinels(t *testing.T, out map[string]string, vs *ast.ValueSpec) {
	for i, id := range vs.Names {
		if !id.IsExported() || !strings.HasPrefix(id.Name, "Err") {
			continue
		}
		if i >= len(vs.Values) {
			t.Errorf("%s: declared without errors.New; list it by hand here", id.Name)
			continue
		}
		call, ok := vs.Values[i].(*ast.CallExpr)
		sel, okSel := funcOf(call, ok)
		if !okSel || sel != "errors.New" || len(call.Args) != 1 {
			t.Errorf("%s: not errors.New(\"...\"); extend declaredSentinels", id.Name)
			continue
		}
		lit, ok := call.Args[0].(*ast.BasicLit)
		if !ok {
			t.Errorf("%s: errors.New without a literal message", id.Name)
			continue
		}
		msg, err := strconv.Unquote(lit.Value)
		if err != nil {
			t.Fatal(err)
		}
		out[id.Name] = msg
	}
}

func funcOf(call *ast.CallExpr, ok bool) (string, bool) {
	if !ok {
		return "", false
	}
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok {
		return "", false
	}
	pkg, ok := sel.X.(*ast.Ident)
	if !ok {
		return "", false
	}
	return pkg.Name + "." + sel.Sel.Name, true
}
