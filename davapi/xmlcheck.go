package davapi

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
)

// errBadXML: a request body is not well-formed namespaced XML (400).
var errBadXML = errors.New("davapi: malformed XML body")

// maxXMLDepth bounds element nesting in request bodies.
const maxXMLDepth = 64

// checkXML verifies that body is one well-formed XML document whose
// namespace prefixes are all declared and never bound to the empty name
// (Namespaces in XML 1.0 §3), which x/net/webdav does not check
// (litmus propfind_invalid2). An empty body is fine.
func checkXML(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	d := xml.NewDecoder(bytes.NewReader(body))
	var stack []scope
	roots := 0
	for {
		tok, err := d.RawToken()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Errorf("%w: %v", errBadXML, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if len(stack) == 0 {
				roots++
			}
			s, err := openScope(stack, t)
			if err != nil {
				return err
			}
			if stack = append(stack, s); len(stack) > maxXMLDepth || roots > 1 {
				return fmt.Errorf("%w: too deep or several roots", errBadXML)
			}
		case xml.EndElement:
			if len(stack) == 0 || stack[len(stack)-1].name != t.Name {
				return fmt.Errorf("%w: unbalanced element %q", errBadXML, t.Name.Local)
			}
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) == 0 && len(bytes.TrimSpace(t)) > 0 {
				return fmt.Errorf("%w: text outside the root", errBadXML)
			}
		}
	}
	if len(stack) != 0 || roots != 1 {
		return fmt.Errorf("%w: no single complete root element", errBadXML)
	}
	return nil
}

// scope is an open element and the prefixes it declares.
type scope struct {
	name     xml.Name
	prefixes map[string]bool
}

func openScope(stack []scope, t xml.StartElement) (scope, error) {
	s := scope{name: t.Name, prefixes: map[string]bool{}}
	for _, a := range t.Attr {
		if a.Name.Space == "xmlns" {
			if a.Value == "" {
				return s, fmt.Errorf("%w: prefix %q bound to the empty namespace", errBadXML, a.Name.Local)
			}
			s.prefixes[a.Name.Local] = true
		}
	}
	if !declared(stack, s, t.Name.Space) {
		return s, fmt.Errorf("%w: undeclared prefix %q", errBadXML, t.Name.Space)
	}
	for _, a := range t.Attr {
		if a.Name.Space != "xmlns" && !declared(stack, s, a.Name.Space) {
			return s, fmt.Errorf("%w: undeclared prefix %q", errBadXML, a.Name.Space)
		}
	}
	return s, nil
}

func declared(stack []scope, cur scope, prefix string) bool {
	if prefix == "" || prefix == "xml" || cur.prefixes[prefix] {
		return true
	}
	for i := len(stack) - 1; i >= 0; i-- {
		if stack[i].prefixes[prefix] {
			return true
		}
	}
	return false
}
