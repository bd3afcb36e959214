package gateway

import (
	"context"
	"crypto/rand"
	"sync/atomic"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Config configures a Service.
type Config struct {
	Store backends.Store // the upstream
	// MetaCacheEntries bounds the LRU of decrypted object metadata
	// (default 100,000 entries, a few hundred bytes each).
	MetaCacheEntries int
	// ListCacheEntries bounds the decrypted directory listings kept for
	// paging runs, in entries over all cached listings (default 1,000,000).
	ListCacheEntries int
	// FetchParallelism bounds the parallel metadata reads of a cold listing
	// page (default 16).
	FetchParallelism int
	// ListCacheTTL is how long a decrypted listing serves the continuation
	// pages of a paging run (default 60 s); first pages always list the
	// upstream. Writes through this gateway invalidate it.
	ListCacheTTL time.Duration
	// UploadExpiry is the age after which an unfinished multipart upload may
	// be removed (default 7 days).
	UploadExpiry time.Duration
	// OnIntegrity, if set, is called for every upstream entry or object
	// that fails authentication (for logs and metrics); it gets the region
	// ("name", "object", "record") and never any secret.
	OnIntegrity func(region string)
	// Fresh, if set, returns the current key record of a user (nil if
	// none): when an object names a content epoch that a request's account
	// snapshot lacks — another gateway rotated the user's keys since — the
	// gateway asks it once before it calls the object tampered.
	Fresh func(id [16]byte) *cryptolayer.User
	// Current, if set, returns the newest key record of a user this
	// gateway knows, without reading the upstream (nil if none). A write
	// commits only under the current epoch it names (epochCurrent).
	Current func(id [16]byte) *cryptolayer.User
	// Accounts, if set, returns the accounts whose buckets answer anonymous
	// CORS preflights (PreflightCORS): the active accounts of the
	// deployment. Without it, no preflight is allowed.
	Accounts func() []Account
	// QuotaFlushBytes is the pending usage delta of an account with a
	// quota at which this gateway adds it to the shared record (default
	// 64 MiB); the bound of a quota's overshoot is this times the number
	// of gateways, plus the writes in flight (quota.go).
	QuotaFlushBytes int64
	// QuotaFlushObjects is the same for the number of objects (default
	// 1000).
	QuotaFlushObjects int64
	// QuotaRefresh is how old this gateway's copy of an account's quota
	// record may get before a request re-reads it (default 2 s): a new
	// limit, and the other gateways' flushed usage, apply within it.
	QuotaRefresh time.Duration
	Now          func() time.Time
}

func (c *Config) setDefaults() {
	if c.MetaCacheEntries <= 0 {
		c.MetaCacheEntries = 100_000
	}
	if c.ListCacheEntries <= 0 {
		c.ListCacheEntries = 1_000_000
	}
	if c.FetchParallelism <= 0 {
		c.FetchParallelism = 16
	}
	if c.ListCacheTTL <= 0 {
		c.ListCacheTTL = time.Minute
	}
	if c.UploadExpiry <= 0 {
		c.UploadExpiry = 7 * 24 * time.Hour
	}
	if c.QuotaFlushBytes <= 0 {
		c.QuotaFlushBytes = 64 << 20
	}
	if c.QuotaFlushObjects <= 0 {
		c.QuotaFlushObjects = 1000
	}
	if c.QuotaRefresh <= 0 {
		c.QuotaRefresh = 2 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
}

// Service is the gateway over one upstream. It is safe for concurrent use.
type Service struct {
	cfg       Config
	store     backends.Store
	meta      *lru.Cache[metaKey, ObjectInfo]
	ciphers   *lru.Cache[string, *cryptolayer.NameCipher]
	lists     *listCache
	folders   *lru.Cache[string, string]      // upstream folder prefix → its plaintext segment (list.go)
	instance  string                          // names this Service's listings in snapshots
	buckets   *lru.Cache[string, bucketState] // buckets seen live: a hint for writes (buckets.go)
	completes singleflight.Group              // one re-seal per upload at a time (multipart_complete.go)
	keyLocks  keyLocks                        // this gateway's writes of a key take turns (keylock.go)
	cors      *corsCache                      // CORS rules and preflight markers (cors_cache.go)
	quotas    *quotaTable                     // accounts' quota records and pending usage (quota_state.go)
	integrity atomic.Int64
	hits      atomic.Int64
	misses    atomic.Int64
}

// Stats are the service's counters since the start, for metrics.
type Stats struct {
	MetaCacheHits, MetaCacheMisses int64 // decrypted-metadata LRU
	IntegrityFailures              int64 // upstream data that failed authentication
}

// Stats returns the counters.
func (s *Service) Stats() Stats {
	return Stats{MetaCacheHits: s.hits.Load(), MetaCacheMisses: s.misses.Load(), IntegrityFailures: s.integrity.Load()}
}

// cachedInfo looks up decrypted metadata, counting hits and misses.
func (s *Service) cachedInfo(k metaKey) (ObjectInfo, bool) {
	info, ok := s.meta.Get(k)
	if ok {
		s.hits.Add(1)
	} else {
		s.misses.Add(1)
	}
	return info, ok
}

// NewService returns a Service over cfg.Store.
func NewService(cfg Config) (*Service, error) {
	cfg.setDefaults()
	meta, err := lru.New[metaKey, ObjectInfo](cfg.MetaCacheEntries)
	if err != nil {
		return nil, err
	}
	ciphers, err := lru.New[string, *cryptolayer.NameCipher](4096)
	if err != nil {
		return nil, err
	}
	buckets, err := lru.New[string, bucketState](65536)
	if err != nil {
		return nil, err
	}
	folders, err := lru.New[string, string](65536)
	if err != nil {
		return nil, err
	}
	cors, err := newCORSCache()
	if err != nil {
		return nil, err
	}
	return &Service{cfg: cfg, store: cfg.Store, meta: meta, ciphers: ciphers, buckets: buckets, folders: folders, cors: cors,
		lists: newListCache(cfg.ListCacheEntries, cfg.ListCacheTTL), instance: rand.Text()[:10], quotas: newQuotaTable(cfg)}, nil
}

func (s *Service) integrityFailure(region string) {
	s.integrity.Add(1)
	if s.cfg.OnIntegrity != nil {
		s.cfg.OnIntegrity(region)
	}
}

// Namespace returns the view of one account: what the doors call for an
// authenticated request. The Account is a snapshot; a deleted account's
// snapshot keeps working only for requests already in flight.
func (s *Service) Namespace(a Account) Namespace {
	dir, buckets := a.NamespaceKeys()
	return &userNS{svc: s, user: a.KeyRecord(), dir: dir, buckets: buckets}
}

// namespaceFor returns the namespace of a user record (a snapshot the
// caller does not modify).
func (s *Service) namespaceFor(u *cryptolayer.User) *userNS {
	return &userNS{svc: s, user: u, dir: u.UpstreamDir(), buckets: u.BucketNameCipher()}
}

// nameCipher returns the (cached) name cipher of one user's bucket: making
// one costs a few HKDF runs, and every request needs it.
func (s *Service) nameCipher(u *cryptolayer.User, dir, bucket string) *cryptolayer.NameCipher {
	k := dir + "\x00" + bucket
	if c, ok := s.ciphers.Get(k); ok {
		return c
	}
	c := u.NameCipher(bucket)
	s.ciphers.Add(k, c)
	return c
}

// metaKey identifies one upstream object version: the cache can never be
// stale because a new version has a new upstream ETag.
type metaKey struct {
	key, etag string
}

// Ready reports whether the upstream answers (a one-entry listing).
func (s *Service) Ready(ctx context.Context) error {
	_, err := s.store.List(ctx, backends.ListOptions{Prefix: ".sealgate/", Limit: 1})
	return upstreamErr(err, ErrNoSuchBucket)
}
