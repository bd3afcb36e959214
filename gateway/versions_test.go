package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/backends/mem"
)

// versioned returns alice's namespace with bucket "bkt" versioned, and its
// fixture.
func versioned(t *testing.T) (*userNS, *fixture) {
	t.Helper()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	if err := n.PutBucketVersioning(context.Background(), "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	return n, f
}

// versionsOf lists every version of the bucket as "key@id" (with "*" for
// a delete marker and "!" for the latest), paging by pageSize.
func versionsOf(t *testing.T, n *userNS, q VersionQuery) []string {
	t.Helper()
	var out []string
	for {
		l, err := n.ListObjectVersions(context.Background(), "bkt", q)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range l.Versions {
			s := v.Key + "@" + v.VersionID
			if v.DeleteMarker {
				s += "*"
			}
			if v.IsLatest {
				s += "!"
			}
			out = append(out, s)
		}
		out = append(out, l.CommonPrefixes...)
		if !l.IsTruncated {
			return out
		}
		if l.NextKeyMarker == q.KeyMarker && l.NextVersionIDMarker == q.VersionIDMarker {
			t.Fatalf("paging does not advance at %q %q", q.KeyMarker, q.VersionIDMarker)
		}
		q.KeyMarker, q.VersionIDMarker = l.NextKeyMarker, l.NextVersionIDMarker
	}
}

func getVersion(t *testing.T, n *userNS, key, vid string) (string, error) {
	t.Helper()
	r, err := n.GetObject(context.Background(), "bkt", key, GetOptions{VersionID: vid})
	if err != nil {
		return "", err
	}
	defer func() { _ = r.Body.Close() }()
	b, err := io.ReadAll(r.Body)
	return string(b), err
}

func TestVersionsKeepEveryWrite(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	v2 := put(t, n, "bkt", "k", []byte("two"), nil)
	if v1.VersionID == "" || v1.VersionID == v2.VersionID || !validVersionID(v1.VersionID) {
		t.Fatalf("version ids %q %q", v1.VersionID, v2.VersionID)
	}
	for _, c := range []struct{ vid, want string }{{"", "two"}, {v2.VersionID, "two"}, {v1.VersionID, "one"}} {
		if got, err := getVersion(t, n, "k", c.vid); err != nil || got != c.want {
			t.Fatalf("version %q: %q %v", c.vid, got, err)
		}
	}
	info, err := n.HeadObject(ctx, "bkt", "k", GetOptions{VersionID: v1.VersionID})
	if err != nil || info.VersionID != v1.VersionID || info.Size != 3 {
		t.Fatalf("head v1: %+v %v", info, err)
	}
	want := []string{"k@" + v2.VersionID + "!", "k@" + v1.VersionID}
	if got := versionsOf(t, n, VersionQuery{}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	for _, missing := range []string{strings.Repeat("0", 32), "01G65Z755AFWAKHE12NY0CQ9FH"} { // ours; a ULID, as peers make
		if _, err := getVersion(t, n, "k", missing); !errors.Is(err, ErrNoSuchVersion) {
			t.Fatalf("missing version %s: %v", missing, err)
		}
	}
	if _, err := getVersion(t, n, "k", "not-a-version"); !errors.Is(err, ErrInvalidVersionID) {
		t.Fatalf("malformed version: %v", err)
	}
}

func TestDeleteMarkers(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	put(t, n, "bkt", "other", []byte("x"), nil)
	res, err := n.DeleteVersion(ctx, "bkt", "k", "", DeleteOptions{})
	if err != nil || !res.DeleteMarker || !validVersionID(res.DeleteMarkerVersionID) {
		t.Fatalf("delete: %+v %v", res, err)
	}
	var dm *DeleteMarkerError
	if _, err := getVersion(t, n, "k", ""); !errors.Is(err, ErrNoSuchKey) || !errors.As(err, &dm) || dm.VersionID != res.DeleteMarkerVersionID {
		t.Fatalf("get deleted: %v", err)
	}
	if _, err := n.HeadObject(ctx, "bkt", "k", GetOptions{VersionID: res.DeleteMarkerVersionID}); !errors.Is(err, ErrMethodNotAllowed) {
		t.Fatalf("head marker: %v", err)
	}
	if l, err := n.ListObjects(ctx, "bkt", ListQuery{}); err != nil || len(l.Objects) != 1 || l.Objects[0].Key != "other" {
		t.Fatalf("listing shows a deleted key: %+v %v", l, err)
	}
	if err := n.DeleteBucket(ctx, "bkt"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("bucket with versions deleted: %v", err)
	}
	want := []string{"k@" + res.DeleteMarkerVersionID + "*!", "k@" + v1.VersionID, "other@"}
	got := versionsOf(t, n, VersionQuery{})
	if len(got) != 3 || got[0] != want[0] || got[1] != want[1] || !strings.HasPrefix(got[2], "other@") {
		t.Fatalf("versions %v, want %v", got, want)
	}
	// Deleting the marker brings the object back.
	if r, err := n.DeleteVersion(ctx, "bkt", "k", res.DeleteMarkerVersionID, DeleteOptions{}); err != nil || !r.DeleteMarker {
		t.Fatalf("delete marker: %+v %v", r, err)
	}
	if got, err := getVersion(t, n, "k", ""); err != nil || got != "one" {
		t.Fatalf("after the marker's deletion: %q %v", got, err)
	}
	// Deleting the only version leaves nothing.
	if _, err := n.DeleteVersion(ctx, "bkt", "k", v1.VersionID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := versionsOf(t, n, VersionQuery{Prefix: "k"}); len(got) != 0 {
		t.Fatalf("versions left: %v", got)
	}
}

func TestDeleteCurrentVersionPromotesPrevious(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	v2 := put(t, n, "bkt", "k", []byte("two"), nil)
	v3 := put(t, n, "bkt", "k", []byte("three"), nil)
	if _, err := n.DeleteVersion(ctx, "bkt", "k", v2.VersionID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.DeleteVersion(ctx, "bkt", "k", v3.VersionID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := getVersion(t, n, "k", ""); err != nil || got != "one" {
		t.Fatalf("current %q %v", got, err)
	}
	info, err := n.HeadObject(ctx, "bkt", "k", GetOptions{})
	if err != nil || info.VersionID != v1.VersionID {
		t.Fatalf("current version %+v %v", info, err)
	}
	// A version id that names nothing deletes nothing, without an error.
	if _, err := n.DeleteVersion(ctx, "bkt", "k", v3.VersionID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
}

func TestNullVersions(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	before := put(t, n, "bkt", "k", []byte("unversioned"), nil)
	if before.VersionID != "" {
		t.Fatalf("unversioned bucket named version %q", before.VersionID)
	}
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	v1 := put(t, n, "bkt", "k", []byte("v1"), nil)
	if got, err := getVersion(t, n, "k", NullVersion); err != nil || got != "unversioned" {
		t.Fatalf("null version: %q %v", got, err)
	}
	if err := n.PutBucketVersioning(ctx, "bkt", VersioningSuspended); err != nil {
		t.Fatal(err)
	}
	if v, err := n.GetBucketVersioning(ctx, "bkt"); err != nil || v != VersioningSuspended {
		t.Fatalf("state %q %v", v, err)
	}
	s1 := put(t, n, "bkt", "k", []byte("suspended 1"), nil)
	s2 := put(t, n, "bkt", "k", []byte("suspended 2"), nil)
	if s1.VersionID != NullVersion || s2.VersionID != NullVersion {
		t.Fatalf("suspended writes named %q %q", s1.VersionID, s2.VersionID)
	}
	// The null version was replaced twice (the first one, noncurrent, too);
	// the enabled-era version stays.
	got := versionsOf(t, n, VersionQuery{})
	want := []string{"k@null!", "k@" + v1.VersionID}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	if got, err := getVersion(t, n, "k", NullVersion); err != nil || got != "suspended 2" {
		t.Fatalf("null version: %q %v", got, err)
	}
	if err := n.PutBucketVersioning(ctx, "bkt", Versioning("Off")); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("versioning turned off: %v", err)
	}
}

// TestVersionListingPages: every page size lists the same versions.
func TestVersionListingPages(t *testing.T) {
	n, _ := versioned(t)
	for i := range 4 {
		for _, k := range []string{"a", "b/c", "b/d", "e"} {
			put(t, n, "bkt", k, []byte(fmt.Sprint(i)), nil)
		}
	}
	if _, err := n.DeleteVersion(context.Background(), "bkt", "e", "", DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	all := versionsOf(t, n, VersionQuery{})
	if len(all) != 17 {
		t.Fatalf("%d versions: %v", len(all), all)
	}
	for _, size := range []int{1, 2, 3, 5, 1000} {
		if got := versionsOf(t, n, VersionQuery{MaxKeys: size}); fmt.Sprint(got) != fmt.Sprint(all) {
			t.Fatalf("page size %d: %v, want %v", size, got, all)
		}
	}
	folded := versionsOf(t, n, VersionQuery{Delimiter: "/", MaxKeys: 2})
	if len(folded) != 4+1+5 || strings.Count(fmt.Sprint(folded), "b/") != 1 {
		t.Fatalf("with a delimiter: %v", folded)
	}
}

// TestVersionSwapIsCaught: an upstream that serves one version's bytes
// under another version's name is caught.
func TestVersionSwapIsCaught(t *testing.T) {
	ctx := context.Background()
	n, f := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	v2 := put(t, n, "bkt", "k", []byte("two"), nil)
	put(t, n, "bkt", "k", []byte("three"), nil)
	up, err := n.objectKey("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	rc, _, err := f.mem.Get(ctx, versionsDir(up)+v1.VersionID, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	old, _ := io.ReadAll(rc)
	_ = rc.Close()
	if _, err := f.mem.Put(ctx, versionsDir(up)+v2.VersionID, bytes.NewReader(old), int64(len(old)), backends.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := getVersion(t, n, "k", v2.VersionID); !errors.Is(err, ErrIntegrity) {
		t.Fatalf("a swapped version was served: %v", err)
	}
}

// TestVersioningAcrossGateways: a write through another gateway keeps the
// version a first gateway wrote, once the state reached it.
func TestVersioningAcrossGateways(t *testing.T) {
	ctx := context.Background()
	gws := gateways(t, mem.New(), 2)
	a, b := gws[0], gws[1]
	if err := a.PutBucketVersioning(ctx, "bkt", VersioningEnabled); err != nil {
		t.Fatal(err)
	}
	if v, err := b.GetBucketVersioning(ctx, "bkt"); err != nil || v != VersioningEnabled {
		t.Fatalf("other gateway: %q %v", v, err)
	}
	v1 := put(t, a, "bkt", "k", []byte("one"), nil)
	put(t, b, "bkt", "k", []byte("two"), nil)
	if got, err := getVersion(t, b, "k", v1.VersionID); err != nil || got != "one" {
		t.Fatalf("version written through a: %q %v", got, err)
	}
	if got := versionsOf(t, a, VersionQuery{}); len(got) != 2 {
		t.Fatalf("versions %v", got)
	}
}

func TestCopyFromVersion(t *testing.T) {
	n, _ := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	put(t, n, "bkt", "k", []byte("two"), nil)
	info, err := n.CopyObject(context.Background(), "bkt", "k", "bkt", "k", CopyOptions{Source: GetOptions{VersionID: v1.VersionID}, ReplaceMeta: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := getVersion(t, n, "k", ""); err != nil || got != "one" || info.VersionID == v1.VersionID {
		t.Fatalf("restored %q %v (%q)", got, err, info.VersionID)
	}
	if got := versionsOf(t, n, VersionQuery{}); len(got) != 3 {
		t.Fatalf("versions %v", got)
	}
}

// TestDeletedFolderIsNotListed: a folder whose keys are all deleted is
// not listed, in S3 listings and so in WebDAV's.
func TestDeletedFolderIsNotListed(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	put(t, n, "bkt", "gone/a", []byte("a"), nil)
	put(t, n, "bkt", "gone/sub/b", []byte("b"), nil)
	put(t, n, "bkt", "kept/c", []byte("c"), nil)
	for _, k := range []string{"gone/a", "gone/sub/b"} {
		if err := n.DeleteObject(ctx, "bkt", k); err != nil {
			t.Fatal(err)
		}
	}
	l, err := n.ListObjects(ctx, "bkt", ListQuery{Delimiter: "/"})
	if err != nil || fmt.Sprint(l.CommonPrefixes) != "[kept/]" {
		t.Fatalf("folders %v %v", l.CommonPrefixes, err)
	}
	if _, err := n.HeadFolder(ctx, "bkt", "gone/"); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("HeadFolder of a deleted folder: %v", err)
	}
	if _, err := n.HeadFolder(ctx, "bkt", "kept/"); err != nil {
		t.Fatalf("HeadFolder of a live folder: %v", err)
	}
}

// TestDeleteEveryVersionAtOnce: deleting every listed version of a key in
// one DeleteObjects (as cleanup code does) leaves nothing, although each
// deletion of the current version promotes another.
func TestDeleteEveryVersionAtOnce(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	var objs []ObjectVersion
	for i := range 5 {
		v := put(t, n, "bkt", "k", []byte(fmt.Sprint(i)), nil)
		objs = append([]ObjectVersion{{Key: "k", VersionID: v.VersionID}}, objs...) // newest first, as listed
	}
	for _, r := range n.DeleteObjects(ctx, "bkt", objs, DeleteOptions{}) {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
	}
	if got := versionsOf(t, n, VersionQuery{}); len(got) != 0 {
		t.Fatalf("left: %v", got)
	}
	if err := n.DeleteBucket(ctx, "bkt"); err != nil {
		t.Fatal(err)
	}
}

// TestVersionPagingListsOnce: paging through the versions lists the
// upstream for the first page only (O(N) in total, not per page).
func TestVersionPagingListsOnce(t *testing.T) {
	n, f := versioned(t)
	for i := range 30 {
		put(t, n, "bkt", fmt.Sprintf("k%d", i%3), []byte{byte(i)}, nil)
	}
	before := f.store.lists.Load()
	if got := versionsOf(t, n, VersionQuery{MaxKeys: 4}); len(got) != 30 {
		t.Fatalf("%d versions", len(got))
	}
	if lists := f.store.lists.Load() - before; lists != 2 {
		t.Fatalf("%d upstream listings for 8 pages, want 2 (the first page's)", lists)
	}
}

// TestLeftoverCopyOfCurrent: a write that set the current version aside
// and then failed leaves a copy of the current version under its own id.
// Listings show that version once, and deleting it deletes it for good
// (the copy is not promoted in its place).
func TestLeftoverCopyOfCurrent(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	v1 := put(t, n, "bkt", "k", []byte("one"), nil)
	v2 := put(t, n, "bkt", "k", []byte("two"), nil)
	up, err := n.objectKey("bkt", "k")
	if err != nil {
		t.Fatal(err)
	}
	cur, err := n.currentVersion(ctx, "bkt", "k", up)
	if err != nil {
		t.Fatal(err)
	}
	aside, err := n.asideJob("bkt", "k", up, cur, LockConfig{})
	if err != nil {
		t.Fatal(err)
	}
	if err := aside(ctx); err != nil { // as a write that failed after it
		t.Fatal(err)
	}
	want := []string{"k@" + v2.VersionID + "!", "k@" + v1.VersionID}
	if got := versionsOf(t, n, VersionQuery{}); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("versions %v, want %v", got, want)
	}
	if _, err := n.DeleteVersion(ctx, "bkt", "k", v2.VersionID, DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, err := getVersion(t, n, "k", ""); err != nil || got != "one" {
		t.Fatalf("after deleting v2: current %q %v", got, err)
	}
	if got := versionsOf(t, n, VersionQuery{}); fmt.Sprint(got) != fmt.Sprint([]string{"k@" + v1.VersionID + "!"}) {
		t.Fatalf("versions after delete %v", got)
	}
}
