package cryptolayer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"io"
	"sync/atomic"
	"testing"
)

// fixedKey returns a deterministic key for tests.
func fixedKey(seed byte) Key {
	var k Key
	for i := range k {
		k[i] = seed + byte(i)
	}
	return k
}

var (
	testKey     = ContentKey{Epoch: 1, Key: fixedKey(1)}
	testBinding = Binding{UserID: []byte("user-0001-id-xyz"), Bucket: "photos", Key: "2024/cat.jpg"}
)

// pattern returns n deterministic, non-repeating bytes.
func pattern(n int64) []byte {
	b := make([]byte, n)
	var ctr [8]byte
	for off := int64(0); off < n; off += 32 {
		binary.BigEndian.PutUint64(ctr[:], uint64(off))
		s := sha256.Sum256(ctr[:])
		copy(b[off:], s[:])
	}
	return b
}

// sealObject seals plain with p and returns the upstream bytes.
func sealObject(t testing.TB, p Params, plain []byte) ([]byte, Summary) {
	t.Helper()
	var out bytes.Buffer
	w, err := NewWriter(&out, p)
	if err != nil {
		t.Fatalf("NewWriter: %v", err)
	}
	if _, err := w.Write(plain); err != nil {
		t.Fatalf("Write: %v", err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	return out.Bytes(), w.Summary()
}

func defaultParams() Params {
	return Params{Key: testKey, Binding: testBinding, Meta: Metadata{"content-type": "image/jpeg"}}
}

// memFetcher serves ranges of obj and counts the calls.
type memFetcher struct {
	obj   []byte
	calls atomic.Int64
	last  [2]int64
}

func (m *memFetcher) fetch(_ context.Context, off, n int64) (io.ReadCloser, error) {
	m.calls.Add(1)
	m.last = [2]int64{off, n}
	end := min(off+n, int64(len(m.obj)))
	if off > end {
		off = end
	}
	return io.NopCloser(bytes.NewReader(m.obj[off:end])), nil
}

// openBytes opens obj as if it were upstream.
func openBytes(ring KeyRing, b Binding, obj []byte) (*Object, *memFetcher, error) {
	f := &memFetcher{obj: obj}
	o, err := Open(context.Background(), ring, b, int64(len(obj)), f.fetch)
	return o, f, err
}

// readAll opens obj and reads the whole plaintext.
func readAll(ring KeyRing, b Binding, obj []byte) ([]byte, error) {
	o, _, err := openBytes(ring, b, obj)
	if err != nil {
		return nil, err
	}
	rc, err := o.Range(context.Background(), 0, o.Size)
	if err != nil {
		return nil, err
	}
	defer func() { _ = rc.Close() }()
	return io.ReadAll(rc)
}

// detRand is a deterministic randomness source for golden files.
type detRand struct {
	seed [32]byte
	ctr  uint64
	buf  []byte
}

func (d *detRand) Read(p []byte) (int, error) {
	for i := range p {
		if len(d.buf) == 0 {
			var in [40]byte
			copy(in[:], d.seed[:])
			binary.BigEndian.PutUint64(in[32:], d.ctr)
			d.ctr++
			s := sha256.Sum256(in[:])
			d.buf = s[:]
		}
		p[i], d.buf = d.buf[0], d.buf[1:]
	}
	return len(p), nil
}

// withDetRand makes salts and nonces deterministic for the test's duration.
func withDetRand(t testing.TB, seed byte) {
	t.Helper()
	old := objectRand
	d := &detRand{}
	d.seed[0] = seed
	objectRand = d
	t.Cleanup(func() { objectRand = old })
}
