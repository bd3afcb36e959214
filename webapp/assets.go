package webapp

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strconv"
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
func servePage(w http.ResponseWriter, _ *http.Request) error {
	return writeAsset(w, "index.html")
}

// serveAsset serves /assets/{name}.
func serveAsset(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	if name == "index.html" {
		return errNotFound
	}
	return writeAsset(w, name)
}

// writeAsset writes an embedded file. The assets change only with the
// binary: the browser revalidates them on every load (no-cache), cheap on
// loopback and keeping a page and its scripts of one version.
func writeAsset(w http.ResponseWriter, name string) error {
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
	h.Set("Content-Length", strconv.Itoa(len(b)))
	h.Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
	return nil
}
