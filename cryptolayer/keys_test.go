package cryptolayer

import (
	"bytes"
	"errors"
	"regexp"
	"testing"
)

func TestUpstreamDir(t *testing.T) {
	u := &User{Root: testRootKey(0x40), ID: [16]byte{1, 2, 3}}
	name := u.UpstreamDir()
	if !regexp.MustCompile(`^[a-z2-7]{26}$`).MatchString(name) {
		t.Fatalf("bad dir name %q", name)
	}
	if u.UpstreamDir() != name {
		t.Fatal("not deterministic")
	}
	if (&User{Root: u.Root, ID: [16]byte{1, 2, 4}}).UpstreamDir() == name ||
		(&User{Root: testRootKey(0x41), ID: u.ID}).UpstreamDir() == name {
		t.Fatal("dir name ignores id or root")
	}
	// Fixed vector: the upstream layout depends on it forever (docs/format-keys.md).
	if want := "tp2bizjpm2qd6734pqy7h53jke"; name != want {
		t.Fatalf("UpstreamDir vector changed: %s", name)
	}
}

func TestDerivedUserKeys(t *testing.T) {
	u := &User{Root: testRootKey(7)}
	tok, tok2 := u.DeriveUserKey("list token"), u.DeriveUserKey("list token")
	other := u.DeriveUserKey("session")
	if tok != tok2 || tok == other || tok == u.Root {
		t.Fatal("DeriveUserKey not deterministic or not separated")
	}
	if (&User{Root: testRootKey(8)}).DeriveUserKey("list token") == tok {
		t.Fatal("DeriveUserKey ignores the root key")
	}
	// No gateway label reaches a name key: the label is context, not info prefix.
	for _, l := range []string{labelNameMAC, labelNameEnc, "name mac", ""} {
		if l != "" && u.DeriveUserKey(l) == deriveKey(u.Root[:], nil, l) {
			t.Fatalf("gateway label %q collides", l)
		}
	}
	enc := u.NameCipher("b").EncryptSegment("", "x", KindObject)
	if got, err := NewNameCipher(u.Root, "b").DecryptSegment("", enc, KindObject); err != nil || got != "x" {
		t.Fatal("User.NameCipher differs from NewNameCipher")
	}
	benc := u.BucketNameCipher().EncryptSegment("", "b", KindFolder)
	if got, err := NewBucketNameCipher(u.Root).DecryptSegment("", benc, KindFolder); err != nil || got != "b" {
		t.Fatal("User.BucketNameCipher differs")
	}
	defer func() {
		if recover() == nil {
			t.Fatal("empty label accepted")
		}
	}()
	u.DeriveUserKey("")
}

func TestUserEpochKeys(t *testing.T) {
	ks := testKeystore(t, "alice")
	u := ks.Users[0]
	var ring KeyRing = u
	k1, err := ring.EpochKey(1)
	if err != nil || k1 != u.Epochs[0].Key {
		t.Fatal(err)
	}
	id, _ := u.Rotate()
	ck, err := u.ContentKey()
	if err != nil || ck.Epoch != id || ck.Key == k1 || ck.Key != u.Epochs[1].Key {
		t.Fatalf("ContentKey after rotation: %v", err)
	}
	if _, err := u.EpochKey(99); !errors.Is(err, ErrUnknownEpoch) {
		t.Fatal(err)
	}
	if err := u.DropEpoch(1); err != nil {
		t.Fatal(err)
	}
	if _, err := ring.EpochKey(1); !errors.Is(err, ErrUnknownEpoch) {
		t.Fatal("dropped epoch still readable")
	}
}

func TestGeneratedCredentials(t *testing.T) {
	seen := map[string]bool{}
	counts := map[byte]int{}
	for range 500 {
		ak, s := newAccessKeyID(), newSecret()
		if len(ak) != 20 || len(s) != 40 || !validAccessKeyID(ak) || !validSecret(s) || seen[ak] || seen[string(s)] {
			t.Fatalf("bad credentials %q", ak)
		}
		seen[ak], seen[string(s)] = true, true
		for _, c := range s {
			counts[c]++
		}
	}
	if len(counts) != 62 {
		t.Fatalf("secrets use %d of 62 characters", len(counts))
	}
	if bytes.ContainsAny(newSecret(), "/+=") {
		t.Fatal("secret has shell-unfriendly characters")
	}
}
