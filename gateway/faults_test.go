package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/cryptolayer"
	"github.com/sealgate/sealgate/internal/faultcheck"
	"github.com/sealgate/sealgate/internal/faultstore"
)

// faultRules makes every kind of upstream failure happen with probability
// p per call: errors on every operation, connections reset in the middle
// of Get and Put bodies, short Get bodies, a full store, and latency. The
// rarer calls (Stat, List, Delete) fail three times as often, so that
// every fault is injected many times in a run.
func faultRules(fs *faultstore.Store, p float64) {
	for _, op := range []faultstore.Op{faultstore.OpPut, faultstore.OpGet} {
		fs.Add(faultstore.Rule{Op: op, Fault: faultstore.Error, Prob: p})
	}
	for _, op := range []faultstore.Op{faultstore.OpStat, faultstore.OpList, faultstore.OpDelete} {
		fs.Add(faultstore.Rule{Op: op, Fault: faultstore.Error, Prob: 3 * p})
		fs.Add(faultstore.Rule{Op: op, Fault: faultstore.Latency, Prob: p, Latency: 50 * time.Microsecond})
	}
	fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: faultstore.Reset, Prob: p, After: -1})
	fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: faultstore.Short, Prob: p, After: -1})
	fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.Reset, Prob: p, After: -1})
	fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: p, After: -1})
	fs.Add(faultstore.Rule{Op: faultstore.OpGet, Fault: faultstore.Latency, Prob: p, Latency: 50 * time.Microsecond})
}

// faultCounts are the faults a run must have injected to prove anything.
var faultCounts = []struct {
	op faultstore.Op
	f  faultstore.Fault
}{
	{faultstore.OpPut, faultstore.Error}, {faultstore.OpPut, faultstore.Reset}, {faultstore.OpPut, faultstore.NoSpace},
	{faultstore.OpGet, faultstore.Error}, {faultstore.OpGet, faultstore.Reset}, {faultstore.OpGet, faultstore.Short},
	{faultstore.OpStat, faultstore.Error}, {faultstore.OpList, faultstore.Error}, {faultstore.OpDelete, faultstore.Error},
}

// faultyNS is alice's namespace, with bucket "bkt", on a service over a
// fault-injecting mem store (no rule yet).
func faultyNS(t *testing.T, seed uint64) (*userNS, *faultstore.Store) {
	t.Helper()
	fs := faultstore.New(mem.New(), seed)
	svc, err := NewService(Config{Store: fs})
	if err != nil {
		t.Fatal(err)
	}
	u, err := (&cryptolayer.Keystore{}).AddUser("alice", []byte("password-alice"), cryptolayer.MinPasswordParams)
	if err != nil {
		t.Fatal(err)
	}
	n := svc.namespaceFor(u)
	mustBucket(t, n, "bkt")
	return n, fs
}

// TestFaultsKeepObjectsWhole runs a random workload over an upstream that
// fails in every way faultstore knows, then checks with faults off that
// every object reads back whole (see faultcheck): no GET ever returned
// bytes no PUT wrote, a short upstream body never became a short GET body,
// every error was an upstream one (ErrUnavailable, ErrIntegrity for short
// reads, ErrInsufficientStorage), and no object is torn. Over its seeds,
// every fault must have been injected, or the test proves nothing.
func TestFaultsKeepObjectsWhole(t *testing.T) {
	injected := map[faultstore.Op]map[faultstore.Fault]int64{}
	var seen faultcheck.Stats
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			n, fs := faultyNS(t, seed)
			faultRules(fs, 0.05)
			tg := nsTarget{n: n, bucket: "bkt"}
			o, stats := faultcheck.Run(t, tg, faultcheck.Config{
				Seed: seed, Ops: 300, Keys: []string{"a", "b", "dir/c", "dir/sub/d", "e"},
				Sizes:    []int{0, 1, 1000, cryptolayer.ChunkSize, 2*cryptolayer.ChunkSize + 17, 200_000},
				PartSize: minPartSize, Multiparts: 2, NoSpace: true,
			})
			fs.Clear()
			faultcheck.Verify(t, tg, o)
			t.Log(stats)
			seen.Add(stats)
			for _, c := range faultCounts {
				if injected[c.op] == nil {
					injected[c.op] = map[faultstore.Fault]int64{}
				}
				injected[c.op][c.f] += fs.Injected(c.op, c.f)
			}
		})
	}
	for _, c := range faultCounts {
		if injected[c.op][c.f] == 0 {
			t.Errorf("no %s fault was injected into %s: the runs prove nothing about it", c.f, c.op)
		}
	}
	if seen.Errors[faultcheck.Upstream] == 0 || seen.Errors[faultcheck.NoSpace] == 0 {
		t.Errorf("the workload saw no upstream or no-space error: %v", seen)
	}
}

// nsTarget is a Namespace as a faultcheck.Target.
type nsTarget struct {
	n      Namespace
	bucket string
}

var bg = context.Background()

func (g nsTarget) Put(key string, data []byte) (string, error) {
	info, err := g.n.PutObject(bg, g.bucket, key, bytes.NewReader(data), int64(len(data)), PutOptions{})
	return info.ETag, err
}

func (g nsTarget) Multipart(key string, parts [][]byte) (string, error) {
	id, err := g.n.CreateMultipartUpload(bg, g.bucket, key, PutOptions{})
	if err != nil {
		return "", err
	}
	var done []CompletedPart
	for i, p := range parts {
		etag, err := g.n.UploadPart(bg, g.bucket, key, id, i+1, bytes.NewReader(p), int64(len(p)))
		if err != nil {
			_ = g.n.AbortMultipartUpload(bg, g.bucket, key, id)
			return "", err
		}
		done = append(done, CompletedPart{Number: i + 1, ETag: etag})
	}
	info, err := g.n.CompleteMultipartUpload(bg, g.bucket, key, id, done, PutOptions{})
	if err != nil {
		_ = g.n.AbortMultipartUpload(bg, g.bucket, key, id)
	}
	return info.ETag, err
}

func (g nsTarget) Get(key string, start, end int64) ([]byte, error) {
	var opts GetOptions
	if start != 0 || end >= 0 {
		opts.Range = &Range{Start: start, End: end}
	}
	or, err := g.n.GetObject(bg, g.bucket, key, opts)
	if err != nil {
		return nil, err
	}
	defer func() { _ = or.Body.Close() }()
	var got bytes.Buffer
	_, err = io.Copy(&got, or.Body)
	return got.Bytes(), err
}

func (g nsTarget) Head(key string) (int64, string, error) {
	info, err := g.n.HeadObject(bg, g.bucket, key, GetOptions{})
	return info.Size, info.ETag, err
}

func (g nsTarget) List() ([]faultcheck.Object, error) {
	var out []faultcheck.Object
	q := ListQuery{}
	for {
		res, err := g.n.ListObjects(bg, g.bucket, q)
		if err != nil {
			return nil, err
		}
		for _, o := range res.Objects {
			out = append(out, faultcheck.Object{Key: o.Key, Size: o.Size, ETag: o.ETag})
		}
		if !res.IsTruncated {
			return out, nil
		}
		q.Marker = res.NextMarker
	}
}

func (g nsTarget) Copy(src, dst string) (string, error) {
	info, err := g.n.CopyObject(bg, g.bucket, src, g.bucket, dst, CopyOptions{})
	return info.ETag, err
}

func (g nsTarget) Delete(key string) error { return g.n.DeleteObject(bg, g.bucket, key) }

func (g nsTarget) Classify(err error) faultcheck.Kind {
	switch {
	case errors.Is(err, ErrNoSuchKey):
		return faultcheck.NotFound
	case errors.Is(err, ErrInsufficientStorage):
		return faultcheck.NoSpace
	case errors.Is(err, ErrUnavailable), errors.Is(err, ErrIntegrity):
		return faultcheck.Upstream
	}
	return faultcheck.Other
}

// TestShortUpstreamBodyIsNeverShortGet: upstream bodies that end early
// with io.EOF and no error, at points all over the header, the chunks and
// END of a small and a multi-chunk object (every upstream read of the GET
// is cut at that offset of its own body, if it is that long), fail the GET
// before or while its body is read: the body never ends cleanly short.
func TestShortUpstreamBodyIsNeverShortGet(t *testing.T) {
	n, fs := faultyNS(t, 1)
	for _, size := range []int{10, 3*cryptolayer.ChunkSize + 5} {
		data := bytes.Repeat([]byte{'s'}, size)
		put(t, n, "bkt", "k", data, nil)
		up := cryptolayer.EncryptedSize(int64(size))
		for _, after := range []int64{0, 1, cryptolayer.PrefixSize, up / 3, up / 2, 2 * up / 3, up - cryptolayer.PrefixSize - cryptolayer.EndSize - 1} {
			t.Run(fmt.Sprint(size, "/", after), func(t *testing.T) {
				n.svc.meta.Purge() // every GET reads the upstream
				fs.Add(faultstore.Rule{Op: faultstore.OpGet, Prefix: n.bucketPrefix("bkt"), Fault: faultstore.Short, Prob: 1, After: after})
				defer fs.Clear()
				got, err := nsTarget{n: n, bucket: "bkt"}.Get("k", 0, -1)
				if err == nil {
					t.Fatalf("GET returned %d of %d bytes and no error", len(got), size)
				}
				if !errors.Is(err, ErrIntegrity) || !bytes.HasPrefix(data, got) {
					t.Fatalf("GET: %v after %d bytes; want ErrIntegrity after a prefix", err, len(got))
				}
			})
		}
	}
}

// TestResetIsUnavailable: a connection that breaks mid-body, reported
// the way backends/s3 reports it (wrapping io.ErrUnexpectedEOF), is an
// upstream outage, not an integrity failure, whether it breaks while the
// object is opened or while its chunks are read.
func TestResetIsUnavailable(t *testing.T) {
	n, fs := faultyNS(t, 1)
	size := 3*cryptolayer.ChunkSize + 5
	put(t, n, "bkt", "k", bytes.Repeat([]byte{'r'}, size), nil)
	up := cryptolayer.EncryptedSize(int64(size))
	before := n.svc.Stats().IntegrityFailures
	for _, after := range []int64{0, cryptolayer.PrefixSize / 2, up / 2} {
		n.svc.meta.Purge()
		fs.Add(faultstore.Rule{Op: faultstore.OpGet, Prefix: n.bucketPrefix("bkt"), Fault: faultstore.Reset, Prob: 1, After: after})
		_, err := nsTarget{n: n, bucket: "bkt"}.Get("k", 0, -1)
		fs.Clear()
		if !errors.Is(err, ErrUnavailable) || errors.Is(err, ErrIntegrity) {
			t.Fatalf("reset after %d bytes: %v, want ErrUnavailable only", after, err)
		}
	}
	if got := n.svc.Stats().IntegrityFailures; got != before {
		t.Fatalf("resets counted as %d integrity failures", got-before)
	}
}

// TestNoSpace: a write the upstream refuses for lack of space is
// ErrInsufficientStorage, and the previous version stays.
func TestNoSpace(t *testing.T) {
	n, fs := faultyNS(t, 1)
	put(t, n, "bkt", "k", []byte("old"), nil)
	fs.Add(faultstore.Rule{Op: faultstore.OpPut, Fault: faultstore.NoSpace, Prob: 1, After: 10})
	_, err := n.PutObject(bg, "bkt", "k", bytes.NewReader(make([]byte, 100_000)), 100_000, PutOptions{})
	if !errors.Is(err, ErrInsufficientStorage) || !errors.Is(err, backends.ErrNoSpace) {
		t.Fatalf("PUT on a full store: %v", err)
	}
	fs.Clear()
	if got, _ := get(t, n, "bkt", "k", GetOptions{}); string(got) != "old" {
		t.Fatalf("previous version lost: %q", got)
	}
}
