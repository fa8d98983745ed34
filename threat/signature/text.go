package signature

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
)

// cls is a set of character classes present in a value. Detectors check it
// first: a value without any of the characters an attack family needs is
// skipped without further work, which is what keeps benign requests cheap.
type cls uint32

const (
	cQuote     cls = 1 << iota // '
	cDQuote                    // "
	cBacktick                  // `
	cLT                        // <
	cGT                        // >
	cParen                     // ( )
	cSemi                      // ;
	cPipe                      // |
	cAmp                       // &
	cDollar                    // $
	cBrace                     // { }
	cSlash                     // /
	cBackslash                 // \
	cDot                       // .
	cColon                     // :
	cEq                        // =
	cHash                      // #
	cDash                      // -
	cStar                      // *
	cComma                     // ,
	cSpace                     // space, tab
	cNL                        // \r \n
	cCtl                       // other control bytes, NUL
	cAt                        // @
	cBracket                   // [ ]
	cPercent                   // %
	cBang                      // !
	cTilde                     // ~
	cHigh                      // bytes >= 0x80
)

var classes = func() (t [256]cls) {
	for c := 0; c < 0x20; c++ {
		t[c] = cCtl
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = cHigh
	}
	set := map[byte]cls{'\'': cQuote, '"': cDQuote, '`': cBacktick, '<': cLT, '>': cGT, '(': cParen, ')': cParen,
		';': cSemi, '|': cPipe, '&': cAmp, '$': cDollar, '{': cBrace, '}': cBrace, '/': cSlash, '\\': cBackslash,
		'.': cDot, ':': cColon, '=': cEq, '#': cHash, '-': cDash, '*': cStar, ',': cComma, ' ': cSpace, '\t': cSpace,
		'\r': cNL, '\n': cNL, '@': cAt, '[': cBracket, ']': cBracket, '%': cPercent, '!': cBang, '~': cTilde, 0x7f: cCtl}
	for c, k := range set {
		t[c] = k
	}
	return t
}()

// classPairs holds the classes of each pair of bytes x, y at x | y<<8 (a
// little-endian load of the two): classify reads a value two bytes a
// lookup.
var classPairs = func() *[1 << 16]cls {
	t := new([1 << 16]cls)
	for p := range t {
		t[p] = classes[p&0xff] | classes[p>>8]
	}
	return t
}()

// classify returns the classes of the bytes of s.
// A round reads sixteen bytes, a pair a lookup (classPairs), so the
// loop's bookkeeping is paid once for them; two accumulators let the
// lookups of a round overlap.
func classify(s string) cls {
	var m0, m1 cls
	t := classPairs
	i := 0
	for last := len(s) - 16; i <= last; i += 16 {
		w := s[i : i+16] // one bounds check for the sixteen loads
		m0 |= t[uint16(w[0])|uint16(w[1])<<8]
		m1 |= t[uint16(w[2])|uint16(w[3])<<8]
		m0 |= t[uint16(w[4])|uint16(w[5])<<8]
		m1 |= t[uint16(w[6])|uint16(w[7])<<8]
		m0 |= t[uint16(w[8])|uint16(w[9])<<8]
		m1 |= t[uint16(w[10])|uint16(w[11])<<8]
		m0 |= t[uint16(w[12])|uint16(w[13])<<8]
		m1 |= t[uint16(w[14])|uint16(w[15])<<8]
	}
	if i+8 <= len(s) {
		w := s[i : i+8]
		m0 |= t[uint16(w[0])|uint16(w[1])<<8] | t[uint16(w[2])|uint16(w[3])<<8]
		m1 |= t[uint16(w[4])|uint16(w[5])<<8] | t[uint16(w[6])|uint16(w[7])<<8]
		i += 8
	}
	for ; i < len(s); i++ {
		m0 |= classes[s[i]]
	}
	return m0 | m1
}

// classifyLower returns classify(s) and writes s lower-cased (ASCII only)
// to d[:len(s)], as lowerInto does, in one pass: a round reads sixteen
// bytes, looks up the classes of each pair and lower-cases them as two
// words. One accumulator and the loop's bound in a variable leave the
// registers to lowerWord's constants.
func classifyLower(d []byte, s string) cls {
	d = d[:len(s)]
	var m cls
	t := classPairs
	k := lowerConsts // in registers for the loop, not reloaded each round
	i := 0
	for last := len(s) - 16; i <= last; i += 16 {
		w := s[i : i+16] // one bounds check for the loads
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		y := uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		o := d[i : i+16 : i+16]
		binary.LittleEndian.PutUint64(o, k.lower(x))
		binary.LittleEndian.PutUint64(o[8:], k.lower(y))
		m |= t[uint16(w[0])|uint16(w[1])<<8] | t[uint16(w[2])|uint16(w[3])<<8] |
			t[uint16(w[4])|uint16(w[5])<<8] | t[uint16(w[6])|uint16(w[7])<<8] |
			t[uint16(w[8])|uint16(w[9])<<8] | t[uint16(w[10])|uint16(w[11])<<8] |
			t[uint16(w[12])|uint16(w[13])<<8] | t[uint16(w[14])|uint16(w[15])<<8]
	}
	for ; i < len(s); i++ {
		m |= classes[s[i]]
		d[i] = lowerTable[s[i]]
	}
	return m
}

// classify returns the classes of in.value. A value longer than
// sharedLower is lower-cased in the same pass, as lowerValue makes it:
// the command, SSRF, code and traversal families all read the lower-cased
// copy of such a value. The caller releases the input (release).
func (in *input) classify() cls {
	if len(in.value) <= sharedLower || in.lowered {
		return classify(in.value)
	}
	p := longBuffers.Get().(*[]byte)
	lo := slices.Grow((*p)[:0], len(in.value))[:len(in.value)]
	m := classifyLower(lo, in.value)
	*p = lo[:0] // a grown buffer goes back grown
	in.lo, in.loBuf, in.lowered = lo, p, true
	return m
}

// byteFinder finds the next of a few bytes in a value, eight bytes at a
// time: the loops of the families that look at a handful of punctuation
// bytes jump from one to the next instead of reading every byte.
type byteFinder struct {
	in    [256]bool
	bytes []byte
}

func finder(set string) *byteFinder {
	if len(set) > maxFinderBytes {
		panic("signature: finder of more than maxFinderBytes bytes: " + set)
	}
	return &byteFinder{in: byteSet(set), bytes: []byte(set)}
}

// maxFinderBytes bounds the bytes of a byteFinder (byteCursor keeps a
// position for each).
const maxFinderBytes = 16

// shortCursor is the length below which a byteCursor reads its value
// with nextByte: on a short value one pass of eight-byte blocks costs less
// than a search per byte of the set.
const shortCursor = 64

// byteCursor finds the next of a finder's bytes in one value, query after
// query. A family's loop over a long value (a window of prose) asks for
// the next such byte a few hundred times; nextByte reads each block of
// eight bytes once per byte of the set, while the cursor searches for
// each byte of the set with strings.IndexByte (vector instructions) and
// remembers where it found it, so that each occurrence is searched for
// once, however many queries pass over it.
//
// It searches only for the bytes of the set the value may hold
// (newClassCursor): the command family looks for nine operator bytes and
// seven special ones, of which prose holds one or two, and a search of
// the whole value for each of the others would find nothing.
//
// It reads a string (a byte slice through unsafeString) whatever the
// type of the value it was made for: a generic cursor paid indexByte's
// type switch at each of its many stops.
type byteCursor struct {
	s  string
	in *[256]bool // the finder's bytes, all of them
	n  int        // bytes searched for, c[:n]
	// c[n:all] are bytes of c[:all] none of which lies at or after the
	// last query: next passes over them until a query behind it
	all int
	c   [maxFinderBytes]byte
	// from is the offset of the last query; at[k], when above it, is one
	// more than the first offset at or after from of c[k] (len(s)+1:
	// none), and 0 before c[k] is searched for: a cursor needs no
	// setting up beyond its bytes.
	from int
	at   [maxFinderBytes]int
}

// newCursor returns a cursor over s for f's bytes. A byte slice s must
// not change while the cursor reads it (asString).
func newCursor[T text](f *byteFinder, s T) byteCursor {
	c := byteCursor{s: asString(s), in: &f.in}
	c.n = copy(c.c[:], f.bytes)
	c.all = c.n
	return c
}

// newClassCursor returns a cursor over s for the bytes of f whose class
// (in classify's table) m has, and those that have none ('^', letters):
// it answers as newCursor(f, s) does when m holds the class of every
// byte of f that s holds, as classify(s) does.
func newClassCursor(f *byteFinder, s string, m cls) byteCursor {
	c := byteCursor{s: s, in: &f.in}
	for _, b := range f.bytes {
		if k := classes[b]; k == 0 || m&k != 0 {
			c.c[c.n] = b
			c.n++
		}
	}
	c.all = c.n
	return c
}

// asString views s as a string without copying (unsafeString).
func asString[T text](s T) string {
	switch v := any(s).(type) {
	case string:
		return v
	case []byte:
		return unsafeString(v)
	}
	return string(s) // a named type: copied (none is used)
}

// next returns the index of the first byte of s at or after i that the
// cursor searches for, or len(s).
func (c *byteCursor) next(i int) int {
	s := c.s
	if len(s) < shortCursor {
		return nextByte(c.c[:c.n], c.in, s, i)
	}
	if i < 0 {
		i = 0
	}
	if i < c.from {
		// a query behind the last: what was found may lie after bytes
		// never searched for, and a byte passed over may lie before it
		c.at = [maxFinderBytes]int{}
		c.n = c.all
	}
	c.from = i
	best := len(s) + 1
	for k := 0; k < c.n; {
		a := c.at[k]
		if a <= i {
			// passed (or never searched for): search from i; no byte c[k]
			// lies between the last query and a-1, so none is skipped
			a = len(s) + 1
			if i < len(s) {
				if j := strings.IndexByte(s[i:], c.c[k]); j >= 0 {
					a = i + j + 1
				}
			}
			if a > len(s) {
				// none left: moved past c[:n] (a query behind this one
				// brings it back), so later queries do not look at it
				c.n--
				c.c[k], c.c[c.n] = c.c[c.n], c.c[k]
				c.at[k], c.at[c.n] = c.at[c.n], 0
				continue
			}
			c.at[k] = a
		}
		best = min(best, a)
		k++
	}
	return best - 1
}

// spots are the offsets of one byte in a value, found in one walk (a
// strings.IndexByte at each), for the loops of a family that each stop at
// that byte: they read the offsets, where each would walk the value with
// a search (or a cursor) of its own. A value with more than maxSpots of
// the byte is walked by each loop as before (n is -1).
type spots struct {
	n  int
	at [maxSpots]int32
}

// maxSpots bounds the offsets spots holds: an 8 KiB window of prose has
// some twenty of each byte the XSS family stops at.
const maxSpots = 32

// fill sets sp to the offsets of c in s (len(s) < 1<<31).
func (sp *spots) fill(s string, c byte) {
	sp.n = 0
	for i := 0; ; {
		j := strings.IndexByte(s[i:], c)
		if j < 0 {
			return
		}
		if sp.n == maxSpots {
			sp.n = -1
			return
		}
		sp.at[sp.n] = int32(i + j)
		sp.n++
		i += j + 1
	}
}

// lazySpots are the spots of c in s, found at the first get: for loops
// that may not run.
type lazySpots struct {
	s    string
	c    byte
	done bool
	sp   spots
}

// get returns the spots of c in s; their n is -1 when s is short (a
// search reads it as fast) or has more than maxSpots of c.
func (l *lazySpots) get() *spots {
	if !l.done {
		l.done = true
		if l.sp.n = -1; len(l.s) >= shortCursor && len(l.s) < 1<<31 {
			l.sp.fill(l.s, l.c)
		}
	}
	return &l.sp
}

// spotCursor answers as a byteCursor over a value does, from the spots of
// the bytes it searches for, merged into one list when it is set: the
// least offset at or after i of any of them, or end. A query below the
// last starts over.
type spotCursor struct {
	at  [2 * maxSpots]int32
	n   int
	k   int // at[:k] are below the last query
	end int
}

// set makes the cursor search for the bytes of a and b (whose n is not
// -1) in a value of end bytes.
func (c *spotCursor) set(a, b *spots, end int) {
	i, j := 0, 0
	for i < a.n && j < b.n {
		if a.at[i] < b.at[j] {
			c.at[c.n] = a.at[i]
			i++
		} else {
			c.at[c.n] = b.at[j]
			j++
		}
		c.n++
	}
	c.n += copy(c.at[c.n:], a.at[i:a.n])
	c.n += copy(c.at[c.n:], b.at[j:b.n])
	c.end = end
}

func (c *spotCursor) next(i int) int {
	k := c.k
	if k > 0 && int(c.at[k-1]) >= i {
		k = 0
	}
	for k < c.n && int(c.at[k]) < i {
		k++
	}
	c.k = k
	if k < c.n && int(c.at[k]) < c.end {
		return int(c.at[k])
	}
	return c.end
}

// stopCursor is a byteCursor, or a spotCursor where the spots of a
// value serve (xssSpots), for the loops that take either.
type stopCursor struct {
	spotted bool
	sc      spotCursor
	bc      byteCursor
}

func (c *stopCursor) next(i int) int {
	if c.spotted {
		return c.sc.next(i)
	}
	return c.bc.next(i)
}

// nextByte returns the index of the first byte of s at or after i that
// is one of set, or len(s); in marks set (or more: bytes s does not
// hold). A block of eight bytes is skipped when none of them is in set:
// a byte of x equal to c leaves a zero byte in x^c·0x0101…, and
// (t-0x0101…)&^t&0x8080… is not zero exactly when t has a zero byte.
func nextByte(set []byte, in *[256]bool, s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	if i < 0 {
		i = 0
	}
blocks:
	for ; i+8 <= len(s); i += 8 {
		x := le64(s[i : i+8])
		for _, c := range set {
			if t := x ^ uint64(c)*ones; (t-ones)&^t&highs != 0 {
				break blocks
			}
		}
	}
	for ; i < len(s); i++ {
		if in[s[i]] {
			return i
		}
	}
	return len(s)
}

// nextMarked returns the first index at or after j whose byte t marks
// (not zero), or len(s). A block of eight unmarked bytes costs one test of
// its eight lookups or-ed together, without a branch for each: the loops
// that stop at a few punctuation bytes of prose (the ends of the runs the
// folds copy whole, a shell's special bytes) skip most of it that way.
func nextMarked[T text](t *[256]uint8, s T, j int) int {
	if j < 0 {
		j = 0
	}
	for last := len(s) - 8; j <= last; j += 8 {
		w := s[j : j+8] // one bounds check for the eight loads
		if t[w[0]]|t[w[1]]|t[w[2]]|t[w[3]]|t[w[4]]|t[w[5]]|t[w[6]]|t[w[7]] != 0 {
			break
		}
	}
	for j < len(s) && t[s[j]] == 0 {
		j++
	}
	return j
}

// replaceByte replaces each old in b with new, eight bytes at a time:
// z = x^(old·0x0101…) has a zero byte where x has old, and
// ((z&0x7f…)+0x7f…)|z has its high bit clear in exactly the zero bytes of
// z (no carry crosses a byte).
func replaceByte(b []byte, old, new byte) {
	const ones, lows = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		z := x ^ uint64(old)*ones
		eq := ^((z&lows + lows) | z) & (0x80 * ones) // 0x80 in each byte that was old
		if eq != 0 {
			binary.LittleEndian.PutUint64(b[i:], x^(eq>>7)*uint64(old^new))
		}
	}
	for ; i < len(b); i++ {
		if b[i] == old {
			b[i] = new
		}
	}
}

// byteMarks returns a table marking the bytes of set with 1, for
// nextMarked.
func byteMarks(set string) (t [256]uint8) {
	for i := 0; i < len(set); i++ {
		t[set[i]] = 1
	}
	return t
}

// wordFilter has a bit for the hash of the first, middle and last bytes
// and the length of each word of a set: a word whose bit is not set is
// not in the set, and a map lookup (which hashes the whole word) is saved.
type wordFilter [1 << 10]uint64

func wordFilterHash[T text](w T) uint32 {
	n := len(w)
	k := uint64(w[0]) | uint64(w[n/2])<<8 | uint64(w[n-1])<<16 | uint64(n)<<24
	return uint32(k * 0x9E3779B97F4A7C15 >> 48)
}

func (f *wordFilter) add(w string) {
	if w == "" {
		panic("signature: empty word in a wordFilter")
	}
	h := wordFilterHash(w)
	f[h>>6] |= 1 << (h & 63)
}

// may reports whether w may be in the set: false when it surely is not.
func (f *wordFilter) may(w []byte) bool {
	if len(w) == 0 {
		return false
	}
	h := wordFilterHash(w)
	return f[h>>6]&(1<<(h&63)) != 0
}

// byteSet returns a table marking the bytes of set.
func byteSet(set string) (t [256]bool) {
	for i := 0; i < len(set); i++ {
		t[set[i]] = true
	}
	return t
}

// lower appends s lower-cased (ASCII only) to buf.
func lower(buf []byte, s string) []byte {
	n := len(buf)
	buf = slices.Grow(buf, len(s))[:n+len(s)]
	lowerInto(buf[n:], s)
	return buf
}

// lowerInto writes s lower-cased (ASCII only) to d[:len(s)], sixteen
// bytes a round, as two words (lowerWord).
func lowerInto[T text](d []byte, s T) {
	d = d[:len(s)]
	i := 0
	for ; i+16 <= len(s); i += 16 {
		w := s[i : i+16] // one bounds check for the sixteen loads
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		y := uint64(w[8]) | uint64(w[9])<<8 | uint64(w[10])<<16 | uint64(w[11])<<24 |
			uint64(w[12])<<32 | uint64(w[13])<<40 | uint64(w[14])<<48 | uint64(w[15])<<56
		o := d[i : i+16 : i+16]
		binary.LittleEndian.PutUint64(o, lowerWord(x))
		binary.LittleEndian.PutUint64(o[8:], lowerWord(y))
	}
	if i+8 <= len(s) {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		binary.LittleEndian.PutUint64(d[i:i+8], lowerWord(x))
		i += 8
	}
	for ; i < len(s); i++ {
		d[i] = lowerTable[s[i]]
	}
}

// lowerWord returns the eight bytes of x lower-cased (ASCII only): in
// each byte below 0x80 that is at least 'A' and at most 'Z' bit 0x20 is
// set, which is what lowerTable does. Of the low seven bits h of a byte,
// h+0x3f has its high bit set when h ≥ 'A', and h+0x25 when h > 'Z' (no
// carry leaves a byte); the second implies the first, so their xor has it
// set exactly for 'A' to 'Z'.
func lowerWord(x uint64) uint64 {
	const ones = 0x0101010101010101
	h := x & (0x7f * ones)
	upper := (h + (0x80-'A')*ones) ^ (h + (0x80-'Z'-1)*ones)
	upper &= (x ^ 0x80*ones) & (0x80 * ones) // not for bytes ≥ 0x80
	return x | upper>>2
}

// lowerK holds lowerWord's constants as variables: a loop that reads
// them from one keeps them in registers, where it would load each
// 64-bit constant again in every round.
type lowerK struct{ lows, ge, gt uint64 }

var lowerConsts = lowerK{0x7f * ones8, (0x80 - 'A') * ones8, (0x80 - 'Z' - 1) * ones8}

const ones8 = 0x0101010101010101

// lower is lowerWord(x): the high bit of h+ge, and not of h+gt, x or
// lows (which clears the low bits), marks the bytes 'A' to 'Z'.
func (k lowerK) lower(x uint64) uint64 {
	h := x & k.lows
	return x | ((h+k.ge)&^(h+k.gt|x|k.lows))>>2
}

var lowerTable = func() (t [256]byte) {
	for i := range t {
		t[i] = byte(i)
		if 'A' <= i && i <= 'Z' {
			t[i] += 'a' - 'A'
		}
	}
	return t
}()

// lowerLong returns s lower-cased in stack when it fits, and otherwise in
// a buffer from longBuffers, returned as p for the caller to put back.
// Its long branch keeps to variables of its own: escape analysis does not
// follow branches, and a variable both branches shared would move every
// caller's stack array to the heap.
func lowerLong(stack []byte, s string) ([]byte, *[]byte) {
	if len(s) <= cap(stack) {
		return lower(stack[:0], s), nil
	}
	p := longBuffers.Get().(*[]byte)
	long := lower((*p)[:0], s)
	*p = long[:0]
	return long, p
}

// isWord reports whether c can be part of an identifier.
func isWord(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// match is a hit of a keyword set: the index of the keyword and its span.
type match struct {
	k    int
	i, j int
}

// kwset is a set of lower-case keywords bucketed by first byte, so that one
// pass over a value finds the leftmost keyword: the cost is one table
// lookup per byte of the value plus a comparison per candidate, whatever
// the size of the set. (For sets of at most a few hundred short keywords
// over values of tens of bytes this is as fast as an Aho-Corasick
// automaton and allocates nothing.)
type kwset struct {
	// The fields that hold pointers come first: the garbage collector
	// reads a kwset up to its last pointer, and the tables after it are
	// not read (a set is scanned in every cycle; there are dozens).
	kws [][]byte
	// byFirst is each keyword's cand, by its first byte
	byFirst byteIndex[cand]
	// anchor, when anchored, is a byte other than a letter, a digit or a
	// space that every keyword holds (':' of "gopher://"), at offset
	// anchorAt[k] in keyword k: findAny then jumps between its
	// occurrences in the value instead of reading every byte.
	anchorAt []int
	// the keywords by the byte before their anchor (anchorBy), and those
	// that start with it (anchorFirst): at an anchor, only the keywords
	// whose byte before it is the value's can match there
	anchorFirst []uint16
	anchorBy    byteIndex[uint16]
	maxAt       int
	anchored    bool
	anchor      byte
	// pairs has a bit for the first two bytes of each keyword, so that
	// findAny rejects most positions of a value with one table lookup;
	// short is set when a keyword is one byte long (pairs cannot say).
	short bool
	// ones has a bit for each first byte of a one-byte keyword. The
	// candidates of every other first byte are sorted by their second
	// byte (stably: keywords with the same two first bytes keep their
	// order), so that atPair finds those of a pair by bisection. Two
	// keywords that match at one place share their second byte, so
	// the sort changes no match a search returns.
	ones  [4]uint64
	pairs [1 << 10]uint64
}

// byteIndex groups values by a byte: at(c) is the values added for c, in
// the order they were added. It is one slice and a table of offsets, not
// 256 slices, so that the garbage collector follows one pointer in it.
type byteIndex[T any] struct {
	vals []T
	off  [257]uint16
}

// byteIndexOf returns the index of vals[i] by keys[i].
func byteIndexOf[T any](keys []byte, vals []T) (x byteIndex[T]) {
	for _, c := range keys {
		x.off[int(c)+1]++
	}
	for c := 1; c <= 256; c++ {
		x.off[c] += x.off[c-1]
	}
	x.vals = make([]T, len(vals))
	next := x.off // where the next value of each byte goes
	for i, c := range keys {
		x.vals[next[c]] = vals[i]
		next[c]++
	}
	return x
}

// hasPair reports whether a keyword of s starts with the bytes a, b.
func (s *kwset) hasPair(a, b byte) bool {
	p := uint16(a) | uint16(b)<<8
	return s.pairs[p>>6]&(1<<(p&63)) != 0
}

// at returns the values of byte c.
func (x *byteIndex[T]) at(c byte) []T { return x.vals[x.off[c]:x.off[int(c)+1]] }

// cand is a keyword starting with a given byte: its second byte (checked
// before the whole keyword is compared) and its index.
type cand struct {
	second byte
	one    bool // the keyword is one byte long
	k      uint16
}

// words builds a keyword set; keywords must be lower-case.
func words(kws ...string) *kwset {
	if len(kws) >= 1<<16 { // cand.k and byteIndex offsets are uint16
		panic("signature: too many keywords in a set")
	}
	s := &kwset{kws: make([][]byte, len(kws))}
	firsts, cands := make([]byte, len(kws)), make([]cand, len(kws))
	for i, k := range kws {
		if k == "" {
			panic("signature: empty keyword")
		}
		s.kws[i] = []byte(k)
		c := cand{one: len(k) == 1, k: uint16(i)}
		if len(k) > 1 {
			c.second = k[1]
			p := uint16(k[0]) | uint16(k[1])<<8
			s.pairs[p>>6] |= 1 << (p & 63)
		} else {
			s.short = true
		}
		firsts[i], cands[i] = k[0], c
	}
	for _, c := range cands {
		if c.one {
			f := kws[c.k][0]
			s.ones[f>>6] |= 1 << (f & 63)
		}
	}
	s.byFirst = byteIndexOf(firsts, cands)
	for f := 0; f < 256; f++ {
		if s.ones[f>>6]&(1<<(f&63)) == 0 {
			cs := s.byFirst.at(byte(f))
			slices.SortStableFunc(cs, func(x, y cand) int { return int(x.second) - int(y.second) })
		}
	}
	s.setAnchor()
	return s
}

// pairBisect is the bucket size from which atPair bisects: in smaller
// ones the callers' test of each candidate's second byte is as quick.
const pairBisect = 8

// atPair returns the candidates of the keywords that may start with the
// bytes a, b: of a's, those whose second byte is b when a's bucket is
// large (a has no one-byte keyword: the bucket is sorted), all of them
// otherwise. Callers still test each one's second byte.
func (s *kwset) atPair(a, b byte) []cand {
	cs := s.byFirst.at(a)
	if len(cs) < pairBisect || s.ones[a>>6]&(1<<(a&63)) != 0 {
		return cs
	}
	lo, hi := 0, len(cs)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if cs[m].second < b {
			lo = m + 1
		} else {
			hi = m
		}
	}
	end := lo
	for end < len(cs) && cs[end].second == b {
		end++
	}
	return cs[lo:end]
}

// setAnchor finds the byte for s.anchor: present in every keyword, no
// letter, digit or space, and the rarest such.
func (s *kwset) setAnchor() {
	best := -1
	for c := 0; c < 256; c++ {
		if isWord(byte(c)) || c == ' ' || best >= 0 && byteRank[c] >= byteRank[best] {
			continue
		}
		all := true
		for _, k := range s.kws {
			if bytes.IndexByte(k, byte(c)) < 0 {
				all = false
				break
			}
		}
		if all {
			best = c
		}
	}
	if best < 0 || byteRank[best] > byteRank['/'] || len(s.kws) > 64 {
		return // none, or one prose has every few words ('.', ','), or too many keywords to try at each
	}
	s.anchored, s.anchor = true, byte(best)
	var before []byte // of the keywords in anchorBy
	var by []uint16
	for n, k := range s.kws {
		at := bytes.IndexByte(k, s.anchor)
		s.anchorAt = append(s.anchorAt, at)
		s.maxAt = max(s.maxAt, at)
		if at == 0 {
			s.anchorFirst = append(s.anchorFirst, uint16(n))
		} else {
			before, by = append(before, k[at-1]), append(by, uint16(n))
		}
	}
	s.anchorBy = byteIndexOf(before, by)
}

// findAnchored is findAny for an anchored set.
func findAnchored(b []byte, set *kwset, bounded bool) (match, bool) {
	best, found := match{}, false
	for p := 0; p < len(b); p++ {
		j := bytes.IndexByte(b[p:], set.anchor)
		if j < 0 {
			break
		}
		p += j
		if found && p-set.maxAt > best.i {
			break // every keyword found from here on starts after best
		}
		// the keywords that may match here: whichever order they are
		// tried in, best ends the leftmost, the first listed of those
		try := func(ks []uint16) {
			for _, k16 := range ks {
				k := int(k16)
				i := p - set.anchorAt[k]
				kw := set.kws[k]
				e := i + len(kw)
				if i < 0 || e > len(b) || found && (i > best.i || i == best.i && k > best.k) {
					continue
				}
				if b[i] == kw[0] && string(b[i:e]) == string(kw) && (!bounded || boundary(b, i, e, kw)) { // first bytes first: most differ
					best, found = match{k, i, e}, true
				}
			}
		}
		// a keyword that starts at the anchor has its first two bytes
		// there: the pair table rejects most anchors ("./" repeated, for
		// a set of paths) before a keyword is tried
		if set.short || p+1 < len(b) && set.hasPair(b[p], b[p+1]) {
			try(set.anchorFirst)
		}
		if p > 0 {
			try(set.anchorBy.at(b[p-1]))
		}
	}
	return best, found
}

// findAny returns the leftmost keyword of set found in b, with word
// boundaries required where the keyword begins or ends with a letter or
// digit and bounded is true.
func findAny(b []byte, set *kwset, bounded bool) (match, bool) {
	if set.anchored {
		return findAnchored(b, set, bounded)
	}
	if !set.short {
		for i := 0; i+1 < len(b); i++ {
			p := uint16(b[i]) | uint16(b[i+1])<<8
			if set.pairs[p>>6]&(1<<(p&63)) == 0 {
				continue
			}
			for _, c := range set.atPair(b[i], b[i+1]) {
				if c.second != b[i+1] {
					continue
				}
				kw := set.kws[c.k]
				j := i + len(kw)
				if j <= len(b) && string(b[i+2:j]) == string(kw[2:]) && (!bounded || boundary(b, i, j, kw)) {
					return match{int(c.k), i, j}, true
				}
			}
		}
		return match{}, false
	}
	for i := 0; i < len(b); i++ {
		var next byte
		if i+1 < len(b) {
			next = b[i+1]
		}
		cs := set.atPair(b[i], next)
		if len(cs) == 0 {
			continue
		}
		for _, c := range cs {
			if !c.one && (c.second != next || i+1 >= len(b)) {
				continue
			}
			kw := set.kws[c.k]
			j := i + len(kw)
			if j <= len(b) && string(b[i+1:j]) == string(kw[1:]) && (!bounded || boundary(b, i, j, kw)) {
				return match{int(c.k), i, j}, true
			}
		}
	}
	return match{}, false
}

// hasPrefixAny reports which keyword of set b starts with.
func hasPrefixAny(b []byte, set *kwset) (int, bool) {
	if len(b) == 0 {
		return 0, false
	}
	for _, c := range set.byFirst.at(b[0]) {
		if kw := set.kws[c.k]; len(kw) <= len(b) && string(b[:len(kw)]) == string(kw) {
			return int(c.k), true
		}
	}
	return 0, false
}

// boundary reports whether b[i:j] is not glued to a word on a side where the
// keyword itself is a word character.
func boundary(b []byte, i, j int, kw []byte) bool {
	if isWord(kw[0]) && i > 0 && isWord(b[i-1]) {
		return false
	}
	if isWord(kw[len(kw)-1]) && j < len(b) && isWord(b[j]) {
		return false
	}
	return true
}

// skipSpace returns the index of the first byte of b at or after i that is
// not a space.
func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	return i
}

// isDigit reports whether c is an ASCII digit.
func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// isAlpha reports whether c is an ASCII letter.
func isAlpha(c byte) bool { return 'a' <= c|0x20 && c|0x20 <= 'z' }

// isHex reports whether c is a hexadecimal digit.
func isHex(c byte) bool { return isDigit(c) || 'a' <= c|0x20 && c|0x20 <= 'f' }

// indexFold is strings.Index for an ASCII lower-case needle, ignoring the
// case of s. It jumps between occurrences of the needle's rarest byte (in
// either case) with strings.IndexByte, so that prose, where a needle's
// first letter is everywhere, is not compared position by position.
func indexFold(s, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	if len(s) < 64 {
		return indexFoldShort(s, needle)
	}
	k := rarest(needle)
	if n >= 2 && byteRank[needle[k]] >= byteRank['d'] {
		return indexFoldPair(s, needle) // "system", "dataformatas": letters prose is full of
	}
	lc := needle[k]
	uc := lc
	if 'a' <= lc && lc <= 'z' {
		uc -= 'a' - 'A'
	}
	// q is a byte of the needle beside the anchor, compared (in either
	// case) before the whole window is: at an anchor of a common letter
	// ('y' of "system") it mostly differs, and EqualFold is not called.
	// For an ASCII needle EqualFold holds only where each byte is the
	// needle's or its other case, which have the same bit-0x20-set form.
	q := k + 1
	if q == n {
		q = max(k-1, 0)
	}
	cq := needle[q] | 0x20
	// p runs over the positions of the anchor byte a match would have:
	// the lower-case anchors before the next upper-case one (nu, searched
	// for again once passed), then that one. Prose has few upper-case
	// anchors: most rounds search for the lower-case one only.
	last := len(s) - n + k
	nu := len(s)
	if lc != uc {
		nu = -1
	}
	try := func(p int) bool {
		i := p - k
		return s[i+q]|0x20 == cq && strings.EqualFold(s[i:i+n], needle)
	}
	for p := k; p <= last; p++ {
		if nu < p {
			nu = len(s)
			if j := strings.IndexByte(s[p:last+1], uc); j >= 0 {
				nu = p + j
			}
		}
		end := min(nu, last+1)
		for p < end {
			j := strings.IndexByte(s[p:end], lc)
			if j < 0 {
				break
			}
			if p += j; try(p) {
				return p - k
			}
			p++
		}
		if end > last {
			return -1
		}
		if p = end; try(p) {
			return p - k
		}
	}
	return -1
}

// indexRare is strings.Index (bytes.Index), jumping between occurrences
// of the needle's rarest byte.
func indexRare[T text](s T, needle string) int {
	n := len(needle)
	if n == 0 {
		return 0
	}
	k := rarest(needle)
	c := needle[k]
	last := len(s) - n + k
	for p := k; p <= last; p++ {
		j := indexByte(s[p:last+1], c)
		if j < 0 {
			return -1
		}
		p += j
		if i := p - k; string(s[i:i+n]) == needle {
			return i
		}
	}
	return -1
}

// needleSet is a few needles whose first occurrences one search finds:
// needles that share their rarest byte share the walk over its
// occurrences, where indexRare would walk them once for each needle.
type needleSet struct {
	needles []string
	rare    []int         // index of each needle's rarest byte (rarest)
	groups  []needleGroup // the needles by rarest byte
	// pairs are the needles whose rarest byte is one of prose's most
	// common ("oast"): indexPair finds them, rather than a search at
	// every 's'
	pairs []int
	cls   []cls // the classes of each needle
}

// needleGroup is the needles of a needleSet with the same rarest byte.
type needleGroup struct {
	c  byte
	ns []int
}

func needlesOf(ns ...string) *needleSet {
	s := &needleSet{needles: ns}
	for n, nd := range ns {
		if len(nd) < 2 {
			panic("signature: needle shorter than two bytes: " + nd)
		}
		s.cls = append(s.cls, classify(nd))
		k := rarest(nd)
		s.rare = append(s.rare, k)
		if byteRank[nd[k]] >= byteRank['d'] {
			s.pairs = append(s.pairs, n)
			continue
		}
		g := slices.IndexFunc(s.groups, func(g needleGroup) bool { return g.c == nd[k] })
		if g < 0 {
			s.groups = append(s.groups, needleGroup{c: nd[k]})
			g = len(s.groups) - 1
		}
		s.groups[g].ns = append(s.groups[g].ns, n)
	}
	return s
}

// index sets at[n] to indexRare(b, s.needles[n]) for each needle n: the
// leftmost occurrence, or -1. Every occurrence of a needle has its rarest
// byte at the same offset, so the first position of that byte where the
// needle fits and matches is the leftmost occurrence.
func (s *needleSet) index(b []byte, at []int) { s.indexIn(b, ^cls(0), at) }

// indexIn is index for a b whose classes m holds: a needle with a byte of
// a class m lacks is not in b, and is not searched for (a group of such
// needles is not walked).
func (s *needleSet) indexIn(b []byte, m cls, at []int) {
	at = at[:len(s.needles)]
	for n := range at {
		at[n] = -1
	}
	for _, n := range s.pairs {
		if s.cls[n]&^m == 0 {
			at[n] = indexPair(b, s.needles[n])
		}
	}
	for _, g := range s.groups {
		left := 0 // needles of g not found yet, that b may hold
		for _, n := range g.ns {
			if s.cls[n]&^m == 0 {
				left++
			}
		}
		for p := 0; left > 0 && p < len(b); p++ {
			j := bytes.IndexByte(b[p:], g.c)
			if j < 0 {
				break
			}
			p += j
			for _, n := range g.ns {
				nd := s.needles[n]
				i := p - s.rare[n]
				// the first byte first: most positions differ there
				if at[n] < 0 && i >= 0 && i+len(nd) <= len(b) && b[i] == nd[0] && string(b[i+1:i+len(nd)]) == nd[1:] {
					at[n] = i
					left--
				}
			}
		}
	}
}

// indexPair returns the leftmost occurrence of needle (two bytes or
// more) in b, or -1. It tests eight positions at a time for the needle's
// first two bytes: x^c0 and y^c1 (y is x a byte on) are both zero in a
// byte where the pair starts, and ((z&0x7f…)+0x7f…)|z has its high bit
// clear in exactly the zero bytes of z. For a needle of common letters
// that is cheaper than a search at every occurrence of one of them.
func indexPair(b []byte, needle string) int {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	n := len(needle)
	c0, c1 := uint64(needle[0])*ones, uint64(needle[1])*ones
	i := 0
	for ; i+9 <= len(b); i += 8 {
		w := b[i : i+9] // one bounds check for the nine bytes
		x := binary.LittleEndian.Uint64(w)
		y := x>>8 | uint64(w[8])<<56
		z := (x ^ c0) | (y ^ c1)
		for eq := ^((z&lows + lows) | z) & highs; eq != 0; eq &= eq - 1 {
			if k := i + bits.TrailingZeros64(eq)/8; k+n <= len(b) && string(b[k:k+n]) == needle {
				return k
			}
		}
	}
	for ; i+n <= len(b); i++ {
		if b[i] == needle[0] && string(b[i:i+n]) == needle {
			return i
		}
	}
	return -1
}

func indexByte[T text](s T, c byte) int {
	switch v := any(s).(type) {
	case string:
		return strings.IndexByte(v, c)
	case []byte:
		return bytes.IndexByte(v, c)
	}
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// indexFoldPair is indexFold for a needle of common bytes. It tests
// eight positions at a time for the needle's rarest pair of adjacent
// bytes, in either case: a letter c is matched as b|0x20 == c|0x20, which
// holds for its two cases only, other bytes as they are (see indexPair).
// Every ASCII window EqualFold takes has the pair there; a window with
// other bytes is never EqualFold to an ASCII needle of its length.
func indexFoldPair(s, needle string) int {
	const ones, lows, highs = 0x0101010101010101, 0x7f7f7f7f7f7f7f7f, 0x8080808080808080
	n := len(needle)
	off := 0 // the pair: needle[off], needle[off+1], the rarest by byteRank
	for k := 1; k+1 < n; k++ {
		if int(byteRank[needle[k]])+int(byteRank[needle[k+1]]) < int(byteRank[needle[off]])+int(byteRank[needle[off+1]]) {
			off = k
		}
	}
	fold := func(c byte) (mask, want uint64) {
		if isAlpha(c) {
			return 0x20 * ones, uint64(c|0x20) * ones
		}
		return 0, uint64(c) * ones
	}
	m0, c0 := fold(needle[off])
	m1, c1 := fold(needle[off+1])
	try := func(k int) bool { // the pair at k: does the needle start at k-off?
		i := k - off
		return i >= 0 && i+n <= len(s) && strings.EqualFold(s[i:i+n], needle)
	}
	p := 0 // pair positions tested so far
	for ; p+9 <= len(s); p += 8 {
		x := le64(s[p : p+8])
		y := x>>8 | uint64(s[p+8])<<56
		z := ((x | m0) ^ c0) | ((y | m1) ^ c1)
		for eq := ^((z&lows + lows) | z) & highs; eq != 0; eq &= eq - 1 {
			if k := p + bits.TrailingZeros64(eq)/8; try(k) {
				return k - off
			}
		}
	}
	for ; p+1 < len(s); p++ {
		if (uint64(s[p])|m0&0xff) == c0&0xff && (uint64(s[p+1])|m1&0xff) == c1&0xff && try(p) {
			return p - off
		}
	}
	return -1
}

// indexLetterPair returns the first i with s[i:i+2] equal to a, b in
// either case, or -1; a and b are lower-case ASCII letters. It tests
// eight positions at a time: a byte with bit 0x20 set is a letter's
// lower case only when the byte is that letter in either case, so x|0x20…
// xor a·0x0101… (and the bytes one on, for b) has a zero byte exactly
// where the pair starts. For a pair
// prose has every few words ("on") that is cheaper than a search at each
// occurrence of one of the letters.
func indexLetterPair(s string, a, b byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	ca, cb := uint64(a)*ones, uint64(b)*ones
	i := 0
	for ; i+9 <= len(s); i += 8 {
		w := s[i : i+9] // one bounds check for both loads
		z := ((le64(w[:8]) | 0x20*ones) ^ ca) | ((le64(w[1:]) | 0x20*ones) ^ cb)
		// the lowest byte flagged is z's first zero byte (a borrow only
		// flags bytes above one)
		if eq := (z - ones) &^ z & highs; eq != 0 {
			return i + bits.TrailingZeros64(eq)/8
		}
	}
	for ; i+1 < len(s); i++ {
		if s[i]|0x20 == a && s[i+1]|0x20 == b {
			return i
		}
	}
	return -1
}

// indexFoldShort is indexFold for a short s: every position whose byte is
// the needle's first, in either case, compared whole.
func indexFoldShort(s, needle string) int {
	first := needle[0]
	upper := first
	if 'a' <= first && first <= 'z' {
		upper -= 'a' - 'A'
	}
	for i := 0; i+len(needle) <= len(s); i++ {
		if (s[i] == first || s[i] == upper) && strings.EqualFold(s[i:i+len(needle)], needle) {
			return i
		}
	}
	return -1
}

// rarest returns the index of the byte of needle least frequent in text.
func rarest(needle string) int {
	k := 0
	for i := 1; i < len(needle); i++ {
		if byteRank[needle[i]] < byteRank[needle[k]] {
			k = i
		}
	}
	return k
}

// byteRank orders bytes by how often they occur in prose and markup, the
// rarest lowest (letters counted in either case).
var byteRank = func() (r [256]uint8) {
	const common = " etaoinsrhldcumfpgwybvk.,-'\"/=<>:;()0123456789_xjqz"
	for i := range r {
		r[i] = 0 // not listed: rarer than anything listed
	}
	for i := 0; i < len(common); i++ {
		c := common[i]
		r[c] = uint8(len(common) - i)
		if 'a' <= c && c <= 'z' {
			r[c-'a'+'A'] = r[c]
		}
	}
	return r
}()

// nextMatch remembers the answer of a forward search, the first match at
// or after a position, for the positions it also answers: no match lies
// between the position asked and the match found, so every position up
// to the match has that answer too. A value of many openings that share
// one closer ("for %a in (" repeated before the ')' that "do" follows)
// is searched once, not once per opening, and a scanner that reads every
// opening stays linear.
type nextMatch struct {
	from, at int // no match in v[from:at]; at is one, or len(v): none
	set      bool
}

// next returns first(v, k), the first match at or after k or len(v),
// from memory when an earlier search answered it. Every call on one
// nextMatch must pass the same v and first.
func (c *nextMatch) next(v string, k int, first func(v string, k int) int) int {
	if c.set && c.from <= k && k <= c.at {
		return c.at
	}
	p := first(v, k)
	*c = nextMatch{from: k, at: p, set: true}
	return p
}
