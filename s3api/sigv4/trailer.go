package sigv4

import (
	"strings"
)

// readTrailers reads what follows the final chunk: a blank line when no
// trailer is expected; otherwise "name:value" lines (the announced trailers,
// then x-amz-trailer-signature when signed) ended by a blank line or by the
// end of the body (a body that ends before them was cut short).
func (c *chunkReader) readTrailers() error {
	if !c.trailer {
		line, err := c.readLine()
		if err != nil || line != "" {
			return chunkFault(ErrMalformedChunk, "final chunk is not followed by a blank line")
		}
		return nil
	}
	var canonical strings.Builder
	sig := ""
	for i := 0; ; i++ {
		line, err := c.readLine()
		if err == errNoLine && i == 0 && len(c.announced) > 0 {
			return chunkFault(ErrIncompleteBody, "body ends before its trailer")
		}
		if err == errNoLine || (err == nil && line == "") {
			break
		}
		if err != nil {
			return err
		}
		if i >= maxTrailerLines || sig != "" {
			return errorf(ErrMalformedTrailer, "too many trailer lines, or a line after the trailer signature")
		}
		if err := c.wantSignatureLine(line); err != nil {
			return err
		}
		name, value, err := splitTrailer(line)
		if err != nil {
			return err
		}
		if name == trailerSigHeader {
			sig = value
			continue
		}
		if _, dup := c.trailers[name]; dup {
			return errorf(ErrMalformedTrailer, "repeated trailer %s", name)
		}
		c.trailers[name] = value
		canonical.WriteString(name + ":" + value + "\n")
	}
	if err := c.checkAnnounced(); err != nil {
		return err
	}
	return c.checkTrailerSig(canonical.String(), sig)
}

// wantSignatureLine: in a signed stream, the line after the announced
// trailers must be the trailer signature ("x-amz-trailer-signature:" and
// 64 hex digits); any other is a body cut or garbled in its framing, AWS's
// IncompleteBody, not a trailer of its own.
func (c *chunkReader) wantSignatureLine(line string) error {
	if c.chain == nil || len(c.announced) == 0 || len(c.trailers) < len(c.announced) {
		return nil
	}
	if v, ok := strings.CutPrefix(line, trailerSigHeader+":"); !ok || !isHex(strings.TrimSpace(v), 64) {
		return chunkFault(ErrIncompleteBody, "the line after the trailers is not the trailer signature")
	}
	return nil
}

// splitTrailer splits "name:value", lower-casing the name and trimming both.
func splitTrailer(line string) (string, string, error) {
	name, value, ok := strings.Cut(line, ":")
	name = strings.ToLower(strings.TrimSpace(name))
	if !ok || name == "" || !validToken(name) {
		return "", "", errorf(ErrMalformedTrailer, "trailer line is not name:value")
	}
	return name, strings.TrimSpace(value), nil
}

// checkAnnounced requires the trailers to be exactly those x-amz-trailer
// announced.
func (c *chunkReader) checkAnnounced() error {
	if len(c.trailers) != len(c.announced) {
		return errorf(ErrMalformedTrailer, "trailers differ from x-amz-trailer")
	}
	for _, name := range c.announced {
		if _, ok := c.trailers[name]; !ok {
			return errorf(ErrMalformedTrailer, "announced trailer %s is missing", name)
		}
	}
	return nil
}

func (c *chunkReader) checkTrailerSig(canonical, sig string) error {
	if c.chain == nil {
		if sig != "" {
			return errorf(ErrMalformedTrailer, "trailer signature on an unsigned stream")
		}
		return nil
	}
	if !isHex(sig, 64) {
		return errorf(ErrMalformedTrailer, "trailer signature is missing or malformed")
	}
	return c.chain.verifyTrailer(canonical, sig)
}
