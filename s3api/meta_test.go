package s3api

import (
	"testing"

	"github.com/sealgate/sealgate/gateway"
)

func TestChecksumHeader(t *testing.T) {
	v := []byte{0xde, 0xad, 0xbe, 0xef}
	tests := []struct {
		name      string
		info      gateway.ObjectInfo
		wantName  string
		wantValue string
	}{
		{"none", gateway.ObjectInfo{}, "", ""},
		{"no value", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumCRC32}}, "", ""},
		{"unknown algorithm", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: 99, Value: v}}, "", ""},
		{"crc32", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumCRC32, Value: v}},
			"x-amz-checksum-crc32", "3q2+7w=="},
		{"crc32c", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumCRC32C, Value: v}},
			"x-amz-checksum-crc32c", "3q2+7w=="},
		{"sha1", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumSHA1, Value: v}},
			"x-amz-checksum-sha1", "3q2+7w=="},
		{"sha256", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumSHA256, Value: v}},
			"x-amz-checksum-sha256", "3q2+7w=="},
		{"crc64nvme", gateway.ObjectInfo{Checksum: gateway.Checksum{Algorithm: gateway.ChecksumCRC64NVME, Value: v}},
			"x-amz-checksum-crc64nvme", "3q2+7w=="},
		{"composite", gateway.ObjectInfo{ETag: "abc-3",
			Checksum: gateway.Checksum{Algorithm: gateway.ChecksumSHA256, Composite: true, Value: v}},
			"x-amz-checksum-sha256", "3q2+7w==-3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name, value := checksumHeader(tt.info)
			if name != tt.wantName || value != tt.wantValue {
				t.Errorf("got %q %q, want %q %q", name, value, tt.wantName, tt.wantValue)
			}
		})
	}
}

// The header names are those sigv4 reports algorithms by.
func TestChecksumHeaderOf(t *testing.T) {
	for _, alg := range []string{"CRC32", "CRC32C", "SHA1", "SHA256", "CRC64NVME"} {
		h := checksumHeaderOf(alg)
		a, ok := checksumAlgs[h]
		if !ok || checksumHeaders[a] != h {
			t.Errorf("%s: header %q maps to %v (%v), back to %q", alg, h, a, ok, checksumHeaders[a])
		}
	}
	if len(checksumHeaders) != len(checksumAlgs) {
		t.Errorf("checksumAlgs is not one to one")
	}
}
