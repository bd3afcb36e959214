package gateway

import (
	"strconv"
	"strings"
	"time"

	"github.com/sealgate/sealgate/cryptolayer"
)

// Names the gateway keeps in an object's sealed metadata besides the
// door-visible Meta entries.
const (
	metaMTime   = "sg:mtime" // last modified, unix nanoseconds
	metaFullKey = "sg:key"   // the full key, when a segment is in the long form
	// metaNullVersion marks the null version written while versioning was
	// suspended: unlike one written while it was off, S3 names its version.
	metaNullVersion = "sg:null"
	// metaLockable marks a version written in a bucket with Object Lock.
	metaLockable = "sg:lock"
	// metaCustomerKey is base64(MD5(customer key)) of an SSE-C object.
	metaCustomerKey = "sg:ssec"
	// metaChecksum is a client checksum END cannot hold (SHA512, MD5,
	// XXHASH*): see checksumMeta.
	metaChecksum = "sg:cksum"
)

// MaxUserMetaBytes is S3's limit on user metadata (names and values of
// x-amz-meta-*).
const MaxUserMetaBytes = 2048

// doorMetaNames are the Meta entries besides x-amz-meta-* that are kept.
var doorMetaNames = map[string]bool{
	"content-type": true, "content-encoding": true, "content-disposition": true,
	"content-language": true, "cache-control": true, "expires": true,
	"x-amz-website-redirect-location": true,
}

// sealMeta builds the sealed metadata of a new version.
func sealMeta(m Meta, key string, long bool, now time.Time) (cryptolayer.Metadata, error) {
	out := cryptolayer.Metadata{metaMTime: strconv.FormatInt(now.UnixNano(), 10)}
	user := 0
	for k, v := range m {
		lk := strings.ToLower(k)
		switch {
		case strings.HasPrefix(lk, "x-amz-meta-"):
			user += len(lk) - len("x-amz-meta-") + len(v)
		case !doorMetaNames[lk]:
			continue
		}
		out[lk] = v
	}
	if user > MaxUserMetaBytes {
		return nil, ErrMetadataTooLarge
	}
	if long {
		out[metaFullKey] = key
	}
	return out, nil
}

// infoFrom turns an opened object's sealed metadata into an ObjectInfo.
func infoFrom(key string, o *cryptolayer.Object) ObjectInfo {
	m := Meta{}
	var mtime time.Time
	for k, v := range o.Meta {
		switch {
		case k == metaMTime:
			if ns, err := strconv.ParseInt(v, 10, 64); err == nil {
				mtime = time.Unix(0, ns).UTC()
			}
		case strings.HasPrefix(k, "sg:"):
		default:
			m[k] = v
		}
	}
	vid := o.Version()
	if vid == cryptolayer.NullVersion && o.Meta[metaNullVersion] == "" {
		vid = ""
	}
	tags, _ := strconv.Atoi(o.Meta[metaTagCount])
	info := ObjectInfo{Key: key, Size: o.Size, ETag: o.ETag(), LastModified: mtime, Meta: m, Checksum: o.Checksum(), VersionID: vid,
		lockable: o.Meta[metaLockable] != "", TagCount: tags, CustomerKeyMD5: o.Meta[metaCustomerKey], PartsCount: o.ETagParts()}
	if c, ok := parseChecksumMeta(o.Meta[metaChecksum]); ok && info.Checksum.Algorithm == cryptolayer.ChecksumNone {
		info.Checksum = c
	}
	info.partMeta = partMetaOf(o.Meta)
	return info
}

// partMetaOf is the part layout kept in sealed metadata (partread.go), nil
// if there is none.
func partMetaOf(sm map[string]string) map[string]string {
	var pm map[string]string
	for _, k := range []string{metaPartSize, metaPartSizes} {
		if v, ok := sm[k]; ok {
			if pm == nil {
				pm = map[string]string{}
			}
			pm[k] = v
		}
	}
	return pm
}
