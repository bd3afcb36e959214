package main

import (
	"context"
	"fmt"
	"path/filepath"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Suite runs the S3 workloads against one endpoint into column col.
func s3Suite(ctx context.Context, o options, p *proc, c *s3.Client, r *report, col string) error {
	bucket := "bench"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return fmt.Errorf("%s: create bucket: %w", col, err)
	}
	done := p.sampleRSS()
	put, err := bigPut(ctx, c, bucket, "big", o.size)
	if err != nil {
		return fmt.Errorf("%s: large PUT: %w", col, err)
	}
	get, err := bigGet(ctx, c, bucket, "big")
	if err != nil {
		return fmt.Errorf("%s: large GET: %w", col, err)
	}
	r.set(col, rowBigPut, put)
	r.set(col, rowBigGet, get)
	if evictCache(p.dir) == nil {
		cold, err := bigGet(ctx, c, bucket, "big")
		if err != nil {
			return fmt.Errorf("%s: large GET from disk: %w", col, err)
		}
		r.set(col, rowBigGetCold, cold)
	}
	r.set(col, rowRSSBig, done())
	done = p.sampleRSS()
	defer func() { r.set(col, rowRSS, done()) }()
	for _, conc := range []int{1, 16, 32} {
		p, err := smallOps(ctx, c, bucket, o.ops, conc, false)
		if err != nil {
			return fmt.Errorf("%s: 4 KiB PUT c=%d: %w", col, conc, err)
		}
		g, err := smallOps(ctx, c, bucket, o.ops, conc, true)
		if err != nil {
			return fmt.Errorf("%s: 4 KiB GET c=%d: %w", col, conc, err)
		}
		r.set(col, fmt.Sprintf(rowSmallPut, conc), p)
		r.set(col, fmt.Sprintf(rowSmallGet, conc), g)
	}
	return fillForList(ctx, c, bucket, o.list)
}

// fillForList writes n one-byte objects under list/ with 32 clients.
func fillForList(ctx context.Context, c *s3.Client, bucket string, n int) error {
	return fillPrefix(ctx, c, bucket, "list/", n, 32)
}

func listRows(ctx context.Context, c *s3.Client, r *report, col, row string, want int) error {
	secs, n, err := listAll(ctx, c, "bench", "list/")
	if err != nil {
		return fmt.Errorf("%s: list: %w", col, err)
	}
	if n != want {
		return fmt.Errorf("%s: listed %d objects, want %d", col, n, want)
	}
	r.set(col, row, secs*1000)
	return nil
}

func benchBaseline(ctx context.Context, o options, r *report) error {
	p, err := startVersitygw(o.versity, filepath.Join(o.dir, "versitygw"))
	if err != nil {
		return fmt.Errorf("versitygw: %w", err)
	}
	defer p.stop(stopCtx())
	c := s3Client(p)
	if err := s3Suite(ctx, o, p, c, r, colBase); err != nil {
		return err
	}
	for _, row := range []string{rowListCold, rowListWarm} {
		if err := listRows(ctx, c, r, colBase, row, o.list); err != nil {
			return err
		}
	}
	return nil
}

func benchSealgate(ctx context.Context, o options, r *report) error {
	dir := filepath.Join(o.dir, "sealgate-data")
	p, err := startSealgate(o.sealgate, dir)
	if err != nil {
		return fmt.Errorf("sealgate: %w", err)
	}
	c := s3Client(p)
	if err := s3Suite(ctx, o, p, c, r, colS3); err != nil {
		p.stop(stopCtx())
		return err
	}
	if p.dav != "" {
		if err := davSuite(ctx, o, p, newDAV(p), r); err != nil {
			p.stop(stopCtx())
			return err
		}
	}
	p.stop(stopCtx())
	// A fresh process has an empty metadata cache: the cold listing.
	p, err = startSealgate(o.sealgate, dir)
	if err != nil {
		return fmt.Errorf("sealgate restart: %w", err)
	}
	defer p.stop(stopCtx())
	c = s3Client(p)
	for _, row := range []string{rowListCold, rowListWarm} {
		if err := listRows(ctx, c, r, colS3, row, o.list); err != nil {
			return err
		}
	}
	if err := benchPeers(ctx, o, p, c, r); err != nil {
		return err
	}
	return benchVersions(ctx, o, c, r)
}

func davSuite(ctx context.Context, o options, p *proc, d *davClient, r *report) error {
	done := p.sampleRSS()
	put, err := d.bigPut(ctx, "/bench/dav-big", o.size)
	if err != nil {
		return fmt.Errorf("webdav: large PUT: %w", err)
	}
	get, err := d.bigGet(ctx, "/bench/dav-big")
	if err != nil {
		return fmt.Errorf("webdav: large GET: %w", err)
	}
	r.set(colDAV, rowBigPut, put)
	r.set(colDAV, rowBigGet, get)
	r.set(colDAV, rowRSSBig, done())
	for _, row := range []string{rowPropfindCold, rowPropfindWarm} {
		start := time.Now()
		if _, err := d.propfind(ctx, "/bench/list/"); err != nil {
			return fmt.Errorf("webdav: PROPFIND: %w", err)
		}
		r.set(colDAV, row, float64(time.Since(start).Microseconds())/1000)
	}
	if _, err := d.do(ctx, "MKCOL", "/bench/davsmall", nil, 0); err != nil {
		return fmt.Errorf("webdav: MKCOL: %w", err)
	}
	for _, conc := range []int{1, 16, 32} {
		p, err := d.smallOps(ctx, "/bench/davsmall", o.ops, conc, false)
		if err != nil {
			return fmt.Errorf("webdav: 4 KiB PUT c=%d: %w", conc, err)
		}
		g, err := d.smallOps(ctx, "/bench/davsmall", o.ops, conc, true)
		if err != nil {
			return fmt.Errorf("webdav: 4 KiB GET c=%d: %w", conc, err)
		}
		r.set(colDAV, fmt.Sprintf(rowSmallPut, conc), p)
		r.set(colDAV, fmt.Sprintf(rowSmallGet, conc), g)
	}
	return nil
}
