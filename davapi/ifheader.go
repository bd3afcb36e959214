package davapi

import (
	"errors"
	"strings"
)

// errBadIf: the If header does not parse (400).
var errBadIf = errors.New("davapi: malformed If header")

// ifCond is one condition of an If list (RFC 4918 §10.4): a state token or
// an entity tag, possibly negated.
type ifCond struct {
	not   bool
	token string // without angle brackets; "" for an entity tag
	etag  string // as sent, with quotes and W/; "" for a token
}

// ifList is a conjunction of conditions on one resource ("" = the
// request-URI).
type ifList struct {
	tag   string
	conds []ifCond
}

// ifHeader is the parsed header: a disjunction of lists.
type ifHeader struct {
	tagged bool
	lists  []ifList
}

// parseIf parses an If header value.
func parseIf(s string) (ifHeader, error) {
	var h ifHeader
	p := ifLexer{s: s}
	p.space()
	h.tagged = p.peek() == '<'
	tag := ""
	for p.space(); !p.done(); p.space() {
		switch c := p.peek(); {
		case c == '<' && h.tagged:
			t, ok := p.bracketed('<', '>')
			if !ok || t == "" {
				return ifHeader{}, errBadIf
			}
			tag = t
			if p.space(); p.peek() != '(' {
				return ifHeader{}, errBadIf
			}
		case c == '(':
			l, err := p.list()
			if err != nil {
				return ifHeader{}, err
			}
			l.tag = tag
			h.lists = append(h.lists, l)
		default:
			return ifHeader{}, errBadIf
		}
	}
	if len(h.lists) == 0 {
		return ifHeader{}, errBadIf
	}
	return h, nil
}

type ifLexer struct {
	s string
	i int
}

func (p *ifLexer) done() bool { return p.i >= len(p.s) }

func (p *ifLexer) peek() byte {
	if p.done() {
		return 0
	}
	return p.s[p.i]
}

func (p *ifLexer) space() {
	for !p.done() && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

// bracketed reads open…end, quotes inside kept (entity tags may hold ']').
func (p *ifLexer) bracketed(open, end byte) (string, bool) {
	if p.peek() != open {
		return "", false
	}
	start, quoted := p.i+1, false
	for j := start; j < len(p.s); j++ {
		switch c := p.s[j]; {
		case c == '"':
			quoted = !quoted
		case c == end && !quoted:
			p.i = j + 1
			return p.s[start:j], true
		case c == open && !quoted && open == '<':
			return "", false
		}
	}
	return "", false
}

// list parses "(" 1*Condition ")".
func (p *ifLexer) list() (ifList, error) {
	var l ifList
	p.i++ // '('
	for {
		p.space()
		switch c := p.peek(); c {
		case ')':
			p.i++
			if len(l.conds) == 0 {
				return l, errBadIf
			}
			return l, nil
		case 0:
			return l, errBadIf
		}
		c, err := p.cond()
		if err != nil {
			return l, err
		}
		l.conds = append(l.conds, c)
	}
}

// cond parses ["Not"] (Coded-URL | "[" entity-tag "]").
func (p *ifLexer) cond() (ifCond, error) {
	var c ifCond
	if len(p.s)-p.i >= 3 && strings.EqualFold(p.s[p.i:p.i+3], "not") {
		c.not = true
		p.i += 3
		p.space()
	}
	switch p.peek() {
	case '<':
		t, ok := p.bracketed('<', '>')
		if !ok || t == "" {
			return c, errBadIf
		}
		c.token = t
	case '[':
		e, ok := p.bracketed('[', ']')
		if !ok || !validETag(e) {
			return c, errBadIf
		}
		c.etag = e
	default:
		return c, errBadIf
	}
	return c, nil
}

// hasToken tells whether a condition names a lock token.
func (h ifHeader) hasToken() bool {
	for _, l := range h.lists {
		for _, c := range l.conds {
			if c.token != "" {
				return true
			}
		}
	}
	return false
}

// validETag checks entity-tag = [ "W/" ] quoted-string.
func validETag(e string) bool {
	e = strings.TrimPrefix(e, "W/")
	return len(e) >= 2 && e[0] == '"' && e[len(e)-1] == '"' && !strings.Contains(e[1:len(e)-1], `"`)
}

// etagMatches compares an If entity tag with a resource's quoted ETag
// (weak comparison: RFC 4918 uses it for If).
func etagMatches(cond, current string) bool {
	return current != "" && strings.TrimPrefix(cond, "W/") == strings.TrimPrefix(current, "W/")
}

// String renders the header in RFC syntax (for rewriting and fuzzing).
func (h ifHeader) String() string {
	var b strings.Builder
	for i, l := range h.lists {
		if i > 0 {
			b.WriteByte(' ')
		}
		if h.tagged {
			b.WriteString("<" + l.tag + "> ")
		}
		b.WriteByte('(')
		for j, c := range l.conds {
			if j > 0 {
				b.WriteByte(' ')
			}
			if c.not {
				b.WriteString("Not ")
			}
			if c.token != "" {
				b.WriteString("<" + c.token + ">")
			} else {
				b.WriteString("[" + c.etag + "]")
			}
		}
		b.WriteByte(')')
	}
	return b.String()
}
