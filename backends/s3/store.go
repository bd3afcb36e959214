package s3

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/backends"
)

// Store is a [backends.Store] over one S3 bucket. It is safe for concurrent use.
type Store struct {
	lockOnce  sync.Mutex // guards lockKnown, lockOn (retain.go)
	lockKnown bool
	lockOn    bool
	client    *s3.Client
	transport *http.Transport
	cfg       Config  // with defaults applied
	https     bool    // the endpoint uses TLS: payloads are sent unsigned
	buffers   *budget // part buffers of all Puts
}

// maxIdleConns is the number of idle connections kept to the upstream; the
// SDK's default (10 per host) is low for a gateway talking to one host.
const maxIdleConns = 100

var _ backends.Store = (*Store)(nil)

// New validates cfg and returns a Store. It loads the AWS configuration
// chain (for credentials when none are given, and the region) but sends no
// request; use [Store.Ping] to check the bucket and credentials.
func New(ctx context.Context, cfg Config) (*Store, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.withDefaults()
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" {
		creds := credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)
		opts = append(opts, config.WithCredentialsProvider(creds))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: load AWS configuration: %w", err)
	}
	if awsCfg.Region == "" {
		awsCfg.Region = defRegion
	}
	tr := awshttp.NewBuildableClient().GetTransport() // the SDK's timeouts
	tr.MaxIdleConns, tr.MaxIdleConnsPerHost = maxIdleConns, maxIdleConns
	awsCfg.HTTPClient = &http.Client{Transport: tr}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) { clientOptions(o, cfg) })
	https := cfg.Endpoint == "" || strings.HasPrefix(strings.ToLower(cfg.Endpoint), "https://")
	return &Store{client: client, transport: tr, cfg: cfg, https: https, buffers: newBudget(cfg.MaxBufferBytes)}, nil
}

// clientOptions applies cfg to the S3 client: endpoint, addressing, retries
// and checksum policy.
func clientOptions(o *s3.Options, cfg Config) {
	if cfg.Endpoint != "" {
		o.BaseEndpoint = aws.String(cfg.Endpoint)
	}
	o.UsePathStyle = cfg.PathStyle
	o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	o.DisableLogOutputChecksumValidationSkipped = true
	o.Retryer = retry.NewStandard(func(r *retry.StandardOptions) {
		r.MaxAttempts = cfg.MaxRetries + 1
		r.RateLimiter = ratelimit.None
	})
}

// Close closes idle connections. Calls still running finish normally.
func (s *Store) Close() error {
	s.transport.CloseIdleConnections()
	return nil
}

// Ping checks that the bucket exists and the credentials may use it.
func (s *Store) Ping(ctx context.Context) error {
	_, err := s.client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: &s.cfg.Bucket})
	return mapErr(ctx, "ping", "", err)
}

// obj is the upstream object name of key.
func (s *Store) obj(key string) *string { return aws.String(s.cfg.Prefix + key) }

// Stat describes the object with HeadObject.
func (s *Store) Stat(ctx context.Context, key string) (backends.ObjectInfo, error) {
	if err := backends.CheckKey(key); err != nil {
		return backends.ObjectInfo{}, err
	}
	out, err := s.client.HeadObject(ctx, &s3.HeadObjectInput{Bucket: &s.cfg.Bucket, Key: s.obj(key)})
	if isBadRequest(err) {
		return s.statByGet(ctx, key) // HEAD answers carry no error code
	}
	if err != nil {
		return backends.ObjectInfo{}, mapErr(ctx, "stat", key, err)
	}
	return backends.ObjectInfo{
		Key:     key,
		Size:    aws.ToInt64(out.ContentLength),
		ETag:    trimETag(out.ETag),
		ModTime: aws.ToTime(out.LastModified),
	}, nil
}

// statByGet describes the object with a one-byte GetObject, whose error
// answer, unlike HEAD's, says what is wrong (KeyTooLongError, …).
func (s *Store) statByGet(ctx context.Context, key string) (backends.ObjectInfo, error) {
	rc, info, err := s.Get(ctx, key, 0, 1)
	if err != nil {
		return backends.ObjectInfo{}, err
	}
	_ = rc.Close()
	return info, nil
}

// Delete removes the object; an absent key is not an error. Keys that fail
// [backends.CheckKey] are still ErrInvalidKey.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := backends.CheckKey(key); err != nil {
		return err
	}
	_, err := s.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &s.cfg.Bucket, Key: s.obj(key)})
	err = mapErr(ctx, "delete", key, err)
	// NoSuchBucket is not ErrNotExist. A key the upstream cannot hold
	// (ErrInvalidKey from a file-tree upstream) cannot exist either.
	if errors.Is(err, backends.ErrNotExist) || errors.Is(err, backends.ErrInvalidKey) {
		return nil
	}
	return err
}

// List returns one page with ListObjectsV2. Keys travel URL-encoded
// (encoding-type=url) so that any key survives the XML answer.
func (s *Store) List(ctx context.Context, opts backends.ListOptions) (backends.ListPage, error) {
	limit, err := backends.CheckListOptions(opts)
	if err != nil {
		return backends.ListPage{}, err
	}
	dir, last := splitPrefix(s.cfg.Prefix + opts.Prefix)
	if hasDotSegment(dir) {
		return backends.ListPage{}, nil
	}
	in := &s3.ListObjectsV2Input{
		Bucket:       &s.cfg.Bucket,
		Prefix:       aws.String(dir + last),
		MaxKeys:      aws.Int32(int32(limit)),
		EncodingType: types.EncodingTypeUrl,
	}
	if opts.Delimiter != "" {
		in.Delimiter = aws.String(opts.Delimiter)
	}
	if opts.Token != "" {
		in.ContinuationToken = aws.String(opts.Token)
	}
	if last == "." || last == ".." {
		return s.listDotted(ctx, in, dir, last, opts.Prefix)
	}
	return s.listPage(ctx, in, opts.Prefix)
}

// listPage sends one ListObjectsV2.
func (s *Store) listPage(ctx context.Context, in *s3.ListObjectsV2Input, prefix string) (backends.ListPage, error) {
	out, err := s.client.ListObjectsV2(ctx, in)
	if err != nil {
		return backends.ListPage{}, mapErr(ctx, "list", prefix, err)
	}
	return s.page(out)
}

// listDotted lists a prefix whose last segment is "." or "..", which MinIO
// refuses (XMinioInvalidResourceName), as in StartAfter. No key has such a
// segment ([backends.CheckKey]), so a complete one matched nothing in List;
// a last, partial one ("a/." matches "a/.x") is listed from its parent
// folder, starting just below the prefix ('-' is the byte before '.'), and
// the answer is cut to the keys that match.
func (s *Store) listDotted(ctx context.Context, in *s3.ListObjectsV2Input, dir, last, prefix string) (backends.ListPage, error) {
	in.Prefix = aws.String(dir)
	in.StartAfter = aws.String(dir + strings.TrimSuffix(last, ".") + "-\U0010FFFF")
	for {
		page, err := s.listPage(ctx, in, prefix)
		if err != nil {
			return backends.ListPage{}, err
		}
		page = cutPage(page, prefix)
		if page.NextToken == "" || len(page.Objects)+len(page.Prefixes) > 0 {
			return page, nil
		}
		in.ContinuationToken = aws.String(page.NextToken) // only keys below the prefix so far
	}
}

// splitPrefix splits a listing prefix after its last '/'.
func splitPrefix(prefix string) (dir, last string) {
	i := strings.LastIndexByte(prefix, '/') + 1
	return prefix[:i], prefix[i:]
}

// hasDotSegment reports whether dir (complete segments, each ending in
// '/') has a "." or ".." segment.
func hasDotSegment(dir string) bool {
	return strings.HasPrefix(dir, "./") || strings.HasPrefix(dir, "../") ||
		strings.Contains(dir, "/./") || strings.Contains(dir, "/../")
}

// cutPage keeps the entries of a page that start with prefix. Entries
// after them in byte order mean that the listing is complete.
func cutPage(page backends.ListPage, prefix string) backends.ListPage {
	past := false
	drop := func(k string) bool {
		if strings.HasPrefix(k, prefix) {
			return false
		}
		past = past || k > prefix
		return true
	}
	page.Objects = slices.DeleteFunc(page.Objects, func(o backends.ObjectInfo) bool { return drop(o.Key) })
	page.Prefixes = slices.DeleteFunc(page.Prefixes, drop)
	if past {
		page.NextToken = ""
	}
	return page
}

// page converts one ListObjectsV2 answer, stripping the store's prefix.
func (s *Store) page(out *s3.ListObjectsV2Output) (backends.ListPage, error) {
	var page backends.ListPage
	urlEncoded := out.EncodingType == types.EncodingTypeUrl
	for _, o := range out.Contents {
		key, err := s.listKey(aws.ToString(o.Key), urlEncoded)
		if err != nil {
			return backends.ListPage{}, err
		}
		page.Objects = append(page.Objects, backends.ObjectInfo{
			Key:     key,
			Size:    aws.ToInt64(o.Size),
			ETag:    trimETag(o.ETag),
			ModTime: aws.ToTime(o.LastModified),
		})
	}
	for _, p := range out.CommonPrefixes {
		key, err := s.listKey(aws.ToString(p.Prefix), urlEncoded)
		if err != nil {
			return backends.ListPage{}, err
		}
		page.Prefixes = append(page.Prefixes, key)
	}
	if aws.ToBool(out.IsTruncated) {
		page.NextToken = aws.ToString(out.NextContinuationToken)
		if page.NextToken == "" {
			return backends.ListPage{}, errors.New("s3: list: truncated answer without continuation token")
		}
	}
	return page, nil
}

// listKey decodes one listed name and strips the store's prefix.
func (s *Store) listKey(name string, urlEncoded bool) (string, error) {
	if urlEncoded {
		dec, err := url.QueryUnescape(name)
		if err != nil {
			return "", fmt.Errorf("s3: list: bad url-encoded key: %w", err)
		}
		name = dec
	}
	key, ok := strings.CutPrefix(name, s.cfg.Prefix)
	if !ok {
		return "", fmt.Errorf("s3: list: key %q outside prefix", name)
	}
	return key, nil
}

// trimETag removes the quotes S3 puts around ETags.
func trimETag(etag *string) string {
	return strings.Trim(aws.ToString(etag), `"`)
}

// quoteETag formats an ETag for If-Match.
func quoteETag(etag string) *string {
	return aws.String(`"` + strings.Trim(etag, `"`) + `"`)
}
