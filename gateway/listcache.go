package gateway

import (
	"strconv"
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

// listCache keeps decrypted, sorted listings for the continuation pages of
// paging runs, so that paging through N entries costs O(N) upstream
// listing in total, not O(N) per page. A first page never comes from it
// (every first page lists the upstream afresh and replaces the cached
// listing), so what other gateways wrote shows at once; a continuation
// page comes from the listing of its run, or a newer one (see
// listCache.continued).
//
// Listings are keyed by upstream prefix and mode, numbered in the order
// they began, expire after a TTL, and are stale once anything under their
// bucket is written through this gateway (each bucket has a write
// generation; a listing remembers the one it began at, so a write costs one
// counter bump, not a scan). The total number of cached entries is
// bounded; the oldest listings go first.
type listCache struct {
	mu      sync.Mutex
	max     int
	ttl     time.Duration
	total   int
	seq     uint64 // listings begun
	entries map[string]*cachedListing
	order   []string          // insertion order, oldest first
	gens    map[string]uint64 // bucket prefix → writes seen (bumped by invalidate)
}

type cachedListing struct {
	id      uint64 // order of its beginning
	bucket  string // upstream bucket prefix
	gen     uint64 // the bucket's generation when it began
	at      time.Time
	entries []listEntry
	next    map[string]bool // NextMarkers of the pages cut from it
}

func newListCache(limit int, ttl time.Duration) *listCache {
	return &listCache{max: limit, ttl: ttl, entries: map[string]*cachedListing{}, gens: map[string]uint64{}}
}

// begin numbers a listing about to be read from the upstream and returns
// its bucket's write generation: call it before listing, then put.
func (c *listCache) begin(bucket string) (id, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.seq++
	return c.seq, c.gens[bucket]
}

// continued returns the cached listing for a continuation page after
// marker. With a snapshot (the id of the run's listing, from its first
// page), any cached listing that began no earlier serves. Without one (an
// S3 v1 marker, which carries no run), only a listing that ended a page at
// exactly that marker does. Expired listings, and listings older than a
// write through this gateway, never do.
func (c *listCache) continued(key, marker string, snap uint64, hasSnap bool, now time.Time) ([]listEntry, uint64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, ok := c.entries[key]
	if !ok {
		return nil, 0, false
	}
	if now.Sub(l.at) > c.ttl || l.gen != c.gens[l.bucket] {
		c.drop(key)
		return nil, 0, false
	}
	if hasSnap && l.id < snap || !hasSnap && !l.next[marker] {
		return nil, 0, false
	}
	return l.entries, l.id, true
}

// handedOut records that a page of listing id ended at marker.
func (c *listCache) handedOut(key string, id uint64, marker string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.entries[key]; ok && l.id == id && len(l.next) < maxHandedOut {
		l.next[marker] = true
	}
}

// maxHandedOut bounds the markers a cached listing remembers.
const maxHandedOut = 4096

// put caches listing id, begun at generation gen, unless a write through
// this gateway happened since (a listing that raced with a write may miss
// it, and must not serve the rest of the run) or a listing that began
// later is cached already. The markers the listing it replaces handed out
// carry over.
func (c *listCache) put(key, bucket string, id, gen uint64, entries []listEntry, now time.Time) {
	if len(entries) > c.max {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gens[bucket] != gen {
		return
	}
	next := map[string]bool{}
	if l, ok := c.entries[key]; ok {
		if l.id > id {
			return
		}
		if len(l.next) < maxHandedOut {
			next = l.next // the newer listing serves the older one's runs too
		}
	}
	c.drop(key)
	for c.total+len(entries) > c.max && len(c.order) > 0 {
		c.drop(c.order[0])
	}
	c.entries[key] = &cachedListing{id: id, bucket: bucket, gen: gen, at: now, entries: entries, next: next}
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

// snapshot names listing id of this Service for ListResult.Snapshot.
func (s *Service) snapshot(id uint64) string {
	return s.instance + "." + strconv.FormatUint(id, 36)
}

// parseSnapshot returns the listing id a ListQuery.Snapshot names, and
// whether one was given. A snapshot of another gateway (or a malformed one)
// names no listing of this one: it is given, with an id no listing reaches,
// so the page is cut from a fresh listing.
func (s *Service) parseSnapshot(snap string) (uint64, bool) {
	if snap == "" {
		return 0, false
	}
	inst, num, ok := strings.Cut(snap, ".")
	id, err := strconv.ParseUint(num, 36, 64)
	if !ok || inst != s.instance || err != nil {
		return ^uint64(0), true
	}
	return id, true
}
