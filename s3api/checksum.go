package s3api

import (
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// Multipart checksums (S3's x-amz-checksum-algorithm and
// x-amz-checksum-type): parsing what a request declares, and the AWS
// errors of the gateway's checksum errors.

// algName is the S3 name of an algorithm ("CRC32"), "" for none.
func algName(a gateway.ChecksumAlgorithm) string {
	return strings.ToUpper(strings.TrimPrefix(checksumHeaders[a], checksumPrefix))
}

// algOfName is the algorithm of an S3 name, in any case.
func algOfName(name string) (gateway.ChecksumAlgorithm, bool) {
	a, ok := checksumAlgs[checksumHeaderOf(name)]
	return a, ok
}

func errUnsupportedAlgorithm() *apiError {
	return errMsg("InvalidRequest", "Checksum algorithm provided is unsupported. Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, MD5, SHA1, SHA256, SHA512, XXHASH128, XXHASH3, XXHASH64]")
}

func errInvalidHeader(name string) *apiError {
	return errMsg("InvalidRequest", "Value for %s header is invalid.", name)
}

// parseChecksumType parses x-amz-checksum-type: "" is unset.
func parseChecksumType(v string) (gateway.ChecksumMode, error) {
	switch strings.ToUpper(v) {
	case "":
		return gateway.ChecksumModeUnset, nil
	case "COMPOSITE":
		return gateway.ChecksumModeComposite, nil
	case "FULL_OBJECT":
		return gateway.ChecksumModeFullObject, nil
	}
	return 0, errInvalidHeader("x-amz-checksum-type")
}

func modeName(composite bool) string {
	if composite {
		return "COMPOSITE"
	}
	return "FULL_OBJECT"
}

// parseUploadChecksum reads the checksum a CreateMultipartUpload
// declares. AWS's defaults: CRC64NVME is FULL_OBJECT, the others
// COMPOSITE; SHA1 and SHA256 (and AWS's other hashes) cannot be
// FULL_OBJECT, nor CRC64NVME COMPOSITE.
func parseUploadChecksum(h http.Header) (gateway.Checksum, error) {
	name, typ := strings.ToUpper(h.Get("X-Amz-Checksum-Algorithm")), h.Get("X-Amz-Checksum-Type")
	mode, err := parseChecksumType(typ)
	if err != nil {
		return gateway.Checksum{}, err
	}
	if name == "" {
		if mode != gateway.ChecksumModeUnset {
			return gateway.Checksum{}, errMsg("InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")
		}
		return gateway.Checksum{}, nil
	}
	alg, ok := algOfName(name)
	if !ok {
		return gateway.Checksum{}, errUnsupportedAlgorithm()
	}
	composite := mode == gateway.ChecksumModeComposite || mode == gateway.ChecksumModeUnset && alg != gateway.ChecksumCRC64NVME
	if composite && !gateway.CompositeCapable(alg) || !composite && !gateway.FullObjectCapable(alg) {
		return gateway.Checksum{}, errMsg("InvalidRequest", "The %s checksum type cannot be used with the %s checksum algorithm.", modeName(composite), strings.ToLower(name))
	}
	return gateway.Checksum{Algorithm: alg, Composite: composite}, nil
}

// setUploadChecksumHeaders names an upload's checksum on a response.
func setUploadChecksumHeaders(h http.Header, c gateway.UploadChecksum) {
	if c.Algorithm == gateway.ChecksumNone {
		return
	}
	h.Set("x-amz-checksum-algorithm", algName(c.Algorithm))
	h.Set("x-amz-checksum-type", modeName(c.Composite))
}

// parseObjectChecksum reads the whole object's checksum a
// CompleteMultipartUpload names in an x-amz-checksum-<algorithm> header
// (at most one; a COMPOSITE one ends in "-<parts>").
func parseObjectChecksum(h http.Header) (gateway.Checksum, error) {
	var out gateway.Checksum
	seen := false
	for k, vals := range h {
		lk := strings.ToLower(k)
		name, ok := strings.CutPrefix(lk, checksumPrefix)
		if !ok || name == "type" || name == "algorithm" || name == "mode" {
			continue
		}
		if seen || len(vals) != 1 {
			return out, errMsg("InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
		}
		seen = true
		alg, ok := algOfName(name)
		v, n, hasN := strings.Cut(vals[0], "-")
		sum, err := base64.StdEncoding.DecodeString(v)
		if !ok || err != nil || len(sum) != alg.Size() || hasN && !positiveInt(n) {
			return out, errInvalidHeader(lk)
		}
		out = gateway.Checksum{Algorithm: alg, Value: sum, Composite: hasN}
	}
	return out, nil
}

func positiveInt(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n > 0 && strconv.Itoa(n) == s
}

// parseObjectSize reads x-amz-mp-object-size (nil if absent).
func parseObjectSize(h http.Header) (*int64, error) {
	v := h.Get("X-Amz-Mp-Object-Size")
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return nil, errMsg("InvalidRequest", "Value for x-amz-mp-object-size header is invalid: '%s'", v)
	}
	if n < 0 {
		return nil, errMsg("InvalidRequest", "Value for x-amz-mp-object-size header is less than zero: '%s'", v)
	}
	return &n, nil
}

// checksumAPIError is the AWS error of a gateway checksum error, or nil.
func checksumAPIError(err error) *apiError {
	var (
		algErr  *gateway.ChecksumAlgorithmError
		partErr *gateway.PartChecksumError
		modeErr *gateway.ChecksumModeError
		valErr  *gateway.ChecksumValueError
		sizeErr *gateway.ObjectSizeError
		e       *apiError
	)
	switch {
	case errors.As(err, &algErr):
		got := algName(algErr.Got)
		if got == "" {
			got = "null"
		}
		e = errMsg("InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: %s, actual checksum Type: %s", algName(algErr.Want), got)
	case errors.As(err, &partErr) && partErr.Got == gateway.ChecksumNone:
		e = errMsg("InvalidRequest", "The upload was created using a %s checksum. The complete request must include the checksum for each part. It was missing for part %d in the request.",
			strings.ToLower(algName(partErr.Want)), partErr.Part)
	case errors.As(err, &partErr):
		e = errMsg("BadDigest", "The %s you specified for part %d did not match what we received.", strings.ToLower(algName(partErr.Got)), partErr.Part)
	case errors.As(err, &modeErr):
		e = errMsg("InvalidRequest", "The upload was created using the %s checksum mode. The complete request must use the same checksum mode.", modeName(modeErr.Composite))
	case errors.As(err, &valErr):
		e = errMsg("BadDigest", "The %s you specified did not match the calculated checksum.", algName(valErr.Algorithm))
	case errors.As(err, &sizeErr):
		e = errMsg("InvalidRequest", "The provided 'x-amz-mp-object-size' header value %d does not match what was computed: %d", sizeErr.Want, sizeErr.Got)
	default:
		return nil
	}
	e.cause = err
	return e
}

// checksumFields are a checksum as the XML of CompleteMultipartUpload
// (request and result), ListParts and GetObjectAttributes show it: one
// field set.
type checksumFields struct {
	CRC32     string `xml:"ChecksumCRC32,omitempty"`
	CRC32C    string `xml:"ChecksumCRC32C,omitempty"`
	SHA1      string `xml:"ChecksumSHA1,omitempty"`
	SHA256    string `xml:"ChecksumSHA256,omitempty"`
	CRC64NVME string `xml:"ChecksumCRC64NVME,omitempty"`
	SHA512    string `xml:"ChecksumSHA512,omitempty"`
	MD5       string `xml:"ChecksumMD5,omitempty"`
	XXHASH64  string `xml:"ChecksumXXHASH64,omitempty"`
	XXHASH3   string `xml:"ChecksumXXHASH3,omitempty"`
	XXHASH128 string `xml:"ChecksumXXHASH128,omitempty"`
}

// checksumField is one algorithm's field of a checksumFields.
type checksumField struct {
	alg gateway.ChecksumAlgorithm
	v   *string
}

// fields are the algorithms' fields, in the order AWS names them.
func (f *checksumFields) fields() []checksumField {
	return []checksumField{
		{gateway.ChecksumCRC32, &f.CRC32}, {gateway.ChecksumCRC32C, &f.CRC32C}, {gateway.ChecksumSHA1, &f.SHA1},
		{gateway.ChecksumSHA256, &f.SHA256}, {gateway.ChecksumCRC64NVME, &f.CRC64NVME}, {gateway.ChecksumSHA512, &f.SHA512},
		{gateway.ChecksumMD5, &f.MD5}, {gateway.ChecksumXXHASH64, &f.XXHASH64}, {gateway.ChecksumXXHASH3, &f.XXHASH3},
		{gateway.ChecksumXXHASH128, &f.XXHASH128},
	}
}

// set puts value in the field of alg.
func (f *checksumFields) set(alg gateway.ChecksumAlgorithm, value string) {
	for _, fl := range f.fields() {
		if fl.alg == alg {
			*fl.v = value
		}
	}
}

// checksum is a Complete part's one checksum (Algorithm none if none):
// several, or bad base64, are InvalidArgument.
func (f checksumFields) checksum() (gateway.Checksum, error) {
	var set []string
	var c gateway.Checksum
	for _, fl := range f.fields() {
		if *fl.v == "" {
			continue
		}
		set = append(set, algName(fl.alg)+":"+*fl.v+";")
		sum, err := base64.StdEncoding.DecodeString(*fl.v)
		if err != nil || len(sum) != fl.alg.Size() {
			return c, errInvalidPartChecksum(*fl.v)
		}
		c = gateway.Checksum{Algorithm: fl.alg, Value: sum}
	}
	if len(set) > 1 {
		return c, errInvalidPartChecksum(strings.Join(set, ""))
	}
	return c, nil
}

func errInvalidPartChecksum(value string) *apiError {
	e := errMsg("InvalidArgument", "Invalid Base64 or multiple checksums present in request")
	e.ArgumentName, e.ArgumentValue = "Checksum", value
	return e
}
