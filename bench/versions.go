package main

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// Versioned rows (sealgate only: the bench's versitygw serves no
// versioning): 4 KiB overwrites and reads of the current version in a
// bucket with versioning enabled, to compare with the unversioned rows, and
// a ListObjectVersions of o.list versions (o.list/10 keys, 10 versions
// each), paged 1,000 at a time.
const (
	rowVerPut  = "4 KiB PUT ops/s c=16, versioned"
	rowVerGet  = "4 KiB GET ops/s c=16, versioned"
	rowVerList = "LIST VERSIONS all (ms)"
)

// versionedVsPlain pairs the versioned rows with their unversioned rows.
var versionedVsPlain = [][2]string{
	{rowVerPut, fmt.Sprintf(rowSmallPut, 16)},
	{rowVerGet, fmt.Sprintf(rowSmallGet, 16)},
}

func benchVersions(ctx context.Context, o options, c *s3.Client, r *report) error {
	bucket := "benchv"
	if _, err := c.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &bucket}); err != nil {
		return fmt.Errorf("versioned bucket: %w", err)
	}
	if _, err := c.PutBucketVersioning(ctx, &s3.PutBucketVersioningInput{Bucket: &bucket,
		VersioningConfiguration: &types.VersioningConfiguration{Status: types.BucketVersioningStatusEnabled}}); err != nil {
		return fmt.Errorf("enabling versioning: %w", err)
	}
	// A first pass makes the current versions; the measured pass sets each
	// aside, as every later overwrite does.
	if _, err := smallOps(ctx, c, bucket, o.ops, 16, false); err != nil {
		return fmt.Errorf("versioned 4 KiB PUT: %w", err)
	}
	put, err := smallOps(ctx, c, bucket, o.ops, 16, false)
	if err != nil {
		return fmt.Errorf("versioned 4 KiB PUT: %w", err)
	}
	get, err := smallOps(ctx, c, bucket, o.ops, 16, true)
	if err != nil {
		return fmt.Errorf("versioned 4 KiB GET: %w", err)
	}
	r.set(colS3, rowVerPut, put)
	r.set(colS3, rowVerGet, get)
	keys := max(o.list/10, 1)
	if _, err := parallel(keys*10, 32, func(i int) error {
		key := fmt.Sprintf("versions/%06d", i%keys)
		_, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: bytes.NewReader([]byte{'x'})})
		return err
	}); err != nil {
		return fmt.Errorf("writing versions: %w", err)
	}
	start := time.Now()
	n, err := listVersions(ctx, c, bucket, "versions/")
	if err != nil {
		return fmt.Errorf("ListObjectVersions: %w", err)
	}
	if n != keys*10 {
		return fmt.Errorf("ListObjectVersions: %d versions, want %d", n, keys*10)
	}
	r.set(colS3, rowVerList, float64(time.Since(start).Microseconds())/1000)
	return nil
}

// listVersions pages through every version under prefix.
func listVersions(ctx context.Context, c *s3.Client, bucket, prefix string) (int, error) {
	in := &s3.ListObjectVersionsInput{Bucket: &bucket, Prefix: &prefix}
	n := 0
	for {
		out, err := c.ListObjectVersions(ctx, in)
		if err != nil {
			return n, err
		}
		n += len(out.Versions) + len(out.DeleteMarkers)
		if out.IsTruncated == nil || !*out.IsTruncated {
			return n, nil
		}
		in.KeyMarker, in.VersionIdMarker = out.NextKeyMarker, out.NextVersionIdMarker
	}
}
