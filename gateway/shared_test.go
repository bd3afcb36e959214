package gateway

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
)

// TestSharedCAS: every write is conditional on the version read, clearing
// included; a stale version never overwrites.
func TestSharedCAS(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	if d, v, err := n.GetShared(ctx, "locks"); d != nil || v != "" || err != nil {
		t.Fatalf("absent record: %q %q %v", d, v, err)
	}
	versions := map[string]string{"": ""} // step name → version it produced
	steps := []struct {
		name, data, after string // after: the step whose version is the condition
		ok                bool
	}{
		{"create", "one", "", true},
		{"create again", "two", "", false},
		{"update", "two", "create", true},
		{"stale update", "three", "create", false},
		{"clear", "", "update", true},
		{"create over tombstone", "four", "", false},
		{"stale clear", "", "update", false},
		{"recreate", "five", "clear", true},
		{"unknown version", "six", "bogus", false},
	}
	want := []byte(nil)
	for _, s := range steps {
		cond, known := versions[s.after]
		if !known {
			cond = s.after
		}
		v, err := n.PutShared(ctx, "locks", []byte(s.data), cond)
		switch {
		case s.ok && err != nil, s.ok && v == "":
			t.Fatalf("%s: %q %v", s.name, v, err)
		case !s.ok && !errors.Is(err, ErrPreconditionFailed):
			t.Fatalf("%s: %v, want ErrPreconditionFailed", s.name, err)
		case s.ok:
			versions[s.name] = v
			want = []byte(s.data)
			if s.data == "" {
				want = nil
			}
		}
		d, gv, err := n.GetShared(ctx, "locks")
		if err != nil || !bytes.Equal(d, want) || gv == "" {
			t.Fatalf("%s: read %q %q %v, want %q", s.name, d, gv, err, want)
		}
	}
}

func TestSharedLimits(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	for name, c := range map[string]struct {
		name string
		size int
	}{
		"empty name":    {"", 1},
		"long name":     {strings.Repeat("n", MaxSharedName+1), 1},
		"not UTF-8":     {"\xff", 1},
		"too much data": {"locks", MaxSharedBytes + 1},
	} {
		if _, err := n.PutShared(ctx, c.name, make([]byte, c.size), ""); !errors.Is(err, ErrInvalidArgument) {
			t.Errorf("%s: put %v", name, err)
		}
	}
	if _, _, err := n.GetShared(ctx, ""); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("get with an empty name: %v", err)
	}
	if _, err := n.PutShared(ctx, strings.Repeat("n", MaxSharedName), make([]byte, MaxSharedBytes), ""); err != nil {
		t.Errorf("largest record: %v", err)
	}
}

// sharedObject returns the only upstream object under .sealgate/shared/.
func sharedObject(t *testing.T, f *fixture) (string, []byte) {
	t.Helper()
	var keys []string
	for k := range allUpstream(t, f) {
		if strings.HasPrefix(k, ".sealgate/shared/") {
			keys = append(keys, k)
		}
	}
	if len(keys) != 1 {
		t.Fatalf("shared objects: %q", keys)
	}
	return keys[0], allUpstream(t, f)[keys[0]]
}

// TestSharedSealed: the upstream sees neither the name nor the data, and a
// record that is altered, moved to another name or to another user is an
// integrity failure, counted and never served.
func TestSharedSealed(t *testing.T) {
	f := newFixture(t)
	alice, bob := f.user(t, "alice"), f.user(t, "bob")
	ctx := context.Background()
	if _, err := alice.PutShared(ctx, "dav-locks", []byte("secret table"), ""); err != nil {
		t.Fatal(err)
	}
	key, sealed := sharedObject(t, f)
	if !strings.HasPrefix(key, ".sealgate/shared/"+alice.dir+"/") || strings.Contains(key, "dav-locks") ||
		bytes.Contains(sealed, []byte("secret")) {
		t.Fatalf("upstream %q holds %q", key, sealed)
	}
	if d, v, err := bob.GetShared(ctx, "dav-locks"); d != nil || v != "" || err != nil {
		t.Fatalf("bob sees alice's record: %q %v", d, err)
	}
	bobKey, _ := bob.sharedKey("dav-locks")
	otherName, _ := alice.sharedKey("links")
	flipped := bytes.Clone(sealed)
	flipped[len(flipped)/2] ^= 1
	cases := []struct {
		name, key string
		data      []byte
		reader    *userNS
		record    string
	}{
		{"flipped byte", key, flipped, alice, "dav-locks"},
		{"truncated", key, sealed[:len(sealed)-1], alice, "dav-locks"},
		{"oversize", key, make([]byte, MaxSharedBytes+100), alice, "dav-locks"},
		{"moved to another name", otherName, sealed, alice, "links"},
		{"moved to another user", bobKey, sealed, bob, "dav-locks"},
	}
	for _, c := range cases {
		before := f.svc.Stats().IntegrityFailures
		if _, err := f.mem.Put(ctx, c.key, bytes.NewReader(c.data), int64(len(c.data)), backends.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		d, v, err := c.reader.GetShared(ctx, c.record)
		if !errors.Is(err, ErrIntegrity) || d != nil || v != "" {
			t.Errorf("%s: %q %q %v", c.name, d, v, err)
		}
		if f.svc.Stats().IntegrityFailures != before+1 {
			t.Errorf("%s: integrity failure not counted", c.name)
		}
	}
}

// TestPurgeUserShared: a deleted account's shared records go with it.
func TestPurgeUserShared(t *testing.T) {
	f := newFixture(t)
	alice := f.user(t, "alice")
	if _, err := alice.PutShared(context.Background(), "dav-locks", []byte("t"), ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PurgeUser(context.Background(), alice.dir, nil); err != nil {
		t.Fatal(err)
	}
	if d, v, err := alice.GetShared(context.Background(), "dav-locks"); d != nil || v != "" || err != nil {
		t.Fatalf("after purge: %q %q %v", d, v, err)
	}
}
