//go:build ignore

// Gen writes the frozen negative vectors of this directory (README.md): each
// one is a frozen positive vector of ../ with one stated change, and the
// outcome a reader must give. It works from the byte layouts of
// docs/FORMAT.md, docs/format-names.md and docs/format-keys.md with the
// standard library only, not from the package's code.
//
// Run it from this directory. It never overwrites a file:
//
//	go run gen.go -out "$(mktemp -d)"   # then diff -r that directory with this one
package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Object layout (docs/FORMAT.md §3).
const (
	headerSize  = 80
	prefixSize  = headerSize + 4096
	sealedChunk = 65536 + 12 + 16
	endSize     = 112
)

// Keystore layout (docs/format-keys.md §3): magic and version, then the
// nonce, the sealed body and its tag.
const keystoreHdr = 4 + 1

// Root keys (hex): of the positive name and keystore vectors, and a wrong one.
var (
	namesRoot    = seq(0x00)
	keystoreRoot = seq(0x40)
	otherRoot    = seq(0x20)
)

var b32 = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

func main() {
	out := flag.String("out", ".", "directory to write the vectors into")
	flag.Parse()
	w := &writer{dir: *out}
	w.manifest("object-v1.json", objectVectors(w))
	w.manifest("names-v1.json", nameVectors())
	w.manifest("keystore-v1.json", keystoreVectors(w))
}

// writer writes files under dir, never over an existing one.
type writer struct{ dir string }

func (w *writer) write(rel string, b []byte) {
	p := filepath.Join(w.dir, rel)
	check(os.MkdirAll(filepath.Dir(p), 0o755))
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	check(err)
	_, err = f.Write(b)
	check(err)
	check(f.Close())
}

func (w *writer) manifest(name string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	check(err)
	w.write(name, append(b, '\n'))
}

// vectorFile writes the bytes of a derived vector and returns its path
// relative to ../ (cryptolayer/testdata) and its SHA-256.
func (w *writer) vectorFile(format, name string, b []byte) (string, string) {
	w.write(filepath.Join(format, name+".bin"), b)
	sum := sha256.Sum256(b)
	return "negative/" + format + "/" + name + ".bin", hex.EncodeToString(sum[:])
}

// positive is one entry of ../object-v1/vectors.json and its object.
type positive struct {
	Name     string `json:"name"`
	EpochKey string `json:"epoch_key_hex"`
	Epoch    uint32 `json:"epoch"`
	UserID   string `json:"user_id_hex"`
	Bucket   string `json:"bucket"`
	Key      string `json:"key"`
	Size     int64  `json:"plaintext_size"`
	SHA256   string `json:"object_sha256"`
	obj      []byte
}

func positives() map[string]*positive {
	var list []*positive
	check(json.Unmarshal(read("../object-v1/vectors.json"), &list))
	m := map[string]*positive{}
	for _, p := range list {
		p.obj = read("../object-v1/" + p.Name + ".bin")
		if sum := sha256.Sum256(p.obj); hex.EncodeToString(sum[:]) != p.SHA256 {
			check(fmt.Errorf("%s.bin does not match vectors.json", p.Name))
		}
		m[p.Name] = p
	}
	return m
}

// objectVector is one entry of object-v1.json.
type objectVector struct {
	Name      string   `json:"name"`
	Source    string   `json:"source"`
	Change    string   `json:"change"`
	File      string   `json:"file"`
	SHA256    string   `json:"file_sha256"`
	PlainSize int64    `json:"source_plaintext_size"`
	Epoch     uint32   `json:"epoch"`
	EpochKey  string   `json:"epoch_key_hex"`
	UserID    string   `json:"user_id_hex"`
	Bucket    string   `json:"bucket"`
	Key       string   `json:"key"`
	Expect    []string `json:"expect"`
	Region    string   `json:"region"`
}

// objectCase describes one derived object. obj nil means the source
// object itself, opened under the binding that bind changes.
type objectCase struct {
	name, src, change string
	obj               []byte
	bind              func(*objectVector)
	region            string
	expect            []string
}

func objectVectors(w *writer) []*objectVector {
	pos := positives()
	e, s, m := pos["chacha-single-empty"], pos["aesgcm-single-70000"], pos["aesgcm-multipart-3"]
	integrity, unsupported := []string{"ErrIntegrity"}, []string{"ErrIntegrity", "ErrUnsupportedFormat"}
	eo, so, mo := e.obj, s.obj, m.obj
	cases := []objectCase{
		{"header-mac-flipped", e.Name, "bit 0 of byte 48 (first byte of the header MAC) flipped",
			flip(eo, 48), nil, "header", integrity},
		{"header-mac-zeroed", e.Name, "header MAC (bytes 48..79) set to zero",
			set(eo, 48, make([]byte, 32)...), nil, "header", integrity},
		{"suite-changed", e.Name, "suite byte 5 changed from 2 (ChaCha20-Poly1305) to 1 (AES-256-GCM)",
			set(eo, 5, 1), nil, "header", integrity},
		{"version-downgraded", e.Name, "version byte 4 changed from 1 to 0",
			set(eo, 4, 0), nil, "header", unsupported},
		{"chunk-size-changed", e.Name, "chunk size byte 6 changed from 16 (64 KiB) to 12 (4 KiB)",
			set(eo, 6, 12), nil, "header", unsupported},
		{"epoch-relabelled", e.Name, "epoch field (bytes 8..11) changed from 4 to 9; the ring gives epoch 9 the genuine key",
			set(eo, 8, 0, 0, 0, 9), func(v *objectVector) { v.Epoch = 9 }, "header", integrity},
		{"slot-tag-flipped", e.Name, "bit 0 of the metadata slot's last byte (its tag, offset 4175) flipped",
			flip(eo, prefixSize-1), nil, "metadata", integrity},
		{"slot-from-other-object", e.Name, "metadata slot replaced by the slot of aesgcm-single-70000",
			cat(eo[:headerSize], so[headerSize:prefixSize], eo[prefixSize:]), nil, "metadata", integrity},
		{"end-tag-flipped", e.Name, "bit 0 of the last byte (END's tag) flipped",
			flip(eo, len(eo)-1), nil, "end", integrity},
		{"end-from-other-object", e.Name, "END replaced by the END of aesgcm-single-70000",
			cat(eo[:len(eo)-endSize], tail(so)), nil, "end", integrity},
		{"extra-byte", e.Name, "one zero byte appended",
			cat(eo, []byte{0}), nil, "end", integrity},
		{"chunk-tag-flipped", s.Name, "bit 0 of chunk 0's last byte (its tag) flipped",
			flip(so, prefixSize+sealedChunk-1), nil, "chunk", integrity},
		{"late-chunk-tag-flipped", s.Name, "bit 0 of chunk 1's last byte (its tag) flipped; chunk 0 is intact",
			flip(so, len(so)-endSize-1), nil, "chunk", integrity},
		{"truncated-at-chunk-boundary", s.Name, "cut after chunk 0 (chunk 1 and END dropped)",
			clone(so[:prefixSize+sealedChunk]), nil, "end", integrity},
		{"truncated-mid-chunk", s.Name, "cut 2000 bytes into chunk 1 (the rest of chunk 1 and END dropped)",
			clone(so[:prefixSize+sealedChunk+2000]), nil, "end", integrity},
		{"last-chunk-dropped", s.Name, "chunk 1 dropped, END kept",
			cat(so[:prefixSize+sealedChunk], tail(so)), nil, "size", integrity},
		{"chunks-swapped", s.Name, "chunks 0 and 1 swapped",
			cat(so[:prefixSize], chunk(so, 1), chunk(so, 0), tail(so)), nil, "chunk", integrity},
		{"part-dropped", m.Name, "part 2 (chunk 1) dropped, parts 1 and 3 and END kept",
			cat(mo[:prefixSize], chunk(mo, 0), chunk(mo, 2), tail(mo)), nil, "size", integrity},
		{"parts-swapped", m.Name, "parts 1 and 2 (both one full chunk) swapped",
			cat(mo[:prefixSize], chunk(mo, 1), chunk(mo, 0), chunk(mo, 2), tail(mo)), nil, "chunk", integrity},
		{"other-key", e.Name, "opened under the object key of aesgcm-single-70000",
			nil, func(v *objectVector) { v.Key = s.Key }, "header", integrity},
		{"other-key-trailing-space", e.Name, "opened under its key with a trailing space",
			nil, func(v *objectVector) { v.Key += " " }, "header", integrity},
		{"other-bucket", e.Name, "opened in bucket golden-bucket2",
			nil, func(v *objectVector) { v.Bucket = "golden-bucket2" }, "header", integrity},
		{"other-user", e.Name, "opened under user id 0123456789abcdeg",
			nil, func(v *objectVector) { v.UserID = hex.EncodeToString([]byte("0123456789abcdeg")) }, "header", integrity},
		{"other-epoch-key", e.Name, "opened with another key (aesgcm-single-70000's) for its epoch 4",
			nil, func(v *objectVector) { v.EpochKey = s.EpochKey }, "header", integrity},
		{"unknown-epoch", e.Name, "opened with a ring that holds only epoch 5",
			nil, func(v *objectVector) { v.Epoch = 5 }, "header", integrity},
	}
	vs := make([]*objectVector, 0, len(cases))
	for _, c := range cases {
		src := pos[c.src]
		v := &objectVector{
			Name: c.name, Source: "object-v1/" + src.Name + ".bin", Change: c.change, PlainSize: src.Size,
			Epoch: src.Epoch, EpochKey: src.EpochKey, UserID: src.UserID, Bucket: src.Bucket, Key: src.Key,
			Expect: c.expect, Region: c.region,
		}
		v.File, v.SHA256 = v.Source, src.SHA256
		if c.obj != nil {
			v.File, v.SHA256 = w.vectorFile("object-v1", c.name, c.obj)
		}
		if c.bind != nil {
			c.bind(v)
		}
		vs = append(vs, v)
	}
	return vs
}

// chunk returns chunk g of a sealed object; tail returns its END.
func chunk(obj []byte, g int) []byte {
	start := prefixSize + g*sealedChunk
	return obj[start:min(start+sealedChunk, len(obj)-endSize)]
}

func tail(obj []byte) []byte { return obj[len(obj)-endSize:] }

// nameVector is one entry of names-v1.json.
type nameVector struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`
	Change  string   `json:"change"`
	RootKey string   `json:"root_key_hex"`
	Cipher  string   `json:"cipher"`
	Op      string   `json:"op"`
	Kind    string   `json:"kind,omitempty"`
	Parent  string   `json:"parent"`
	Segment string   `json:"segment,omitempty"`
	Input   string   `json:"input"`
	Expect  []string `json:"expect"`
}

func nameVectors() []*nameVector {
	golden := goldenNames()
	const ab = "seg\tobjects:photos\tobject\t\"a/\"\t\"b\""
	long := strings.Repeat("l", 128)
	longLine := "seg\tobjects:photos\tobject\t\"p/\"\t\"" + long + "\""
	const bucketLine = "seg\tbuckets\tfolder\t\"\"\t\"photos\""
	segAB, bucketPhotos := golden[ab], golden[bucketLine]
	abc := strings.Split(golden["path\tobjects:photos\t\"a/b/c\""], "/")
	report := strings.Split(golden["path\tobjects:photos\t\"2024/01/report.pdf\""], "/")
	body := segAB[:len(segAB)-1]
	auth := []string{"ErrNameAuth"}
	seg := func(name, change, input string, mod func(*nameVector)) *nameVector {
		v := &nameVector{Name: name, Source: source(ab), Change: change, RootKey: namesRoot,
			Cipher: "objects:photos", Op: "segment", Kind: "object", Parent: "a/", Input: input, Expect: auth}
		if mod != nil {
			mod(v)
		}
		return v
	}
	asFolder := func(v *nameVector) { v.Kind = "folder" }
	return []*nameVector{
		seg("iv-bit-flipped", "bit 0 of decoded byte 0 (the synthetic IV) flipped", flipB32(segAB, 0), nil),
		seg("ciphertext-bit-flipped", "bit 0 of decoded byte 16 (the ciphertext) flipped", flipB32(segAB, 16), nil),
		seg("moved-to-root", "opened with parent \"\" (moved from a/ to the top)", segAB, func(v *nameVector) { v.Parent = "" }),
		seg("moved-to-sibling", "opened with parent \"x/\" (moved from a/ to x/)", segAB, func(v *nameVector) { v.Parent = "x/" }),
		seg("other-bucket", "opened with the name cipher of bucket other", segAB, func(v *nameVector) { v.Cipher = "objects:other" }),
		seg("other-root-key", "opened with another user root key (20 21 … 3f)", segAB, func(v *nameVector) { v.RootKey = otherRoot }),
		seg("kind-suffix-changed", "suffix 0 (object) replaced by 1 (folder), opened as a folder", body+"1", asFolder),
		seg("kind-mismatch", "opened as a folder, suffix unchanged", segAB, asFolder),
		seg("truncated", "last base32 character before the suffix dropped", body[:len(body)-1]+"0", nil),
		seg("upper-case", "base32 body in upper case", strings.ToUpper(body)+"0", nil),
		seg("trailing-bits-set", "an unused trailing bit of the last base32 character set (a second encoding of the same bytes)", setTrailingBit(body)+"0", nil),
		{Name: "bucket-name-as-object-name", Source: source(bucketLine),
			Change: "bucket name opened with the object-name cipher of bucket photos", RootKey: namesRoot,
			Cipher: "objects:photos", Op: "segment", Kind: "folder", Input: bucketPhotos, Expect: auth},
		{Name: "long-not-decryptable", Source: source(longLine), Change: "none: a long name is never decrypted",
			RootKey: namesRoot, Cipher: "objects:photos", Op: "segment", Kind: "object", Parent: "p/",
			Input: golden[longLine], Expect: []string{"ErrLongName"}},
		{Name: "long-moved", Source: source(longLine), Change: "long name checked against parent \"q/\" (moved from p/ to q/)",
			RootKey: namesRoot, Cipher: "objects:photos", Op: "long", Kind: "object", Parent: "q/", Segment: long,
			Input: golden[longLine], Expect: []string{"mismatch"}},
		{Name: "path-segment-moved", Source: "names-v1.golden: path \"a/b/c\" and path \"2024/01/report.pdf\"",
			Change: "the last segment of a/b/c put under the folders of 2024/01/", RootKey: namesRoot,
			Cipher: "objects:photos", Op: "path", Input: strings.Join([]string{report[0], report[1], abc[2]}, "/"), Expect: auth},
		{Name: "path-segments-swapped", Source: "names-v1.golden: path \"a/b/c\"", Change: "segments 1 and 2 (a/ and b/) swapped",
			RootKey: namesRoot, Cipher: "objects:photos", Op: "path", Input: strings.Join([]string{abc[1], abc[0], abc[2]}, "/"), Expect: auth},
	}
}

// goldenNames maps each line of ../names-v1.golden, without its last field,
// to that field (the encrypted name).
func goldenNames() map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(string(read("../names-v1.golden")), "\n") {
		if i := strings.LastIndexByte(l, '\t'); i > 0 && l[0] != '#' {
			m[l[:i]] = l[i+1:]
		}
	}
	return m
}

// source names a line of ../names-v1.golden.
func source(line string) string { return "names-v1.golden: " + strings.ReplaceAll(line, "\t", " ") }

// flipB32 flips bit 0 of decoded byte i of a short encrypted segment.
func flipB32(enc string, i int) string {
	raw, err := b32.DecodeString(enc[:len(enc)-1])
	check(err)
	raw[i] ^= 1
	return b32.EncodeToString(raw) + enc[len(enc)-1:]
}

// setTrailingBit sets the lowest bit of the last character of a base32
// body whose bit length is not a multiple of 5: that bit decodes to nothing.
func setTrailingBit(body string) string {
	const alphabet = "abcdefghijklmnopqrstuvwxyz234567"
	last := strings.IndexByte(alphabet, body[len(body)-1])
	if last&1 != 0 || len(body)*5%8 == 0 {
		panic("gen: the segment has no free trailing bit")
	}
	return body[:len(body)-1] + string(alphabet[last|1])
}

// keystoreVector is one entry of keystore-v1.json.
type keystoreVector struct {
	Name    string   `json:"name"`
	Source  string   `json:"source"`
	Change  string   `json:"change"`
	File    string   `json:"file"`
	SHA256  string   `json:"file_sha256"`
	RootKey string   `json:"root_key_hex"`
	Expect  []string `json:"expect"`
}

func keystoreVectors(w *writer) []*keystoreVector {
	ks := read("../keystore-v1.golden")
	auth, format := []string{"ErrKeystoreAuth"}, []string{"ErrKeystoreFormat"}
	cases := []struct {
		name, change string
		file         []byte
		expect       []string
	}{
		{"body-bit-flipped", "bit 0 of byte 100 (sealed body) flipped", flip(ks, 100), auth},
		{"tag-bit-flipped", "bit 0 of the last byte (GCM tag) flipped", flip(ks, len(ks)-1), auth},
		{"nonce-bit-flipped", "bit 0 of byte 5 (first nonce byte) flipped", flip(ks, keystoreHdr), auth},
		{"version-downgraded", "version byte 4 changed from 1 to 0", set(ks, 4, 0), []string{"ErrUnsupportedVersion"}},
		{"magic-changed", "magic SGWK changed to sGWK", set(ks, 0, 's'), format},
		{"truncated-last-byte", "last byte (of the tag) dropped", clone(ks[:len(ks)-1]), auth},
		{"truncated-short", "cut to 32 bytes: header and nonce, less than a tag", clone(ks[:32]), auth},
		{"truncated-to-magic", "cut to the 4 magic bytes", clone(ks[:4]), format},
		{"empty", "zero bytes", []byte{}, format},
		{"extra-byte", "one zero byte appended", cat(ks, []byte{0}), auth},
	}
	vs := make([]*keystoreVector, 0, len(cases)+1)
	for _, c := range cases {
		v := &keystoreVector{Name: c.name, Source: "keystore-v1.golden", Change: c.change, RootKey: keystoreRoot, Expect: c.expect}
		v.File, v.SHA256 = w.vectorFile("keystore-v1", c.name, c.file)
		vs = append(vs, v)
	}
	sum := sha256.Sum256(ks)
	return append(vs, &keystoreVector{Name: "other-root-key", Source: "keystore-v1.golden",
		Change: "opened with another gateway root key (20 21 … 3f)", File: "keystore-v1.golden",
		SHA256: hex.EncodeToString(sum[:]), RootKey: otherRoot, Expect: auth})
}

// seq returns the hex of the 32 bytes b, b+1, …, b+31.
func seq(b byte) string {
	var k [32]byte
	for i := range k {
		k[i] = b + byte(i)
	}
	return hex.EncodeToString(k[:])
}

func flip(b []byte, off int) []byte { c := clone(b); c[off] ^= 1; return c }

func set(b []byte, off int, v ...byte) []byte { c := clone(b); copy(c[off:], v); return c }

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func clone(b []byte) []byte { return append([]byte{}, b...) }

func read(path string) []byte {
	b, err := os.ReadFile(path)
	check(err)
	return b
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
