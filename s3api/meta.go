package s3api

import (
	"encoding/base64"
	"io"
	"net/http"
	"strings"

	"github.com/sealgate/sealgate/gateway"
	"github.com/sealgate/sealgate/s3api/sigv4"
)

const (
	metaPrefix = "x-amz-meta-"
	// maxUserMeta is S3's limit on user metadata: keys (without the prefix)
	// plus values, in bytes.
	maxUserMeta = 2048
	httpTime    = http.TimeFormat
)

// websiteRedirect is the one X-Amz-* header stored with an object besides
// x-amz-meta-*: S3 keeps it as the object's metadata, and never copies it
// from a copy's source.
const websiteRedirect = "x-amz-website-redirect-location"

// contentHeaders are the request headers stored with an object besides
// x-amz-meta-*. Nothing else is ever stored.
var contentHeaders = map[string]bool{
	"content-type": true, "content-encoding": true, "content-disposition": true,
	"content-language": true, "cache-control": true, "expires": true, websiteRedirect: true,
}

// metaFromHeader extracts the metadata to store from a request's headers.
func metaFromHeader(h http.Header) (gateway.Meta, error) {
	m := gateway.Meta{}
	user := 0
	for k, vs := range h {
		lk := strings.ToLower(k)
		v := strings.Join(vs, ",")
		switch {
		case contentHeaders[lk]:
			m[lk] = v
		case strings.HasPrefix(lk, metaPrefix) && len(lk) > len(metaPrefix):
			m[lk] = v
			user += len(lk) - len(metaPrefix) + len(v)
		}
	}
	if user > maxUserMeta {
		return nil, errCode("MetadataTooLarge")
	}
	if r, ok := m[websiteRedirect]; ok && !validRedirect(r) {
		return nil, errMsg("InvalidRedirectLocation", "The website redirect location must have a prefix of 'http://' or 'https://' or '/'.")
	}
	return m, nil
}

// validRedirect checks an x-amz-website-redirect-location as S3 does: a
// path or an http(s) URL, at most 2 KiB.
func validRedirect(r string) bool {
	return len(r) <= 2048 && (strings.HasPrefix(r, "/") || strings.HasPrefix(r, "http://") || strings.HasPrefix(r, "https://"))
}

func quoteETag(etag string) string {
	if etag == "" || strings.HasPrefix(etag, `"`) {
		return etag
	}
	return `"` + etag + `"`
}

func unquoteETag(etag string) string {
	etag = strings.TrimSpace(etag)
	etag = strings.TrimPrefix(etag, "W/")
	return strings.Trim(etag, `"`)
}

// checksumPrefix starts the x-amz-checksum-* headers.
const checksumPrefix = "x-amz-checksum-"

// checksumAlgs maps each x-amz-checksum-* header to its algorithm.
var checksumAlgs = map[string]gateway.ChecksumAlgorithm{
	"x-amz-checksum-crc32":     gateway.ChecksumCRC32,
	"x-amz-checksum-crc32c":    gateway.ChecksumCRC32C,
	"x-amz-checksum-sha1":      gateway.ChecksumSHA1,
	"x-amz-checksum-sha256":    gateway.ChecksumSHA256,
	"x-amz-checksum-crc64nvme": gateway.ChecksumCRC64NVME,
	"x-amz-checksum-sha512":    gateway.ChecksumSHA512,
	"x-amz-checksum-md5":       gateway.ChecksumMD5,
	"x-amz-checksum-xxhash64":  gateway.ChecksumXXHASH64,
	"x-amz-checksum-xxhash3":   gateway.ChecksumXXHASH3,
	"x-amz-checksum-xxhash128": gateway.ChecksumXXHASH128,
}

// checksumHeaders is checksumAlgs reversed: the header of each algorithm.
var checksumHeaders = reverseAlgs(checksumAlgs)

func reverseAlgs(m map[string]gateway.ChecksumAlgorithm) map[gateway.ChecksumAlgorithm]string {
	r := make(map[gateway.ChecksumAlgorithm]string, len(m))
	for h, a := range m {
		r[a] = h
	}
	return r
}

// checksumHeaderOf is the header of an S3 checksum algorithm name ("CRC32").
func checksumHeaderOf(alg string) string {
	return checksumPrefix + strings.ToLower(alg)
}

// withChecksumFunc makes opts carry the body's verified checksum, known
// only once the verifying reader reached EOF. The algorithms the sealed
// END record cannot hold (SHA512, MD5, XXHASH*) go in the sealed
// metadata, written before the body: their value must come in a header
// (verified at EOF, which fails the write otherwise), not a trailer.
//
// A body without a checksum gets a CRC64NVME, computed as it streams (S3's
// default): the returned reader is the body to store.
func withChecksumFunc(opts *gateway.PutOptions, a *sigv4.Auth, body io.Reader) (io.Reader, error) {
	name, value := a.ChecksumAnnounced()
	alg, _ := algOfName(name)
	if alg == gateway.ChecksumNone {
		h := gateway.NewChecksumHash(gateway.ChecksumCRC64NVME)
		opts.ChecksumFunc = func() gateway.Checksum {
			return gateway.Checksum{Algorithm: gateway.ChecksumCRC64NVME, Value: h.Sum(nil)}
		}
		return io.TeeReader(body, h), nil
	}
	if alg.InEnd() {
		opts.ChecksumFunc = func() gateway.Checksum { return verifiedChecksum(a) }
		return body, nil
	}
	sum, err := base64.StdEncoding.DecodeString(value)
	if value == "" || err != nil {
		return nil, errMsg("NotImplemented", "sealgate takes a %s checksum in a header, not in a trailer.", name)
	}
	opts.Checksum = gateway.Checksum{Algorithm: alg, Value: sum}
	return body, nil
}

// setObjectChecksum names a new object's checksum on a write response.
func setObjectChecksum(h http.Header, info gateway.ObjectInfo) {
	if name, v := checksumHeader(info); name != "" {
		h.Set(name, v)
		h.Set("x-amz-checksum-type", modeName(info.Checksum.Composite))
	}
}

// verifiedChecksum is the request's verified checksum, or the zero
// Checksum if it has none (or one of an algorithm the gateway lacks).
func verifiedChecksum(a *sigv4.Auth) gateway.Checksum {
	c, ok := a.Checksum()
	if !ok {
		return gateway.Checksum{}
	}
	alg, ok := checksumAlgs[checksumHeaderOf(c.Algorithm)]
	if !ok {
		return gateway.Checksum{}
	}
	v, err := base64.StdEncoding.DecodeString(c.Value)
	if err != nil {
		return gateway.Checksum{}
	}
	return gateway.Checksum{Algorithm: alg, Value: v}
}

// announcedChecksum is the algorithm of the checksum the request's body
// is verified against (a header or a trailer), none if none or unknown.
func announcedChecksum(a *sigv4.Auth) gateway.ChecksumAlgorithm {
	name, _ := a.ChecksumAnnounced()
	alg, _ := algOfName(name)
	return alg
}

// checksumHeader returns the response header of a stored checksum, or "".
func checksumHeader(info gateway.ObjectInfo) (name, value string) {
	name, ok := checksumHeaders[info.Checksum.Algorithm]
	if !ok || len(info.Checksum.Value) == 0 {
		return "", ""
	}
	value = base64.StdEncoding.EncodeToString(info.Checksum.Value)
	if info.Checksum.Composite {
		if _, n, ok := strings.Cut(info.ETag, "-"); ok {
			value += "-" + n
		}
	}
	return name, value
}

// setAuthChecksum echoes the verified request checksum on a write response.
func setAuthChecksum(h http.Header, a *sigv4.Auth) {
	if c, ok := a.Checksum(); ok {
		h.Set(checksumHeaderOf(c.Algorithm), c.Value)
	}
}
