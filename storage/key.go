package storage

import (
	"encoding/hex"
	"hash/fnv"
)

// BoundKey returns k when it is at most MaxKeyLen bytes long, else a prefix
// of k followed by "#" and a 128-bit FNV-1a hash of the whole key, so that
// memory per entry stays bounded and distinct long keys stay distinct.
func BoundKey(k string) string {
	if len(k) <= MaxKeyLen {
		return k
	}
	h := fnv.New128a()
	_, _ = h.Write([]byte(k))
	var sum [16]byte
	return k[:MaxKeyLen-33] + "#" + hex.EncodeToString(h.Sum(sum[:0]))
}
