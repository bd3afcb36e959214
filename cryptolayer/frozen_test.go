package cryptolayer

import (
	"io/fs"
	"path/filepath"
	"testing"
)

// frozenV1 pins the SHA-256 of every version-1 golden file under testdata/.
// THESE MUST NEVER CHANGE. Data sealed in format v1 must open forever, and a
// golden file rewritten to match a changed implementation would hide exactly
// the change it exists to catch. Nothing in the tests writes these files. A
// new format version adds new files (written once by a generator, never by a
// test) and new pins beside these; it never edits a line here.
//
// The negative manifests pin the SHA-256 of every file they name, so
// pinning the manifests freezes the negative vectors too.
var frozenV1 = map[string]string{
	"object-v1/aesgcm-multipart-3.bin":  "d3ed542182d2f0273936b4007e3b42525f21c8cbadec5dcd0b50faf429db025c",
	"object-v1/aesgcm-single-70000.bin": "ca57b6ced9c7ae8cea15a71a43d97f26307f9a86628df3b4bf41725e54738d04",
	"object-v1/chacha-single-empty.bin": "00bc2b75ef85dc545a9cbdf73bc32c4d5bbc73400ff86d6e524d6e72b249c61d",
	"object-v1/vectors.json":            "5a30122f476d28c955785eb91a7c78a4a8c8bedf4ca5590480203f0dc98d7a03",
	"names-v1.golden":                   "12d56034d0a2f45ec0ee56e7b800b8aba5a30cb72a44b506f212b4fcb0fd2502",
	"keystore-v1.golden":                "4a3aca68e403d43714f6e00cc7269d7937c482aaf1a99a5f197a2fd7069b9cac",
	"negative/object-v1.json":           "a6ae67334e0001486b27a686973b2ad84bc180c7c1f552f5d0d7025dc8a03a9b",
	"negative/names-v1.json":            "6492ea057ce44c64b75cfdc498611a5b2d9ff2b46e28405fb029c944e3062a25",
	"negative/keystore-v1.json":         "4cbf14188f89c2b37bf71453356d9099efb3ce49efc2f0f085882ebf35200c6b",
}

// frozenV2 pins the golden file of the keystore record, format v2 (the
// keystore in the upstream). THE SAME RULE: it must never change.
var frozenV2 = map[string]string{
	"keystore-v2.golden": "0d09f859c4ee21eb5d7baf79536d487d541a534a854f0a5421f253b3c33bf5a8",
	"keystore-v3.golden": "c89a583e8118f25a60f439aaf6d0d34a82eb5d8949f738ae53f429354a7fedcc", // v3: settings (§6c)
}

// TestFrozenV1Files fails if any v1 golden file changed by a byte, and if a
// frozen directory holds a file that nothing pins (a vector no test reads).
func TestFrozenV1Files(t *testing.T) {
	for rel, sum := range frozenV1 {
		readPinned(t, rel, sum)
	}
	for rel, sum := range frozenV2 {
		readPinned(t, rel, sum)
	}
	known := negativeFiles(t)
	known["negative/README.md"], known["negative/gen.go"] = true, true
	for _, dir := range []string{"object-v1", "negative"} {
		err := filepath.WalkDir(filepath.Join("testdata", dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			rel, err := filepath.Rel("testdata", p)
			if rel = filepath.ToSlash(rel); frozenV1[rel] == "" && !known[rel] {
				t.Errorf("%s is in a frozen directory but not pinned", rel)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
