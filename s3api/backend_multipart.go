package s3api

import (
	"io"

	"github.com/johannesboyne/gofakes3"
)

// The gofakes3.MultipartBackend half of the adapter. CreateMultipartUpload
// and UploadPart are served by s3api itself (streaming, with the request
// context). Implementing the interface keeps gofakes3 from ever buffering
// parts in memory.

// CreateMultipartUpload is unreachable: route serves every POST ?uploads on
// an object and refuses it on a bucket.
func (b *backend) CreateMultipartUpload(string, string, map[string]string) (gofakes3.UploadID, error) {
	return "", gofakes3.ErrNotImplemented
}

// UploadPart is reached only by a PUT on a bucket (no key) with ?uploadId,
// which route takes for CreateBucket and gofakes3 for an UploadPart with an
// empty key; the gateway then refuses it.
func (b *backend) UploadPart(bucket, key string, id gofakes3.UploadID, part int, size int64, in io.Reader) (string, error) {
	etag, err := b.ns().UploadPart(bg(), bucket, key, string(id), part, in, size)
	return quoteETag(etag), b.fakesErr(err)
}

func (b *backend) ListMultipartUploads(bucket string, marker *gofakes3.UploadListMarker, prefix gofakes3.Prefix, limit int64) (*gofakes3.ListMultipartUploadsResult, error) {
	var keyMarker, idMarker string
	if marker != nil {
		keyMarker, idMarker = marker.Object, string(marker.UploadID)
	}
	ups, truncated, err := b.ns().ListMultipartUploads(bg(), bucket, prefix.Prefix, keyMarker, idMarker, int(limit))
	if err != nil {
		return nil, b.fakesErr(err)
	}
	out := &gofakes3.ListMultipartUploadsResult{
		Bucket: bucket, KeyMarker: keyMarker, UploadIDMarker: gofakes3.UploadID(idMarker),
		MaxUploads: limit, Prefix: prefix.Prefix, IsTruncated: truncated,
	}
	o := ownerOf(b.user)
	ui := &gofakes3.UserInfo{ID: o.ID, DisplayName: o.DisplayName}
	for _, u := range ups {
		out.Uploads = append(out.Uploads, gofakes3.ListMultipartUploadItem{
			Key: u.Key, UploadID: gofakes3.UploadID(u.UploadID), Initiator: ui, Owner: ui,
			StorageClass: "STANDARD", Initiated: gofakes3.NewContentTime(u.Initiated),
		})
	}
	if truncated && len(ups) > 0 {
		last := ups[len(ups)-1]
		out.NextKeyMarker, out.NextUploadIDMarker = last.Key, gofakes3.UploadID(last.UploadID)
	}
	return out, nil
}

func (b *backend) ListParts(bucket, key string, id gofakes3.UploadID, marker int, limit int64) (*gofakes3.ListMultipartUploadPartsResult, error) {
	parts, truncated, err := b.ns().ListParts(bg(), bucket, key, string(id), marker, int(limit))
	if err != nil {
		return nil, b.fakesErr(err)
	}
	o := ownerOf(b.user)
	ui := &gofakes3.UserInfo{ID: o.ID, DisplayName: o.DisplayName}
	out := &gofakes3.ListMultipartUploadPartsResult{
		Bucket: bucket, Key: key, UploadID: id, StorageClass: "STANDARD", Initiator: ui, Owner: ui,
		PartNumberMarker: marker, MaxParts: limit, IsTruncated: truncated,
	}
	for _, p := range parts {
		out.Parts = append(out.Parts, gofakes3.ListMultipartUploadPartItem{
			PartNumber: p.Number, LastModified: gofakes3.NewContentTime(p.LastModified),
			ETag: quoteETag(p.ETag), Size: p.Size,
		})
	}
	if len(parts) > 0 {
		out.NextPartNumberMarker = parts[len(parts)-1].Number
	}
	return out, nil
}

func (b *backend) AbortMultipartUpload(bucket, key string, id gofakes3.UploadID) error {
	return b.fakesErr(b.ns().AbortMultipartUpload(bg(), bucket, key, string(id)))
}

// CompleteMultipartUpload is unreachable: route serves it (complete.go).
// It only completes gofakes3.MultipartBackend, and refuses rather than act
// if a routing change ever let a request through.
func (b *backend) CompleteMultipartUpload(string, string, gofakes3.UploadID, *gofakes3.CompleteMultipartUploadRequest) (gofakes3.VersionID, string, error) {
	return "", "", gofakes3.ErrNotImplemented
}
