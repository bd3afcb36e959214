package gateway

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

func TestBucketLifecycle(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	ctx := context.Background()
	for _, bad := range []string{"ab", "UPPER", "has_underscore", "-start", "end-", "a..b", "192.168.1.1", strings.Repeat("a", 64)} {
		if err := n.CreateBucket(ctx, bad); !errors.Is(err, ErrInvalidBucketName) {
			t.Errorf("CreateBucket(%q): %v", bad, err)
		}
	}
	mustBucket(t, n, "photos")
	mustBucket(t, n, "docs.2024")
	if err := n.CreateBucket(ctx, "photos"); !errors.Is(err, ErrBucketExists) {
		t.Fatalf("second create: %v", err)
	}
	bs, err := n.ListBuckets(ctx)
	if err != nil || len(bs) != 2 || bs[0].Name != "docs.2024" || bs[1].Name != "photos" {
		t.Fatalf("ListBuckets: %+v %v", bs, err)
	}
	put(t, n, "photos", "a.jpg", []byte("x"), nil)
	if err := n.DeleteBucket(ctx, "photos"); !errors.Is(err, ErrBucketNotEmpty) {
		t.Fatalf("delete non-empty: %v", err)
	}
	if err := n.DeleteObject(ctx, "photos", "a.jpg"); err != nil {
		t.Fatal(err)
	}
	if err := n.DeleteBucket(ctx, "photos"); err != nil {
		t.Fatal(err)
	}
	if _, err := n.HeadBucket(ctx, "photos"); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("head deleted: %v", err)
	}
	if _, err := n.PutObject(ctx, "photos", "k", bytes.NewReader(nil), 0, PutOptions{}); !errors.Is(err, ErrNoSuchBucket) {
		t.Fatalf("put into deleted bucket: %v", err)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	keys := []string{"plain.txt", "dir/sub/file", "a//b", "dir/", "/lead", "..", "../../etc/passwd", "ünï/cødé ☃",
		strings.Repeat("x", 200), strings.Repeat("d/", 10) + "deep", "sp ace+plus%pct"}
	for i, k := range keys {
		data := bytes.Repeat([]byte{byte(i)}, 1000*i+1)
		meta := Meta{"content-type": "text/x-test", "x-amz-meta-n": k, "x-amz-date": "dropped"}
		info := put(t, n, "bkt", k, data, meta)
		if info.ETag != md5hex(data) || info.Size != int64(len(data)) {
			t.Fatalf("%q: put info %+v", k, info)
		}
		got, r := get(t, n, "bkt", k, GetOptions{})
		if !bytes.Equal(got, data) || r.Info.ETag != info.ETag || r.Info.Meta["x-amz-meta-n"] != k {
			t.Fatalf("%q: got %d bytes, info %+v", k, len(got), r.Info)
		}
		if _, ok := r.Info.Meta["x-amz-date"]; ok {
			t.Fatalf("%q: request header stored as metadata", k)
		}
		h, err := n.HeadObject(context.Background(), "bkt", k, GetOptions{})
		if err != nil || h.ETag != info.ETag || h.Meta["content-type"] != "text/x-test" {
			t.Fatalf("%q: head %+v %v", k, h, err)
		}
	}
	for _, bad := range []string{"", "nul\x00byte", string([]byte{0xff, 0xfe}), strings.Repeat("k", 1025)} {
		if _, err := n.PutObject(context.Background(), "bkt", bad, bytes.NewReader(nil), 0, PutOptions{}); !errors.Is(err, ErrInvalidKey) && !errors.Is(err, ErrKeyTooLong) {
			t.Errorf("put %q: %v", bad, err)
		}
	}
}

func TestRangesAndConditions(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	for _, size := range []int{10, 200000} { // one small, one multi-chunk object
		data := bytes.Repeat([]byte("0123456789"), size/10)
		info := put(t, n, "bkt", "k", data, nil)
		ranges := []struct {
			r          Range
			start, end int
		}{
			{Range{0, 0}, 0, 0}, {Range{1, 5}, 1, 5}, {Range{3, -1}, 3, size - 1}, {Range{-4, -1}, size - 4, size - 1},
			{Range{0, int64(size) + 100}, 0, size - 1}, {Range{-int64(size) - 5, -1}, 0, size - 1},
		}
		for _, c := range ranges {
			got, r := get(t, n, "bkt", "k", GetOptions{Range: &c.r})
			if !bytes.Equal(got, data[c.start:c.end+1]) || r.Range.Start != int64(c.start) || r.Range.End != int64(c.end) {
				t.Fatalf("size %d range %+v: got %d bytes, served %+v", size, c.r, len(got), r.Range)
			}
		}
		if _, err := n.GetObject(context.Background(), "bkt", "k", GetOptions{Range: &Range{int64(size), -1}}); !errors.Is(err, ErrInvalidRange) {
			t.Fatalf("range past end: %v", err)
		}
		past, future := info.LastModified.Add(-time.Hour), info.LastModified.Add(time.Hour)
		conds := []struct {
			o    GetOptions
			want error
		}{
			{GetOptions{IfMatch: `"` + info.ETag + `"`}, nil}, {GetOptions{IfMatch: "nope"}, ErrPreconditionFailed},
			{GetOptions{IfNoneMatch: info.ETag}, ErrNotModified}, {GetOptions{IfNoneMatch: "*"}, ErrNotModified},
			{GetOptions{IfNoneMatch: "other"}, nil}, {GetOptions{IfModifiedSince: future}, ErrNotModified},
			{GetOptions{IfModifiedSince: past}, nil}, {GetOptions{IfUnmodifiedSince: past}, ErrPreconditionFailed},
			{GetOptions{IfUnmodifiedSince: future}, nil},
			{GetOptions{IfMatch: info.ETag, IfUnmodifiedSince: past}, nil}, // If-Match wins (RFC 7232 §6)
		}
		for _, c := range conds {
			_, err := n.HeadObject(context.Background(), "bkt", "k", c.o)
			if !errors.Is(err, c.want) && (c.want != nil || err != nil) {
				t.Fatalf("head %+v: %v, want %v", c.o, err, c.want)
			}
		}
	}
}

func TestConditionalPut(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	first, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("one"), 3, PutOptions{IfNoneMatch: "*"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("two"), 3, PutOptions{IfNoneMatch: "*"}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("If-None-Match * on existing: %v", err)
	}
	if _, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("two"), 3, PutOptions{IfMatch: "0123"}); !errors.Is(err, ErrPreconditionFailed) {
		t.Fatalf("stale If-Match: %v", err)
	}
	if _, err := n.PutObject(ctx, "bkt", "k", strings.NewReader("two"), 3, PutOptions{IfMatch: first.ETag}); err != nil {
		t.Fatalf("matching If-Match: %v", err)
	}
	if _, err := n.PutObject(ctx, "bkt", "absent", strings.NewReader("x"), 1, PutOptions{IfMatch: first.ETag}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("If-Match on absent: %v", err)
	}
	if got, _ := get(t, n, "bkt", "k", GetOptions{}); string(got) != "two" {
		t.Fatalf("content %q", got)
	}
}

// TestFailedWritesLeaveOldVersion: a short body, a failing body and a
// cancelled context each leave the previous version intact.
func TestFailedWritesLeaveOldVersion(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	old := bytes.Repeat([]byte("old"), 50000)
	put(t, n, "bkt", "k", old, nil)
	ctx := context.Background()
	big := bytes.Repeat([]byte("new"), 100000)
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	cases := map[string]func() error{
		"short body": func() error {
			_, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader(big[:1000]), int64(len(big)), PutOptions{})
			if !errors.Is(err, ErrIncompleteBody) {
				t.Errorf("short body: %v", err)
			}
			return err
		},
		"long body": func() error {
			_, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader(big), 10, PutOptions{})
			return err
		},
		"failing reader": func() error {
			_, err := n.PutObject(ctx, "bkt", "k", iotest.TimeoutReader(bytes.NewReader(big)), int64(len(big)), PutOptions{})
			return err
		},
		"reader error at end": func() error {
			r := io.MultiReader(bytes.NewReader(big), iotest.ErrReader(errors.New("bad signature")))
			_, err := n.PutObject(ctx, "bkt", "k", r, -1, PutOptions{})
			return err
		},
		"cancelled": func() error {
			_, err := n.PutObject(cancelled, "bkt", "k", bytes.NewReader(big), int64(len(big)), PutOptions{})
			return err
		},
	}
	for name, c := range cases {
		if err := c(); err == nil {
			t.Fatalf("%s: write succeeded", name)
		}
		if got, _ := get(t, n, "bkt", "k", GetOptions{}); !bytes.Equal(got, old) {
			t.Fatalf("%s: old version damaged (%d bytes)", name, len(got))
		}
	}
}

func TestCopy(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	mustBucket(t, n, "ckt")
	ctx := context.Background()
	data := bytes.Repeat([]byte("copy"), 30000)
	src := put(t, n, "bkt", "src", data, Meta{"content-type": "a/b", "x-amz-meta-x": "1"})
	cp, err := n.CopyObject(ctx, "bkt", "src", "ckt", "dst", CopyOptions{})
	if err != nil || cp.ETag != src.ETag {
		t.Fatalf("copy: %+v %v", cp, err)
	}
	got, r := get(t, n, "ckt", "dst", GetOptions{})
	if !bytes.Equal(got, data) || r.Info.Meta["x-amz-meta-x"] != "1" {
		t.Fatalf("copied %d bytes, meta %v", len(got), r.Info.Meta)
	}
	if _, err := n.CopyObject(ctx, "bkt", "src", "bkt", "src", CopyOptions{}); !errors.Is(err, ErrInvalidArgument) {
		t.Fatalf("self copy without REPLACE: %v", err)
	}
	if _, err := n.CopyObject(ctx, "bkt", "src", "bkt", "src", CopyOptions{ReplaceMeta: true, Meta: Meta{"x-amz-meta-y": "2"}}); err != nil {
		t.Fatal(err)
	}
	h, _ := n.HeadObject(ctx, "bkt", "src", GetOptions{})
	if h.Meta["x-amz-meta-y"] != "2" || h.Meta["x-amz-meta-x"] != "" {
		t.Fatalf("REPLACE kept old metadata: %v", h.Meta)
	}
	if _, err := n.CopyObject(ctx, "bkt", "missing", "ckt", "d", CopyOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("copy of missing: %v", err)
	}
}

func TestMetadataLimits(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	big := Meta{"x-amz-meta-big": strings.Repeat("v", MaxUserMetaBytes)}
	if _, err := n.PutObject(context.Background(), "bkt", "k", strings.NewReader(""), 0, PutOptions{Meta: big}); !errors.Is(err, ErrMetadataTooLarge) {
		t.Fatalf("oversize metadata: %v", err)
	}
	if _, err := n.HeadObject(context.Background(), "bkt", "k", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("refused write left an object: %v", err)
	}
}
