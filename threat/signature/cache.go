package signature

import (
	"hash/maphash"
	"strings"
	"sync/atomic"

	"github.com/bulwarkhq/bulwark/threat"
)

// verdicts remembers header and cookie values that a detector found clean.
// The same User-Agent, Accept-Language or session cookie arrives with every
// request of a client; scanning it once per detector instead of once per
// request is most of what keeps a benign request cheap.
//
// It is a two-way set-associative table of entries swapped atomically: no
// locks, bounded memory (slots × maxCached bytes), and a collision only
// evicts. Two ways keep two hot values that hash alike from evicting each
// other on every request. An entry's value never changes; its clean bits
// only gain bits, atomically. Only clean verdicts are stored, one bit per
// detector, so a value that ever matched is scanned every time. An attacker
// who varies a header on every request only makes the table useless for
// himself.
//
// A verdict is about a value in one place: its source and header name.
// Families read some headers harder than others (the command family reads
// only User-Agent and Referer in full, the code family others for JNDI
// alone), so a value found clean in a decoy header must not pass as clean
// in the User-Agent.
type verdicts struct {
	key   uint64
	slots [verdictSlots]atomic.Pointer[verdict]
}

const (
	verdictSlots = 4096 // a multiple of 2: buckets of two ways
	maxCached    = 256  // longer values are always scanned
)

type verdict struct {
	src   threat.Source
	name  string // header name; "" for the path
	value string
	clean atomic.Uint32 // bit i: detector i found nothing in value
	hash  uint64        // of src, name and value (verdicts.hash)
}

func newVerdicts() *verdicts {
	return &verdicts{key: maphash.Comparable(maphash.MakeSeed(), 0)}
}

// hash mixes src, the lengths of name and v and samples of their bytes
// with a per-process random key: cheap, and a collision only evicts (find
// compares the whole value and name).
func (c *verdicts) hash(src threat.Source, name, v string) uint64 {
	h := c.key ^ (uint64(src)<<56 | uint64(len(name))<<40 | uint64(len(v)))
	h = absorb(h, name)
	h = absorb(h, v)
	return (h ^ h>>31) * 0x9e3779b97f4a7c15
}

// absorb mixes samples of s into h: its first and last eight bytes and
// eight from the middle of a longer s, every byte of a shorter one (two
// 4-byte loads that overlap, or the first, middle and last byte).
func absorb(h uint64, s string) uint64 {
	switch n := len(s); {
	case n >= 8:
		h = (h ^ le64(s[:8])) * 0xbf58476d1ce4e5b9
		h = (h ^ h>>29 ^ le64(s[n-8:])) * 0x94d049bb133111eb
		if n > 16 {
			h = (h ^ h>>32 ^ le64(s[n/2-4:n/2+4])) * 0xbf58476d1ce4e5b9
		}
	case n >= 4:
		h = (h ^ uint64(le32s(s[:4]))<<32 ^ uint64(le32s(s[n-4:]))) * 0xbf58476d1ce4e5b9
	case n > 0:
		h = (h ^ uint64(s[0])<<16 ^ uint64(s[n/2])<<8 ^ uint64(s[n-1])) * 0xbf58476d1ce4e5b9
	}
	return h
}

// bucket returns the two ways of the bucket of hash h.
func (c *verdicts) bucket(h uint64) *[2]atomic.Pointer[verdict] {
	i := (h >> 32) % (verdictSlots / 2) * 2
	return (*[2]atomic.Pointer[verdict])(c.slots[i : i+2])
}

func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// mayCache reports whether the cache may remember a value of source src
// and n bytes: Detector.scan asks it, and so do the families that skip
// work whose only reader is the cache (scanSQLi's libinjection).
func mayCache(src threat.Source, n int) bool {
	return (src == threat.SourceHeader || src == threat.SourcePath) && n <= maxCached
}

// find returns the entry of v in its place, or nil.
func (c *verdicts) find(src threat.Source, name, v string) (*verdict, *[2]atomic.Pointer[verdict], uint64) {
	h := c.hash(src, name, v)
	b := c.bucket(h)
	for i := range b {
		// the hash first: the other way's entry is rejected without
		// comparing strings
		if e := b[i].Load(); e != nil && e.hash == h && e.value == v && e.src == src && e.name == name {
			return e, b, h
		}
	}
	return nil, b, h
}

// lookup returns the families (bits) that found nothing in v in its place
// before.
func (c *verdicts) lookup(src threat.Source, name, v string) uint32 {
	if e, _, _ := c.find(src, name, v); e != nil {
		return e.clean.Load()
	}
	return 0
}

// clean reports whether family bit found nothing in v in its place before.
func (c *verdicts) clean(src threat.Source, name, v string, bit uint) bool {
	return c.lookup(src, name, v)&(1<<bit) != 0
}

// markClean records that the families in bits found nothing in v in its
// place.
func (c *verdicts) markClean(src threat.Source, name, v string, bits uint32) {
	e, b, h := c.find(src, name, v)
	if e != nil {
		e.clean.Or(bits) // no allocation for a known value
		return
	}
	// copies: do not pin the request's memory
	e = &verdict{src: src, name: strings.Clone(name), value: strings.Clone(v), hash: h}
	e.clean.Store(bits)
	way := int(h & 1) // an empty way, else one picked by the hash
	if b[0].Load() == nil {
		way = 0
	} else if b[1].Load() == nil {
		way = 1
	}
	b[way].Store(e) // a lost race only loses a verdict
}
