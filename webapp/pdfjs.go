package webapp

// The PDF previews draw pages with pdf.js (Mozilla, Apache-2.0), vendored
// as two built files of the npm package pdfjs-dist, copied unchanged into
// assets/ and embedded with the rest:
//
//	npm pack pdfjs-dist@6.5.438 && tar xzf pdfjs-dist-6.5.438.tgz
//	cp package/build/pdf.min.mjs package/build/pdf.worker.min.mjs webapp/assets/
//
// Nothing else of the package is used: not its viewer, not its scripting
// sandbox (pdf.sandbox.mjs, which runs a PDF's JavaScript), not its
// WebAssembly decoders or font data. TestVendoredPDFJS holds the files to
// these digests, so that a change to them is a deliberate one.
const pdfjsVersion = "6.5.438"

// pdfjsFiles are the SHA-256 digests of the vendored files.
var pdfjsFiles = map[string]string{
	"pdf.min.mjs":        "3a88402882cfa3e7e72c2c9b5149f52f0f88baf1c5b62aa11a41abdbc2072440",
	"pdf.worker.min.mjs": "1e64c8240e54735ec5913b37acd5134747799cb8c6bb3777c70adbc01232d2aa",
}
