package cryptolayer

import (
	"fmt"
	"strings"
)

// EncryptPath encrypts every '/'-separated segment of an object key: all
// but the last as KindFolder, the last as KindObject, each under the
// plaintext parent path before it. Keys are bytes: no Unicode
// normalisation, no path cleaning; "a//b", "dir/", "../x" and "" are all
// valid keys. It fails only for keys longer than MaxKeyBytes (ErrKeyTooLong).
func (c *NameCipher) EncryptPath(key string) (string, error) {
	if len(key) > MaxKeyBytes {
		return "", fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(key))
	}
	var b strings.Builder
	i := strings.LastIndexByte(key, '/') + 1
	c.appendFolders(&b, key[:i])
	b.WriteString(c.EncryptSegment(key[:i], key[i:], KindObject))
	return b.String(), nil
}

// EncryptDir encrypts the complete segments of a listing prefix: everything
// up to and including its last '/', each segment as KindFolder. The partial
// last segment after that '/' is ignored (the caller filters the decrypted
// listing by it). The result is "" for a prefix without '/', and otherwise
// ends in '/': it is the upstream prefix of one "directory" listing.
func (c *NameCipher) EncryptDir(prefix string) (string, error) {
	if len(prefix) > MaxKeyBytes {
		return "", fmt.Errorf("%w: %d bytes", ErrKeyTooLong, len(prefix))
	}
	var b strings.Builder
	c.appendFolders(&b, prefix[:strings.LastIndexByte(prefix, '/')+1])
	return b.String(), nil
}

// appendFolders writes every segment of dir ("" or a path ending in '/')
// as KindFolder under its plaintext parent path, each followed by '/'.
func (c *NameCipher) appendFolders(b *strings.Builder, dir string) {
	for start := 0; start < len(dir); {
		i := strings.IndexByte(dir[start:], '/')
		b.WriteString(c.EncryptSegment(dir[:start], dir[start:start+i], KindFolder))
		b.WriteByte('/')
		start += i + 1
	}
}

// DecryptPath reverses EncryptPath. An error wraps ErrLongName when some
// segment is in the long form (the full key is then in the object's sealed
// metadata), and ErrNameAuth for anything else that fails.
func (c *NameCipher) DecryptPath(enc string) (string, error) {
	var b strings.Builder
	for {
		i := strings.IndexByte(enc, '/')
		seg, kind := enc, KindObject
		if i >= 0 {
			seg, kind = enc[:i], KindFolder
		}
		pt, err := c.DecryptSegment(b.String(), seg, kind)
		if err != nil {
			return "", err
		}
		b.WriteString(pt)
		if i < 0 {
			return b.String(), nil
		}
		b.WriteByte('/')
		enc = enc[i+1:]
	}
}
