package gateway

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/sealgate/sealgate/backends"
	"github.com/sealgate/sealgate/internal/etagtest"
)

const mib = 1 << 20

// upload runs a multipart upload of the given part sizes (numbers 1..N
// unless nums is set) and returns the object data and the part list.
func upload(t *testing.T, n *userNS, key string, sizes []int, nums []int) ([]byte, string, []CompletedPart) {
	t.Helper()
	ctx := context.Background()
	id, err := n.CreateMultipartUpload(ctx, "bkt", key, PutOptions{Meta: Meta{"content-type": "application/zip"}})
	if err != nil {
		t.Fatal(err)
	}
	var all []byte
	var parts []CompletedPart
	for i, s := range sizes {
		num := i + 1
		if nums != nil {
			num = nums[i]
		}
		data := bytes.Repeat([]byte{byte('a' + i)}, s)
		etag, err := n.UploadPart(ctx, "bkt", key, id, num, bytes.NewReader(data), int64(s))
		if err != nil {
			t.Fatal(err)
		}
		if etag != md5hex(data) {
			t.Fatalf("part ETag %s", etag)
		}
		all = append(all, data...)
		parts = append(parts, CompletedPart{Number: num, ETag: `"` + etag + `"`})
	}
	return all, id, parts
}

func TestMultipartUniformAndResealed(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	cases := []struct {
		name  string
		sizes []int
		nums  []int
	}{
		{"uniform", []int{5 * mib, 5 * mib, 1000}, nil},
		{"single part", []int{12345}, nil},
		{"unaligned sizes (resealed)", []int{5*mib + 1, 5*mib + 1, 7}, nil},
		{"gaps in numbers (resealed)", []int{5 * mib, 10}, []int{2, 7}},
	}
	for _, c := range cases {
		all, id, parts := upload(t, n, c.name, c.sizes, c.nums)
		info, err := n.CompleteMultipartUpload(ctx, "bkt", c.name, id, parts, PutOptions{})
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if want := etagtest.Multipart(all, c.sizes); info.ETag != want {
			t.Fatalf("%s: ETag %s want %s", c.name, info.ETag, want)
		}
		got, r := get(t, n, "bkt", c.name, GetOptions{})
		if !bytes.Equal(got, all) || r.Info.ETag != info.ETag || r.Info.Meta["content-type"] != "application/zip" {
			t.Fatalf("%s: read back %d bytes, %+v", c.name, len(got), r.Info)
		}
		rg, _ := get(t, n, "bkt", c.name, GetOptions{Range: &Range{int64(len(all)) - 3000, -1}})
		if !bytes.Equal(rg, all[len(all)-3000:]) {
			t.Fatalf("%s: range read", c.name)
		}
		again, err := n.CompleteMultipartUpload(ctx, "bkt", c.name, id, parts, PutOptions{})
		if err != nil || again.ETag != info.ETag {
			t.Fatalf("%s: repeated complete: %+v %v", c.name, again, err)
		}
		if ups, _, _ := n.ListMultipartUploads(ctx, "bkt", "", "", "", 0); len(ups) != 0 {
			t.Fatalf("%s: completed upload still listed: %+v", c.name, ups)
		}
	}
}

func TestMultipartErrors(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	_, id, parts := upload(t, n, "k", []int{5 * mib, 100, 200}, nil)
	bad := map[string]struct {
		parts []CompletedPart
		want  error
	}{
		"wrong etag": {[]CompletedPart{parts[0], {Number: 2, ETag: "00"}}, ErrInvalidPart},
		"missing":    {[]CompletedPart{parts[0], {Number: 9, ETag: parts[1].ETag}}, ErrInvalidPart},
		"order":      {[]CompletedPart{parts[1], parts[0]}, ErrInvalidPartOrder},
		"small part": {parts, ErrEntityTooSmall},
		"empty list": {nil, ErrInvalidPart},
		"duplicate":  {[]CompletedPart{parts[0], parts[0]}, ErrInvalidPartOrder},
	}
	for name, c := range bad {
		if _, err := n.CompleteMultipartUpload(ctx, "bkt", "k", id, c.parts, PutOptions{}); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", name, err, c.want)
		}
	}
	if _, err := n.CompleteMultipartUpload(ctx, "bkt", "other-key", id, parts[:2], PutOptions{}); !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("upload of another key: %v", err)
	}
	if _, err := n.UploadPart(ctx, "bkt", "k", "NOSUCHUPLOADAAAAAAAAAAAAAA", 1, bytes.NewReader(nil), 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Errorf("unknown upload: %v", err)
	}
	pp, err := n.ListParts(ctx, "bkt", "k", id, 0, 2)
	ps, trunc := pp.Parts, pp.Truncated
	if err != nil || len(ps) != 2 || !trunc || ps[0].Number != 1 || ps[1].Size != 100 {
		t.Fatalf("ListParts: %+v %v %v", ps, trunc, err)
	}
	ups, _, err := n.ListMultipartUploads(ctx, "bkt", "", "", "", 0)
	if err != nil || len(ups) != 1 || ups[0].UploadID != id || ups[0].Key != "k" {
		t.Fatalf("ListMultipartUploads: %+v %v", ups, err)
	}
	if err := n.AbortMultipartUpload(ctx, "bkt", "k", id); err != nil {
		t.Fatal(err)
	}
	if _, err := n.ListParts(ctx, "bkt", "k", id, 0, 0); !errors.Is(err, ErrNoSuchUpload) {
		t.Fatalf("parts after abort: %v", err)
	}
	page, _ := f.mem.List(ctx, backendsList(".sealgate/"))
	if len(page.Objects) != 0 {
		t.Fatalf("abort left %d upstream objects", len(page.Objects))
	}
}

// TestMultipartSurvivesRestart: a new Service over the same upstream
// continues and completes an upload another one started.
func TestMultipartSurvivesRestart(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	ctx := context.Background()
	_, id, parts := upload(t, n, "k", []int{5 * mib}, nil)
	svc2, _ := NewService(Config{Store: f.mem})
	n2 := svc2.namespaceFor(n.user)
	data := []byte("tail")
	etag, err := n2.UploadPart(ctx, "bkt", "k", id, 2, bytes.NewReader(data), 4)
	if err != nil {
		t.Fatal(err)
	}
	parts = append(parts, CompletedPart{Number: 2, ETag: etag})
	if _, err := n2.CompleteMultipartUpload(ctx, "bkt", "k", id, parts, PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if got, _ := get(t, n, "bkt", "k", GetOptions{Range: &Range{-4, -1}}); string(got) != "tail" {
		t.Fatalf("tail %q", got)
	}
}

// TestCompleteWithMissingPartData: a part whose sealed data vanished or was
// replaced upstream after its record was written fails Complete with
// InvalidPart (not a 500), and nothing becomes visible.
func TestCompleteWithMissingPartData(t *testing.T) {
	for _, replace := range []bool{false, true} {
		f := newFixture(t)
		n := f.user(t, "alice")
		mustBucket(t, n, "bkt")
		_, id, parts := upload(t, n, "obj", []int{5 * mib, 10}, nil)
		key := n.uploadDir(id) + "p" + partName(2)
		var err error
		if replace {
			_, err = f.mem.Put(context.Background(), key, bytes.NewReader([]byte("other")), 5, backends.PutOptions{})
		} else {
			err = f.mem.Delete(context.Background(), key)
		}
		if err != nil {
			t.Fatal(err)
		}
		_, err = n.CompleteMultipartUpload(context.Background(), "bkt", "obj", id, parts, PutOptions{})
		if !errors.Is(err, ErrInvalidPart) {
			t.Fatalf("replace %v: Complete = %v, want ErrInvalidPart", replace, err)
		}
		if _, err := n.HeadObject(context.Background(), "bkt", "obj", GetOptions{}); !errors.Is(err, ErrNoSuchKey) {
			t.Fatalf("replace %v: object visible after a failed Complete: %v", replace, err)
		}
	}
}

// TestConcurrentCompletes: Completes of one upload that overlap (a client
// that retried while the first was still re-sealing) all answer with the
// one object; none fails on parts the first removed.
func TestConcurrentCompletes(t *testing.T) {
	f := newFixture(t)
	n := f.user(t, "alice")
	mustBucket(t, n, "bkt")
	sizes := []int{5 * mib, 5 * mib, 5 * mib, 3}
	all, id, parts := upload(t, n, "k", sizes, nil)
	const callers = 4
	infos := make([]ObjectInfo, callers)
	errs := make([]error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			infos[i], errs[i] = n.CompleteMultipartUpload(context.Background(), "bkt", "k", id, parts, PutOptions{})
		})
	}
	wg.Wait()
	want := etagtest.Multipart(all, sizes)
	for i := range callers {
		if errs[i] != nil || infos[i].ETag != want {
			t.Errorf("caller %d: %+v, %v; want ETag %s", i, infos[i], errs[i], want)
		}
	}
	if got, _ := get(t, n, "bkt", "k", GetOptions{}); !bytes.Equal(got, all) {
		t.Fatal("object differs")
	}
}
