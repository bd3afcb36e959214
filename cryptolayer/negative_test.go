package cryptolayer

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The frozen negative vectors of testdata/negative (README.md there): each
// names its input, the keys or binding to open it with, and the outcome.
// The tests only read them; testdata/negative/gen.go wrote them once.

// sentinels are the outcomes a vector may expect. An outcome is the sorted
// list of every sentinel the error matches, so a vector states exactly which
// errors it produces, no more and no fewer.
var sentinels = map[string]error{
	"ErrIntegrity": ErrIntegrity, "ErrUnsupportedFormat": ErrUnsupportedFormat,
	"ErrInvalidMetadata": ErrInvalidMetadata, "ErrUnknownEpoch": ErrUnknownEpoch,
	"ErrNameAuth": ErrNameAuth, "ErrLongName": ErrLongName,
	"ErrKeystoreAuth": ErrKeystoreAuth, "ErrKeystoreFormat": ErrKeystoreFormat,
	"ErrUnsupportedVersion": ErrUnsupportedVersion,
}

func outcome(err error) []string {
	if err == nil {
		return []string{"ok"}
	}
	var got []string
	for name, s := range sentinels {
		if errors.Is(err, s) {
			got = append(got, name)
		}
	}
	if got == nil {
		return []string{"unexpected error: " + err.Error()}
	}
	slices.Sort(got)
	return got
}

func checkOutcome(t *testing.T, got, want []string) {
	t.Helper()
	want = slices.Sorted(slices.Values(want))
	if len(want) == 0 || !slices.Equal(got, want) {
		t.Errorf("outcome %v, want %v", got, want)
	}
}

// readManifest decodes testdata/negative/<name> strictly.
func readManifest[T any](t *testing.T, name string) []T {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", "negative", name))
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	var list []T
	if err := dec.Decode(&list); err != nil || len(list) == 0 {
		t.Fatalf("%s: %d vectors, %v", name, len(list), err)
	}
	return list
}

// readPinned reads testdata/<rel> and requires its SHA-256 to be sum.
func readPinned(t *testing.T, rel, sum string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	if got := sha256.Sum256(b); hex.EncodeToString(got[:]) != sum {
		t.Fatalf("%s changed: SHA-256 %x, pinned %s", rel, got, sum)
	}
	return b
}

func hexKey(t *testing.T, s string) Key {
	t.Helper()
	var k Key
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		t.Fatalf("bad key %q", s)
	}
	copy(k[:], b)
	return k
}

// objectNegative is one entry of testdata/negative/object-v1.json.
type objectNegative struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	Change    string   `json:"change"`
	File      string   `json:"file"`
	SHA256    string   `json:"file_sha256"`
	PlainSize int64    `json:"source_plaintext_size"`
	Epoch     uint32   `json:"epoch"`
	EpochKey  string   `json:"epoch_key_hex"`
	UserID    string   `json:"user_id_hex"`
	Bucket    string   `json:"bucket"`
	Key       string   `json:"key"`
	Expect    []string `json:"expect"`
	Region    string   `json:"region"`
}

// TestNegativeObjectVectors opens and reads each object vector: it must
// fail with exactly the expected sentinels, in the expected region, and
// release nothing but a prefix of the source's genuine plaintext.
func TestNegativeObjectVectors(t *testing.T) {
	for _, v := range readManifest[objectNegative](t, "object-v1.json") {
		t.Run(v.Name, func(t *testing.T) {
			obj := readPinned(t, v.File, v.SHA256)
			uid, err := hex.DecodeString(v.UserID)
			if err != nil {
				t.Fatal(err)
			}
			ring := ContentKey{Epoch: v.Epoch, Key: hexKey(t, v.EpochKey)}
			b := Binding{UserID: uid, Bucket: v.Bucket, Key: v.Key}
			err = openAndRead(t, v.Name, ring, b, obj, goldenPlain(v.PlainSize))
			checkOutcome(t, outcome(err), v.Expect)
			region, ie := "none", (*IntegrityError)(nil)
			if errors.As(err, &ie) {
				region = ie.Region
			}
			if region != v.Region {
				t.Errorf("failed in region %q, want %q", region, v.Region)
			}
		})
	}
}

// nameNegative is one entry of testdata/negative/names-v1.json.
type nameNegative struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`
	Change  string   `json:"change"`
	RootKey string   `json:"root_key_hex"`
	Cipher  string   `json:"cipher"` // "buckets" or "objects:<bucket>"
	Op      string   `json:"op"`     // "segment", "path" or "long"
	Kind    string   `json:"kind"`
	Parent  string   `json:"parent"`
	Segment string   `json:"segment"` // op long: the plaintext segment claimed
	Input   string   `json:"input"`
	Expect  []string `json:"expect"`
}

func (v *nameNegative) outcome(t *testing.T) []string {
	root := hexKey(t, v.RootKey)
	c := NewBucketNameCipher(root)
	if bucket, ok := strings.CutPrefix(v.Cipher, "objects:"); ok {
		c = NewNameCipher(root, bucket)
	} else if v.Cipher != "buckets" {
		t.Fatalf("bad cipher %q", v.Cipher)
	}
	kind := map[string]SegmentKind{"object": KindObject, "folder": KindFolder}[v.Kind]
	switch v.Op {
	case "segment":
		_, err := c.DecryptSegment(v.Parent, v.Input, kind)
		return outcome(err)
	case "path":
		_, err := c.DecryptPath(v.Input)
		return outcome(err)
	case "long":
		if c.LongSegmentMatches(v.Parent, v.Segment, kind, v.Input) {
			return []string{"match"}
		}
		return []string{"mismatch"}
	}
	t.Fatalf("bad op %q", v.Op)
	return nil
}

// TestNegativeNameVectors decrypts (or, for long names, checks) each name
// vector: none may give a name back.
func TestNegativeNameVectors(t *testing.T) {
	for _, v := range readManifest[nameNegative](t, "names-v1.json") {
		t.Run(v.Name, func(t *testing.T) { checkOutcome(t, v.outcome(t), v.Expect) })
	}
}

// keystoreNegative is one entry of testdata/negative/keystore-v1.json.
type keystoreNegative struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`
	Change  string   `json:"change"`
	File    string   `json:"file"`
	SHA256  string   `json:"file_sha256"`
	RootKey string   `json:"root_key_hex"`
	Expect  []string `json:"expect"`
}

// TestNegativeKeystoreVectors opens each keystore vector: none may open.
func TestNegativeKeystoreVectors(t *testing.T) {
	for _, v := range readManifest[keystoreNegative](t, "keystore-v1.json") {
		t.Run(v.Name, func(t *testing.T) {
			ks, err := OpenKeystore(hexKey(t, v.RootKey), readPinned(t, v.File, v.SHA256))
			if ks != nil {
				t.Error("a keystore came out")
			}
			checkOutcome(t, outcome(err), v.Expect)
		})
	}
}

// negativeFiles returns the files the manifests name, relative to testdata.
func negativeFiles(t *testing.T) map[string]bool {
	files := map[string]bool{}
	for _, v := range readManifest[objectNegative](t, "object-v1.json") {
		files[v.File] = true
	}
	for _, v := range readManifest[keystoreNegative](t, "keystore-v1.json") {
		files[v.File] = true
	}
	return files
}
