package cryptolayer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"hash/crc32"
	"os"
	"path/filepath"
	"testing"
)

// goldenVector is one test vector of docs/FORMAT.md. The plaintext is
// byte(i % 251) for i in [0, Size).
type goldenVector struct {
	Name      string            `json:"name"`
	Suite     Suite             `json:"suite"`
	EpochKey  string            `json:"epoch_key_hex"`
	Epoch     uint32            `json:"epoch"`
	UserID    string            `json:"user_id_hex"`
	Bucket    string            `json:"bucket"`
	Key       string            `json:"key"`
	Meta      map[string]string `json:"metadata"`
	Parts     []int64           `json:"part_sizes,omitempty"` // multipart when set
	Size      int64             `json:"plaintext_size"`
	ETag      string            `json:"etag"`
	SHA256    string            `json:"object_sha256"`
	RandSeed  byte              `json:"rand_seed"` // for the test's deterministic salts and nonces
	CRC32Cksm bool              `json:"crc32_checksum,omitempty"`
	Version   string            `json:"version,omitempty"`          // S3 version id bound into the MAC
	Customer  string            `json:"customer_key_hex,omitempty"` // SSE-C key mixed into the chunk key
}

func goldenPlain(n int64) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

var goldenVectors = []goldenVector{
	{Name: "aesgcm-single-70000", Suite: AES256GCM, Size: 70000, CRC32Cksm: true,
		Meta: map[string]string{"content-type": "text/plain", "x-amz-meta-author": "Zoë"}},
	{Name: "chacha-single-empty", Suite: ChaCha20Poly1305, Size: 0, Meta: map[string]string{}},
	{Name: "aesgcm-multipart-3", Suite: AES256GCM, Size: 2*ChunkSize + 1000, Parts: []int64{ChunkSize, ChunkSize, 1000},
		Meta: map[string]string{"content-type": "application/octet-stream"}},
}

func (v *goldenVector) fill(i int) {
	k := fixedKey(byte(0x40 + i))
	v.EpochKey, v.Epoch = hex.EncodeToString(k[:]), uint32(3+i)
	v.UserID, v.Bucket, v.Key = hex.EncodeToString([]byte("0123456789abcdef")), "golden-bucket", "dir/sub/file-"+v.Name
	v.RandSeed = byte(0x70 + i)
}

func (v *goldenVector) ring() ContentKey {
	raw, _ := hex.DecodeString(v.EpochKey)
	var k Key
	copy(k[:], raw)
	return ContentKey{Epoch: v.Epoch, Key: k}
}

func (v *goldenVector) binding() Binding {
	id, _ := hex.DecodeString(v.UserID)
	return Binding{UserID: id, Bucket: v.Bucket, Key: v.Key, Version: v.Version}
}

// seal produces the vector's object with deterministic randomness.
func (v *goldenVector) seal(t *testing.T) []byte {
	withDetRand(t, v.RandSeed)
	plain := goldenPlain(v.Size)
	if v.Parts == nil {
		p := Params{Suite: v.Suite, Key: v.ring(), Binding: v.binding(), Meta: v.Meta}
		if v.Customer != "" {
			ck := hexKey(t, v.Customer)
			p.CustomerKey = ck[:]
		}
		var out bytes.Buffer
		w, err := NewWriter(&out, p)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(plain)
		if v.CRC32Cksm {
			c := crc32.ChecksumIEEE(plain)
			w.SetChecksum(Checksum{Algorithm: ChecksumCRC32, Value: []byte{byte(c >> 24), byte(c >> 16), byte(c >> 8), byte(c)}})
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	u := NewUpload(v.Suite, v.Epoch)
	obj, _, err := u.prefix(v.ring(), v.binding(), v.Meta)
	if err != nil {
		t.Fatal(err)
	}
	var infos []PartInfo
	off := int64(0)
	for i, n := range v.Parts {
		var out bytes.Buffer
		w, _ := u.NewPartWriter(&out, v.ring(), i+1)
		_, _ = w.Write(plain[off : off+n])
		_ = w.Close()
		infos, obj, off = append(infos, w.Info()), append(obj, out.Bytes()...), off+n
	}
	end, _, err := assemble(u, v.ring(), infos)
	if err != nil {
		t.Fatal(err)
	}
	return append(obj, end...)
}

const goldenDir = "testdata/object-v1"

// TestGoldenObjects: the files in testdata/object-v1 open to their
// plaintext forever, and sealing with the same randomness reproduces them
// and vectors.json byte for byte (any change to the writer's output is a
// format change). The test never writes them; TestFrozenV1Files pins them.
func TestGoldenObjects(t *testing.T) {
	var want []goldenVector
	for i, v := range goldenVectors {
		v.fill(i)
		obj := v.seal(t)
		o, _, err := openBytes(v.ring(), v.binding(), obj)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(obj)
		v.ETag, v.SHA256 = o.ETag(), hex.EncodeToString(sum[:])
		want = append(want, v)
		stored, err := os.ReadFile(filepath.Join(goldenDir, v.Name+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(stored, obj) {
			t.Fatalf("%s: the writer's output changed: this is a format change", v.Name)
		}
		got, err := readAll(v.ring(), v.binding(), stored)
		if err != nil || !bytes.Equal(got, goldenPlain(v.Size)) {
			t.Fatalf("%s: golden object does not open: %v", v.Name, err)
		}
	}
	vec, _ := json.MarshalIndent(want, "", "  ")
	stored, err := os.ReadFile(filepath.Join(goldenDir, "vectors.json"))
	if err != nil || !bytes.Equal(stored, append(vec, '\n')) {
		t.Fatalf("vectors.json differs from the vectors (err %v)", err)
	}
}
