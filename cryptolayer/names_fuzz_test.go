package cryptolayer

import (
	"errors"
	"strings"
	"testing"
)

// FuzzNameDecryptSegment feeds arbitrary upstream names to DecryptSegment:
// it must never panic, and must fail with ErrNameAuth or ErrLongName.
func FuzzNameDecryptSegment(f *testing.F) {
	c := NewNameCipher(testRootKey(1), "bucket")
	for _, tc := range nameEdgeCases {
		f.Add("dir/", c.EncryptSegment("dir/", tc.seg, KindObject), uint8(KindObject))
	}
	f.Add("", "", uint8(KindFolder))
	f.Add("", "~1", uint8(KindFolder))
	f.Add("", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0", uint8(KindObject))
	f.Fuzz(func(t *testing.T, parent, enc string, kind uint8) {
		pt, err := c.DecryptSegment(parent, enc, SegmentKind(kind))
		if err == nil {
			if again := c.EncryptSegment(parent, pt, SegmentKind(kind)); again != enc {
				t.Fatalf("decrypted %q but it encrypts to %q", enc, again)
			}
			return
		}
		if !errors.Is(err, ErrNameAuth) && !errors.Is(err, ErrLongName) {
			t.Fatalf("unexpected error %v", err)
		}
		if pt != "" {
			t.Fatal("plaintext returned with an error")
		}
	})
}

// FuzzNameRoundTrip checks that everything EncryptSegment makes decrypts
// (or, for long segments, matches) and is safe on every backend.
func FuzzNameRoundTrip(f *testing.F) {
	c := NewNameCipher(testRootKey(1), "bucket")
	for _, tc := range nameEdgeCases {
		f.Add("a/", tc.seg, true)
	}
	f.Fuzz(func(t *testing.T, parent, seg string, folder bool) {
		seg = strings.ReplaceAll(seg, "/", "")
		kind := KindObject
		if folder {
			kind = KindFolder
		}
		enc := c.EncryptSegment(parent, seg, kind)
		checkEncodedShape(t, enc, kind)
		got, err := c.DecryptSegment(parent, enc, kind)
		if len(seg) > MaxShortSegment {
			if !errors.Is(err, ErrLongName) || !c.LongSegmentMatches(parent, seg, kind, enc) {
				t.Fatalf("long segment: %v", err)
			}
			return
		}
		if err != nil || got != seg {
			t.Fatalf("round trip: %q, %v", got, err)
		}
	})
}
