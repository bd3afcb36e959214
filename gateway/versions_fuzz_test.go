package gateway

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzBucketRecord: a bucket record's plaintext parses only if it is the
// canonical encoding of what it parses to.
func FuzzBucketRecord(f *testing.F) {
	now := time.Unix(0, 1700000000123456789).UTC()
	for _, s := range []bucketSettings{{}, {versioning: VersioningEnabled}, {versioning: VersioningSuspended},
		{versioning: VersioningEnabled, lock: LockConfig{Enabled: true, Mode: RetentionCompliance, Days: 30}}} {
		f.Add(marshalBucketRecord(bucketLive, now, s))
		f.Add(marshalBucketRecord(bucketDeleting, now, s))
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, pt []byte) {
		rec, ok := parseBucketRecord(pt)
		if !ok {
			return
		}
		if again := marshalBucketRecord(rec.phase, rec.created, rec.bucketSettings); !bytes.Equal(again, pt) {
			t.Fatalf("%x parses to %+v, which encodes to %x", pt, rec, again)
		}
	})
}

// FuzzVersionKey: a noncurrent version's upstream key splits into a key
// under the reserved prefix and a version id this gateway makes.
func FuzzVersionKey(f *testing.F) {
	f.Add(versionsDir("u/b/k") + newVersionID(time.Now()))
	f.Add(versionsDir("u/b/k") + versionName(NullVersion, time.Now()))
	f.Add(".sealgate/versions//x")
	f.Fuzz(func(t *testing.T, vk string) {
		up, vid, ok := splitVersionKey(vk)
		if !ok {
			return
		}
		if up == "" || !validVersionID(vid) || !strings.HasPrefix(vk, versionsRoot+up+"/") {
			t.Fatalf("%q split into %q %q", vk, up, vid)
		}
	})
}

// FuzzTags: decoded tags encode back to a form that decodes the same.
func FuzzTags(f *testing.F) {
	f.Add("a=1&b=2")
	f.Add("%zz")
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := decodeTags(s)
		if err != nil {
			return
		}
		again, err := decodeTags(tags.encode())
		if err != nil || len(again) != len(tags) {
			t.Fatalf("%q: %v, then %v %v", s, tags, again, err)
		}
		for k, v := range tags {
			if again[k] != v {
				t.Fatalf("%q: %q lost", s, k)
			}
		}
	})
}
