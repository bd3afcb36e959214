package s3api

import (
	"encoding/base64"
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

// contentHeaders are the request headers stored with an object besides
// x-amz-meta-*. Nothing else (no X-Amz-* request header) is ever stored.
var contentHeaders = map[string]bool{
	"content-type": true, "content-encoding": true, "content-disposition": true,
	"content-language": true, "cache-control": true, "expires": true,
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
	return m, nil
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

// checksumAlgs names cryptolayer.ChecksumAlgorithm values by index (the
// door may not import cryptolayer; gateway should re-export these).
var checksumAlgs = []string{"", "CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"}

// withChecksumFunc makes opts carry the body's verified checksum, known
// only once the verifying reader reached EOF.
func withChecksumFunc(opts *gateway.PutOptions, a *sigv4.Auth) {
	var tmp gateway.PutOptions
	bindLate(&opts.ChecksumFunc, &tmp.Checksum, func() { fillChecksum(&tmp, a) })
}

// bindLate sets *dst to a function that runs fill and returns *src; generic
// so that the checksum type need not be named here.
func bindLate[C any](dst *func() C, src *C, fill func()) {
	*dst = func() C { fill(); return *src }
}

func fillChecksum(o *gateway.PutOptions, a *sigv4.Auth) {
	c, ok := a.Checksum()
	if !ok {
		return
	}
	v, err := base64.StdEncoding.DecodeString(c.Value)
	if err != nil {
		return
	}
	for i, name := range checksumAlgs {
		if i > 0 && name == c.Algorithm {
			o.Checksum.Value = v
			o.Checksum.Algorithm = 0
			for j := 0; j < i; j++ {
				o.Checksum.Algorithm++
			}
			return
		}
	}
}

// checksumHeader returns the response header of a stored checksum, or "".
func checksumHeader(info gateway.ObjectInfo) (name, value string) {
	alg := int(info.Checksum.Algorithm)
	if alg <= 0 || alg >= len(checksumAlgs) || len(info.Checksum.Value) == 0 {
		return "", ""
	}
	value = base64.StdEncoding.EncodeToString(info.Checksum.Value)
	if info.Checksum.Composite {
		if _, n, ok := strings.Cut(info.ETag, "-"); ok {
			value += "-" + n
		}
	}
	return "x-amz-checksum-" + strings.ToLower(checksumAlgs[alg]), value
}

// setAuthChecksum echoes the verified request checksum on a write response.
func setAuthChecksum(h http.Header, a *sigv4.Auth) {
	if c, ok := a.Checksum(); ok {
		h.Set("x-amz-checksum-"+strings.ToLower(c.Algorithm), c.Value)
	}
}
