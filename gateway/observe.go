package gateway

import "time"

// RequestRecord describes one finished request of a door, for metrics:
// protocol-neutral, no user, key or secret.
type RequestRecord struct {
	Door     string // "s3" or "webdav"
	Op       string // S3 operation or WebDAV method
	Status   int    // HTTP status sent
	BytesIn  int64  // request body bytes announced (0 when unknown)
	BytesOut int64  // response body bytes sent
	Duration time.Duration
}

// Observer receives a record of every finished request.
type Observer func(RequestRecord)
