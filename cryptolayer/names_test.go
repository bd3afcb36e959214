package cryptolayer

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

func testRootKey(b byte) Key {
	var k Key
	for i := range k {
		k[i] = b + byte(i)
	}
	return k
}

// nameEdgeCases are segments that must all round-trip.
var nameEdgeCases = []struct{ name, seg string }{
	{"empty", ""},
	{"dot", "."},
	{"dotdot", ".."},
	{"nul", "\x00"},
	{"nul-inside", "a\x00b"},
	{"one", "a"},
	{"15 bytes", strings.Repeat("x", 15)},
	{"16 bytes", strings.Repeat("x", 16)},
	{"17 bytes", strings.Repeat("x", 17)},
	{"unicode", "Grüße-日本語-🎉"},
	{"nfd", "e\u0301"},
	{"nfc", "\u00e9"},
	{"invalid utf8", "\xff\xfe\x80"},
	{"backslash", `a\b`},
	{"spaces", " lead and trail "},
	{"newline", "a\nb\r"},
	{"max short", strings.Repeat("m", MaxShortSegment)},
	{"first long", strings.Repeat("l", MaxShortSegment+1)},
	{"1 KiB", strings.Repeat("k", 1024)},
	{"tilde", "~"},
}

func TestNameSegmentRoundTrip(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "bucket")
	for _, tc := range nameEdgeCases {
		for _, parent := range []string{"", "a/", "a//", "../", "dir/sub/"} {
			for _, kind := range []SegmentKind{KindObject, KindFolder} {
				enc := c.EncryptSegment(parent, tc.seg, kind)
				checkEncodedShape(t, enc, kind)
				got, err := c.DecryptSegment(parent, enc, kind)
				if len(tc.seg) > MaxShortSegment {
					if !errors.Is(err, ErrLongName) || !IsLong(enc) ||
						!c.LongSegmentMatches(parent, tc.seg, kind, enc) {
						t.Errorf("%s/%q/%v: long form: err=%v", tc.name, parent, kind, err)
					}
					continue
				}
				if err != nil || got != tc.seg {
					t.Errorf("%s/%q/%v: got %q, %v", tc.name, parent, kind, got, err)
				}
			}
		}
	}
}

// checkEncodedShape checks what every backend relies on.
func checkEncodedShape(t *testing.T, enc string, kind SegmentKind) {
	t.Helper()
	if enc == "" || enc == "." || enc == ".." || strings.ContainsAny(enc, "/\x00") {
		t.Fatalf("unsafe encoding %q", enc)
	}
	if len(enc) > MaxEncodedSegment {
		t.Fatalf("encoding of %d bytes", len(enc))
	}
	if k, ok := KindOf(enc); !ok || k != kind {
		t.Fatalf("suffix of %q: %v %v", enc, k, ok)
	}
	if enc != strings.ToLower(enc) {
		t.Fatalf("not lowercase: %q", enc)
	}
}

func TestNameLengthThreshold(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	for n := 0; n <= 300; n++ {
		enc := c.EncryptSegment("p/", strings.Repeat("z", n), KindObject)
		wantLen := nameB32.EncodedLen(16+16*(n/16+1)) + 1
		if n > MaxShortSegment {
			wantLen = LongEncodedLen
		}
		if len(enc) != wantLen || IsLong(enc) != (n > MaxShortSegment) {
			t.Fatalf("n=%d: len %d, want %d", n, len(enc), wantLen)
		}
	}
	if got := len(c.EncryptSegment("", strings.Repeat("z", MaxShortSegment), KindFolder)); got != 232 {
		t.Fatalf("longest short form: %d", got)
	}
}

func TestNameDeterministicAndDistinct(t *testing.T) {
	root := testRootKey(1)
	base := NewNameCipher(root, "bucket")
	enc := base.EncryptSegment("dir/", "file", KindObject)
	same := NewNameCipher(root, "bucket").EncryptSegment("dir/", "file", KindObject)
	if enc != same {
		t.Fatal("not deterministic")
	}
	others := map[string]string{
		"parent":       base.EncryptSegment("dir2/", "file", KindObject),
		"empty parent": base.EncryptSegment("", "file", KindObject),
		"kind":         base.EncryptSegment("dir/", "file", KindFolder),
		"bucket":       NewNameCipher(root, "bucket2").EncryptSegment("dir/", "file", KindObject),
		"user":         NewNameCipher(testRootKey(2), "bucket").EncryptSegment("dir/", "file", KindObject),
		"bucket names": NewBucketNameCipher(root).EncryptSegment("dir/", "file", KindObject),
		"segment":      base.EncryptSegment("dir/", "filf", KindObject),
	}
	for what, o := range others {
		if o[:len(o)-1] == enc[:len(enc)-1] {
			t.Errorf("%s: same ciphertext", what)
		}
	}
	if others["kind"][:len(enc)-1] == enc[:len(enc)-1] {
		t.Error("kind does not change the MAC")
	}
	long := strings.Repeat("L", 200)
	if base.EncryptSegment("", long, KindObject) == base.EncryptSegment("", long, KindFolder) ||
		base.EncryptSegment("", long, KindObject) == base.EncryptSegment("x/", long, KindObject) {
		t.Error("long form ignores kind or parent")
	}
}

func TestNameObjectAndFolderCoexist(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	a, err1 := c.EncryptPath("a")
	ab, err2 := c.EncryptPath("a/b")
	if err1 != nil || err2 != nil {
		t.Fatal(err1, err2)
	}
	if folder, _, _ := strings.Cut(ab, "/"); folder == a {
		t.Fatalf("object %q and folder %q collide", a, folder)
	}
}

func TestNameTamper(t *testing.T) {
	root := testRootKey(1)
	c := NewNameCipher(root, "bucket")
	for _, seg := range []string{"", "file.txt", strings.Repeat("q", 40)} {
		enc := c.EncryptSegment("dir/", seg, KindObject)
		for i := range enc {
			for _, r := range []byte("a27z01~/.A") {
				if r == enc[i] {
					continue
				}
				bad := enc[:i] + string(r) + enc[i+1:]
				if _, err := c.DecryptSegment("dir/", bad, KindObject); !errors.Is(err, ErrNameAuth) {
					t.Fatalf("char %d -> %q accepted: %v", i, r, err)
				}
			}
		}
		cases := map[string]error{}
		_, cases["moved"] = c.DecryptSegment("other/", enc, KindObject)
		_, cases["moved to root"] = c.DecryptSegment("", enc, KindObject)
		_, cases["wrong kind"] = c.DecryptSegment("dir/", enc, KindFolder)
		_, cases["suffix swapped"] = c.DecryptSegment("dir/", enc[:len(enc)-1]+"1", KindFolder)
		_, cases["other bucket"] = NewNameCipher(root, "bucket2").DecryptSegment("dir/", enc, KindObject)
		_, cases["other user"] = NewNameCipher(testRootKey(9), "bucket").DecryptSegment("dir/", enc, KindObject)
		_, cases["bucket cipher"] = NewBucketNameCipher(root).DecryptSegment("dir/", enc, KindObject)
		_, cases["truncated"] = c.DecryptSegment("dir/", enc[:len(enc)-2]+"0", KindObject)
		_, cases["extended"] = c.DecryptSegment("dir/", enc[:len(enc)-1]+"aaaaaaaaaaaaaaaaaaaaaaaaaa0", KindObject)
		_, cases["uppercase"] = c.DecryptSegment("dir/", strings.ToUpper(enc[:len(enc)-1])+"0", KindObject)
		_, cases["newline"] = c.DecryptSegment("dir/", enc[:4]+"\n"+enc[4:], KindObject)
		_, cases["bad kind"] = c.DecryptSegment("dir/", enc, SegmentKind(7))
		for what, err := range cases {
			if !errors.Is(err, ErrNameAuth) {
				t.Errorf("%q %s: %v", seg, what, err)
			}
		}
	}
}

func TestNameNonCanonicalBase32(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	enc := c.EncryptSegment("", "x", KindObject) // 32 bytes: 52 chars, 4 spare bits
	body := enc[:len(enc)-1]
	last := strings.IndexByte("abcdefghijklmnopqrstuvwxyz234567", body[len(body)-1])
	alt := "abcdefghijklmnopqrstuvwxyz234567"[last|1 : last|1+1]
	if alt == body[len(body)-1:] {
		alt = "abcdefghijklmnopqrstuvwxyz234567"[last&^1 : last&^1+1]
	}
	if _, err := c.DecryptSegment("", body[:len(body)-1]+alt+"0", KindObject); !errors.Is(err, ErrNameAuth) {
		t.Fatalf("non-canonical base32 accepted: %v", err)
	}
}

func TestNameLongForm(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	seg := strings.Repeat("é", 100)
	enc := c.EncryptSegment("p/", seg, KindFolder)
	checks := []struct {
		name         string
		parent, s, e string
		kind         SegmentKind
		want         bool
	}{
		{"match", "p/", seg, enc, KindFolder, true},
		{"other parent", "q/", seg, enc, KindFolder, false},
		{"other kind", "p/", seg, enc[:len(enc)-1] + "0", KindObject, false},
		{"other seg", "p/", seg + "x", enc, KindFolder, false},
		{"short seg", "p/", "short", enc, KindFolder, false},
		{"flipped", "p/", seg, flipChar(enc, 5), KindFolder, false},
		{"not long", "p/", seg, "abc1", KindFolder, false},
	}
	for _, tc := range checks {
		if got := c.LongSegmentMatches(tc.parent, tc.s, tc.kind, tc.e); got != tc.want {
			t.Errorf("%s: got %v", tc.name, got)
		}
	}
	if _, err := c.DecryptSegment("p/", enc, KindFolder); !errors.Is(err, ErrLongName) || errors.Is(err, ErrNameAuth) {
		t.Fatalf("long decrypt: %v", err)
	}
	if strings.Contains(fmt.Sprint(c), "\x00") || fmt.Sprintf("%v %+v %#v %s", c, c, c, c) != "[REDACTED] [REDACTED] [REDACTED] [REDACTED]" {
		t.Fatal("NameCipher prints its state")
	}
}

// flipChar replaces s[i] with another base32 character.
func flipChar(s string, i int) string {
	r := byte('a')
	if s[i] == 'a' {
		r = 'b'
	}
	return s[:i] + string(r) + s[i+1:]
}

func TestNamePaths(t *testing.T) {
	c := NewNameCipher(testRootKey(3), "b")
	keys := []string{"a", "a/b", "a//b", "/lead", "dir/", "../../etc/passwd", "./x", "", "/", "//",
		"a/\x00/c", "日本/語", strings.Repeat("s/", 300) + "e", strings.Repeat("x", MaxKeyBytes)}
	for _, key := range keys {
		enc, err := c.EncryptPath(key)
		if err != nil {
			t.Fatalf("%q: %v", key, err)
		}
		if strings.Count(enc, "/") != strings.Count(key, "/") {
			t.Fatalf("%q: segment count changed", key)
		}
		for _, s := range strings.Split(enc, "/") {
			if s == "" || s == "." || s == ".." || len(s) > MaxEncodedSegment {
				t.Fatalf("%q: unsafe segment %q", key, s)
			}
		}
		got, err := c.DecryptPath(enc)
		if len(key) > MaxShortSegment && !strings.Contains(key, "/") {
			if !errors.Is(err, ErrLongName) {
				t.Fatalf("%q: %v", key, err)
			}
			continue
		}
		if err != nil || got != key {
			t.Fatalf("%q: got %q, %v", key, got, err)
		}
		dir, _ := c.EncryptDir(key)
		if i := strings.LastIndexByte(enc, '/'); dir != enc[:i+1] {
			t.Fatalf("%q: EncryptDir %q is not the prefix of %q", key, dir, enc)
		}
	}
	if _, err := c.EncryptPath(strings.Repeat("x", MaxKeyBytes+1)); !errors.Is(err, ErrKeyTooLong) {
		t.Fatal(err)
	}
	enc, _ := c.EncryptPath("a/b/c")
	parts := strings.Split(enc, "/")
	for _, bad := range []string{parts[1] + "/" + parts[0] + "/" + parts[2], parts[0] + "/" + parts[2],
		parts[0] + "/" + parts[1] + "/" + parts[1], enc + "/" + parts[2]} {
		if _, err := c.DecryptPath(bad); !errors.Is(err, ErrNameAuth) {
			t.Fatalf("rearranged path accepted: %v", err)
		}
	}
}

func TestNameErrorsHoldNoPlaintext(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "secret-bucket")
	enc := c.EncryptSegment("secret-parent/", "secret-name", KindObject)
	_, err := c.DecryptSegment("other-parent/", enc, KindObject)
	for _, s := range []string{"secret", "other-parent", enc} {
		if err == nil || strings.Contains(err.Error(), s) {
			t.Fatalf("error %v leaks %q", err, s)
		}
	}
}

func TestNameEncryptSegmentPanics(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	for _, f := range []func(){
		func() { c.EncryptSegment("", "a/b", KindObject) },
		func() { c.EncryptSegment("", "a", SegmentKind(0)) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Error("no panic")
				}
			}()
			f()
		}()
	}
}

func BenchmarkNameEncryptSegment(b *testing.B) {
	c := NewNameCipher(testRootKey(1), "bucket")
	b.ReportAllocs()
	for b.Loop() {
		c.EncryptSegment("photos/2024/", "IMG_20240101_120000.jpg", KindObject)
	}
}

func BenchmarkNameDecryptSegment(b *testing.B) {
	c := NewNameCipher(testRootKey(1), "bucket")
	enc := c.EncryptSegment("photos/2024/", "IMG_20240101_120000.jpg", KindObject)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.DecryptSegment("photos/2024/", enc, KindObject); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkNewNameCipher(b *testing.B) {
	root := testRootKey(1)
	for b.Loop() {
		NewNameCipher(root, "bucket")
	}
}

func TestNameCipherConcurrent(t *testing.T) {
	c := NewNameCipher(testRootKey(1), "b")
	want := c.EncryptSegment("p/", "name", KindObject)
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for i := range 500 {
				seg := fmt.Sprint(g, "-", i)
				got, err := c.DecryptSegment("p/", c.EncryptSegment("p/", seg, KindObject), KindObject)
				if err != nil || got != seg || c.EncryptSegment("p/", "name", KindObject) != want {
					done <- fmt.Errorf("goroutine %d: %q %v", g, got, err)
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
