package webapp

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestPreview(t *testing.T) {
	e := newEnv(t)
	c := e.login("alice")
	c.must(201, "POST", "/api/buckets", `{"name":"docs"}`)
	png := "\x89PNG\r\n\x1a\nfake"
	long := strings.Repeat("x", maxPreviewText+10)
	files := map[string]string{"a.PNG": png, "x.svg": "<svg onload=alert(1)>", "<b>.html": "<script>alert(1)</script>",
		"bin.dat": "ab\x00cd", "long.txt": long, "empty.txt": "", "doc.pdf": "%PDF-1.4", "DOC2.PDF": "%PDF-1.7",
		"big.pdf": strings.Repeat("%", maxPreviewPDF+1), "pdf.txt": "%PDF-1.4"}
	for k, v := range files {
		c.must(201, "PUT", objPath("docs", k), v, "Content-Type", "text/html")
	}
	tests := []struct {
		key, as   string
		want      int
		ctype     string
		body      string
		truncated bool
	}{
		{"a.PNG", "image", 200, "image/png", png, false},
		{"x.svg", "image", 415, "", "", false},
		{"x.svg", "text", 200, "text/plain; charset=utf-8", files["x.svg"], false},
		{"<b>.html", "image", 415, "", "", false},
		{"<b>.html", "text", 200, "text/plain; charset=utf-8", files["<b>.html"], false},
		{"doc.pdf", "image", 415, "", "", false},
		{"doc.pdf", "pdf", 200, "application/pdf", files["doc.pdf"], false},
		{"DOC2.PDF", "pdf", 200, "application/pdf", files["DOC2.PDF"], false},
		{"big.pdf", "pdf", 415, "", "", false},
		{"pdf.txt", "pdf", 415, "", "", false},
		{"a.PNG", "pdf", 415, "", "", false},
		{"nope.pdf", "pdf", 404, "", "", false},
		{"bin.dat", "text", 415, "", "", false},
		{"long.txt", "text", 200, "text/plain; charset=utf-8", long[:maxPreviewText], true},
		{"empty.txt", "text", 200, "text/plain; charset=utf-8", "", false},
		{"nope.txt", "text", 404, "", "", false},
		{"a.PNG", "html", 400, "", "", false},
	}
	for _, tc := range tests {
		t.Run(tc.key+" as "+tc.as, func(t *testing.T) {
			resp := c.do("GET", strings.Replace(objPath("docs", tc.key, "as", tc.as), "/api/object", "/api/preview", 1), nil)
			defer func() { _ = resp.Body.Close() }()
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tc.want {
				t.Fatalf("%d, want %d: %s", resp.StatusCode, tc.want, b)
			}
			if tc.want != http.StatusOK {
				return
			}
			h := resp.Header
			if h.Get("Content-Type") != tc.ctype || string(b) != tc.body || (h.Get("X-Preview-Truncated") == "1") != tc.truncated {
				t.Fatalf("type %q, %d bytes, truncated %q", h.Get("Content-Type"), len(b), h.Get("X-Preview-Truncated"))
			}
			if h.Get("Content-Security-Policy") != previewCSP || h.Get("X-Content-Type-Options") != "nosniff" ||
				!strings.HasPrefix(h.Get("Content-Disposition"), "attachment") {
				t.Fatalf("headers %v", h)
			}
		})
	}
}
