package sigv4

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// CRC-64/NVME catalogue check value.
func TestCRC64NVMECheckValue(t *testing.T) {
	h := checksumAlgs["crc64nvme"].new()
	h.Write([]byte("123456789"))
	if got := binary.BigEndian.Uint64(h.Sum(nil)); got != 0xae8b14860a799888 {
		t.Fatalf("crc64nvme(123456789) = %#x", got)
	}
}

// refChecksums are computed without the package's table, except CRC64NVME
// (pinned by the check value above).
func refChecksum(alg, data string) string {
	var sum []byte
	switch alg {
	case "crc32":
		sum = binary.BigEndian.AppendUint32(nil, crc32.ChecksumIEEE([]byte(data)))
	case "crc32c":
		sum = binary.BigEndian.AppendUint32(nil, crc32.Checksum([]byte(data), crc32.MakeTable(crc32.Castagnoli)))
	case "sha1":
		s := sha1.Sum([]byte(data))
		sum = s[:]
	case "sha256":
		s := sha256.Sum256([]byte(data))
		sum = s[:]
	case "crc64nvme":
		h := checksumAlgs[alg].new()
		h.Write([]byte(data))
		sum = h.Sum(nil)
	}
	return base64.StdEncoding.EncodeToString(sum)
}

var allAlgs = []string{"crc32", "crc32c", "sha1", "sha256", "crc64nvme"}

// unsignedTrailerRequest is an SDK-style STREAMING-UNSIGNED-PAYLOAD-TRAILER
// request; the signature is checked elsewhere, so it uses header auth over
// the example key and is signed here with the package's own canonical form.
func chunkedRequest(t *testing.T, mode string, header map[string]string, body string, decoded int) *http.Request {
	t.Helper()
	r := httptest.NewRequest("PUT", "http://s3.example.test/b/k", strings.NewReader(body))
	r.Header.Set("X-Amz-Date", exampleDate)
	r.Header.Set("X-Amz-Content-Sha256", mode)
	r.Header.Set("Content-Encoding", "aws-chunked")
	r.Header.Set("X-Amz-Decoded-Content-Length", strconv.Itoa(decoded))
	for k, v := range header {
		r.Header.Set(k, v)
	}
	signV4ForTest(r)
	return r
}

// signV4ForTest signs r (all x-amz-* headers and host) with the example key.
func signV4ForTest(r *http.Request) string {
	signed := []string{"host"}
	for k := range r.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-amz-") || lk == "content-encoding" {
			signed = append(signed, lk)
		}
	}
	sortStrings(signed)
	pairs, _ := parseQuery(r.URL.RawQuery)
	req := &v4Request{v4Params: &v4Params{date: "20130524", region: "us-east-1", service: "s3", signed: signed},
		r: r, pairs: pairs, payload: r.Header.Get("X-Amz-Content-Sha256")}
	req.v4Params.amzDate = exampleDate
	sts := stringToSign(algoV4, exampleDate, exampleScope, sha256Hex(req.canonicalRequest(canonicalURIs(r)[0])))
	sig := hexHMAC(signingKey([]byte(exampleSecret), "20130524", "us-east-1", "s3"), sts)
	r.Header.Set("Authorization", algoV4+" Credential="+exampleAKID+"/"+exampleScope+",SignedHeaders="+strings.Join(signed, ";")+",Signature="+sig)
	return sig
}

func sortStrings(s []string) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && s[j] < s[j-1]; j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// Every checksum algorithm, as an unsigned trailer, a signed trailer and a
// plain header: the right value verifies and is exposed, a wrong one fails.
func TestChecksumsAllForms(t *testing.T) {
	data := strings.Repeat("sealgate-", 3000)
	chunks := []string{data[:8192], data[8192:20000], data[20000:]}
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, alg := range allAlgs {
		name := checksumPrefix + alg
		for _, good := range []bool{true, false} {
			val := refChecksum(alg, data)
			if !good {
				val = refChecksum(alg, data+"x")
			}
			want := map[bool]error{true: nil, false: ErrBadChecksum}[good]
			t.Run(alg+"/unsigned-trailer/"+strconv.FormatBool(good), func(t *testing.T) {
				r := chunkedRequest(t, streamingUnsignedTrailer, map[string]string{"X-Amz-Trailer": name},
					frame(nil, chunks, name+":"+val), len(data))
				checkBody(t, v, r, data, alg, want)
			})
			t.Run(alg+"/signed-trailer/"+strconv.FormatBool(good), func(t *testing.T) {
				r := chunkedRequest(t, streamingSignedTrailer, map[string]string{"X-Amz-Trailer": name}, "", len(data))
				seed := r.Header.Get("Authorization")[len(r.Header.Get("Authorization"))-64:]
				r.Body = io.NopCloser(strings.NewReader(frame(exampleChain(seed), chunks, name+":"+val)))
				checkBody(t, v, r, data, alg, want)
			})
			t.Run(alg+"/header/"+strconv.FormatBool(good), func(t *testing.T) {
				r := httptest.NewRequest("PUT", "http://s3.example.test/b/k", strings.NewReader(data))
				r.Header.Set("X-Amz-Date", exampleDate)
				r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
				r.Header.Set(name, val)
				signV4ForTest(r)
				checkBody(t, v, r, data, alg, want)
			})
		}
	}
}

func checkBody(t *testing.T, v *Verifier, r *http.Request, data, alg string, want error) {
	t.Helper()
	a, got, err := verifyAndRead(v, r)
	wantErr(t, err, want)
	if want != nil {
		return
	}
	if string(got) != data {
		t.Fatalf("body differs (%d bytes)", len(got))
	}
	c, ok := a.Checksum()
	if !ok || c.Algorithm != strings.ToUpper(alg) || c.Value != refChecksum(alg, data) {
		t.Errorf("Checksum() = %v %v", c, ok)
	}
}

// Content-MD5: verified when present, exposed for reuse, optional.
func TestContentMD5(t *testing.T) {
	data := "md5 me"
	sum := md5.Sum([]byte(data))
	good := base64.StdEncoding.EncodeToString(sum[:])
	bad := base64.StdEncoding.EncodeToString(make([]byte, 16))
	tests := []struct {
		name, header string
		wantErr      error
		detail       Detail
	}{
		{"match", good, nil, Detail{}},
		{"mismatch", bad, ErrBadDigest, Detail{CalculatedDigest: good, ExpectedDigest: strings.Repeat("00", 16)}},
		{"malformed", "nope", ErrInvalidDigest, Detail{ContentMD5: "nope"}},
		{"absent", "", nil, Detail{}},
	}
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "http://s3.example.test/b/k", strings.NewReader(data))
			r.Header.Set("X-Amz-Date", exampleDate)
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			if tc.header != "" {
				r.Header.Set("Content-Md5", tc.header)
			}
			signV4ForTest(r)
			_, _, err := verifyAndRead(v, r)
			wantErr(t, err, tc.wantErr)
			if d := Details(err); d != tc.detail {
				t.Errorf("detail %+v, want %+v", d, tc.detail)
			}
		})
	}
	// A Content-MD5 header present but empty is invalid, as on AWS.
	r := httptest.NewRequest("PUT", "http://s3.example.test/b/k", strings.NewReader(data))
	r.Header.Set("X-Amz-Date", exampleDate)
	r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
	r.Header["Content-Md5"] = []string{""}
	signV4ForTest(r)
	_, _, err := verifyAndRead(v, r)
	wantErr(t, err, ErrInvalidDigest)
}

// Malformed framing and absurd sizes are rejected cleanly.
func TestChunkLimits(t *testing.T) {
	tests := []struct {
		name, body string
		decoded    int
		header     map[string]string
		want       error
	}{
		{"size above declared", "10\r\n0123456789abcdef\r\n0\r\n\r\n", 4, nil, ErrIncompleteBody},
		// a chunk past the declared length is read first: broken framing is
		// the fault then ("terminated unexpectedly", as AWS answers)
		{"size above declared, not framed", "B\r\ndummy data\r\n0\r\n\r\n", 10, nil, ErrMalformedChunk},
		{"small chunk before another", "a\r\n0123456789\r\na\r\n0123456789\r\n0\r\n\r\n", 20, nil, ErrInvalidChunkSize},
		{"small chunk between", "2000\r\n" + strings.Repeat("x", 8192) + "\r\na\r\n0123456789\r\n2000\r\n" + strings.Repeat("x", 8192) + "\r\n0\r\n\r\n",
			8192*2 + 10, nil, ErrInvalidChunkSize},
		{"small last chunk", "2000\r\n" + strings.Repeat("x", 8192) + "\r\na\r\n0123456789\r\n0\r\n\r\n", 8192 + 10, nil, nil},
		{"absurd size", "ffffffffffffffff\r\n", 4, nil, ErrMalformedChunk},
		{"17 hex digits", "00000000000000004\r\nabcd\r\n0\r\n\r\n", 4, nil, ErrMalformedChunk},
		{"negative", "-4\r\nabcd\r\n0\r\n\r\n", 4, nil, ErrMalformedChunk},
		{"long line", "4;" + strings.Repeat("x", 5000) + "\r\nabcd\r\n0\r\n\r\n", 4, nil, ErrMalformedChunk},
		{"huge line", "4;" + strings.Repeat("x", 100000) + "\r\nabcd\r\n0\r\n\r\n", 4, nil, ErrMalformedChunk},
		{"empty body", "", 4, nil, ErrIncompleteBody},
		{"trailer not announced", "4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n", 4, nil, ErrMalformedTrailer},
		{"no decoded length", "4\r\nabcd\r\n0\r\n\r\n", -1, nil, ErrMissingContentLength},
		{"trailer of another algorithm", "4\r\nabcd\r\n0\r\nx-amz-checksum-sha1:AAAAAA==\r\n\r\n", 4,
			map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, ErrMalformedTrailer},
		{"unsupported trailer", "4\r\nabcd\r\n0\r\n\r\n", 4, map[string]string{"X-Amz-Trailer": "x-amz-checksum-blake3"}, ErrInvalidChecksum},
		{"no final CRLF accepted", "4\r\nabcd\r\n0\r\n", 4, nil, nil},
		{"announced trailer cut off", "4\r\nabcd\r\n0\r\n", 4, map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, ErrIncompleteBody},
		{"bare CR in a trailer line", "4\r\nabcd\r\n0\r\nx-amz-checksum-crc32:7ZBjcw==\rbcd\r\n\r\n", 4,
			map[string]string{"X-Amz-Trailer": "x-amz-checksum-crc32"}, ErrMalformedChunk},
		{"bare CR in a chunk header", "4\rx\r\nabcd\r\n0\r\n\r\n", 4, nil, ErrMalformedChunk},
		{"extensions ignored", "4;foo=bar\r\nabcd\r\n0\r\n\r\n", 4, nil, nil},
	}
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := chunkedRequest(t, streamingUnsignedTrailer, tc.header, tc.body, tc.decoded)
			if tc.decoded < 0 {
				r.Header.Del("X-Amz-Decoded-Content-Length")
				signV4ForTest(r)
			}
			_, _, err := verifyAndRead(v, r)
			wantErr(t, err, tc.want)
		})
	}
}

// Other content encodings survive the removal of aws-chunked.
func TestContentEncodingKept(t *testing.T) {
	r := chunkedRequest(t, streamingUnsignedTrailer, map[string]string{"Content-Encoding": "aws-chunked, gzip"},
		"2\r\nhi\r\n0\r\n\r\n", 2)
	_, got, err := verifyAndRead(verifierAt(mustTime(t, amzDateLayout, exampleDate)), r)
	wantErr(t, err, nil)
	if string(got) != "hi" || r.Header.Get("Content-Encoding") != "gzip" || r.ContentLength != 2 {
		t.Errorf("body %q, Content-Encoding %q, length %d", got, r.Header.Get("Content-Encoding"), r.ContentLength)
	}
}

// x-amz-checksum-mode (GET/HEAD), -algorithm (CreateMultipartUpload) and
// -type name no checksum and must not be taken for one.
func TestChecksumNonValueHeaders(t *testing.T) {
	v := verifierAt(mustTime(t, amzDateLayout, exampleDate))
	for _, h := range []string{"X-Amz-Checksum-Mode", "X-Amz-Checksum-Algorithm", "X-Amz-Checksum-Type"} {
		t.Run(h, func(t *testing.T) {
			r := httptest.NewRequest("PUT", "http://s3.example.test/b/k", strings.NewReader("data"))
			r.Header.Set("X-Amz-Date", exampleDate)
			r.Header.Set("X-Amz-Content-Sha256", unsignedPayload)
			r.Header.Set(h, "ENABLED")
			signV4ForTest(r)
			_, got, err := verifyAndRead(v, r)
			if err != nil || string(got) != "data" {
				t.Fatalf("got %q, %v", got, err)
			}
		})
	}
}
