package faultstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
	"github.com/sealgate/sealgate/backends/storetest"
)

// TestTransparent: without rules the decorator is its inner store.
func TestTransparent(t *testing.T) {
	storetest.Run(t, func(*testing.T) backends.Store { return New(mem.New(), 1) })
}

var body = bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes

func newStore(t *testing.T) (*Store, *mem.Store) {
	t.Helper()
	m := mem.New()
	if _, err := m.Put(context.Background(), "a/obj", bytes.NewReader(body), int64(len(body)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	return New(m, 7), m
}

// TestGetFaults: what a Get returns under each fault.
func TestGetFaults(t *testing.T) {
	tests := []struct {
		rule    Rule
		wantErr error // of Get itself
		got     int   // bytes the body yields
		bodyErr error // the body's final error (io.EOF: a clean end)
	}{
		{Rule{Op: OpGet, Fault: Error, Times: 1}, backends.ErrUnavailable, 0, nil},
		{Rule{Op: OpGet, Fault: NoSpace, Times: 1}, backends.ErrNoSpace, 0, nil},
		{Rule{Op: OpGet, Fault: Reset, Times: 1, After: 300}, nil, 300, backends.ErrUnavailable},
		{Rule{Op: OpGet, Fault: Short, Times: 1, After: 300}, nil, 300, io.EOF},
		{Rule{Op: OpGet, Fault: Short, Times: 1, After: 5000}, nil, len(body), io.EOF}, // past the end: whole
		{Rule{Op: OpGet, Fault: Latency, Times: 1, Latency: time.Millisecond}, nil, len(body), io.EOF},
		{Rule{Op: OpGet, Prefix: "b/", Fault: Error, Times: 1}, nil, len(body), io.EOF}, // another prefix
		{Rule{Op: OpStat, Fault: Error, Times: 1}, nil, len(body), io.EOF},              // another op
	}
	for _, tc := range tests {
		t.Run(string(tc.rule.Op)+"/"+string(tc.rule.Fault)+"/"+tc.rule.Prefix, func(t *testing.T) {
			s, _ := newStore(t)
			s.Add(tc.rule)
			rc, info, err := s.Get(context.Background(), "a/obj", 0, -1)
			if !errors.Is(err, tc.wantErr) || (err == nil) != (tc.wantErr == nil) {
				t.Fatalf("Get error %v, want %v", err, tc.wantErr)
			}
			if err != nil {
				if !errors.Is(err, ErrInjected) {
					t.Fatalf("%v does not wrap ErrInjected", err)
				}
				return
			}
			defer func() { _ = rc.Close() }()
			if info.Size != int64(len(body)) {
				t.Fatalf("info.Size %d: a cut body must still announce the whole object", info.Size)
			}
			got, rerr := readAll(rc)
			if len(got) != tc.got || !bytes.Equal(got, body[:len(got)]) {
				t.Fatalf("body gave %d bytes, want the first %d", len(got), tc.got)
			}
			if !errors.Is(rerr, tc.bodyErr) {
				t.Fatalf("body ended with %v, want %v", rerr, tc.bodyErr)
			}
			if tc.rule.Fault == Reset && !errors.Is(rerr, io.ErrUnexpectedEOF) {
				t.Fatalf("a reset must look like backends/s3's dropped connection: %v", rerr)
			}
		})
	}
}

// readAll reads to the end and returns the final error (io.EOF when clean).
func readAll(r io.Reader) ([]byte, error) {
	var out []byte
	buf := make([]byte, 64)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return out, err
		}
	}
}

// TestPutFaults: a failed Put reads After bytes and stores nothing.
func TestPutFaults(t *testing.T) {
	tests := []struct {
		fault Fault
		want  error
	}{
		{Error, backends.ErrUnavailable},
		{NoSpace, backends.ErrNoSpace},
		{Reset, backends.ErrUnavailable},
	}
	for _, tc := range tests {
		t.Run(string(tc.fault), func(t *testing.T) {
			s, m := newStore(t)
			s.Add(Rule{Op: OpPut, Fault: tc.fault, Times: 1, After: 100})
			r := bytes.NewReader(bytes.Repeat([]byte("x"), 500))
			_, err := s.Put(context.Background(), "a/obj", r, 500, backends.PutOptions{})
			if !errors.Is(err, tc.want) || !errors.Is(err, ErrInjected) {
				t.Fatalf("Put error %v, want %v", err, tc.want)
			}
			if r.Len() != 400 {
				t.Fatalf("the fault read %d bytes of the body, want 100", 500-r.Len())
			}
			rc, _, err := m.Get(context.Background(), "a/obj", 0, -1)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = rc.Close() }()
			if got, _ := io.ReadAll(rc); !bytes.Equal(got, body) {
				t.Fatal("a failed Put changed the stored object")
			}
			if n := s.Injected(OpPut, tc.fault); n != 1 {
				t.Fatalf("Injected = %d, want 1", n)
			}
		})
	}
}

// TestTimesAndClear: a Times rule fires exactly Times times; Clear stops
// every rule.
func TestTimesAndClear(t *testing.T) {
	s, _ := newStore(t)
	ctx := context.Background()
	s.Add(Rule{Op: OpDelete, Fault: Error, Times: 2})
	s.Add(Rule{Op: OpList, Fault: Error, Prob: 1})
	var failed int
	for range 5 {
		if err := s.Delete(ctx, "a/other"); err != nil {
			failed++
		}
	}
	if failed != 2 || s.Injected(OpDelete, Error) != 2 {
		t.Fatalf("%d deletes failed (%d counted), want 2", failed, s.Injected(OpDelete, Error))
	}
	if _, err := s.List(ctx, backends.ListOptions{Prefix: "a/"}); !errors.Is(err, backends.ErrUnavailable) {
		t.Fatalf("List: %v, want an injected failure", err)
	}
	s.Clear()
	if _, err := s.List(ctx, backends.ListOptions{Prefix: "a/"}); err != nil {
		t.Fatalf("List after Clear: %v", err)
	}
}

// TestSeeded: the same seed makes the same decisions.
func TestSeeded(t *testing.T) {
	run := func() string {
		s := New(mem.New(), 42)
		s.Add(Rule{Op: OpStat, Fault: Error, Prob: 0.5})
		var b strings.Builder
		for range 64 {
			_, err := s.Stat(context.Background(), "k")
			b.WriteByte("fn"[btoi(errors.Is(err, backends.ErrNotExist))])
		}
		return b.String()
	}
	a, b := run(), run()
	if a != b || !strings.Contains(a, "f") || !strings.Contains(a, "n") {
		t.Fatalf("runs differ or never/always failed: %s vs %s", a, b)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// TestBadRule: a rule that cannot apply is a programming error.
func TestBadRule(t *testing.T) {
	for _, r := range []Rule{{Op: OpPut, Fault: Short}, {Op: "copy", Fault: Error}, {Op: OpGet, Fault: "boom"}} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Add(%+v) did not panic", r)
				}
			}()
			New(mem.New(), 1).Add(r)
		}()
	}
}
