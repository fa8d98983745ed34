package behavior

import "sync/atomic"

// memoSlots is the size of a memo (a power of two).
const memoSlots = 4096

// memo remembers a small per-string verdict (a user agent's headless
// marker, a path's route class and login flag) under the string's seeded
// 64-bit hash, so the strings a service sees over and over are lowered and
// searched once. A slot packs the hash's top 48 bits with the 15-bit
// verdict and a valid bit: readers and writers never lock, a collision in
// the slot costs one recomputation, and with a per-process random seed a
// client cannot craft a string that reads another's verdict.
type memo struct {
	slots [memoSlots]atomic.Uint64
}

const memoValid = 1 << 15

// get returns the verdict stored for hash h.
func (m *memo) get(h uint64) (uint16, bool) {
	e := m.slots[h&(memoSlots-1)].Load()
	if e&memoValid == 0 || e>>16 != h>>16 {
		return 0, false
	}
	return uint16(e & (memoValid - 1)), true
}

// put stores verdict v (< 1<<15) for hash h.
func (m *memo) put(h uint64, v uint16) {
	m.slots[h&(memoSlots-1)].Store(h>>16<<16 | memoValid | uint64(v&(memoValid-1)))
}
