package cryptolayer

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"testing"
)

// TestVersionBinding: a versioned object opens only under its own version
// id; the null version and "" are the same binding as before versioning.
func TestVersionBinding(t *testing.T) {
	sealedAs := func(version string) []byte {
		p := defaultParams()
		p.Binding.Version = version
		obj, _ := sealObject(t, p, pattern(10))
		return obj[:PrefixSize]
	}
	with := func(version string) Binding {
		b := testBinding
		b.Version = version
		return b
	}
	cases := []struct {
		name          string
		sealed, open  string
		wantIntegrity bool
	}{
		{"unversioned opens unversioned", "", "", false},
		{"null is unversioned", "", NullVersion, false},
		{"unversioned is null", NullVersion, "", false},
		{"same version", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY", false},
		{"other version", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY", "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHZ", true},
		{"versioned served as current unversioned", "v1", "", true},
		{"versioned served as null", "v1", NullVersion, true},
		{"unversioned served as a version", "", "v1", true},
		{"any version opens a version", "v1", AnyVersion, false},
		{"any version opens the null version", "", AnyVersion, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := VerifyPrefix(testKey, with(c.open), sealedAs(c.sealed))
			if got := errors.Is(err, ErrIntegrity); got != c.wantIntegrity || (!c.wantIntegrity && err != nil) {
				t.Fatalf("sealed %q opened as %q: %v", c.sealed, c.open, err)
			}
		})
	}
	// The version's length prefix keeps key and version apart: key "ab" +
	// version "c" is not key "a" + version "bc".
	b := with("c")
	b.Key = "ab"
	p := defaultParams()
	p.Binding = b
	obj, _ := sealObject(t, p, pattern(10))
	b2 := with("bc")
	b2.Key = "a"
	if _, err := VerifyPrefix(testKey, b2, obj[:PrefixSize]); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("key/version boundary not bound: %v", err)
	}
}

// versionedGoldenSHA256 pins the object a versioned binding seals to with
// the golden vectors' deterministic randomness: a change to how the
// version enters the header MAC, or is recorded in the metadata
// (MetaVersion), is a format change and fails here.
const versionedGoldenSHA256 = "7f736c7834f1377a83c083cbefd0f4e711da17ca4a1f0f5e07da7317d852b713"

func TestGoldenVersionedObject(t *testing.T) {
	v := goldenVector{Name: "aesgcm-versioned-1000", Suite: AES256GCM, Size: 1000,
		Meta: map[string]string{"content-type": "text/plain"}, Version: "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHY"}
	v.fill(len(goldenVectors))
	obj := v.seal(t)
	if got := fmt.Sprintf("%x", sha256.Sum256(obj)); got != versionedGoldenSHA256 {
		t.Fatalf("versioned golden object changed: sha256 %s", got)
	}
	if got, err := readAll(v.ring(), v.binding(), obj); err != nil || !bytes.Equal(got, goldenPlain(v.Size)) {
		t.Fatalf("versioned golden object does not open: %v", err)
	}
	for _, other := range []string{"", NullVersion, "3HL4kqtJlcpXroDTDmJ-rmSpXd3dIbrHZ"} {
		b := v.binding()
		b.Version = other
		if _, err := readAll(v.ring(), b, obj); !errors.Is(err, ErrIntegrity) {
			t.Fatalf("versioned golden object opened as version %q: %v", other, err)
		}
	}
	b := v.binding()
	b.Version = AnyVersion
	o, _, err := openBytes(v.ring(), b, obj)
	if err != nil {
		t.Fatalf("versioned golden object under AnyVersion: %v", err)
	}
	if o.Version() != v.Version {
		t.Fatalf("versioned golden object under AnyVersion: version %q", o.Version())
	}
}
