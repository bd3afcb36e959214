package s3

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/sealgate/sealgate/backends"
)

// Defaults, and the limits of the S3 protocol that shape uploads.
const (
	// DefaultPartSize is the part size used when Config.PartSize is 0.
	DefaultPartSize = 16 << 20
	// DefaultConcurrency is the number of parts in flight when
	// Config.Concurrency is 0.
	DefaultConcurrency = 4
	// DefaultMaxBufferBytes is the budget of part buffers of all Puts when
	// Config.MaxBufferBytes is 0.
	DefaultMaxBufferBytes = 256 << 20
	// DefaultMaxRetries is the number of retries when Config.MaxRetries is 0.
	DefaultMaxRetries = 4

	minPartSize = 5 << 20 // S3: every part but the last
	maxPartSize = 5 << 30 // S3: largest part
	maxParts    = 10000   // S3: parts per multipart upload
	maxConc     = 64      // sanity bound on Config.Concurrency
	maxRetries  = 20      // sanity bound on Config.MaxRetries
	maxBucket   = 63      // S3 bucket name length
	defRegion   = "us-east-1"
)

// Config selects the upstream bucket and how to talk to it. The zero value of
// every optional field means its default.
type Config struct {
	// Bucket is the upstream bucket; it must exist. Required.
	Bucket string
	// Prefix is prepended to every key: "" or a string ending with "/"
	// (for example "sealgate/").
	Prefix string
	// Endpoint is the service URL (http:// or https://); "" means AWS S3.
	Endpoint string
	// Region is the signing region; "" means the AWS configuration chain,
	// else "us-east-1".
	Region string
	// PathStyle addresses the bucket in the path instead of the host name
	// (MinIO, Ceph and versitygw usually need it).
	PathStyle bool

	// AccessKeyID, SecretAccessKey and SessionToken are static credentials.
	// When AccessKeyID is empty, the standard AWS chain is used (environment,
	// shared files, web identity, IMDS).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string

	// PartSize is the size of one multipart part and the largest body sent
	// in a single PutObject; 5 MiB to 5 GiB, default DefaultPartSize. A Put
	// buffers up to PartSize × Concurrency bytes, within MaxBufferBytes.
	PartSize int64
	// Concurrency is the number of parts uploaded in parallel by one Put,
	// default DefaultConcurrency.
	Concurrency int
	// MaxBufferBytes bounds the part buffers of all concurrent Puts together,
	// default DefaultMaxBufferBytes. Each Put always gets one buffer (waiting
	// for room if needed); extra buffers for parallel parts only when there
	// is room, so under load uploads run with fewer parts in flight.
	MaxBufferBytes int64
	// MaxRetries is the number of retries after a failed attempt; 0 means
	// DefaultMaxRetries and a negative value disables retries.
	MaxRetries int
}

// Validate reports the first problem with c. It never prints credentials.
func (c Config) Validate() error {
	for _, check := range []func() error{c.checkBucket, c.checkPrefix, c.checkEndpoint, c.checkTuning} {
		if err := check(); err != nil {
			return fmt.Errorf("s3: config: %w", err)
		}
	}
	if c.AccessKeyID == "" && (c.SecretAccessKey != "" || c.SessionToken != "") {
		return errors.New("s3: config: secret key or session token without access key id")
	}
	if c.AccessKeyID != "" && c.SecretAccessKey == "" {
		return errors.New("s3: config: access key id without secret key")
	}
	return nil
}

func (c Config) checkBucket() error {
	if len(c.Bucket) < 3 || len(c.Bucket) > maxBucket {
		return fmt.Errorf("bucket %q: must be 3 to %d characters", c.Bucket, maxBucket)
	}
	if strings.ContainsAny(c.Bucket, "/\\ \x00") {
		return fmt.Errorf("bucket %q: invalid character", c.Bucket)
	}
	return nil
}

func (c Config) checkPrefix() error {
	if c.Prefix == "" {
		return nil
	}
	if !strings.HasSuffix(c.Prefix, "/") {
		return fmt.Errorf("prefix %q: must end with \"/\"", c.Prefix)
	}
	if err := backends.CheckKey(strings.TrimSuffix(c.Prefix, "/")); err != nil {
		return fmt.Errorf("prefix %q: %w", c.Prefix, err)
	}
	return nil
}

func (c Config) checkEndpoint() error {
	if c.Endpoint == "" {
		return nil
	}
	u, err := url.Parse(c.Endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return errors.New("endpoint: must be an http:// or https:// URL")
	}
	if u.User != nil {
		return errors.New("endpoint: must not contain user info")
	}
	return nil
}

func (c Config) checkTuning() error {
	switch {
	case c.PartSize != 0 && (c.PartSize < minPartSize || c.PartSize > maxPartSize):
		return fmt.Errorf("part size %d: must be between %d and %d", c.PartSize, minPartSize, maxPartSize)
	case c.Concurrency < 0 || c.Concurrency > maxConc:
		return fmt.Errorf("concurrency %d: must be between 0 and %d", c.Concurrency, maxConc)
	case c.MaxBufferBytes != 0 && c.MaxBufferBytes < minPartSize:
		return fmt.Errorf("max buffer bytes %d: must be at least %d", c.MaxBufferBytes, minPartSize)
	case c.MaxRetries > maxRetries:
		return fmt.Errorf("max retries %d: must be at most %d", c.MaxRetries, maxRetries)
	}
	return nil
}

// withDefaults returns c with every zero optional field set.
func (c Config) withDefaults() Config {
	if c.PartSize == 0 {
		c.PartSize = DefaultPartSize
	}
	if c.Concurrency == 0 {
		c.Concurrency = DefaultConcurrency
	}
	if c.MaxBufferBytes == 0 {
		c.MaxBufferBytes = DefaultMaxBufferBytes
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	return c
}
