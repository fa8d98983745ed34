package signature

import (
	"hash/maphash"
	"sync/atomic"
)

// verdicts remembers header and cookie values that a detector found clean.
// The same User-Agent, Accept-Language or session cookie arrives with every
// request of a client; scanning it once per detector instead of once per
// request is most of what keeps a benign request cheap.
//
// It is a direct-mapped table of immutable entries swapped atomically: no
// locks, bounded memory (slots × maxCached bytes), and a collision only
// evicts. Only clean verdicts are stored, one bit per detector, so a value
// that ever matched is scanned every time. An attacker who varies a header
// on every request only makes the table useless for himself.
type verdicts struct {
	key   uint64
	slots [verdictSlots]atomic.Pointer[verdict]
}

const (
	verdictSlots = 4096
	maxCached    = 256 // longer values are always scanned
)

type verdict struct {
	value string
	clean uint32 // bit i: detector i found nothing in value
}

func newVerdicts() *verdicts {
	return &verdicts{key: maphash.Comparable(maphash.MakeSeed(), 0)}
}

// slot hashes the length and three 8-byte samples of v (start, middle,
// end) with a per-process random key: cheap, and a collision only evicts.
func (c *verdicts) slot(v string) *atomic.Pointer[verdict] {
	h := c.key ^ uint64(len(v))*0x9e3779b97f4a7c15
	if len(v) >= 8 {
		h ^= le64(v[:8])
		h = (h ^ h>>29) * 0xbf58476d1ce4e5b9
		h ^= le64(v[len(v)/2-4 : len(v)/2+4])
		h = (h ^ h>>32) * 0x94d049bb133111eb
		h ^= le64(v[len(v)-8:])
	} else {
		for i := 0; i < len(v); i++ {
			h = (h ^ uint64(v[i])) * 0x100000001b3
		}
	}
	h = (h ^ h>>31) * 0x9e3779b97f4a7c15
	return &c.slots[(h>>32)%verdictSlots]
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// lookup returns the families (bits) that found nothing in v before.
func (c *verdicts) lookup(v string) uint32 {
	if e := c.slot(v).Load(); e != nil && e.value == v {
		return e.clean
	}
	return 0
}

// clean reports whether family bit found nothing in v before.
func (c *verdicts) clean(v string, bit uint) bool { return c.lookup(v)&(1<<bit) != 0 }

// markClean records that the families in bits found nothing in v.
func (c *verdicts) markClean(v string, bits uint32) {
	s := c.slot(v)
	old := s.Load()
	e := &verdict{clean: bits}
	if old != nil && old.value == v {
		if old.clean|bits == old.clean {
			return // nothing new: no write, no allocation
		}
		e.value = old.value
		e.clean |= old.clean
	} else {
		e.value = string(append([]byte(nil), v...)) // do not pin the request's memory
	}
	s.Store(e) // a lost race only loses a bit
}
