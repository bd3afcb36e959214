// Package etagtest computes S3 multipart ETags for tests, independently of
// the code under test: the hex MD5 of the concatenated binary MD5s of the
// parts, then "-" and the number of parts, without quotes. A single PUT's
// ETag is the hex MD5 of the body and needs no helper.
package etagtest

import (
	"crypto/md5"
	"encoding/hex"
	"strconv"
)

// Multipart is the ETag of data uploaded in parts of the given sizes, in
// order. The sizes must add up to len(data).
func Multipart[S ~int | ~int64](data []byte, sizes []S) string {
	var sums []byte
	off := 0
	for _, n := range sizes {
		s := md5.Sum(data[off : off+int(n)])
		sums = append(sums, s[:]...)
		off += int(n)
	}
	if off != len(data) {
		panic("etagtest: part sizes add up to " + strconv.Itoa(off) + ", not " + strconv.Itoa(len(data)))
	}
	s := md5.Sum(sums)
	return hex.EncodeToString(s[:]) + "-" + strconv.Itoa(len(sizes))
}

// Even is the ETag of data uploaded in parts of partSize bytes, the last
// part holding the rest, as the S3 clients' transfer managers upload.
func Even(data []byte, partSize int) string {
	var sizes []int
	for off := 0; off < len(data); off += partSize {
		sizes = append(sizes, min(partSize, len(data)-off))
	}
	return Multipart(data, sizes)
}
