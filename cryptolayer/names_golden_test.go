package cryptolayer

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

const namesGolden = "testdata/names-v1.golden"

// goldenRootKey is the user root key of the name vectors: bytes 0x00..0x1f.
var goldenRootKey = testRootKey(0)

type nameVector struct {
	bucket      string // "" = the bucket-name cipher
	kind        SegmentKind
	parent, seg string
}

var nameVectors = []nameVector{
	{"", KindFolder, "", "photos"},
	{"", KindObject, "", "photos"},
	{"", KindFolder, "", "a"},
	{"photos", KindObject, "", "a"},
	{"photos", KindFolder, "", "a"},
	{"photos", KindObject, "a/", "b"},
	{"photos", KindObject, "", ""},
	{"photos", KindObject, "dir/", ""},
	{"photos", KindFolder, "", "."},
	{"photos", KindFolder, "", ".."},
	{"photos", KindObject, "x/", "\x00"},
	{"photos", KindObject, "", "Grüße 日本 🎉"},
	{"photos", KindObject, "p/", strings.Repeat("x", 15)},
	{"photos", KindObject, "p/", strings.Repeat("x", 16)},
	{"photos", KindObject, "p/", strings.Repeat("m", MaxShortSegment)},
	{"photos", KindObject, "p/", strings.Repeat("l", MaxShortSegment+1)},
	{"photos", KindFolder, "p/", strings.Repeat("l", MaxShortSegment+1)},
	{"other", KindObject, "a/", "b"},
}

var namePathVectors = []string{"a/b/c", "dir/", "a//b", "/lead", "../../etc/passwd", "2024/01/report.pdf"}

func goldenCipher(bucket string) *NameCipher {
	if bucket == "" {
		return NewBucketNameCipher(goldenRootKey)
	}
	return NewNameCipher(goldenRootKey, bucket)
}

func cipherField(bucket string) string {
	if bucket == "" {
		return "buckets"
	}
	return "objects:" + bucket
}

// generateNamesGolden returns what the golden file must hold.
func generateNamesGolden() []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# sealgate name cipher v1 test vectors (docs/format-names.md); never edit.\n")
	fmt.Fprintf(&b, "# user root key = %x\n", goldenRootKey[:])
	fmt.Fprintf(&b, "# key <cipher> <label> <hex> | seg <cipher> <kind> <parent> <segment> <encrypted> | path <cipher> <key> <encrypted>\n")
	fmt.Fprintf(&b, "# fields are tab-separated; parent, segment and key are Go-quoted strings\n")
	for _, l := range []string{labelBucketNameMAC, labelBucketNameEnc, labelBucketNameLong} {
		k := deriveKey(goldenRootKey[:], nil, l)
		fmt.Fprintf(&b, "key\tbuckets\t%s\t%x\n", l, k[:])
	}
	for _, l := range []string{labelNameMAC, labelNameEnc, labelNameLong} {
		k := deriveKey(goldenRootKey[:], nil, l, []byte("photos"))
		fmt.Fprintf(&b, "key\tobjects:photos\t%s\t%x\n", l, k[:])
	}
	for _, v := range nameVectors {
		enc := goldenCipher(v.bucket).EncryptSegment(v.parent, v.seg, v.kind)
		fmt.Fprintf(&b, "seg\t%s\t%s\t%q\t%q\t%s\n", cipherField(v.bucket), v.kind, v.parent, v.seg, enc)
	}
	for _, p := range namePathVectors {
		enc, _ := goldenCipher("photos").EncryptPath(p)
		fmt.Fprintf(&b, "path\tobjects:photos\t%q\t%s\n", p, enc)
	}
	return b.Bytes()
}

// TestNameGolden checks every line of testdata/names-v1.golden against the
// cipher, and that the vectors above still produce the file byte for byte.
// The test never writes it; TestFrozenV1Files pins it.
func TestNameGolden(t *testing.T) {
	data, err := os.ReadFile(namesGolden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(data, generateNamesGolden()) {
		t.Error("the name vectors no longer produce names-v1.golden: this is a format change")
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		checkNameGoldenLine(t, strings.Split(line, "\t"))
		n++
	}
	if n < len(nameVectors)+len(namePathVectors)+6 {
		t.Fatalf("only %d vectors", n)
	}
}

func checkNameGoldenLine(t *testing.T, f []string) {
	t.Helper()
	bucket, ok := strings.CutPrefix(f[1], "objects:")
	if !ok {
		if f[1] != "buckets" {
			t.Fatalf("bad cipher field %q", f[1])
		}
		bucket = ""
	}
	c := goldenCipher(bucket)
	switch {
	case f[0] == "key" && len(f) == 4:
		var ctx [][]byte
		if ok {
			ctx = append(ctx, []byte(bucket))
		}
		k := deriveKey(goldenRootKey[:], nil, f[2], ctx...)
		if hex.EncodeToString(k[:]) != f[3] {
			t.Errorf("key %s %s changed", f[1], f[2])
		}
	case f[0] == "seg" && len(f) == 6:
		kind := map[string]SegmentKind{"object": KindObject, "folder": KindFolder}[f[2]]
		parent, seg := mustUnquote(t, f[3]), mustUnquote(t, f[4])
		if got := c.EncryptSegment(parent, seg, kind); got != f[5] {
			t.Errorf("seg %s %q: got %s, golden %s", f[1], f[4], got, f[5])
		}
		got, err := c.DecryptSegment(parent, f[5], kind)
		if (err != nil || got != seg) && !c.LongSegmentMatches(parent, seg, kind, f[5]) {
			t.Errorf("seg %s %q: decrypt %v", f[1], f[4], err)
		}
	case f[0] == "path" && len(f) == 4:
		key := mustUnquote(t, f[2])
		if got, err := c.EncryptPath(key); err != nil || got != f[3] {
			t.Errorf("path %q: got %s, golden %s", key, got, f[3])
		}
		if got, err := c.DecryptPath(f[3]); err != nil || got != key {
			t.Errorf("path %q: decrypt %q, %v", key, got, err)
		}
	default:
		t.Fatalf("bad golden line %q", f)
	}
}

func mustUnquote(t *testing.T, s string) string {
	t.Helper()
	u, err := strconv.Unquote(s)
	if err != nil {
		t.Fatalf("unquote %s: %v", s, err)
	}
	return u
}

// TestNameSpecReference re-implements docs/format-names.md from the
// primitives, independently of names.go, and checks the cipher against it.
func TestNameSpecReference(t *testing.T) {
	for _, v := range nameVectors {
		if len(v.seg) > MaxShortSegment {
			continue
		}
		labels := [2]string{"sgw1 name mac", "sgw1 name enc"}
		var ctx []byte
		if v.bucket == "" {
			labels = [2]string{"sgw1 bucket name mac", "sgw1 bucket name enc"}
		} else {
			ctx = binary.BigEndian.AppendUint32(nil, uint32(len(v.bucket)))
			ctx = append(ctx, v.bucket...)
		}
		kMAC, _ := hkdf.Key(sha256.New, goldenRootKey[:], nil, labels[0]+string(ctx), 32)
		kEnc, _ := hkdf.Key(sha256.New, goldenRootKey[:], nil, labels[1]+string(ctx), 32)
		p := []byte(v.seg)
		n := 16 - len(p)%16
		p = append(p, bytes.Repeat([]byte{byte(n)}, n)...)
		m := hmac.New(sha256.New, kMAC)
		for _, f := range [][]byte{{byte(v.kind)}, []byte(v.parent), p} {
			m.Write(binary.BigEndian.AppendUint32(nil, uint32(len(f))))
			m.Write(f)
		}
		iv := m.Sum(nil)[:16]
		ctr := bytes.Clone(iv)
		ctr[8] &= 0x7f
		ctr[12] &= 0x7f
		blk, _ := aes.NewCipher(kEnc)
		ct := make([]byte, len(p))
		cipher.NewCTR(blk, ctr).XORKeyStream(ct, p)
		want := base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding).
			EncodeToString(append(iv, ct...)) + string(rune(v.kind))
		if got := goldenCipher(v.bucket).EncryptSegment(v.parent, v.seg, v.kind); got != want {
			t.Errorf("%q: cipher %s, spec %s", v.seg, got, want)
		}
	}
}
