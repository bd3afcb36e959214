package cryptolayer

import (
	"encoding/binary"
	"fmt"
	"sort"
)

// Metadata is an object's sealed metadata: name → value pairs chosen by the
// gateway (content type, user metadata, times, a long name's full key …).
// Names are non-empty; values may be empty. Both are arbitrary bytes.
type Metadata map[string]string

// encodeMetadata returns the canonical encoding: entries sorted by name in
// byte order, each uvarint(len(name)) name uvarint(len(value)) value.
func encodeMetadata(m Metadata) ([]byte, error) {
	names := make([]string, 0, len(m))
	for k := range m {
		if k == "" {
			return nil, fmt.Errorf("%w: empty name", ErrInvalidMetadata)
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var b []byte
	for _, k := range names {
		b = binary.AppendUvarint(b, uint64(len(k)))
		b = append(b, k...)
		b = binary.AppendUvarint(b, uint64(len(m[k])))
		b = append(b, m[k]...)
		if len(b) > MaxMetadataSize {
			return nil, fmt.Errorf("%w: more than %d bytes encoded", ErrMetadataTooLarge, MaxMetadataSize)
		}
	}
	return b, nil
}

// decodeMetadata parses the canonical encoding and rejects anything else:
// unsorted or repeated names, empty names, truncated fields.
func decodeMetadata(b []byte) (Metadata, error) {
	m := Metadata{}
	prev := ""
	for len(b) > 0 {
		k, rest, err := readField(b)
		if err != nil {
			return nil, err
		}
		v, rest, err := readField(rest)
		if err != nil {
			return nil, err
		}
		if k == "" || (len(m) > 0 && k <= prev) {
			return nil, fmt.Errorf("%w: names not strictly sorted", ErrInvalidMetadata)
		}
		m[k], prev, b = v, k, rest
	}
	return m, nil
}

func readField(b []byte) (string, []byte, error) {
	n, w := binary.Uvarint(b)
	if w <= 0 || n > uint64(len(b)-w) {
		return "", nil, fmt.Errorf("%w: truncated field", ErrInvalidMetadata)
	}
	// A uvarint has exactly one shortest form; reject padded encodings.
	if w != len(binary.AppendUvarint(nil, n)) {
		return "", nil, fmt.Errorf("%w: non-minimal length", ErrInvalidMetadata)
	}
	end := w + int(n)
	return string(b[w:end]), b[end:], nil
}

// sealSlot returns the 4096-byte slot:
// nonce || AEAD(K_meta, BE32(len) || encoding || zero padding, aad = "SGWm" || header) || tag.
func sealSlot(k *objectKeys, hdr []byte, m Metadata) ([]byte, error) {
	enc, err := encodeMetadata(m)
	if err != nil {
		return nil, err
	}
	pt := make([]byte, SlotSize-ChunkOverhead)
	binary.BigEndian.PutUint32(pt, uint32(len(enc)))
	copy(pt[4:], enc)
	return seal(k.meta, make([]byte, 0, SlotSize), pt, slotAAD(hdr)), nil
}

func openSlot(k *objectKeys, hdr, slot []byte) (Metadata, error) {
	pt, err := open(k.meta, nil, slot, slotAAD(hdr))
	if err != nil {
		return nil, integrity("metadata", nil)
	}
	n := binary.BigEndian.Uint32(pt)
	if n > MaxMetadataSize || !allZero(pt[4+n:]) {
		return nil, integrity("metadata", ErrInvalidMetadata)
	}
	m, err := decodeMetadata(pt[4 : 4+n])
	if err != nil {
		return nil, integrity("metadata", err)
	}
	return m, nil
}

func slotAAD(hdr []byte) []byte { return append([]byte("SGWm"), hdr...) }

func allZero(b []byte) bool {
	var x byte
	for _, c := range b {
		x |= c
	}
	return x == 0
}
