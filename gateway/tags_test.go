package gateway

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func TestObjectTags(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	info, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader([]byte("x")), 1, PutOptions{Tags: Tags{"team": "blue", "tier": "cold"}})
	if err != nil || info.TagCount != 2 {
		t.Fatalf("put: %+v %v", info, err)
	}
	if h, err := n.HeadObject(ctx, "bkt", "k", GetOptions{}); err != nil || h.TagCount != 2 {
		t.Fatalf("head: %+v %v", h, err)
	}
	got, _, err := n.GetObjectTagging(ctx, "bkt", "k", "")
	if err != nil || fmt.Sprint(got) != "map[team:blue tier:cold]" {
		t.Fatalf("tags %v %v", got, err)
	}
	// Overwriting the (null) version drops its tags.
	put(t, n, "bkt", "k", []byte("y"), nil)
	if got, _, err := n.GetObjectTagging(ctx, "bkt", "k", ""); err != nil || len(got) != 0 {
		t.Fatalf("tags of the overwritten object: %v %v", got, err)
	}
	if _, err := n.PutObjectTagging(ctx, "bkt", "k", "", Tags{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	c, err := n.CopyObject(ctx, "bkt", "k", "bkt", "copy", CopyOptions{})
	if err != nil || c.TagCount != 1 {
		t.Fatalf("copy: %+v %v", c, err)
	}
	if got, _, _ := n.GetObjectTagging(ctx, "bkt", "copy", ""); got["a"] != "1" {
		t.Fatalf("copied tags %v", got)
	}
	if _, err := n.DeleteObjectTagging(ctx, "bkt", "k", ""); err != nil {
		t.Fatal(err)
	}
	if got, _, _ := n.GetObjectTagging(ctx, "bkt", "k", ""); len(got) != 0 {
		t.Fatalf("deleted tags %v", got)
	}
	for _, bad := range []Tags{
		{"aws:reserved": "x"},
		{strings.Repeat("k", 129): "x"},
		{"k": strings.Repeat("v", 257)},
		{"1": "", "2": "", "3": "", "4": "", "5": "", "6": "", "7": "", "8": "", "9": "", "10": "", "11": ""},
	} {
		if _, err := n.PutObjectTagging(ctx, "bkt", "k", "", bad); !errors.Is(err, ErrInvalidTag) {
			t.Errorf("tags %v accepted: %v", bad, err)
		}
	}
}

func TestVersionTagsAndBucketTags(t *testing.T) {
	ctx := context.Background()
	n, _ := versioned(t)
	v1, err := n.PutObject(ctx, "bkt", "k", bytes.NewReader(nil), 0, PutOptions{Tags: Tags{"v": "1"}})
	if err != nil {
		t.Fatal(err)
	}
	put(t, n, "bkt", "k", []byte("2"), nil)
	if got, vid, err := n.GetObjectTagging(ctx, "bkt", "k", v1.VersionID); err != nil || got["v"] != "1" || vid != v1.VersionID {
		t.Fatalf("tags of v1: %v %q %v", got, vid, err)
	}
	if err := n.DeleteObject(ctx, "bkt", "k"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := n.GetObjectTagging(ctx, "bkt", "k", ""); !errors.Is(err, ErrMethodNotAllowed) && !errors.Is(err, ErrNoSuchKey) {
		t.Fatalf("tags of a deleted key: %v", err)
	}
	if _, err := n.GetBucketTagging(ctx, "bkt"); !errors.Is(err, ErrNoSuchTagSet) {
		t.Fatalf("untagged bucket: %v", err)
	}
	if err := n.PutBucketTagging(ctx, "bkt", Tags{"owner": "ops"}); err != nil {
		t.Fatal(err)
	}
	if got, err := n.GetBucketTagging(ctx, "bkt"); err != nil || got["owner"] != "ops" {
		t.Fatalf("bucket tags %v %v", got, err)
	}
	if err := n.PutBucketTagging(ctx, "bkt", Tags{}); err != nil {
		t.Fatal(err)
	}
	if _, err := n.GetBucketTagging(ctx, "bkt"); !errors.Is(err, ErrNoSuchTagSet) {
		t.Fatalf("deleted bucket tags: %v", err)
	}
}
