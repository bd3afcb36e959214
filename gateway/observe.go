package gateway

import "time"

// RequestRecord describes one finished request of a door, for metrics:
// protocol-neutral, no user, key or secret.
type RequestRecord struct {
	Door string // "s3" or "webdav"
	Op   string // S3 operation or WebDAV method
	// Status is the HTTP status sent, or what the request came to: 499
	// if the client went away first; the error's status if the response
	// was aborted after its header, or its error sent in a 200's body.
	Status   int
	BytesIn  int64 // request body bytes announced (0 when unknown)
	BytesOut int64 // response body bytes sent
	Duration time.Duration
}

// Observer receives a record of every finished request.
type Observer func(RequestRecord)
