package integration

import (
	"bytes"
	"fmt"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestWebAppPDFPreview previews PDF files in headless Chromium: a two-page
// PDF is drawn on the canvas (its first page's blue block read back from a
// screenshot of the canvas, then the second page's red one after "Next
// page"), and a hostile PDF, named like the HTML one of the other tests and
// whose /OpenAction is JavaScript calling app.alert, is drawn with no
// dialog, no uncaught exception, no element made from it and no violation
// of the page's Content-Security-Policy.
func TestWebAppPDFPreview(t *testing.T) {
	chrome := findChromium(t)
	t.Parallel()
	c := newCluster(t, "fs", 1)
	const pw = "pw-erin-web"
	c.addUserWith(0, "erin", pw)
	web := c.gws[0].URL["web"]
	b := newBrowser(t, chrome)
	hostile := strings.TrimSuffix(xssName, ".html") + ".pdf"
	paths := writeFiles(t, t.TempDir(), map[string][]byte{
		"two-pages.pdf": testPDF([]string{"0 0 1", "1 0 0"}, ""),
		hostile:         testPDF([]string{"0 0 1"}, "app.alert(1)"),
	})
	b.signIn(web, "erin", pw)
	b.eval(`(() => { window.cspViolations = []; document.addEventListener("securitypolicyviolation",
		e => window.cspViolations.push(e.violatedDirective + " " + e.blockedURI)); return "" })()`)
	b.openNewBucket("papers")
	b.do("upload", chromedp.SetUploadFiles(chromedp.ID("file-input"), paths))
	b.poll("both are listed", rowJS("two-pages.pdf")+" && "+rowJS(hostile))

	b.do("preview two-pages.pdf", chromedp.Click(chromedp.JSPath(rowJS("two-pages.pdf")+`.querySelector("button[data-action='preview']")`)))
	b.pollFor("page 1 is drawn", `document.getElementById("pdf-canvas").dataset.page === "1"`, time.Minute)
	if got := b.eval(`document.getElementById("pdf-page").textContent`); got != "Page 1 of 2" {
		t.Fatalf("page label %q", got)
	}
	b.checkCanvas(t, "page 1", "blue")
	b.shot("preview-pdf.png")
	b.do("next page", chromedp.Click(chromedp.ID("pdf-next")))
	b.poll("page 2 is drawn", `document.getElementById("pdf-canvas").dataset.page === "2"`)
	b.checkCanvas(t, "page 2", "red")
	b.do("close the preview", chromedp.Click(chromedp.ID("preview-close")), chromedp.WaitNotVisible(chromedp.ID("preview")))

	b.do("preview the hostile PDF", chromedp.Click(chromedp.JSPath(rowJS(hostile)+`.querySelector("button[data-action='preview']")`)))
	b.pollFor("the hostile PDF is drawn", `document.getElementById("pdf-canvas").dataset.page === "1"`, time.Minute)
	b.checkCanvas(t, "the hostile PDF", "blue")
	if n := b.eval(`String(document.querySelectorAll("#preview img, #preview a:not(#preview-download), #preview iframe, #preview object, #preview embed, script:not([src])").length)`); n != "0" {
		t.Fatalf("previewing the hostile PDF made %s element(s)", n)
	}
	time.Sleep(time.Second) // an /OpenAction would have run by now
	if v := b.eval(`window.cspViolations.join("; ")`); v != "" {
		t.Fatalf("Content-Security-Policy violations: %s", v)
	}
	b.finish(t)
}

// checkCanvas fails the test unless a screenshot of the PDF canvas shows
// a block of the color ("blue" or "red") that testPDF fills.
func (b *webBrowser) checkCanvas(t *testing.T, what, color string) {
	t.Helper()
	shot, err := chromedp.Run(b.ctx, chromedp.Screenshot(chromedp.ID("pdf-canvas")))
	if err != nil {
		t.Fatalf("%s: screenshot: %v", what, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	r := img.Bounds()
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			hi, lo := cb, cr
			if color == "red" {
				hi, lo = cr, cb
			}
			if hi > 0xc000 && lo < 0x4000 && cg < 0x4000 {
				n++
			}
		}
	}
	if total := r.Dx() * r.Dy(); n < total/50 {
		t.Fatalf("%s: %d of %d pixels of the %dx%d canvas are %s, want at least 2%%", what, n, total, r.Dx(), r.Dy(), color)
	}
}

// testPDF builds a PDF with one page per fill color ("r g b"), each a
// colored block and a line of text in Helvetica; js, if not empty, is the
// JavaScript of the document's /OpenAction.
func testPDF(colors []string, js string) []byte {
	var objs []string // objs[i] is object i+1
	add := func(s string) int { objs = append(objs, s); return len(objs) }
	catalog := add("")
	pages := add("")
	font := add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
	var kids []string
	for i, rgb := range colors {
		content := fmt.Sprintf("%s rg 72 400 300 300 re f BT /F1 24 Tf 72 300 Td (Page %d) Tj ET", rgb, i+1)
		stream := add(fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content))
		kids = append(kids, fmt.Sprintf("%d 0 R", add(fmt.Sprintf(
			"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			pages, font, stream))))
	}
	open := ""
	if js != "" {
		open = fmt.Sprintf(" /OpenAction %d 0 R", add(fmt.Sprintf("<< /Type /Action /S /JavaScript /JS (%s) >>", js)))
	}
	objs[catalog-1] = fmt.Sprintf("<< /Type /Catalog /Pages %d 0 R%s >>", pages, open)
	objs[pages-1] = fmt.Sprintf("<< /Type /Pages /Kids [%s] /Count %d >>", strings.Join(kids, " "), len(kids))
	var out bytes.Buffer
	out.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = out.Len()
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, catalog, xref)
	return out.Bytes()
}
