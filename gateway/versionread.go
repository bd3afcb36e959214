package gateway

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/cryptolayer"
)

// readBinding is the binding under which the object stored at upstream key
// up is opened: a noncurrent version under the version id its name
// claims, the current version of a key under the one its sealed metadata
// names (versions.go).
func (n *userNS) readBinding(bucket, key, up string) cryptolayer.Binding {
	b := n.binding(bucket, key)
	b.Version = cryptolayer.AnyVersion
	if _, vid, ok := splitVersionKey(up); ok && strings.HasPrefix(up, versionsRoot) {
		b.Version = vid
	}
	return b
}

// versionKey returns the upstream key of version vid of key ("": the
// current version): the key's own name if that version is current, else
// the noncurrent version's. Reading a version by its id costs a stat of the
// current version first.
func (n *userNS) versionKey(ctx context.Context, bucket, key, vid string) (string, error) {
	up, err := n.readKey(ctx, bucket, key)
	if err != nil || vid == "" {
		return up, err
	}
	if !wellFormedVersionID(vid) {
		return "", n.orNoBucket(ctx, bucket, ErrInvalidVersionID)
	}
	cur, err := n.currentVersion(ctx, bucket, key, up)
	if err != nil {
		return "", err
	}
	if cur.exists && cur.info.VersionID == vid {
		return up, nil
	}
	vk, _, err := n.findVersion(ctx, up, vid)
	if errors.Is(err, ErrNoSuchVersion) {
		return "", n.orNoBucket(ctx, bucket, err)
	}
	return vk, err
}

// noVersion turns "no such key" into "no such version" for a read that
// named a version.
func (n *userNS) noVersion(err error, vid string) error {
	if vid != "" && errors.Is(err, ErrNoSuchKey) {
		return fmt.Errorf("%w: %s", ErrNoSuchVersion, vid)
	}
	return err
}

// markerErr is the error of a read that found the delete marker stored at
// up (version st); named: the request named its version.
func (n *userNS) markerErr(ctx context.Context, bucket, key, up string, st backends.ObjectInfo, named bool) error {
	info, err := n.readMarker(ctx, bucket, key, up, st)
	if err != nil {
		return err
	}
	return &DeleteMarkerError{VersionID: info.VersionID, LastModified: info.LastModified, Named: named}
}

// storedName is the plaintext key of an upstream object of bucket: a
// current version (under the bucket's prefix) or a noncurrent one.
func (n *userNS) storedName(ctx context.Context, bucket string, o backends.ObjectInfo) (string, error) {
	up, _, ok := splitVersionKey(o.Key)
	if !ok {
		return n.nameOf(ctx, bucket, o, "", "")
	}
	name, err := n.nameOf(ctx, bucket, backends.ObjectInfo{Key: up}, "", "")
	if errors.Is(err, cryptolayer.ErrLongName) || err != nil {
		return n.longName(ctx, bucket, o)
	}
	return name, nil
}

// namedNull names the null version of an object written while versioning
// was off when a read asked for a version: S3 then answers "null".
func namedNull(info *ObjectInfo, asked string) {
	if asked != "" && info.VersionID == "" {
		info.VersionID = NullVersion
	}
}
