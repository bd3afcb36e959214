package cryptolayer

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"golang.org/x/sys/cpu"
)

// Sizes of the SGW1 object format (docs/FORMAT.md). They are fixed for
// format version 1 and never change: the plaintext size of an object is an
// exact function of its upstream size.
const (
	HeaderSize      = 80      // header including its 32-byte MAC
	SlotSize        = 4096    // sealed metadata slot
	ChunkSize       = 1 << 16 // plaintext bytes per full chunk
	ChunkOverhead   = 12 + 16 // nonce + AEAD tag per chunk
	SealedChunkSize = ChunkSize + ChunkOverhead
	EndSize         = 12 + endPlainSize + 16 // sealed END record
	// PrefixSize is the header plus the metadata slot: the bytes before chunk 0.
	PrefixSize = HeaderSize + SlotSize
	// MaxMetadataSize is the largest encoded metadata the slot holds.
	MaxMetadataSize = SlotSize - ChunkOverhead - 4
	// MaxChunks is the largest chunk count (the AAD holds a 32-bit index).
	MaxChunks = 1<<32 - 1
	// MaxParts is S3's largest part number.
	MaxParts = 10000

	formatVersion = 1
	chunkLog2     = 16
	headerBody    = HeaderSize - 32 // bytes covered by the header MAC
	endPlainSize  = 84
)

var magic = [4]byte{'S', 'G', 'W', 'E'}

// Suite is the AEAD used for the metadata slot, the chunks and END.
type Suite uint8

// The two suites of format v1.
const (
	AES256GCM        Suite = 1 // default where AES has hardware support
	ChaCha20Poly1305 Suite = 2 // where it does not (software AES is not constant-time)
)

// DefaultSuite returns AES256GCM on CPUs with AES and carry-less multiply
// instructions, ChaCha20Poly1305 otherwise.
func DefaultSuite() Suite {
	if (cpu.X86.HasAES && cpu.X86.HasPCLMULQDQ) || (cpu.ARM64.HasAES && cpu.ARM64.HasPMULL) ||
		(cpu.S390X.HasAES && cpu.S390X.HasGHASH) {
		return AES256GCM
	}
	return ChaCha20Poly1305
}

func (s Suite) valid() bool { return s == AES256GCM || s == ChaCha20Poly1305 }

func (s Suite) String() string {
	switch s {
	case AES256GCM:
		return "AES-256-GCM"
	case ChaCha20Poly1305:
		return "ChaCha20-Poly1305"
	}
	return fmt.Sprintf("suite(%d)", uint8(s))
}

// header is the parsed fixed header of an object.
type header struct {
	suite Suite
	flags byte // flagCustomerKey, or 0
	epoch uint32
	salt  [32]byte
	mac   [32]byte
}

// flagCustomerKey (header byte 7) marks an object whose chunks are sealed
// under a key that mixes in a customer key (S3's SSE-C): reading its data
// needs that key (Object.UseCustomerKey).
const flagCustomerKey = 0x01

// marshalBody returns the 48 header bytes that the MAC covers.
func (h *header) marshalBody() []byte {
	b := make([]byte, 0, HeaderSize)
	b = append(b, magic[:]...)
	b = append(b, formatVersion, byte(h.suite), chunkLog2, h.flags)
	b = binary.BigEndian.AppendUint32(b, h.epoch)
	b = append(b, h.salt[:]...)
	b = binary.BigEndian.AppendUint16(b, SlotSize)
	b = append(b, 0, 0)
	return b
}

// marshal returns the whole 80-byte header.
func (h *header) marshal() []byte { return append(h.marshalBody(), h.mac[:]...) }

// parseHeader checks every fixed field strictly: there is exactly one valid
// encoding of each header, and no legacy or future version is read.
func parseHeader(b []byte) (*header, error) {
	if len(b) < HeaderSize {
		return nil, integrity("header", fmt.Errorf("short header (%d bytes)", len(b)))
	}
	if !bytes.Equal(b[0:4], magic[:]) {
		return nil, integrity("header", fmt.Errorf("%w: bad magic", ErrUnsupportedFormat))
	}
	if b[4] != formatVersion {
		return nil, integrity("header", fmt.Errorf("%w: version %d", ErrUnsupportedFormat, b[4]))
	}
	h := &header{suite: Suite(b[5]), flags: b[7], epoch: binary.BigEndian.Uint32(b[8:12])}
	switch {
	case !h.suite.valid():
		return nil, integrity("header", fmt.Errorf("%w: suite %d", ErrUnsupportedFormat, b[5]))
	case b[6] != chunkLog2:
		return nil, integrity("header", fmt.Errorf("%w: chunk size 2^%d", ErrUnsupportedFormat, b[6]))
	case b[7]&^flagCustomerKey != 0 || b[46] != 0 || b[47] != 0:
		return nil, integrity("header", fmt.Errorf("%w: reserved bits set", ErrUnsupportedFormat))
	case binary.BigEndian.Uint16(b[44:46]) != SlotSize:
		return nil, integrity("header", fmt.Errorf("%w: slot size", ErrUnsupportedFormat))
	}
	copy(h.salt[:], b[12:44])
	copy(h.mac[:], b[headerBody:HeaderSize])
	return h, nil
}

// ChunkCount returns the number of chunks of a plaintext of size p: at least
// one (the empty object has one empty chunk).
func ChunkCount(p int64) int64 {
	if p <= 0 {
		return 1
	}
	return (p + ChunkSize - 1) / ChunkSize
}

// EncryptedSize returns the upstream size of an object whose plaintext is p
// bytes, whatever its part layout.
func EncryptedSize(p int64) int64 {
	return PrefixSize + p + ChunkOverhead*ChunkCount(p) + EndSize
}

// DecryptedSize returns the plaintext size of an object of upstream size e,
// or false when no object has that size (such an object is not genuine).
func DecryptedSize(e int64) (int64, bool) {
	b := e - PrefixSize - EndSize // sealed chunk bytes
	if b < ChunkOverhead {
		return 0, false
	}
	n := (b + SealedChunkSize - 1) / SealedChunkSize
	p := b - ChunkOverhead*n
	if p < 0 || ChunkCount(p) != n {
		return 0, false
	}
	return p, true
}

// SealedPartSize returns the upstream bytes of one sealed part (its chunks
// only) whose plaintext is p bytes.
func SealedPartSize(p int64) int64 { return p + ChunkOverhead*ChunkCount(p) }
