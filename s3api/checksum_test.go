package s3api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"hash/crc32"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/sealgate/sealgate/gateway"
)

// mpChecksumCase is a multipart upload with a checksum, its parts' sizes,
// and the object checksum S3 would give it.
type mpChecksumCase struct {
	name  string
	alg   types.ChecksumAlgorithm
	typ   types.ChecksumType
	sizes []int
	want  func(parts [][]byte) string
}

func sumB64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

// TestMultipartChecksums drives multipart checksums with the AWS SDK v2
// (which computes each part's checksum itself) against the real gateway:
// the object's FULL_OBJECT or COMPOSITE checksum on Complete, HEAD and
// GetObjectAttributes, and the part checksums ListParts shows.
func TestMultipartChecksums(t *testing.T) {
	full := func(parts [][]byte) string {
		h := crc32.New(crc32.MakeTable(crc32.Castagnoli))
		for _, p := range parts {
			h.Write(p)
		}
		return sumB64(h.Sum(nil))
	}
	composite := func(parts [][]byte) string {
		h := sha256.New()
		for _, p := range parts {
			s := sha256.Sum256(p)
			h.Write(s[:])
		}
		return sumB64(h.Sum(nil)) + "-" + string(rune('0'+len(parts)))
	}
	tests := []mpChecksumCase{
		{"crc32c full object", types.ChecksumAlgorithmCrc32c, types.ChecksumTypeFullObject, []int{5 << 20, 5<<20 + 17, 1234}, full},
		{"sha256 composite", types.ChecksumAlgorithmSha256, types.ChecksumTypeComposite, []int{5 << 20, 99}, composite},
	}
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	mustBucket(t, c, "mpck")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { testMultipartChecksum(t, c, tc) })
	}
}

func testMultipartChecksum(t *testing.T, c *s3.Client, tc mpChecksumCase) {
	ctx := context.Background()
	key := aws.String("obj")
	cr, err := c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mpck"), Key: key,
		ChecksumAlgorithm: tc.alg, ChecksumType: tc.typ})
	if err != nil || cr.ChecksumAlgorithm != tc.alg || cr.ChecksumType != tc.typ {
		t.Fatalf("create: %v %+v", err, cr)
	}
	var parts [][]byte
	var done []types.CompletedPart
	for i, n := range tc.sizes {
		body := bytes.Repeat([]byte{byte('a' + i)}, n)
		parts = append(parts, body)
		up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mpck"), Key: key, UploadId: cr.UploadId,
			PartNumber: aws.Int32(int32(i + 1)), Body: bytes.NewReader(body), ChecksumAlgorithm: tc.alg})
		if err != nil {
			t.Fatalf("part %d: %v", i+1, err)
		}
		done = append(done, types.CompletedPart{PartNumber: aws.Int32(int32(i + 1)), ETag: up.ETag,
			ChecksumCRC32C: up.ChecksumCRC32C, ChecksumSHA256: up.ChecksumSHA256})
	}
	lp, err := c.ListParts(ctx, &s3.ListPartsInput{Bucket: aws.String("mpck"), Key: key, UploadId: cr.UploadId})
	if err != nil || lp.ChecksumAlgorithm != tc.alg || lp.ChecksumType != tc.typ || len(lp.Parts) != len(parts) {
		t.Fatalf("list parts: %v %+v", err, lp)
	}
	for i, p := range lp.Parts {
		if aws.ToString(p.ChecksumCRC32C)+aws.ToString(p.ChecksumSHA256) != aws.ToString(done[i].ChecksumCRC32C)+aws.ToString(done[i].ChecksumSHA256) {
			t.Errorf("part %d: listed checksum differs from UploadPart's", i+1)
		}
	}
	want := tc.want(parts)
	out, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mpck"), Key: key, UploadId: cr.UploadId,
		MultipartUpload: &types.CompletedMultipartUpload{Parts: done}, ChecksumType: tc.typ})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(out.ChecksumCRC32C) + aws.ToString(out.ChecksumSHA256); got != want || out.ChecksumType != tc.typ {
		t.Fatalf("complete: checksum %q (%s), want %q (%s)", got, out.ChecksumType, want, tc.typ)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("mpck"), Key: key, ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(h.ChecksumCRC32C)+aws.ToString(h.ChecksumSHA256) != want || h.ChecksumType != tc.typ {
		t.Fatalf("head: %v %+v", err, h)
	}
}

// TestMultipartChecksumErrors: AWS's refusals, by code and message.
func TestMultipartChecksumErrors(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	mustBucket(t, c, "mperr")
	ctx := context.Background()
	create := func(alg types.ChecksumAlgorithm, typ types.ChecksumType) (*s3.CreateMultipartUploadOutput, error) {
		return c.CreateMultipartUpload(ctx, &s3.CreateMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("k"),
			ChecksumAlgorithm: alg, ChecksumType: typ})
	}
	_, err := create(types.ChecksumAlgorithmCrc64nvme, types.ChecksumTypeComposite)
	wantMessage(t, err, "InvalidRequest", "The COMPOSITE checksum type cannot be used with the crc64nvme checksum algorithm.")
	_, err = create(types.ChecksumAlgorithmSha1, types.ChecksumTypeFullObject)
	wantMessage(t, err, "InvalidRequest", "The FULL_OBJECT checksum type cannot be used with the sha1 checksum algorithm.")
	_, err = create("", types.ChecksumTypeFullObject)
	wantMessage(t, err, "InvalidRequest", "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.")

	cr, err := create(types.ChecksumAlgorithmCrc32, "")
	if err != nil || cr.ChecksumType != types.ChecksumTypeComposite {
		t.Fatalf("CRC32 defaults to COMPOSITE: %v %+v", err, cr)
	}
	_, err = c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x")), ChecksumAlgorithm: types.ChecksumAlgorithmSha1})
	wantMessage(t, err, "InvalidRequest", "Checksum Type mismatch occurred, expected checksum Type: CRC32, actual checksum Type: SHA1")

	up, err := c.UploadPart(ctx, &s3.UploadPartInput{Bucket: aws.String("mperr"), Key: aws.String("k"), UploadId: cr.UploadId,
		PartNumber: aws.Int32(1), Body: bytes.NewReader([]byte("x")), ChecksumAlgorithm: types.ChecksumAlgorithmCrc32})
	if err != nil {
		t.Fatal(err)
	}
	complete := func(p types.CompletedPart, final *string) error {
		_, err := c.CompleteMultipartUpload(ctx, &s3.CompleteMultipartUploadInput{Bucket: aws.String("mperr"), Key: aws.String("k"),
			UploadId: cr.UploadId, MultipartUpload: &types.CompletedMultipartUpload{Parts: []types.CompletedPart{p}}, ChecksumCRC32: final})
		return err
	}
	err = complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: up.ETag}, nil)
	wantMessage(t, err, "InvalidRequest", "The upload was created using a crc32 checksum. The complete request must include the checksum for each part. It was missing for part 1 in the request.")
	err = complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC32: aws.String("AAAAAA==")}, nil)
	wantCode(t, err, "InvalidPart", http.StatusBadRequest)
	err = complete(types.CompletedPart{PartNumber: aws.Int32(1), ETag: up.ETag, ChecksumCRC32: up.ChecksumCRC32}, aws.String("AAAAAA==-1"))
	wantMessage(t, err, "BadDigest", "The CRC32 you specified did not match the calculated checksum.")
}

func wantMessage(t *testing.T, err error, code, msg string) {
	t.Helper()
	wantCode(t, err, code, http.StatusBadRequest)
	if err == nil || !bytes.Contains([]byte(err.Error()), []byte(msg)) {
		t.Errorf("error %v, want message %q", err, msg)
	}
}

// TestPutChecksums: a PUT without a checksum gets a CRC64NVME; a SHA512
// (kept in the sealed metadata) comes back on HEAD.
func TestPutChecksums(t *testing.T) {
	e := newEnv(t, envOpts{newNS: realGateway(t)})
	c := e.aliceClient(t)
	mustBucket(t, c, "put")
	ctx := context.Background()
	out, err := c.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("put"), Key: aws.String("sha512"),
		Body: bytes.NewReader([]byte("hello")), ChecksumAlgorithm: types.ChecksumAlgorithmSha512})
	if err != nil || aws.ToString(out.ChecksumSHA512) == "" || out.ChecksumType != types.ChecksumTypeFullObject {
		t.Fatalf("put: %v %+v", err, out)
	}
	h, err := c.HeadObject(ctx, &s3.HeadObjectInput{Bucket: aws.String("put"), Key: aws.String("sha512"), ChecksumMode: types.ChecksumModeEnabled})
	if err != nil || aws.ToString(h.ChecksumSHA512) != aws.ToString(out.ChecksumSHA512) {
		t.Fatalf("head: %v %+v", err, h)
	}
	plain := e.client(t, aliceAK, aliceSK, func(o *s3.Options) { o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired })
	out, err = plain.PutObject(ctx, &s3.PutObjectInput{Bucket: aws.String("put"), Key: aws.String("plain"), Body: bytes.NewReader([]byte("hello"))})
	if err != nil || aws.ToString(out.ChecksumCRC64NVME) != sumB64(gatewayCRC64([]byte("hello"))) {
		t.Fatalf("plain PUT: %v %+v", err, out)
	}
}

func gatewayCRC64(b []byte) []byte {
	h := gateway.NewChecksumHash(gateway.ChecksumCRC64NVME)
	h.Write(b)
	return h.Sum(nil)
}
