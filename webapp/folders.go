package webapp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/sealgate/sealgate/gateway"
)

// folderRequest is the body of POST /api/folder.
type folderRequest struct {
	Bucket string `json:"bucket"`
	Prefix string `json:"prefix"`
}

// createFolder makes an empty folder (its marker object "prefix/"); 409 if
// a folder of that name exists.
func createFolder(w http.ResponseWriter, r *http.Request, s *session) error {
	var in folderRequest
	if err := decodeJSON(r, maxSmallBody, &in); err != nil {
		return err
	}
	if err := checkFolder(in.Bucket, in.Prefix); err != nil || in.Prefix == "" {
		return badRequest("bucket and a folder prefix ending with / are required")
	}
	ctx, ns := r.Context(), s.user.NS
	if err := absentFolder(ctx, ns, in.Bucket, in.Prefix); err != nil {
		return err
	}
	_, err := ns.PutObject(ctx, in.Bucket, in.Prefix, bytes.NewReader(nil), 0, gateway.PutOptions{IfNoneMatch: "*"})
	if errors.Is(err, gateway.ErrPreconditionFailed) {
		return errExists
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, folderJSON{Name: lastSegment(in.Prefix), Prefix: in.Prefix})
	return nil
}

// absentFolder is nil if no folder prefix exists in bucket, errExists if
// one does.
func absentFolder(ctx context.Context, ns gateway.Namespace, bucket, prefix string) error {
	_, err := ns.HeadFolder(ctx, bucket, prefix)
	switch {
	case err == nil:
		return errExists
	case errors.Is(err, gateway.ErrNoSuchKey):
		return nil
	}
	return err
}

// deleteFolder removes a folder and everything under it:
// DELETE /api/folder?bucket=&prefix=, a page of up to 1000 files at a
// time. It answers how many objects it deleted.
func deleteFolder(w http.ResponseWriter, r *http.Request, s *session) error {
	q := r.URL.Query()
	bucket, prefix := q.Get("bucket"), q.Get("prefix")
	if err := checkFolder(bucket, prefix); err != nil || prefix == "" {
		return badRequest("bucket and a folder prefix ending with / are required")
	}
	ctx, ns := r.Context(), s.user.NS
	n, err := eachPage(ctx, ns, bucket, prefix, func(keys []string) error { return deleteKeys(ctx, ns, bucket, keys) })
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
	return nil
}

// deleteBucket removes a bucket with the files in it: DELETE
// /api/buckets?name=, answering how many files it deleted. The files of a
// bucket that never had versioning are deleted first, a page at a time.
// A bucket that has had versioning (Object Lock included) keeps its
// versions, the history backup software relies on: it is deleted only if
// it holds none, else errKeepsVersions and nothing changes. A file
// written through another door meanwhile makes it ErrBucketNotEmpty.
func deleteBucket(w http.ResponseWriter, r *http.Request, s *session) error {
	bucket := r.URL.Query().Get("name")
	ctx, ns := r.Context(), s.user.NS
	v, err := ns.GetBucketVersioning(ctx, bucket)
	if err != nil {
		return err
	}
	n := 0
	if v == gateway.VersioningOff {
		n, err = eachPage(ctx, ns, bucket, "", func(keys []string) error { return deleteKeys(ctx, ns, bucket, keys) })
		if err != nil {
			return err
		}
	}
	err = ns.DeleteBucket(ctx, bucket)
	if errors.Is(err, gateway.ErrBucketNotEmpty) && v != gateway.VersioningOff {
		return errKeepsVersions
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]int{"deleted": n})
	return nil
}

// deleteKeys deletes keys (at most 1000) and returns the first failure.
func deleteKeys(ctx context.Context, ns gateway.Namespace, bucket string, keys []string) error {
	objs := make([]gateway.ObjectVersion, len(keys))
	for i, k := range keys {
		objs[i] = gateway.ObjectVersion{Key: k}
	}
	for _, res := range ns.DeleteObjects(ctx, bucket, objs, gateway.DeleteOptions{}) {
		if res.Err != nil {
			return res.Err
		}
	}
	return nil
}

// eachPage calls fn with the keys under prefix (at any depth), a page of
// the gateway's listing at a time, and returns how many it passed.
func eachPage(ctx context.Context, ns gateway.Namespace, bucket, prefix string, fn func([]string) error) (int, error) {
	q := gateway.ListQuery{Prefix: prefix, MaxKeys: listPage}
	n := 0
	for {
		res, err := ns.ListObjects(ctx, bucket, q)
		if err != nil {
			return n, err
		}
		keys := make([]string, 0, len(res.Objects))
		for _, o := range res.Objects {
			keys = append(keys, o.Key)
		}
		if len(keys) > 0 {
			if err := fn(keys); err != nil {
				return n, err
			}
		}
		n += len(keys)
		if !res.IsTruncated {
			return n, nil
		}
		q.Marker, q.Snapshot = res.NextMarker, res.Snapshot
	}
}

// renameRequest is the body of POST /api/rename: both files or both
// folders (ending with "/"), from a key of Bucket to a key of ToBucket
// ("" or absent: the same bucket).
type renameRequest struct {
	Bucket   string `json:"bucket"`
	From     string `json:"from"`
	ToBucket string `json:"to_bucket"`
	To       string `json:"to"`
}

func (in renameRequest) check() error {
	same := in.ToBucket == in.Bucket
	switch {
	case in.Bucket == "" || in.From == "" || in.To == "":
		return badRequest("bucket, from and to are required")
	case same && in.From == in.To:
		return badRequest("the new name is the old one")
	case strings.HasSuffix(in.From, "/") != strings.HasSuffix(in.To, "/"):
		return badRequest("a file renames to a file, a folder to a folder")
	case same && strings.HasSuffix(in.From, "/") && strings.HasPrefix(in.To, in.From):
		return badRequest("a folder cannot move into itself")
	}
	return nil
}

// move is a rename's source and target.
type move struct {
	fromBucket, from, toBucket, to string
}

// rename moves a file or a folder, within a bucket or to another: a copy
// of each object (with its WebDAV properties), then the deletion of the
// originals. An existing target is 409 and nothing changes.
func rename(w http.ResponseWriter, r *http.Request, s *session) error {
	var in renameRequest
	if err := decodeJSON(r, maxSmallBody, &in); err != nil {
		return err
	}
	if in.ToBucket == "" {
		in.ToBucket = in.Bucket
	}
	if err := in.check(); err != nil {
		return err
	}
	ctx, ns := r.Context(), s.user.NS
	m := move{fromBucket: in.Bucket, from: in.From, toBucket: in.ToBucket, to: in.To}
	var err error
	if strings.HasSuffix(in.From, "/") {
		err = m.folder(ctx, ns)
	} else {
		err = m.file(ctx, ns)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]string{"bucket": in.ToBucket, "key": in.To})
	return nil
}

func (m move) file(ctx context.Context, ns gateway.Namespace) error {
	if err := m.copyOne(ctx, ns, m.from, m.to); err != nil {
		return err
	}
	return ns.DeleteObject(ctx, m.fromBucket, m.from)
}

// copyOne copies from (of the source bucket) to a new key to (of the
// target bucket), with its properties; an existing to is errExists.
func (m move) copyOne(ctx context.Context, ns gateway.Namespace, from, to string) error {
	_, err := ns.CopyObject(ctx, m.fromBucket, from, m.toBucket, to, gateway.CopyOptions{IfNoneMatch: "*"})
	if errors.Is(err, gateway.ErrPreconditionFailed) {
		return errExists
	}
	if err != nil {
		return err
	}
	props, err := ns.GetProps(ctx, m.fromBucket, from)
	if err != nil || len(props) == 0 {
		return err
	}
	return ns.SetProps(ctx, m.toBucket, to, props)
}

// folder copies every object under from to the same place under to,
// then deletes the originals. If a copy fails, the copies made are
// removed again and the folder stays where it was. It is not atomic: while
// it runs, both folders can be seen.
func (m move) folder(ctx context.Context, ns gateway.Namespace) error {
	if err := absentFolder(ctx, ns, m.toBucket, m.to); err != nil {
		return err
	}
	var copied []string
	n, err := eachPage(ctx, ns, m.fromBucket, m.from, func(keys []string) error {
		for _, k := range keys {
			if err := m.copyOne(ctx, ns, k, m.to+k[len(m.from):]); err != nil {
				return err
			}
			copied = append(copied, k)
		}
		return nil
	})
	if err == nil && n == 0 {
		err = gateway.ErrNoSuchKey
	}
	if err != nil {
		undo := make([]string, len(copied))
		for i, k := range copied {
			undo[i] = m.to + k[len(m.from):]
		}
		_ = deleteBatches(context.WithoutCancel(ctx), ns, m.toBucket, undo)
		return err
	}
	return deleteBatches(ctx, ns, m.fromBucket, copied)
}

// deleteBatches deletes keys, 1000 at a time.
func deleteBatches(ctx context.Context, ns gateway.Namespace, bucket string, keys []string) error {
	for len(keys) > 0 {
		k := min(len(keys), listPage)
		if err := deleteKeys(ctx, ns, bucket, keys[:k]); err != nil {
			return err
		}
		keys = keys[k:]
	}
	return nil
}

// lastSegment is the last name of a key or prefix.
func lastSegment(k string) string {
	k = strings.TrimSuffix(k, "/")
	return k[strings.LastIndex(k, "/")+1:]
}
