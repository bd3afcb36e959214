package webapp

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
)

// TestVendoredPDFJS: the vendored pdf.js files are the ones pdfjs.go
// names, of the version it names, and served as JavaScript modules.
func TestVendoredPDFJS(t *testing.T) {
	for name, want := range pdfjsFiles {
		b, err := assets.ReadFile("assets/" + name)
		if err != nil {
			t.Fatal(err)
		}
		if sum := sha256.Sum256(b); hex.EncodeToString(sum[:]) != want {
			t.Errorf("%s: SHA-256 %x, want %s (pdfjs.go says how the files are vendored)", name, sum, want)
		}
		if !strings.Contains(string(b[:min(len(b), 2048)]), "pdfjsVersion = "+pdfjsVersion) {
			t.Errorf("%s: not pdf.js %s", name, pdfjsVersion)
		}
		if assetTypes[".mjs"] != "text/javascript; charset=utf-8" {
			t.Errorf(".mjs served as %q", assetTypes[".mjs"])
		}
	}
}
