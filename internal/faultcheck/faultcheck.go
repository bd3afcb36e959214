// Package faultcheck drives a randomized object workload through a Target
// while its upstream fails (see internal/faultstore), and checks what it
// reads against what it wrote. It is shared by the gateway's tests and the
// S3 door's.
//
// # Contract
//
//   - [Run] makes Config.Ops operations, one at a time, on a few keys: PUT
//     of small and multi-chunk objects, GET, range GET, HEAD, LIST, COPY,
//     multipart uploads and DELETE. An [Oracle] records what each key may
//     hold: an acknowledged write replaced it; a failed write may or may
//     not have happened.
//   - Every answer is checked at once. A GET that succeeded returned exactly
//     the bytes (or the range) of one version a write left, never a short or
//     a mixed body; a GET whose body failed returned a prefix of one. HEAD
//     and LIST show the size and ETag of one. A write's ETag is S3's for
//     its bytes. Each error must be of a [Kind] the operation allows:
//     [Upstream], [NoSpace] for writes when Config.NoSpace, [NotFound] when
//     the key may be absent. [Other] always fails the test.
//   - [Verify], run with faults off, reads every key back: each is exactly
//     one version it may hold (nothing torn, nothing acknowledged lost), its
//     HEAD agrees, and one listing shows exactly the keys that exist.
package faultcheck

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/sealgate/sealgate/internal/etagtest"
)

// Kind classifies an error a Target returned.
type Kind int

// The kinds of errors.
const (
	// Other is any error the workload does not expect: a bug.
	Other Kind = iota
	// NotFound: the key does not exist.
	NotFound
	// Upstream: the upstream failed, or served data that failed
	// authentication (a short read); retrying later may succeed.
	Upstream
	// NoSpace: the upstream is out of space; retrying will not help.
	NoSpace
)

func (k Kind) String() string {
	return [...]string{"other", "not found", "upstream", "no space"}[k]
}

// Object is a listed object.
type Object struct {
	Key  string
	Size int64
	ETag string
}

// Target is one way into an object store: the gateway's Namespace, or an
// S3 client of the door. Keys are object keys of one bucket.
type Target interface {
	Put(key string, data []byte) (etag string, err error)
	// Multipart uploads parts (all but the last of the minimum part size)
	// and completes the upload; on failure it aborts it, best effort.
	Multipart(key string, parts [][]byte) (etag string, err error)
	// Get reads bytes [start, end] (end < 0: to the end; start 0, end -1:
	// a plain GET) and returns the bytes received, also those before an
	// error of the body.
	Get(key string, start, end int64) ([]byte, error)
	Head(key string) (size int64, etag string, err error)
	// List returns every object of the bucket (all pages).
	List() ([]Object, error)
	Copy(src, dst string) (etag string, err error)
	Delete(key string) error
	// Classify says what kind of error err is. It may fail the test itself
	// on a breach only it can see (an HTTP header missing).
	Classify(err error) Kind
}

// Config shapes a run.
type Config struct {
	Seed uint64
	Ops  int
	// Keys is the key space; "" entries are not allowed.
	Keys []string
	// Sizes are the sizes a PUT picks from (small and multi-chunk).
	Sizes []int
	// PartSize is the size of the parts of a multipart upload but the last
	// (the door's minimum); 0 leaves multipart out. Multiparts is how many
	// uploads a run makes at most.
	PartSize   int
	Multiparts int
	// NoSpace: writes may fail with NoSpace.
	NoSpace bool
}

// Stats counts what a run saw, so a test can tell it was not vacuous.
type Stats struct {
	Ops    int
	Errors map[Kind]int
}

// run is one workload in progress.
type run struct {
	t      testing.TB
	tg     Target
	cfg    Config
	rng    *rand.Rand
	o      *Oracle
	stats  Stats
	seq    int
	mparts int
}

// Run runs the workload and returns the oracle of what every key may hold
// and what it saw.
func Run(t testing.TB, tg Target, cfg Config) (*Oracle, Stats) {
	t.Helper()
	r := &run{t: t, tg: tg, cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0xfa17)), o: newOracle(cfg.Keys),
		stats: Stats{Errors: map[Kind]int{}}}
	ops := []func(){r.put, r.put, r.put, r.get, r.get, r.rangeGet, r.head, r.list, r.copy, r.del, r.multipart}
	for range cfg.Ops {
		ops[r.rng.IntN(len(ops))]()
		r.stats.Ops++
		if t.Failed() {
			break
		}
	}
	return r.o, r.stats
}

func (r *run) key() string { return r.cfg.Keys[r.rng.IntN(len(r.cfg.Keys))] }

// data is new content: distinct for every write of the run.
func (r *run) data(size int) []byte {
	r.seq++
	b := make([]byte, size)
	src := rand.NewChaCha8([32]byte{byte(r.seq), byte(r.seq >> 8), byte(r.cfg.Seed), byte(r.cfg.Seed >> 8)})
	_, _ = src.Read(b)
	return b
}

// allow fails the test unless err is nil or of a kind in ok.
func (r *run) allow(op, key string, err error, ok ...Kind) {
	r.t.Helper()
	if err == nil {
		return
	}
	k := r.tg.Classify(err)
	r.stats.Errors[k]++
	for _, w := range ok {
		if k == w {
			return
		}
	}
	r.t.Errorf("%s %s: error of kind %s, want one of %v: %v", op, key, k, ok, err)
}

// writeKinds are the errors a write may end with.
func (r *run) writeKinds() []Kind {
	if r.cfg.NoSpace {
		return []Kind{Upstream, NoSpace}
	}
	return []Kind{Upstream}
}

// readKinds are the errors a read of key may end with.
func (r *run) readKinds(key string) []Kind {
	if r.o.mayBeAbsent(key) {
		return []Kind{Upstream, NotFound}
	}
	return []Kind{Upstream}
}

func (r *run) put() {
	k, d := r.key(), r.data(r.cfg.Sizes[r.rng.IntN(len(r.cfg.Sizes))])
	etag, err := r.tg.Put(k, d)
	r.allow("PUT", k, err, r.writeKinds()...)
	if err == nil && etag != md5Hex(d) {
		r.t.Errorf("PUT %s: ETag %s, want %s", k, etag, md5Hex(d))
	}
	r.o.record(k, err, version{data: d, etag: md5Hex(d)})
}

func (r *run) multipart() {
	if r.cfg.PartSize == 0 || r.mparts >= r.cfg.Multiparts {
		r.put()
		return
	}
	r.mparts++
	k := r.key()
	parts := [][]byte{r.data(r.cfg.PartSize), r.data(1 + r.rng.IntN(r.cfg.PartSize))}
	etag, err := r.tg.Multipart(k, parts)
	r.allow("multipart upload", k, err, r.writeKinds()...)
	data := slices.Concat(parts...)
	want := etagtest.Multipart(data, []int{len(parts[0]), len(parts[1])})
	if err == nil && etag != want {
		r.t.Errorf("multipart %s: ETag %s, want %s", k, etag, want)
	}
	r.o.record(k, err, version{data: data, etag: want})
}

func (r *run) get() { r.getRange(r.key(), 0, -1) }

// rangeGet reads a range that starts inside every version the key may
// hold, so that it is satisfiable whichever one it is.
func (r *run) rangeGet() {
	k := r.key()
	m := r.o.minSize(k)
	if m <= 0 {
		r.getRange(k, 0, -1)
		return
	}
	start := r.rng.Int64N(m)
	end := int64(-1)
	if r.rng.IntN(2) == 0 {
		end = start + r.rng.Int64N(200_000)
	}
	r.getRange(k, start, end)
}

func (r *run) getRange(k string, start, end int64) {
	got, err := r.tg.Get(k, start, end)
	r.allow("GET", k, err, r.readKinds(k)...)
	if err != nil && r.tg.Classify(err) == NotFound {
		return
	}
	if _, cerr := r.o.checkBody(k, start, end, got, err == nil); cerr != nil {
		r.t.Errorf("%v (GET error: %v)", cerr, err)
	}
}

func (r *run) head() {
	k := r.key()
	size, etag, err := r.tg.Head(k)
	r.allow("HEAD", k, err, r.readKinds(k)...)
	if err == nil {
		if cerr := r.o.checkInfo(k, size, etag); cerr != nil {
			r.t.Errorf("HEAD: %v", cerr)
		}
	}
}

func (r *run) list() {
	objs, err := r.tg.List()
	r.allow("LIST", "", err, Upstream)
	for _, ob := range objs {
		if _, known := r.o.keys[ob.Key]; !known {
			r.t.Errorf("LIST shows %q, which was never written", ob.Key)
			continue
		}
		if cerr := r.o.checkInfo(ob.Key, ob.Size, ob.ETag); cerr != nil {
			r.t.Errorf("LIST: %v", cerr)
		}
	}
}

// copy copies a key onto another: the copy holds one version of the
// source, with the ETag of its bytes.
func (r *run) copy() {
	src, dst := r.key(), r.key()
	if src == dst {
		return
	}
	etag, err := r.tg.Copy(src, dst)
	kinds := append(r.writeKinds(), r.readKinds(src)...)
	r.allow("COPY", src+" to "+dst, err, kinds...)
	var copies []version
	for _, v := range r.o.present(src) {
		if err != nil || md5Hex(v.data) == etag {
			copies = append(copies, version{data: v.data, etag: md5Hex(v.data)})
		}
	}
	if err == nil && len(copies) == 0 {
		r.t.Errorf("COPY %s to %s: ETag %s is no version of the source", src, dst, etag)
		return
	}
	if err != nil && r.tg.Classify(err) == NotFound {
		return
	}
	r.o.record(dst, err, copies...)
}

func (r *run) del() {
	k := r.key()
	err := r.tg.Delete(k)
	r.allow("DELETE", k, err, Upstream)
	r.o.record(k, err, version{absent: true})
}

// Verify reads every key back with faults off (see the package contract).
func Verify(t testing.TB, tg Target, o *Oracle) {
	t.Helper()
	exist := map[string]version{}
	for k := range o.keys {
		got, err := tg.Get(k, 0, -1)
		if err != nil {
			if tg.Classify(err) != NotFound || !o.mayBeAbsent(k) {
				t.Errorf("faults off: GET %s: %v", k, err)
			}
			continue
		}
		v, cerr := o.checkBody(k, 0, -1, got, true)
		if cerr != nil {
			t.Errorf("faults off: %v", cerr)
			continue
		}
		exist[k] = v
		if size, etag, err := tg.Head(k); err != nil || size != int64(len(v.data)) || etag != v.etag {
			t.Errorf("faults off: HEAD %s: %d %s %v, want %d %s", k, size, etag, err, len(v.data), v.etag)
		}
	}
	objs, err := tg.List()
	if err != nil {
		t.Fatalf("faults off: LIST: %v", err)
	}
	listed := map[string]bool{}
	for _, ob := range objs {
		listed[ob.Key] = true
		v, ok := exist[ob.Key]
		if !ok || ob.Size != int64(len(v.data)) || ob.ETag != v.etag {
			t.Errorf("faults off: LIST shows %s (%d, %s), which GET does not", ob.Key, ob.Size, ob.ETag)
		}
	}
	for k := range exist {
		if !listed[k] {
			t.Errorf("faults off: LIST misses %s", k)
		}
	}
}

// Add adds the counts of o to s.
func (s *Stats) Add(o Stats) {
	if s.Errors == nil {
		s.Errors = map[Kind]int{}
	}
	s.Ops += o.Ops
	for k, n := range o.Errors {
		s.Errors[k] += n
	}
}

// String describes the stats for a test log.
func (s Stats) String() string {
	return fmt.Sprintf("%d ops; errors: %d upstream, %d no space, %d not found, %d other",
		s.Ops, s.Errors[Upstream], s.Errors[NoSpace], s.Errors[NotFound], s.Errors[Other])
}
