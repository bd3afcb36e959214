package sigv4

import (
	"strings"
	"testing"
)

// Signatures published in AWS's "Transferring Payload in Multiple Chunks"
// and "Including Trailing Headers" examples: 66560 bytes of 'a' in a 64 KiB
// and a 1 KiB chunk, then the final empty chunk.
const (
	docSigned  = "content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class"
	docSeed    = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
	docSig1    = "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"
	docSig2    = "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"
	docSig3    = "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"
	docTSigned = "content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer"
	docTSeed   = "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
	docTSig1   = "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"
	docTSig2   = "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"
	docTSig3   = "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"
	docTrailer = "x-amz-checksum-crc32c:sOO8/Q=="
	docTSig    = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
)

var (
	docChunk1 = strings.Repeat("a", 65536)
	docChunk2 = strings.Repeat("a", 1024)
)

func chunk(data, sig string) string {
	return hexLen(data) + ";chunk-signature=" + sig + "\r\n" + data + "\r\n"
}

func hexLen(s string) string {
	const digits = "0123456789abcdef"
	n, out := len(s), ""
	for {
		out = string(digits[n%16]) + out
		if n /= 16; n == 0 {
			return out
		}
	}
}

func docBody() string {
	return chunk(docChunk1, docSig1) + chunk(docChunk2, docSig2) + "0;chunk-signature=" + docSig3 + "\r\n\r\n"
}

func docTrailerBody(trailer, sig string) string {
	return chunk(docChunk1, docTSig1) + chunk(docChunk2, docTSig2) + "0;chunk-signature=" + docTSig3 + "\r\n" +
		trailer + "\r\n" + trailerSigHeader + ":" + sig + "\r\n\r\n"
}

// The documented example verifies end to end and is rewritten to a plain
// 66560-byte PUT.
func TestAWSChunkedExample(t *testing.T) {
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	r := exampleChunkedRequest(streamingSigned, docSigned, docSeed, docBody())
	a, got, err := verifyAndRead(v, r)
	wantErr(t, err, nil)
	if string(got) != docChunk1+docChunk2 {
		t.Fatalf("decoded %d bytes, want 66560 'a'", len(got))
	}
	if a.Method != V4Header || a.AccessKeyID != exampleAKID || a.PayloadMode != streamingSigned {
		t.Errorf("auth = %+v", a)
	}
	for h, want := range map[string]string{
		"Content-Length": "66560", "Content-Encoding": "", "X-Amz-Content-Sha256": unsignedPayload,
		"X-Amz-Decoded-Content-Length": "", "X-Amz-Trailer": "",
	} {
		if g := r.Header.Get(h); g != want {
			t.Errorf("%s = %q, want %q", h, g, want)
		}
	}
	if r.ContentLength != 66560 {
		t.Errorf("ContentLength = %d", r.ContentLength)
	}
}

// The trailing-header example: chunk chain, trailer signature and CRC32C.
func TestAWSTrailerExample(t *testing.T) {
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	r := exampleChunkedRequest(streamingSignedTrailer, docTSigned, docTSeed, docTrailerBody(docTrailer, docTSig))
	a, got, err := verifyAndRead(v, r)
	wantErr(t, err, nil)
	if len(got) != 66560 {
		t.Fatalf("decoded %d bytes", len(got))
	}
	if c, ok := a.Checksum(); !ok || c != (Checksum{"CRC32C", "sOO8/Q=="}) {
		t.Errorf("Checksum() = %v, %v", c, ok)
	}
}

// Every alteration of the documented body is caught with the right error.
func TestChunkedTampering(t *testing.T) {
	final := "0;chunk-signature=" + docSig3 + "\r\n\r\n"
	good := docBody()
	tests := []struct {
		name, body string
		want       error
	}{
		{"data byte changed", strings.Replace(good, "a\r\n400;", "b\r\n400;", 1), ErrSignatureDoesNotMatch},
		{"chunk signature changed", strings.Replace(good, docSig2, strings.Repeat("0", 64), 1), ErrSignatureDoesNotMatch},
		{"chunk signature missing", strings.Replace(good, "400;chunk-signature="+docSig2, "400", 1), ErrMalformedChunk},
		{"final signature changed", strings.Replace(good, docSig3, docSig2, 1), ErrSignatureDoesNotMatch},
		{"chunks reordered", chunk(docChunk2, docSig2) + chunk(docChunk1, docSig1) + final, ErrSignatureDoesNotMatch},
		{"chunk dropped", chunk(docChunk1, docSig1) + "0;chunk-signature=" + docSig2 + "\r\n\r\n", ErrSignatureDoesNotMatch},
		{"chunk appended", chunk(docChunk1, docSig1) + chunk(docChunk2, docSig2) + chunk("a", docSig3) + final, ErrInvalidChunkSize}, // (after a 1 KiB chunk)
		{"truncated in data", good[:40000], ErrIncompleteBody},
		{"truncated before final", chunk(docChunk1, docSig1) + chunk(docChunk2, docSig2), ErrIncompleteBody},
		{"truncated in header", good[:len(good)-20], ErrIncompleteBody},
		{"no blank line at end", strings.TrimSuffix(good, "\r\n"), ErrMalformedChunk},
		{"unexpected trailer", strings.TrimSuffix(good, "\r\n") + docTrailer + "\r\n\r\n", ErrMalformedChunk},
		{"LF only", strings.Replace(good, "\r\n", "\n", 1), ErrMalformedChunk},
		{"data not followed by CRLF", strings.Replace(good, "a\r\n400;", "aX\n400;", 1), ErrMalformedChunk},
	}
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := verifyAndRead(v, exampleChunkedRequest(streamingSigned, docSigned, docSeed, tc.body))
			wantErr(t, err, tc.want)
		})
	}
}

// Trailers are signed after the final chunk: changing, adding or dropping
// one, or its signature, fails.
func TestTrailerTampering(t *testing.T) {
	tests := []struct {
		name, body string
		want       error
	}{
		{"checksum changed", docTrailerBody("x-amz-checksum-crc32c:AAAAAA==", docTSig), ErrSignatureDoesNotMatch},
		{"trailer signature changed", docTrailerBody(docTrailer, docTSig3), ErrSignatureDoesNotMatch},
		{"trailer signature missing", strings.Replace(docTrailerBody(docTrailer, docTSig), trailerSigHeader+":"+docTSig+"\r\n", "", 1), ErrMalformedTrailer},
		{"trailer missing", strings.Replace(docTrailerBody(docTrailer, docTSig), docTrailer+"\r\n", "", 1), ErrMalformedTrailer},
		// after the announced trailers, a signed stream's next line must be
		// its signature: another is a garbled body (IncompleteBody)
		{"extra trailer", strings.Replace(docTrailerBody(docTrailer, docTSig), docTrailer+"\r\n", docTrailer+"\r\nx-amz-meta-x:1\r\n", 1), ErrIncompleteBody},
		{"signature line garbled", strings.Replace(docTrailerBody(docTrailer, docTSig), trailerSigHeader, "x-aminvalidrailer-signature", 1), ErrIncompleteBody},
		{"signature too long", strings.Replace(docTrailerBody(docTrailer, docTSig), docTSig, docTSig+"a", 1), ErrIncompleteBody},
		{"line after signature", strings.Replace(docTrailerBody(docTrailer, docTSig), docTSig+"\r\n", docTSig+"\r\nx:1\r\n", 1), ErrMalformedTrailer},
	}
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := exampleChunkedRequest(streamingSignedTrailer, docTSigned, docTSeed, tc.body)
			_, _, err := verifyAndRead(v, r)
			wantErr(t, err, tc.want)
		})
	}
}
