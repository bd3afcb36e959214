// Package reqid gives the request ids of the WebDAV and web app doors'
// access logs: the client's X-Request-Id when it is short, else a random
// one (the S3 door makes its own, in AWS's upper-case form).
package reqid

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
)

// maxLen bounds a client's id kept in the logs.
const maxLen = 64

// Of returns the request id of r.
func Of(r *http.Request) string {
	if id := r.Header.Get("X-Request-Id"); id != "" && len(id) <= maxLen {
		return id
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
