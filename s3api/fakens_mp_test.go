package s3api

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"io"
	"sort"
	"time"

	"github.com/sealgate/sealgate/gateway"
)

// Multipart half of fakeNS.

func (f *fakeNS) CreateMultipartUpload(_ context.Context, bucket, key string, opts gateway.PutOptions) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.bucket(bucket); err != nil {
		return "", err
	}
	f.nextID++
	id := fmt.Sprintf("upload-%d", f.nextID)
	f.uploads[id] = &fakeUpload{bucket: bucket, key: key, opts: opts, created: f.stamp(), parts: map[int]*fakeObject{}}
	return id, nil
}

func (f *fakeNS) upload(bucket, key, id string) (*fakeUpload, error) {
	u, ok := f.uploads[id]
	if !ok || u.bucket != bucket || u.key != key {
		return nil, gateway.ErrNoSuchUpload
	}
	return u, nil
}

func (f *fakeNS) UploadPart(_ context.Context, bucket, key, id string, part int, body io.Reader, size int64) (string, error) {
	data, err := readBody(body, size)
	if err != nil {
		return "", err
	}
	return f.addPart(bucket, key, id, part, data)
}

func (f *fakeNS) addPart(bucket, key, id string, part int, data []byte) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(bucket, key, id)
	if err != nil {
		return "", err
	}
	sum := md5.Sum(data)
	etag := hex.EncodeToString(sum[:])
	u.parts[part] = &fakeObject{data: data, info: gateway.ObjectInfo{Size: int64(len(data)), ETag: etag, LastModified: f.stamp()}}
	return etag, nil
}

func (f *fakeNS) UploadPartCopy(ctx context.Context, bucket, key, id string, part int, sb, sk string, src gateway.GetOptions, _ *[32]byte) (gateway.PartInfo, error) {
	or, err := f.GetObject(ctx, sb, sk, src)
	if err != nil {
		if err == gateway.ErrNotModified {
			err = gateway.ErrPreconditionFailed
		}
		return gateway.PartInfo{}, err
	}
	if src.Range != nil && src.Range.End >= or.Info.Size { // not cut at the end, as the gateway
		return gateway.PartInfo{}, gateway.ErrInvalidRange
	}
	data, _ := io.ReadAll(or.Body)
	etag, err := f.addPart(bucket, key, id, part, data)
	return gateway.PartInfo{Number: part, Size: int64(len(data)), ETag: etag, LastModified: f.stamp()}, err
}

func (f *fakeNS) CompleteMultipartUpload(_ context.Context, bucket, key, id string, parts []gateway.CompletedPart, opts gateway.PutOptions) (gateway.ObjectInfo, error) {
	f.mu.Lock()
	if info, ok := f.done[id]; ok {
		f.mu.Unlock()
		return info, nil
	}
	u, err := f.upload(bucket, key, id)
	if err != nil {
		f.mu.Unlock()
		return gateway.ObjectInfo{}, err
	}
	data, etag, err := f.assemble(u, parts)
	f.mu.Unlock()
	if err != nil {
		return gateway.ObjectInfo{}, err
	}
	info := gateway.ObjectInfo{Key: key, Size: int64(len(data)), ETag: etag, Meta: u.opts.Meta}
	info, err = f.commit(bucket, key, data, info, opts.IfNoneMatch, opts.IfMatch)
	if err == nil {
		f.mu.Lock()
		delete(f.uploads, id)
		f.done[id] = info
		f.mu.Unlock()
	}
	return info, err
}

func (f *fakeNS) assemble(u *fakeUpload, parts []gateway.CompletedPart) ([]byte, string, error) {
	var data bytes.Buffer
	var sums []byte
	for i := 1; i < len(parts); i++ {
		if parts[i].Number <= parts[i-1].Number {
			return nil, "", gateway.ErrInvalidPartOrder
		}
	}
	for i, p := range parts {
		got, ok := u.parts[p.Number]
		if !ok || got.info.ETag != p.ETag {
			return nil, "", gateway.ErrInvalidPart
		}
		if i < len(parts)-1 && got.info.Size < f.minPart {
			return nil, "", gateway.ErrEntityTooSmall
		}
		data.Write(got.data)
		raw, _ := hex.DecodeString(got.info.ETag)
		sums = append(sums, raw...)
	}
	sum := md5.Sum(sums)
	return data.Bytes(), fmt.Sprintf("%s-%d", hex.EncodeToString(sum[:]), len(parts)), nil
}

func (f *fakeNS) AbortMultipartUpload(_ context.Context, bucket, key, id string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.upload(bucket, key, id); err != nil {
		return err
	}
	delete(f.uploads, id)
	return nil
}

func (f *fakeNS) AbortMultipartUploadIf(ctx context.Context, bucket, key, id string, _ time.Time) error {
	return f.AbortMultipartUpload(ctx, bucket, key, id) // (conditions are the real gateway's: TestAbortIfInitiated)
}

func (f *fakeNS) ListParts(_ context.Context, bucket, key, id string, marker, limit int) (gateway.PartsPage, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	u, err := f.upload(bucket, key, id)
	if err != nil {
		return gateway.PartsPage{}, err
	}
	var nums []int
	for n := range u.parts {
		if n > marker {
			nums = append(nums, n)
		}
	}
	sort.Ints(nums)
	if limit <= 0 {
		limit = 1000
	}
	truncated := len(nums) > limit
	if truncated {
		nums = nums[:limit]
	}
	out := make([]gateway.PartInfo, len(nums))
	for i, n := range nums {
		p := u.parts[n].info
		out[i] = gateway.PartInfo{Number: n, Size: p.Size, ETag: p.ETag, LastModified: p.LastModified}
	}
	return gateway.PartsPage{Upload: gateway.UploadInfo{Key: key, UploadID: id, Initiated: u.created}, Parts: out, Truncated: truncated}, nil
}

func (f *fakeNS) ListMultipartUploads(_ context.Context, bucket, prefix, keyMarker, idMarker string, limit int) ([]gateway.UploadInfo, bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, err := f.bucket(bucket); err != nil {
		return nil, false, err
	}
	var out []gateway.UploadInfo
	for id, u := range f.uploads {
		if u.bucket == bucket && len(u.key) >= len(prefix) && u.key[:len(prefix)] == prefix &&
			(u.key > keyMarker || (u.key == keyMarker && id > idMarker)) {
			out = append(out, gateway.UploadInfo{Key: u.key, UploadID: id, Initiated: u.created})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].UploadID < out[j].UploadID
	})
	if limit <= 0 {
		limit = 1000
	}
	if len(out) > limit {
		return out[:limit], true, nil
	}
	return out, false, nil
}

var _ gateway.Namespace = (*fakeNS)(nil)

// GetProps and SetProps: the S3 door never uses properties.
func (f *fakeNS) GetProps(context.Context, string, string) ([]byte, error) { return nil, nil }
func (f *fakeNS) SetProps(context.Context, string, string, []byte) error   { return nil }

// GetShared and PutShared: the S3 door keeps no shared records.
func (f *fakeNS) GetShared(context.Context, string) ([]byte, string, error) { return nil, "", nil }
func (f *fakeNS) PutShared(context.Context, string, []byte, string) (string, error) {
	return "", gateway.ErrPreconditionFailed
}

// Usage: no quota.
func (f *fakeNS) Usage(context.Context) (gateway.Usage, error) { return gateway.Usage{}, nil }

// HeadFolder: the S3 door never asks for folders.
func (f *fakeNS) HeadFolder(context.Context, string, string) (gateway.FolderInfo, error) {
	return gateway.FolderInfo{}, gateway.ErrNoSuchKey
}

func (f *fakeNS) UploadPartChecked(ctx context.Context, bucket, key, id string, part int, body io.Reader, size int64, _ gateway.PartOptions) (gateway.PartInfo, error) {
	etag, err := f.UploadPart(ctx, bucket, key, id, part, body, size)
	return gateway.PartInfo{Number: part, ETag: etag}, err
}
