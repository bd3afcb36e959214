package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// Tags (S3 object and bucket tagging), sealed like everything else:
//
//   - A version's tags are a sealed record at
//     .sealgate/tags/<upstream key>/<version id> (user key "tagging",
//     context "tags\x00<bucket>\x00<key>\x00<version id>\x00<mtime>"; the
//     plaintext is the tag set in URL query form, keys sorted). The
//     version's modification time in the context binds the record to one
//     write: the null version, rewritten in place, never shows the tags of
//     the one it replaced. A write with tags stores them before the
//     version commits, and marks the version's sealed metadata with their
//     count, which GET and HEAD report (x-amz-tagging-count) without
//     reading the record; tags set later by PutObjectTagging are not
//     counted there.
//   - A bucket's tags are a shared record ("bucket tags\x00<bucket>") of
//     the bucket's creation time (8 bytes) and the tag set: a bucket
//     deleted and created again has none.

// Tags is a tag set: key to value.
type Tags map[string]string

// Limits of S3 tag sets.
const (
	MaxObjectTags   = 10
	MaxBucketTags   = 50
	maxTagKeyRunes  = 128
	maxTagValRunes  = 256
	metaTagCount    = "sg:tags" // the count of the tags written with a version
	tagsRoot        = ".sealgate/tags/"
	bucketTagsShare = "bucket tags\x00"
)

// ErrInvalidTag: a tag set S3 refuses (too many, too long, reserved).
// ErrNoSuchTagSet: a bucket without tags.
var (
	ErrInvalidTag   = errors.New("gateway: invalid tag")
	ErrNoSuchTagSet = errors.New("gateway: no tag set")
)

// CheckTags validates a tag set of at most limit tags.
func CheckTags(t Tags, limit int) error {
	if len(t) > limit {
		return fmt.Errorf("%w: more than %d tags", ErrInvalidTag, limit)
	}
	for k, v := range t {
		switch {
		case k == "" || utf8.RuneCountInString(k) > maxTagKeyRunes || !utf8.ValidString(k):
			return fmt.Errorf("%w: tag key %q", ErrInvalidTag, k)
		case utf8.RuneCountInString(v) > maxTagValRunes || !utf8.ValidString(v):
			return fmt.Errorf("%w: value of tag %q", ErrInvalidTag, k)
		case strings.HasPrefix(strings.ToLower(k), "aws:"):
			return fmt.Errorf("%w: the aws: prefix is reserved", ErrInvalidTag)
		}
	}
	return nil
}

// encode is the canonical form of a tag set (URL query, keys sorted).
func (t Tags) encode() string {
	v := url.Values{}
	for k, val := range t {
		v.Set(k, val)
	}
	return v.Encode()
}

func decodeTags(s string) (Tags, error) {
	v, err := url.ParseQuery(s)
	if err != nil {
		return nil, err
	}
	t := Tags{}
	for k := range v {
		t[k] = v.Get(k)
	}
	return t, nil
}

func tagsKey(up, vid string) string { return tagsRoot + up + "/" + vid }

func tagsContext(bucket, key, vid string, info ObjectInfo) string {
	return "tags\x00" + bucket + "\x00" + key + "\x00" + vid + "\x00" + strconv.FormatInt(info.LastModified.UnixNano(), 10)
}

// versionName of a version for its tag record ("null" for both null kinds).
func tagVersion(info ObjectInfo) string {
	if info.VersionID == "" {
		return NullVersion
	}
	return info.VersionID
}

// writeTags stores the tags of the version info of key (at up).
func (n *userNS) writeTags(ctx context.Context, bucket, key, up string, info ObjectInfo, t Tags) error {
	vid := tagVersion(info)
	rec := cryptolayer.SealRecord(n.user.DeriveUserKey("tagging"), tagsContext(bucket, key, vid, info), []byte(t.encode()))
	_, err := n.svc.store.Put(ctx, tagsKey(up, vid), bytes.NewReader(rec), int64(len(rec)), backends.PutOptions{})
	return upstreamErr(err, ErrNoSuchKey)
}

// readTags reads the tags of the version info of key; none if its record
// is absent or belongs to another write of the null version.
func (n *userNS) readTags(ctx context.Context, bucket, key, up string, info ObjectInfo) (Tags, error) {
	vid := tagVersion(info)
	rc, _, err := n.svc.store.Get(ctx, tagsKey(up, vid), 0, -1)
	if isNotExist(err) {
		return Tags{}, nil
	}
	if err != nil {
		return nil, upstreamErr(err, ErrNoSuchKey)
	}
	defer func() { _ = rc.Close() }()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(io.LimitReader(rc, 64<<10)); err != nil {
		return nil, upstreamErr(err, ErrNoSuchKey)
	}
	pt, err := cryptolayer.OpenRecord(n.user.DeriveUserKey("tagging"), tagsContext(bucket, key, vid, info), buf.Bytes())
	if err != nil {
		return Tags{}, nil // another write's tags (or a record made up: then none either)
	}
	return decodeTags(string(pt))
}

// taggedVersion resolves the version a tagging request names ("": the
// current one); a delete marker has no tags (ErrMethodNotAllowed).
func (n *userNS) taggedVersion(ctx context.Context, bucket, key, vid string) (string, ObjectInfo, error) {
	info, err := n.HeadObject(ctx, bucket, key, GetOptions{VersionID: vid})
	var dm *DeleteMarkerError
	if errors.As(err, &dm) {
		return "", info, fmt.Errorf("%w: a delete marker has no tags", ErrMethodNotAllowed)
	}
	if err != nil {
		return "", info, err
	}
	up, err := n.objectKey(bucket, key)
	return up, info, err
}

// GetObjectTagging implements Namespace.
func (n *userNS) GetObjectTagging(ctx context.Context, bucket, key, vid string) (Tags, string, error) {
	up, info, err := n.taggedVersion(ctx, bucket, key, vid)
	if err != nil {
		return nil, "", err
	}
	t, err := n.readTags(ctx, bucket, key, up, info)
	return t, info.VersionID, err
}

// PutObjectTagging implements Namespace.
func (n *userNS) PutObjectTagging(ctx context.Context, bucket, key, vid string, t Tags) (string, error) {
	if err := CheckTags(t, MaxObjectTags); err != nil {
		return "", err
	}
	up, info, err := n.taggedVersion(ctx, bucket, key, vid)
	if err != nil {
		return "", err
	}
	return info.VersionID, n.writeTags(ctx, bucket, key, up, info, t)
}

// DeleteObjectTagging implements Namespace.
func (n *userNS) DeleteObjectTagging(ctx context.Context, bucket, key, vid string) (string, error) {
	up, info, err := n.taggedVersion(ctx, bucket, key, vid)
	if err != nil {
		return "", err
	}
	err = n.svc.store.Delete(ctx, tagsKey(up, tagVersion(info)))
	if isNotExist(err) {
		err = nil
	}
	return info.VersionID, upstreamErr(err, ErrNoSuchKey)
}

// GetBucketTagging implements Namespace.
func (n *userNS) GetBucketTagging(ctx context.Context, bucket string) (Tags, error) {
	data, err := n.getBucketShared(ctx, bucket, bucketTagsShare)
	if err != nil {
		return nil, err
	}
	if data == nil {
		return nil, fmt.Errorf("%w: %s", ErrNoSuchTagSet, bucket)
	}
	return decodeTags(string(data))
}

// PutBucketTagging implements Namespace: an empty set removes the tags.
func (n *userNS) PutBucketTagging(ctx context.Context, bucket string, t Tags) error {
	if err := CheckTags(t, MaxBucketTags); err != nil {
		return err
	}
	var value []byte
	if len(t) > 0 {
		value = []byte(t.encode())
	}
	return n.putBucketShared(ctx, bucket, bucketTagsShare, value)
}

// tagNewVersion stores the tags of the version about to commit (before
// it commits) and counts them in its sealed metadata sm; re-encryption
// keeps the count.
func (n *userNS) tagNewVersion(ctx context.Context, bucket, key, up, vid string, now time.Time, t Tags, sm cryptolayer.Metadata, so sealOptions) error {
	count := so.tagCount
	if so.keepVersion == nil && len(t) > 0 {
		if err := CheckTags(t, MaxObjectTags); err != nil {
			return err
		}
		if err := n.writeTags(ctx, bucket, key, up, ObjectInfo{VersionID: vid, LastModified: now}, t); err != nil {
			return err
		}
		count = len(t)
	}
	if count > 0 {
		sm[metaTagCount] = strconv.Itoa(count)
	}
	return nil
}

// dropTags removes the tag record of a deleted version (best effort).
func (n *userNS) dropTags(ctx context.Context, up, vid string) {
	_ = n.svc.store.Delete(context.WithoutCancel(ctx), tagsKey(up, vid))
}

// copiedTags are the tags of a copy: the source version's, or the ones
// the copy asks for.
func (n *userNS) copiedTags(ctx context.Context, bucket, key string, src ObjectInfo, opts CopyOptions) (Tags, error) {
	if opts.ReplaceTags {
		return opts.Tags, nil
	}
	up, err := n.objectKey(bucket, key)
	if err != nil {
		return nil, err
	}
	return n.readTags(ctx, bucket, key, up, src)
}
