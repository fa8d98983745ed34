// Package backend holds what the storage backends (storage/memory,
// storage/redis) and the rate limiter share beyond the storage interfaces:
// bounded keys and the sliding window's arithmetic.
package backend

import (
	"encoding/hex"
	"hash/fnv"
)

// MaxKeyLen bounds client and bucket keys: longer keys are replaced by a
// fixed-length hash of themselves (see BoundKey).
const MaxKeyLen = 128

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
