package signature

import (
	"encoding/binary"
	"math/bits"
)

// quadset is a keyword set (as words builds) that rejects most positions
// of a value with one table lookup: a bit for the hash of each keyword's
// first four bytes. The code family looks for a few hundred keywords in
// every value with a dot or a parenthesis, which is most prose; findAny
// would try the candidates of each byte's bucket.
type quadset struct {
	set  *kwset
	bits [1 << 10]uint64 // 2^16 bits
}

// quads builds a quadset; keywords must be lower-case and at least four
// bytes long.
func quads(kws ...string) *quadset {
	q := &quadset{set: words(kws...)}
	for _, k := range kws {
		if len(k) < 4 {
			panic("signature: quad keyword shorter than four bytes: " + k)
		}
		h := quadHash(k[0], k[1], k[2], k[3])
		q.bits[h>>6] |= 1 << (h & 63)
	}
	return q
}

func quadHash(a, b, c, d byte) uint32 {
	return quadHash32(uint32(a) | uint32(b)<<8 | uint32(c)<<16 | uint32(d)<<24)
}

// le32 reads the first four bytes of b, the first lowest.
func le32(b []byte) uint32 { return binary.LittleEndian.Uint32(b) }

// le32s is le32 of a string.
func le32s(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// quadHash32 is quadHash of the four bytes of v, the first lowest (a
// little-endian load of them).
func quadHash32(v uint32) uint32 { return (v * 2654435761) >> 16 }

// find returns the leftmost keyword of q in b, as findAny does.
//
// The four bytes at i are kept in v, one byte shifted in a position, and
// their hash rejects most positions with one table lookup.
func (q *quadset) find(b []byte, bounded bool) (match, bool) {
	if len(b) < 4 {
		return match{}, false
	}
	v := uint32(b[0])<<8 | uint32(b[1])<<16 | uint32(b[2])<<24
	for i := 0; i+3 < len(b); i++ {
		v = v>>8 | uint32(b[i+3])<<24
		if h := quadHash32(v); q.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for _, c := range q.set.atPair(b[i], b[i+1]) {
			kw := q.set.kws[c.k]
			j := i + len(kw)
			if j <= len(b) && string(b[i:j]) == string(kw) && (!bounded || boundary(b, i, j, kw)) {
				return match{int(c.k), i, j}, true
			}
		}
	}
	return match{}, false
}

// quadGroups is one quadset for several keyword lists (groups), read in a
// single pass over a value: find reports each group's leftmost keyword.
type quadGroups struct {
	q       *quadset
	group   []uint8 // group of each keyword, by keyword index
	local   []int   // index of each keyword in its own list
	bounded []bool  // per group: keywords need word boundaries
	// hit is q.bits with a byte for each hash: the filter of four
	// positions is then four loads or-ed together, without extracting
	// four bits. (After the pointers: the garbage collector stops
	// reading a quadGroups at its last pointer.)
	hit [1 << 16]uint8
	// even marks the hashes (evenHash) of each keyword's quads at offsets
	// 0 and 1, and for a four-byte keyword, which has no quad at offset
	// 1, those of its last three bytes and any byte after them: a keyword
	// starting at p has one of them at the even one of p and p+1, so that
	// find reads every second position only. The four-byte keywords mark
	// some thousand hashes that way; of 2^16, a block of prose's four
	// would pass one time in thirteen for nothing, of 2^18 one in sixty.
	even [1 << 18]uint8
}

// evenHash is the hash of quadGroups.even: quadHash32's multiplication,
// two more of its bits.
func evenHash(v uint32) uint32 { return (v * 2654435761) >> 14 }

// groupMatch is a group's leftmost keyword: its index in the group's list
// and its span.
type groupMatch struct {
	ok   bool
	k    int
	i, j int
}

func quadGroupsOf(bounded []bool, lists ...[]string) *quadGroups {
	g := &quadGroups{bounded: bounded}
	var all []string
	for n, l := range lists {
		for k, w := range l {
			all = append(all, w)
			g.group = append(g.group, uint8(n))
			g.local = append(g.local, k)
		}
	}
	g.q = quads(all...)
	for h := range g.hit {
		g.hit[h] = uint8(g.q.bits[h>>6] >> (h & 63) & 1)
	}
	for _, k := range all {
		g.even[evenHash(le32s(k))] = 1
		if len(k) > 4 {
			g.even[evenHash(le32s(k[1:]))] = 1
			continue
		}
		for c := range 256 {
			g.even[evenHash(uint32(k[1])|uint32(k[2])<<8|uint32(k[3])<<16|uint32(c)<<24)] = 1
		}
	}
	return g
}

// find fills out[n] with group n's leftmost keyword in b, reading b as
// quadset.find does.
//
// The filter reads the quads at the even positions of a block of eight,
// i to i+6, in even: every keyword starting at i-1 to i+6 has a quad
// there, so a block none of whose four passes has none starting there.
// The hashes are independent, so their table lookups overlap; two blocks
// go in a round, so the loop's bookkeeping (the bounds check, the
// branch) is paid once for sixteen positions, and prose passes most
// rounds. In a block that does not pass, each even position that passes
// and the one before it are tried in order with the quads of hit (block),
// so the leftmost keyword of each group is found as a position at a time
// would find it. The last few positions go four at a time, then one.
func (g *quadGroups) find(b []byte, out []groupMatch) {
	left := len(out)
	q := g.q
	if len(b) < 4 || left == 0 {
		return
	}
	i := 0
	s := unsafeString(b) // a string has no capacity to check
	for last := len(s) - 20; i <= last; i += 16 {
		w := s[i : i+20] // one bounds check for the eight loads
		e0 := g.even[evenHash(le32s(w[0:]))] | g.even[evenHash(le32s(w[2:]))] |
			g.even[evenHash(le32s(w[4:]))] | g.even[evenHash(le32s(w[6:]))]
		e1 := g.even[evenHash(le32s(w[8:]))] | g.even[evenHash(le32s(w[10:]))] |
			g.even[evenHash(le32s(w[12:]))] | g.even[evenHash(le32s(w[14:]))]
		if e0|e1 == 0 {
			continue // most rounds of prose
		}
		if e0 != 0 {
			if left = g.block(b, i, out, left); left == 0 {
				return
			}
		}
		if e1 != 0 {
			if left = g.block(b, i+8, out, left); left == 0 {
				return
			}
		}
	}
	for ; i+12 <= len(s); i += 8 {
		w := s[i : i+12] // one bounds check for the four loads
		if g.even[evenHash(le32s(w[0:]))]|g.even[evenHash(le32s(w[2:]))]|
			g.even[evenHash(le32s(w[4:]))]|g.even[evenHash(le32s(w[6:]))] == 0 {
			continue
		}
		if left = g.block(b, i, out, left); left == 0 {
			return
		}
	}
	if i > 0 {
		i-- // the blocks read the position before them, not their last
	}
	for ; i+8 <= len(b); i += 4 {
		x := binary.LittleEndian.Uint64(b[i:])
		h0, h1 := quadHash32(uint32(x)), quadHash32(uint32(x>>8))
		h2, h3 := quadHash32(uint32(x>>16)), quadHash32(uint32(x>>24))
		if g.hit[h0]|g.hit[h1]|g.hit[h2]|g.hit[h3] == 0 {
			continue // most blocks of prose
		}
		hits := uint64(g.hit[h0]) | uint64(g.hit[h1])<<1 | uint64(g.hit[h2])<<2 | uint64(g.hit[h3])<<3
		for ; hits != 0; hits &= hits - 1 {
			if left = g.at(b, i+bits.TrailingZeros64(hits), out, left); left == 0 {
				return
			}
		}
	}
	for ; i+3 < len(b); i++ {
		if h := quadHash(b[i], b[i+1], b[i+2], b[i+3]); q.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		if left = g.at(b, i, out, left); left == 0 {
			return
		}
	}
}

// block tries the positions i-1 to i+6 (i+11 < len(b)) whose quads may
// start a keyword, in order, for the groups not found yet, and returns
// how many groups are left.
func (g *quadGroups) block(b []byte, i int, out []groupMatch, left int) int {
	w := unsafeString(b[i : i+12])
	for k := 0; k < 8; k += 2 {
		if g.even[evenHash(le32s(w[k:]))] == 0 {
			continue
		}
		// a keyword may start at i+k-1 or i+k: in order, each
		// through the filter of the quad there
		for p := max(i+k-1, 0); p <= i+k; p++ {
			if g.hit[quadHash32(le32(b[p:]))] == 0 {
				continue
			}
			if left = g.at(b, p, out, left); left == 0 {
				return 0
			}
		}
	}
	return left
}

// at tries the keywords that may start at b[i] for the groups not found
// yet, and returns how many groups are left.
func (g *quadGroups) at(b []byte, i int, out []groupMatch, left int) int {
	q := g.q
	for _, c := range q.set.atPair(b[i], b[i+1]) {
		n := g.group[c.k]
		if out[n].ok {
			continue
		}
		kw := q.set.kws[c.k]
		j := i + len(kw)
		if j <= len(b) && string(b[i:j]) == string(kw) && (!g.bounded[n] || boundary(b, i, j, kw)) {
			out[n] = groupMatch{ok: true, k: g.local[c.k], i: i, j: j}
			left--
		}
	}
	return left
}
