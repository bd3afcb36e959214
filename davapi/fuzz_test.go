package davapi

import (
	"reflect"
	"testing"
)

func TestParseIf(t *testing.T) {
	tests := []struct {
		in    string
		ok    bool
		lists int
	}{
		{`(<opaquelocktoken:a>)`, true, 1},
		{`(<opaquelocktoken:a> ["x"]) (Not <DAV:no-lock> ["x"])`, true, 2},
		{`<http://h/a> (<t1>) <http://h/b> (Not ["e]"] <t2>)`, true, 2},
		{`(["W/x"])`, true, 1},
		{`(W/["x"])`, false, 0},
		{`([W/"x"])`, true, 1},
		{`()`, false, 0},
		{`(<a>`, false, 0},
		{`<http://h/a>`, false, 0},
		{``, false, 0},
		{`junk`, false, 0},
	}
	for _, tc := range tests {
		h, err := parseIf(tc.in)
		if (err == nil) != tc.ok || len(h.lists) != tc.lists {
			t.Fatalf("parseIf(%q) = %+v, %v", tc.in, h, err)
		}
	}
}

func FuzzParseIf(f *testing.F) {
	for _, s := range []string{`(<opaquelocktoken:a> ["x"]) (Not <DAV:no-lock> ["x"])`, `<http://h/a> (<t>)`, `(["a"]`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := parseIf(s)
		if err != nil {
			return
		}
		h2, err := parseIf(h.String())
		if err != nil || !reflect.DeepEqual(h, h2) {
			t.Fatalf("round trip of %q: %q -> %+v, %v", s, h.String(), h2, err)
		}
	})
}

func TestCheckXML(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{``, true},
		{`<D:propfind xmlns:D="DAV:"><D:allprop/></D:propfind>`, true},
		{`<propfind xmlns="DAV:"><prop><x xmlns=""/></prop></propfind>`, true},
		{`<D:propfind xmlns:D="DAV:"><D:prop><b:foo xmlns:b=""/></D:prop></D:propfind>`, false},
		{`<D:propfind/>`, false},
		{`<a/><b/>`, false},
		{`<a>`, false},
		{`<a></b>`, false},
		{`text<a/>`, false},
		{`<a x:y="1"/>`, false},
	}
	for _, tc := range tests {
		if err := checkXML([]byte(tc.in)); (err == nil) != tc.ok {
			t.Fatalf("checkXML(%q) = %v", tc.in, err)
		}
	}
}

func FuzzCheckXML(f *testing.F) {
	f.Add([]byte(`<D:propfind xmlns:D="DAV:"><D:prop><b:foo xmlns:b="x"/></D:prop></D:propfind>`))
	f.Fuzz(func(_ *testing.T, b []byte) {
		_ = checkXML(b) // must not panic or hang
	})
}
