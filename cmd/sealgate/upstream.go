package main

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/fs"
	"github.com/sealgate/sealgate/backends/s3"
)

// openUpstream opens the configured store, checks that it answers (a
// wrong endpoint or bucket fails at start with one clear line) and that it
// honours conditional writes (probeConditional).
func openUpstream(ctx context.Context, c *config) (backends.Store, error) {
	st, err := dialUpstream(ctx, c)
	if err != nil {
		return nil, err
	}
	if err := probeConditional(ctx, st, c); err != nil {
		_ = st.Close()
		return nil, err
	}
	return st, nil
}

// unsafeSetting names the setting that lets a gateway run over an upstream
// that ignores conditional writes.
const unsafeSetting = "upstream.unsafe_without_conditional_writes (SEALGATE_UPSTREAM_UNSAFE_WITHOUT_CONDITIONAL_WRITES)"

// probeConditional refuses an upstream that ignores conditional writes:
// the keystore, multipart uploads and WebDAV locks are changed with
// compare-and-swap, and without it concurrent changes are lost. The
// operator may override it for a single gateway that runs alone.
func probeConditional(ctx context.Context, st backends.Store, c *config) error {
	pctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	err := backends.CheckConditional(pctx, st, ".sealgate/probe/"+rand.Text())
	switch {
	case err == nil:
		return nil
	case errors.Is(err, backends.ErrNoConditionalWrites) && c.Upstream.UnsafeWithoutCAS:
		return nil // the operator's choice, said in the config
	case errors.Is(err, backends.ErrNoConditionalWrites):
		return fmt.Errorf("the upstream ignores conditional writes (%w): several gateways, or a gateway and the CLI, "+
			"would lose each other's account changes; use an upstream that honours If-Match and If-None-Match, or set %s "+
			"to run one gateway alone at that risk", err, unsafeSetting)
	}
	return fmt.Errorf("upstream: %w", err)
}

// dialUpstream opens the configured store.
func dialUpstream(ctx context.Context, c *config) (backends.Store, error) {
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
