package gateway

import (
	"bytes"
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"time"

	lru "github.com/hashicorp/golang-lru/v2"
	"golang.org/x/sync/singleflight"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// CORSCacheTTL bounds how stale the CORS rules that requests are evaluated
// against may be: a configuration changed through another gateway applies
// here within this time (through this gateway, at once). GetBucketCORS
// always reads the upstream.
const CORSCacheTTL = 3 * time.Second

// Finding a bucket's owner for a preflight. A preflight (OPTIONS) carries
// no credentials, and bucket names are per user: two accounts may each
// have a bucket "photos". So that a preflight costs no upstream read per
// account, every bucket with a CORS configuration has an empty marker
//
//	.sealgate/cors/<dir>/<MAC of the record name>
//
// (the same MAC as its shared record's name: a MAC under the user's key,
// so the upstream learns no bucket name). A gateway lists .sealgate/cors/
// at most every CORSCacheTTL, while preflights arrive, and for each
// directory with markers computes the marker its account would have for
// the bucket asked about (once per name and listing): a match names an
// owner, whose rules it reads (cached). With several owners, their rules
// are tried in a fixed order and the first rule that allows the request
// answers; the answer names no owner, and a preflight for a name nobody
// configured reads nothing. DeleteBucket removes its bucket's marker; one
// left behind (a gateway stopped midway) costs the reads of a stale
// record. The upstream can delete markers (preflights then fail, as they would if
// it deleted the records) or add them (a forged marker leads to a record
// that does not open or does not exist: no rule).
const corsRoot = ".sealgate/cors/"

// corsCache is a Service's cache of CORS rules and of the markers.
type corsCache struct {
	rules  *lru.Cache[string, corsEntry] // dir\x00bucket → rules
	mu     sync.Mutex
	owners *corsOwners // the last listing of the markers, nil before the first
	flight singleflight.Group
}

type corsEntry struct {
	rules []CORSRule // nil: none
	at    time.Time
}

// corsOwners is one listing of the markers, with the accounts that own
// them.
type corsOwners struct {
	at      time.Time
	markers map[string]bool              // upstream keys
	dirs    []string                     // directories with markers, sorted
	users   map[string]*cryptolayer.User // directory → key record
	// owners caches, per bucket name, the directories whose marker
	// matched: a name asked again costs no MAC per directory.
	owners *lru.Cache[string, []string]
}

func newCORSOwners(at time.Time) *corsOwners {
	c, _ := lru.New[string, []string](4096) // the size is valid
	return &corsOwners{at: at, markers: map[string]bool{}, users: map[string]*cryptolayer.User{}, owners: c}
}

// ownersOf returns the directories with a marker for bucket, in order.
func (o *corsOwners) ownersOf(s *Service, bucket string) []string {
	if dirs, ok := o.owners.Get(bucket); ok {
		return dirs
	}
	var dirs []string
	for _, dir := range o.dirs {
		key, err := s.namespaceFor(o.users[dir]).corsMarkerKey(bucket)
		if err == nil && o.markers[key] {
			dirs = append(dirs, dir)
		}
	}
	o.owners.Add(bucket, dirs)
	return dirs
}

func newCORSCache() (*corsCache, error) {
	c, err := lru.New[string, corsEntry](16384)
	if err != nil {
		return nil, err
	}
	return &corsCache{rules: c}, nil
}

func corsCacheKey(dir, bucket string) string { return dir + "\x00" + bucket }

// remember caches the rules of a bucket as read (or written) at time at,
// unless the cache holds a newer answer (a read that started before a
// write through this gateway never replaces the written rules).
func (c *corsCache) remember(dir, bucket string, rules []CORSRule, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	k := corsCacheKey(dir, bucket)
	if e, ok := c.rules.Peek(k); ok && e.at.After(at) {
		return
	}
	c.rules.Add(k, corsEntry{rules: rules, at: at})
}

// forget drops the cached rules of a bucket that this gateway saw deleted
// or created: a later bucket of the name starts without rules.
func (c *corsCache) forget(dir, bucket string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.rules.Remove(corsCacheKey(dir, bucket))
}

// forgetMarker drops a marker from the last listing (its rules are gone).
func (c *corsCache) forgetMarker(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owners != nil && c.owners.markers[key] {
		o := c.owners.clone()
		delete(o.markers, key)
		c.owners = o
	}
}

// addMarker adds a marker to the last listing, so that this gateway's
// preflights see a configuration it stored at once.
func (c *corsCache) addMarker(key, dir string, u *cryptolayer.User) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owners == nil || c.owners.markers[key] {
		return
	}
	o := c.owners.clone()
	o.markers[key] = true
	if o.users[dir] == nil {
		o.users[dir] = u
		o.dirs = append(o.dirs, dir)
		sort.Strings(o.dirs)
	}
	c.owners = o
}

// clone copies a listing: a published one is never changed, so readers
// use it without the lock.
func (o *corsOwners) clone() *corsOwners {
	c := newCORSOwners(o.at)
	c.dirs = append(c.dirs, o.dirs...)
	for k := range o.markers {
		c.markers[k] = true
	}
	for d, u := range o.users {
		c.users[d] = u
	}
	return c
}

// corsMarkerKey is the upstream key of the bucket's marker.
func (n *userNS) corsMarkerKey(bucket string) (string, error) {
	k, err := n.sharedKey(corsShare + bucket)
	if err != nil {
		return "", err
	}
	return corsRoot + strings.TrimPrefix(k, ".sealgate/shared/"), nil
}

// putCORSMarker stores the bucket's (empty) marker.
func (n *userNS) putCORSMarker(ctx context.Context, bucket string) error {
	key, err := n.corsMarkerKey(bucket)
	if err != nil {
		return err
	}
	if _, err := n.svc.store.Put(ctx, key, bytes.NewReader(nil), 0, backends.PutOptions{}); err != nil {
		return upstreamErr(err, ErrNoSuchKey)
	}
	n.svc.cors.addMarker(key, n.dir, n.user)
	return nil
}

// CORSRules implements Namespace: the bucket's rules as of at most
// CORSCacheTTL ago; nil when it has none or does not exist.
func (n *userNS) CORSRules(ctx context.Context, bucket string) ([]CORSRule, error) {
	if CheckBucketName(bucket) != nil {
		return nil, nil
	}
	if e, ok := n.svc.cors.rules.Get(corsCacheKey(n.dir, bucket)); ok && n.svc.cfg.Now().Sub(e.at) < CORSCacheTTL {
		return e.rules, nil
	}
	v, err, _ := n.svc.cors.flight.Do("r\x00"+corsCacheKey(n.dir, bucket), func() (any, error) {
		start := n.svc.cfg.Now()
		rules, err := n.readCORS(context.WithoutCancel(ctx), bucket)
		if isGatewayErr(err) && !isTransient(err) {
			// No bucket, or a record that fails authentication: no rule.
			n.svc.cors.remember(n.dir, bucket, nil, start)
			return []CORSRule(nil), nil
		}
		return rules, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]CORSRule), nil
}

// isTransient reports whether err is an upstream failure worth a retry.
func isTransient(err error) bool {
	return errors.Is(err, ErrUnavailable) || errors.Is(err, ErrSlowDown) || errors.Is(err, ErrConflict)
}

// PreflightCORS returns the CORS rules that answer an anonymous preflight
// for bucket: those of every account with a bucket of that name and a CORS
// configuration, in a fixed order (see corsRoot); nil if there are none.
// It needs Config.Accounts; without it, no bucket has rules for a
// preflight.
func (s *Service) PreflightCORS(ctx context.Context, bucket string) ([]CORSRule, error) {
	if s.cfg.Accounts == nil || CheckBucketName(bucket) != nil {
		return nil, nil
	}
	o, err := s.corsOwners(ctx)
	if err != nil {
		return nil, err
	}
	var out []CORSRule
	for _, dir := range o.ownersOf(s, bucket) {
		rules, err := s.namespaceFor(o.users[dir]).CORSRules(ctx, bucket)
		if err != nil {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}

// corsOwners returns a listing of the markers at most CORSCacheTTL old,
// listing the upstream (once at a time) when the last one is older.
func (s *Service) corsOwners(ctx context.Context) (*corsOwners, error) {
	s.cors.mu.Lock()
	o := s.cors.owners
	s.cors.mu.Unlock()
	if o != nil && s.cfg.Now().Sub(o.at) < CORSCacheTTL {
		return o, nil
	}
	v, err, _ := s.cors.flight.Do("owners", func() (any, error) {
		return s.listCORSOwners(context.WithoutCancel(ctx))
	})
	if err != nil {
		return nil, err
	}
	return v.(*corsOwners), nil
}

// listCORSOwners lists the markers and maps their directories to the
// accounts this gateway knows (markers of unknown directories, such as a
// deleted account's, are skipped).
func (s *Service) listCORSOwners(ctx context.Context) (*corsOwners, error) {
	byDir := map[string]*cryptolayer.User{}
	for _, a := range s.cfg.Accounts() {
		dir, _ := a.NamespaceKeys()
		byDir[dir] = a.KeyRecord()
	}
	o := newCORSOwners(s.cfg.Now())
	err := s.eachObject(ctx, corsRoot, func(obj backends.ObjectInfo) error {
		dir, _, ok := strings.Cut(strings.TrimPrefix(obj.Key, corsRoot), "/")
		if u := byDir[dir]; ok && u != nil {
			o.markers[obj.Key] = true
			if o.users[dir] == nil {
				o.users[dir] = u
				o.dirs = append(o.dirs, dir)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(o.dirs)
	s.cors.mu.Lock()
	s.cors.owners = o
	s.cors.mu.Unlock()
	return o, nil
}
