package webapp

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"sync"
	"time"
)

// assets are the page, its script modules and its style sheet.
//
//go:embed assets
var assets embed.FS

// assetTypes are the types of the files served; a file of another kind
// is not served.
var assetTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".mjs":  "text/javascript; charset=utf-8", // pdf.js, vendored (pdfjs.go)
	".css":  "text/css; charset=utf-8",
	".svg":  "image/svg+xml",
}

// servePage serves the application page at "/".
func servePage(w http.ResponseWriter, r *http.Request) error {
	return writeAsset(w, r, "index.html")
}

// serveAsset serves /assets/{name}.
func serveAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if name == "index.html" {
		return errNotFound
	}
	return writeAsset(w, r, name)
}

// writeAsset writes an embedded file. The assets change only with the
// binary: the browser revalidates them on every load (no-cache), keeping a
// page and its scripts of one version, and the ETag (a digest of the
// file) makes an unchanged one a 304 with no body: pdf.js alone is 1.7 MiB.
func writeAsset(w http.ResponseWriter, r *http.Request, name string) error {
	ct, ok := assetTypes[path.Ext(name)]
	if !ok || !fs.ValidPath(name) {
		return errNotFound
	}
	b, err := assets.ReadFile("assets/" + name)
	if err != nil {
		return errNotFound
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Cache-Control", "no-cache")
	h.Set("ETag", assetTags()[name])
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	return nil
}

// assetTags are the assets' ETags by name: the first 16 bytes of each
// file's SHA-256, quoted, computed once.
var assetTags = sync.OnceValue(func() map[string]string {
	tags := map[string]string{}
	entries, _ := assets.ReadDir("assets") // embedded: cannot fail
	for _, ent := range entries {
		b, _ := assets.ReadFile("assets/" + ent.Name())
		sum := sha256.Sum256(b)
		tags[ent.Name()] = `"` + hex.EncodeToString(sum[:16]) + `"`
	}
	return tags
})
