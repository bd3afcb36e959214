package s3api

import (
	"bytes"
	"encoding/base64"
	"net/http"
	"strconv"
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

// FuzzObjectChecksum: parseObjectChecksum never panics, keeps only a value
// of its algorithm's size, and re-parses its own rendering to the same
// checksum.
func FuzzObjectChecksum(f *testing.F) {
	for _, s := range [][2]string{{"crc32", "AAAAAA=="}, {"sha256", "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=-3"},
		{"crc64nvme", "AAAAAAAAAAA="}, {"sha1", "2jmj7l5rSw0yVb/vlWAYkK/YBwk=-10-20"}, {"md5", "1B2M2Y8AsgTpgAmY7PhCfg==-bad"}, {"type", "x"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, name, value string) {
		h := http.Header{}
		h.Set(checksumPrefix+name, value)
		c, err := parseObjectChecksum(h)
		if err != nil || len(c.Value) == 0 {
			return
		}
		if len(c.Value) != c.Algorithm.Size() {
			t.Fatalf("%q: %d bytes for algorithm %d", value, len(c.Value), c.Algorithm)
		}
		again := base64.StdEncoding.EncodeToString(c.Value)
		if c.Composite {
			again += "-" + strconv.Itoa(1)
		}
		h2 := http.Header{}
		h2.Set(checksumHeaders[c.Algorithm], again)
		c2, err := parseObjectChecksum(h2)
		if err != nil || c2.Algorithm != c.Algorithm || c2.Composite != c.Composite || !bytes.Equal(c2.Value, c.Value) {
			t.Fatalf("%q re-parsed as %+v, %v", again, c2, err)
		}
	})
}

// FuzzUploadChecksum: parseUploadChecksum never panics and only accepts
// an algorithm with a type it can make.
func FuzzUploadChecksum(f *testing.F) {
	for _, s := range [][2]string{{"CRC32", ""}, {"crc64nvme", "COMPOSITE"}, {"SHA1", "full_object"}, {"", "COMPOSITE"}, {"xxhash3", ""}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, alg, typ string) {
		h := http.Header{}
		h.Set("X-Amz-Checksum-Algorithm", alg)
		h.Set("X-Amz-Checksum-Type", typ)
		c, err := parseUploadChecksum(h)
		if err != nil || algName(c.Algorithm) == "" {
			return
		}
		if c.Composite && c.Algorithm == gateway.ChecksumCRC64NVME || !c.Composite && !fullObjectAlgs[c.Algorithm] {
			t.Fatalf("%q %q accepted as %+v", alg, typ, c)
		}
	})
}

// fullObjectAlgs are the algorithms S3 allows FULL_OBJECT with.
var fullObjectAlgs = map[gateway.ChecksumAlgorithm]bool{gateway.ChecksumCRC32: true, gateway.ChecksumCRC32C: true, gateway.ChecksumCRC64NVME: true}
