package webapp

import (
	"net/http"
	"net/url"
)

// csrfHeader carries the session's CSRF token on every state-changing
// request.
const csrfHeader = "X-CSRF-Token"

// pageCSP is the policy of every response: scripts, styles and
// connections from this origin only, no inline script or style, no
// plugins, no framing, no <base>.
const pageCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// downloadCSP replaces it on user content: nothing may load or run, and
// the document is sandboxed (an opaque origin), should a browser ever
// render a download instead of saving it.
const downloadCSP = "default-src 'none'; sandbox; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

// setSecurityHeaders sets the headers every response carries.
func setSecurityHeaders(h http.Header) {
	h.Set("Content-Security-Policy", pageCSP)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// unsafeMethod reports a state-changing method: anything but GET, HEAD
// and OPTIONS.
func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// checkOrigin refuses a request that the browser says comes from another
// site: Sec-Fetch-Site other than same-origin, or an Origin whose host is
// not this request's Host. (The scheme is not compared: behind a proxy
// that ends TLS, the page's origin is https while the door serves http.)
// Requests without either header (non-browser clients) pass; they still
// need the session's CSRF token.
func checkOrigin(r *http.Request) error {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin":
	default:
		return errCrossSite
	}
	o := r.Header.Get("Origin")
	if o == "" {
		return nil
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || u.Host != r.Host || (u.Scheme != "http" && u.Scheme != "https") {
		return errCrossSite
	}
	return nil
}
