package main

import (
	"context"
	"fmt"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/s3"
)

// openUpstream opens the configured store and checks that it answers, so a
// wrong endpoint or bucket fails at start with one clear line.
func openUpstream(ctx context.Context, c *config) (backends.Store, error) {
	if c.Upstream.Type == "fs" {
		st, err := fs.Open(c.Upstream.FS.Dir)
		if err != nil {
			return nil, fmt.Errorf("upstream: %w", err)
		}
		return st, nil
	}
	u := c.Upstream.S3
	st, err := s3.New(ctx, s3.Config{Bucket: u.Bucket, Prefix: u.Prefix, Endpoint: u.Endpoint, Region: u.Region,
		PathStyle: u.PathStyle, PartSize: u.PartSize, MaxBufferBytes: u.MaxBuffers, MaxRetries: u.MaxRetries})
	if err != nil {
		return nil, fmt.Errorf("upstream: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := st.Ping(pctx); err != nil {
		_ = st.Close()
		return nil, fmt.Errorf("upstream s3 bucket %q at %s does not answer: %w", u.Bucket, endpointName(u.Endpoint), err)
	}
	return st, nil
}

func endpointName(e string) string {
	if e == "" {
		return "AWS"
	}
	return e
}
