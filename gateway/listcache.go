package gateway

import (
	"strings"
	"sync"
	"time"
)

// listEntry is one decrypted upstream entry of a directory listing.
type listEntry struct {
	name    string // plaintext key, or common prefix ending in the delimiter
	up      string // upstream key ("" for a prefix)
	size    int64  // plaintext size
	upSize  int64  // upstream size
	etag    string // upstream ETag
	modTime time.Time
	prefix  bool
}

// listCache keeps decrypted, sorted listings for the duration of a paging
// run, so that paging through N entries costs O(N) upstream listing in
// total, not O(N) per page. Listings are keyed by upstream prefix and mode,
// expire after a TTL, and are stale once anything under their bucket is
// written through this gateway (each bucket has a write generation; a
// listing remembers the one it was made at, so a write costs one counter
// bump, not a scan). The total number of cached entries is bounded; the
// oldest listings go first.
type listCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	total   int
	entries map[string]*cachedListing
	order   []string          // insertion order, oldest first
	gens    map[string]uint64 // bucket prefix → writes seen (bumped by invalidate)
}

type cachedListing struct {
	bucket  string // upstream bucket prefix
	gen     uint64 // the bucket's generation when it was listed
	at      time.Time
	entries []listEntry
}

func newListCache(limit int, ttl time.Duration) *listCache {
	return &listCache{max: limit, ttl: ttl, entries: map[string]*cachedListing{}, gens: map[string]uint64{}}
}

func (c *listCache) get(key string, now time.Time) ([]listEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if now.Sub(l.at) > c.ttl || l.gen != c.gens[l.bucket] {
		c.drop(key)
		return nil, false
	}
	return l.entries, true
}

// generation returns the write generation of a bucket: take it before
// listing the upstream, and pass it to put.
func (c *listCache) generation(bucket string) uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gens[bucket]
}

// put caches a listing made at generation gen, unless a write through this
// gateway happened since: a listing that raced with a write may miss it,
// and must not be served for the rest of the TTL.
func (c *listCache) put(key, bucket string, gen uint64, entries []listEntry, now time.Time) {
	if len(entries) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gens[bucket] != gen {
		return
	}
	c.drop(key)
	for c.total+len(entries) > c.max && len(c.order) > 0 {
		c.drop(c.order[0])
	}
	c.entries[key] = &cachedListing{bucket: bucket, gen: gen, at: now, entries: entries}
	c.order = append(c.order, key)
	c.total += len(entries)
}

// invalidate makes every listing of an upstream bucket prefix stale.
func (c *listCache) invalidate(bucketPrefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gens[bucketPrefix]++
}

// invalidateUnder drops every listing of the buckets under an upstream
// prefix (a whole user's, when the user is purged).
func (c *listCache) invalidateUnder(prefix string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, l := range c.entries {
		if strings.HasPrefix(l.bucket, prefix) {
			c.gens[l.bucket]++
			c.drop(k)
		}
	}
}

func (c *listCache) drop(key string) {
	l, ok := c.entries[key]
	if !ok {
		return
	}
	delete(c.entries, key)
	c.total -= len(l.entries)
	for i, k := range c.order {
		if k == key {
			c.order = append(c.order[:i], c.order[i+1:]...)
			break
		}
	}
}
