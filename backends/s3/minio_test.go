package s3

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/storetest"
	"github.com/sealgate/sealgate/internal/s3server"
)

// minioObjectAndFolder is why TestConformance leaves ObjectAndFolder out on
// MinIO; TestMinIOLimits/ObjectAndFolder pins the behaviour.
const minioObjectAndFolder = `MinIO accepts "a" next to "a/b" but lists only "a" ` +
	`(overlapping names are unsupported there); sealgate's upstream names never overlap`

// knownGaps are the conformance groups a server is known to fail.
func knownGaps(kind string) []storetest.Option {
	if kind == s3server.KindMinIO {
		return []storetest.Option{storetest.Except("ObjectAndFolder", minioObjectAndFolder)}
	}
	return nil
}

// TestMinIOLimits pins where MinIO differs from S3 and versitygw. If one of
// these fails, MinIO changed: see whether knownGaps or the package
// documentation still hold.
func TestMinIOLimits(t *testing.T) {
	u := newUpstream(t, s3server.StartMinIO(t))
	t.Run("ObjectAndFolder", func(t *testing.T) { testMinIOObjectAndFolder(t, u) })
	t.Run("KeyLengthCountsPrefix", func(t *testing.T) { testMinIOKeyLength(t, u) })
	t.Run("LongSegment", func(t *testing.T) {
		s := u.store(t, nil)
		_, err := s.Put(t.Context(), "y/"+strings.Repeat("n", 256), bytes.NewReader(nil), 0, backends.PutOptions{})
		wantErr(t, "Put of a 256-byte segment", err, backends.ErrInvalidKey)
	})
}

// testMinIOObjectAndFolder: both keys are stored and readable, but a
// listing shows only the shorter one, whichever came first.
func testMinIOObjectAndFolder(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	for _, pair := range [][2]string{{"a", "a/b"}, {"c/d/e", "c"}} {
		for _, k := range pair {
			mustPut(t, s, k, []byte(k), backends.PutOptions{})
		}
		for _, k := range pair {
			mustRead(t, s, k, []byte(k))
		}
	}
	page, err := s.List(t.Context(), backends.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range page.Objects {
		got = append(got, o.Key)
	}
	if want := []string{"a", "c"}; !slices.Equal(got, want) {
		t.Fatalf("List = %q, want %q: MinIO lists overlapping names now; drop the ObjectAndFolder exception", got, want)
	}
}

// testMinIOKeyLength: MinIO's 1024-byte limit applies to the upstream key,
// the store's prefix included, so a store with a prefix holds shorter keys
// than backends.MaxKeyLen.
func testMinIOKeyLength(t *testing.T, u *upstream) {
	s := u.store(t, nil)
	room := 1024 - len(s.cfg.Prefix)
	fits := strings.Repeat(strings.Repeat("s", 99)+"/", room/100) + strings.Repeat("t", room%100)
	if len(fits) != room {
		t.Fatalf("test key has %d bytes, want %d", len(fits), room)
	}
	mustPut(t, s, fits, []byte("x"), backends.PutOptions{})
	_, err := s.Put(t.Context(), fits+"u", bytes.NewReader(nil), 0, backends.PutOptions{})
	wantErr(t, "Put of a key one byte past 1024 with the prefix", err, backends.ErrInvalidKey)
}
