package signature

import (
	"encoding/binary"
	"math/bits"
	"reflect"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanSQLiPlain is scanSQLi as first written: libinjection runs on every
// input that calls for it, whatever the request reported before.
func scanSQLiPlain(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var best [sqliNumRules]sqlHit
	sqliValue(in.value, in.m, in.src, libRun, &best)
	d, ok := in.value, false
	if k := strings.IndexByte(in.value, 0xa0); k >= 0 {
		d, ok = blankNBSP(d, k)
	}
	if d2, lead := blankLeadBytes(d); lead {
		d, ok = d2, true
	}
	if ok {
		sqliValue(d, classify(d), in.src, libRun, &best)
	}
	if in.src == threat.SourcePath {
		if seg, ok := sqlSegment(in.value); ok {
			sqliValue(seg, classify(seg), in.src, libRun, &best)
		}
	}
	if d, ok := joinSplitKeywords(in.value); ok {
		sqliValue(d, classify(d), in.src, libRun, &best)
	}
	if d, ok := stripPercents(in.value); ok {
		sqliValue(d, classify(d), in.src, libRun, &best)
	}
	if in.src == threat.SourceHeader && in.m&(cPercent|cAmp) != 0 {
		if d := decode.Value(in.value, false); d != in.value {
			sqliValue(d, classify(d), in.src, libRun, &best)
		}
	}
	for r := range best {
		h := &best[r]
		if h.conf == 0 || !seen.mark(&hit, uint(r)) {
			continue
		}
		s := bareSignal(nameSQLi, sqliRuleNames[r], h.conf, in)
		s.Evidence = excerpt(h.src, h.i, h.j, 48)
		if r == sqliLib {
			prefix := "fp " + h.fp + ": "
			s.Evidence = prefix + excerpt(h.src, h.i, h.j, 48-len(prefix))
		}
		dst = append(dst, s)
	}
	return dst, hit
}

// sqliFuzzSources are the sources FuzzSQLiLibSkip gives its inputs: the
// two the verdict cache remembers and some it does not.
var sqliFuzzSources = []threat.Source{threat.SourceHeader, threat.SourcePath, threat.SourceQuery, threat.SourceJSON,
	threat.SourceText, threat.SourceCookie, threat.SourceHeader, threat.SourceXML}

// FuzzSQLiLibSkip reads s as the values of one request (split at \x01),
// each of a source picked by srcs, and checks that scanSQLi, which skips
// libinjection where its fingerprint could not raise the request's,
// reports what the plain form does: the same signals once a repeated
// rule is merged as scan merges it, the same rules seen, and the same hit on
// every input the verdict cache may remember (a header or path value of at
// most maxCached bytes). On the others it may only report fewer hits.
// With long set each value is read again after 300 bytes of prose, to be
// one the cache never remembers.
func FuzzSQLiLibSkip(f *testing.F) {
	for _, s := range []string{
		"' or 1=1--\x01it's a 'quoted' -- note\x01x' or 'a'='a",
		"admin'--\x01admin'--\x01a%27%20or%201=1--",
		"1 union select 1,2\x01\" or \"\"=\"\x01' and sleep(5)#\x011' or '1'='1",
		"the 'quoted' or (really) -- word\x01see \"quoted\" and then; more\x01'; drop table users--",
		"x=1&y=' or 1=1--\x01O'Brien said \"hi\" -- the end\x01' or 1=1 -- \x01%27 or 1=1",
	} {
		f.Add(s, uint64(0x5a3c96), false)
		f.Add(s, uint64(0), true)
		f.Add(s, uint64(0x249249), false)
	}
	pad := strings.Repeat("the word of the day is long enough here; ", 8)
	// merged folds a repeated rule into the request's signals as scan
	// does, and forgets the flags only scanSQLi reads
	merged := func(all, dst []threat.Signal, seen *rules) []threat.Signal {
		from := len(all)
		all = append(all, dst...)
		if *seen&ruleRepeated != 0 {
			*seen &^= ruleRepeated
			all = mergeRepeats(all, from)
		}
		return all
	}
	f.Fuzz(func(t *testing.T, s string, srcs uint64, long bool) {
		var seenFast, seenPlain rules
		var allFast, allPlain []threat.Signal
		for k, v := range strings.Split(s, "\x01") {
			if k >= 16 {
				break
			}
			if v == "" {
				continue
			}
			if long {
				v = pad + v
			}
			src := sqliFuzzSources[srcs>>(3*k)&7]
			in := input{src: src, name: "q", value: v, m: classify(v)}
			plainIn := in
			fast, hitFast := scanSQLi(&in, &seenFast, nil)
			plain, hitPlain := scanSQLiPlain(&plainIn, &seenPlain, nil)
			allFast, allPlain = merged(allFast, fast, &seenFast), merged(allPlain, plain, &seenPlain)
			if !reflect.DeepEqual(allFast, allPlain) || seenFast&^sqliLibCertain != seenPlain {
				t.Fatalf("value %d %q (source %v): signals %+v, want %+v (seen %b, want %b)", k, v, src, allFast, allPlain,
					seenFast, seenPlain)
			}
			cached := mayCache(src, len(v))
			if hitFast && !hitPlain || cached && hitFast != hitPlain {
				t.Fatalf("value %d %q (source %v): hit %v, want %v", k, v, src, hitFast, hitPlain)
			}
		}
	})
}

// runPlain is sqlScan.run with every token read by next: no plainTokens.
func (sc *sqlScan) runPlain() {
	lx := &sc.lx
	for pos := 0; ; {
		t := lx.next(pos)
		if t.kind == sEnd {
			return
		}
		switch t.kind {
		case sQuote, sOpen, sClose, sSemi, sComment, sNul:
			sc.syntax = true
		case sWord:
			sc.syntax = sc.syntax || t.id != kwNone
		case sOp:
			sc.syntax = sc.syntax || t.id != opArith
		case sVar:
			sc.syntax = sc.syntax || t.i == 0 || !sqlWordByte(lx.s[t.i-1])
		}
		if t.kind == sQuote && contraction(lx.s, t.i) {
			t.kind = sOther
		}
		switch t.kind {
		case sQuote:
			k := quoteIndex(t.id)
			t.open = sc.quotes[k]%2 == 1
			sc.quotes[k]++
			if !t.open && sc.nstart < len(sc.starts) && sc.breakStart(t) {
				sc.starts[sc.nstart] = t.i
				sc.nstart++
			}
		case sWord:
			if t.id != kwNone {
				sc.word(t)
			}
		case sVar:
			if t.id == 2 {
				conf := 0.99
				if sc.leadIn() == leadText {
					conf = 0.85
				}
				sc.hit(sqliSchema, conf, t.i, t.j)
			}
		case sOp:
			if t.id == opOr || t.id == opAnd {
				sc.boolean(t)
			}
		case sSemi:
			sc.stacked(t)
			if lx.next(t.j).kind == sEnd && sc.prevAfterClosers().kind == sQuote {
				sc.comment(t)
			}
		case sComment, sNul:
			sc.comment(t)
		}
		sc.push(t.kind, t.id, t.open, t.i, t.j)
		pos = t.j
	}
}

// FuzzSQLScanRun checks that sqlScan.run, which reads the tokens of prose
// with plainTokens, leaves the scan as runPlain does: the same hits,
// ring of tokens, quotes, libinjection starts and syntax flag.
func FuzzSQLScanRun(f *testing.F) {
	f.Add("\";")
	f.Add("admin@example.com');")
	f.Add("1' and unistr(password)::bool--")
	for _, v := range sqliAttacks {
		f.Add(v)
	}
	for _, v := range sqliBenign {
		f.Add(v)
	}
	prose := benchProse(4 << 10)
	for off := 0; off+512 <= len(prose); off += 512 {
		f.Add(prose[off : off+512])
	}
	for _, v := range []string{"a", "ab", "union", "or 1=1", "x  or  1=1", "the or\xa0and or", "xp_cmdshell and sp_x",
		"SELECT  FROM", "abcdefg or", "abcdefgh or", "abcdefghi or", "and abcdefg", "1 or a", "a\tor 1=1", "a b+or+1=1",
		"information_schema and the SLEEP(5)", "it's O'Brien or 'a'='a'", "ORDER  BY 1", "w_ $x or$ and",
		"a \xa0or 1=1", "caf\xc3\xa9 \xc3\xa9t\xc3\xa9 or 1=1", "x 1or 2",
		"the cat, sat. on (the) mat? yes: no! here it is, then.", "a, b. c? d: e! f (g) h.5 i:=j k::l m!=n o!<p q!>r",
		"word,word.word?word:word!word(word)word s t", "abc,.?:!()defgh abcdefg, abcdefgh, x9 a_b c$ d\xc3\xa9 e",
		"play same write that this then them", "s) and more words here, x! y z", "it's don't he'd I'm we'll you're I've rock'n o'clock y'all ma'am isn'T x'tt a'b1 ' z'", "x  y\t\tz ,  . ;  \"q\" 'r' -- s", "(really) \"quoted\" : the end ! or 1=1",
		"a different sentence, the sentence. different", "abcdefghijklmno p", "abcdefghijklmnop q", "abcdefgh1 x",
		"abcdefghi_ x", "abcdefgh$ x", "ABCDEFGH\xc3\xa9 x", "procedure x or 1=1", "information schema", "benchmarks x",
		"randomblob(5) abcdefgh", "xxxxxxxxxxxxxxx", "abcdefghijkl'm sentence's O'Brienxyz"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		got := sqlScan{lx: newSQLLexer(v)}
		got.run()
		want := sqlScan{lx: newSQLLexer(v)}
		want.runPlain()
		// The lexers' caches hold whichever offset each read last
		// (FuzzSQLLexerCache checks that they return what lex does).
		got.lx.at, got.lx.tok = 0, sqlTok{}
		want.lx.at, want.lx.tok = 0, sqlTok{}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("run(%q):\n%+v\nwant\n%+v", v, got, want)
		}
	})
}

// FuzzSQLShortKeyword checks sqlShortKeyword against sqlKeyword on the
// words of fewer than eight bytes of s.
func FuzzSQLShortKeyword(f *testing.F) {
	for w := range sqlWords {
		if len(w) < 8 {
			f.Add(w)
			f.Add(strings.ToUpper(w))
		}
	}
	for _, w := range []string{"xp_a", "xp_ab", "XP_CMD", "sP_who", "sp_", "xp_$", "\x7fnion", "UNI\x7fN", "ab\xc0c",
		"\x10r", "o\x12", "_", "a_b", "SELECT", "sElEcT", "v$x", "x$"} {
		f.Add(w)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if !sqlWordByte(s[i]) {
				continue
			}
			j := sqlWordEnd(s, i)
			if n := j - i; n < 8 {
				var b [8]byte
				copy(b[:], s[i:min(i+8, len(s))])
				x := binary.LittleEndian.Uint64(b[:])
				if got, want := sqlShortKeyword(x, n), sqlKeyword(s[i:j]); got != want {
					t.Fatalf("sqlShortKeyword(%q) = %d, want %d", s[i:j], got, want)
				}
			}
			i = j
		}
	})
}

// FuzzSQLLexerCache reads s at the offsets that offs picks (a byte each,
// modulo len(s)+1, so that offsets repeat as the rules' lookahead does)
// and checks that next, which returns the last offset's token from its
// cache, returns what lex does on a lexer that has read nothing.
func FuzzSQLLexerCache(f *testing.F) {
	f.Add("x/* a */ and 'b' or (c) /* open", []byte{0, 3, 3, 9, 0, 9, 20, 31, 20, 31, 31})
	f.Add("1 and x.y(2)=3 or", []byte{2, 5, 5, 5, 7, 2, 12, 12})
	f.Add("/*!50000 union*/ select", []byte{0, 0, 9, 0, 17})
	f.Fuzz(func(t *testing.T, s string, offs []byte) {
		lx := newSQLLexer(s)
		for _, o := range offs {
			i := int(o) % (len(s) + 1)
			fresh := newSQLLexer(s)
			if got, want := lx.next(i), fresh.lex(i); got != want {
				t.Fatalf("next(%d) on %q = %+v, want %+v", i, s, got, want)
			}
		}
	})
}

// FuzzSQLLetters checks the word end that sqlLexer.word reads from
// sqlLetters (the first byte that is no letter, when it is no byte of a
// word) against sqlNonWord's where it is a space, on every eight bytes of
// s (FuzzSQLLexerWord checks word whole).
func FuzzSQLLetters(f *testing.F) {
	f.Add("the cat sat on the mat, didn't it? \"quoted\" (really) -- end")
	f.Add("and 1=1 ab\xc3\xa9 x AbCdEfGh a_b c x$ y q9 r a@ b z{ a Z[ a `a b @a b  a b\xa0c \xe1b c")
	f.Fuzz(func(t *testing.T, s string) {
		for p := 0; p+8 <= len(s); p++ {
			x := le64(s[p : p+8])
			e := sqlLetters(x)
			if e < 1 || e > 8 {
				t.Fatalf("sqlLetters(%q) = %d", s[p:p+8], e)
			}
			for k := 1; k < e; k++ {
				if !isAlpha(s[p+k]) {
					t.Fatalf("sqlLetters(%q) = %d: byte %d is no letter", s[p:p+8], e, k)
				}
			}
			if e < 8 && isAlpha(s[p+e]) {
				t.Fatalf("sqlLetters(%q) = %d: byte %d is a letter", s[p:p+8], e, e)
			}
			if e < 8 && s[p+e] == ' ' {
				if want := bits.TrailingZeros64(sqlNonWord(x)&^0xff) / 8; e != want {
					t.Fatalf("sqlLetters(%q) = %d, sqlNonWord gives %d", s[p:p+8], e, want)
				}
			}
		}
	})
}

// TestSQLShortBloom checks that every keyword of fewer than eight bytes,
// as sqlFold folds it, has its bit in sqlShortBloom: plainTokens reads a
// word whose bit is clear as no keyword.
func TestSQLShortBloom(t *testing.T) {
	for w := range sqlWords {
		if len(w) >= 8 {
			continue
		}
		for _, v := range []string{w, strings.ToUpper(w)} {
			var b [8]byte
			copy(b[:], v)
			h := sqlShortBloomHash(sqlFold(binary.LittleEndian.Uint64(b[:]), len(v)))
			if sqlShortBloom[h/64]&(1<<(h%64)) == 0 {
				t.Errorf("sqlShortBloom misses %q", v)
			}
		}
	}
}

// FuzzSQLPlainTokens starts plainTokens at an offset of s (off modulo
// len(s)+1) and checks the tokens it pushes against lex's, each read at
// the end of the one before: the same tokens, as many as the ring keeps,
// no keyword with rules, the flag syntax set when, and only when, run's
// loop sets it for one of them, and at the offset it returns only what
// lex skips before the next token.
func FuzzSQLPlainTokens(f *testing.F) {
	for _, s := range []string{
		"the cat, sat. on (the) mat? yes: no! here it is, then.",
		"a, b. c? d: e! f (g) h.5 i:=j k::l m!=n o!<p q!>r s",
		"word,word.word?word:word!word(word)word s t u v w",
		"abc,.?:!()defgh abcdefg, abcdefgh, x9 a_b c$ d\xc3\xa9 e",
		"play same write that this then them and or",
		"s) and more words here, x! y z",
		"it's don't he'd I'm we'll you're I've rock'n o'clock y'all ma'am isn'T x'tt a'b1 ' z'",
		"x  y\t\tz ,  . ;  \"q\" 'r' -- s /* c */ t",
		"don't it's O'Brien (really) \"quoted\" : the end ! or 1=1",
	} {
		f.Add(s, 0)
		f.Add(s, 3)
	}
	f.Fuzz(func(t *testing.T, s string, off int) {
		p := int(uint(off) % uint(len(s)+1))
		const n0 = 5 // a ring that has wrapped
		sc := sqlScan{lx: newSQLLexer(s), n: n0}
		end, kwEnd, id := sc.plainTokens(p)
		pushed := sc.n - n0
		lx := newSQLLexer(s)
		pos, syntax := p, false
		for k := 0; k < pushed; k++ {
			want := lx.lex(pos)
			if want.kind == sQuote && contraction(s, want.i) {
				want.kind = sOther // as run's loop reads it, after it set syntax
				syntax = true
			}
			if k >= pushed-len(sc.ring) {
				if got := sc.ring[(n0+k)%len(sc.ring)].sqlTok; got != want {
					t.Fatalf("plainTokens(%q, %d): token %d %+v, lex reads %+v", s, p, k, got, want)
				}
			}
			switch want.kind {
			case sWord:
				if sqlWordRule[want.id] != wrNone {
					t.Fatalf("plainTokens(%q, %d): token %d %+v is a keyword with rules", s, p, k, want)
				}
				syntax = syntax || want.id != kwNone
			case sOp, sOpen, sClose:
				syntax = true
			case sComma, sDot, sOther:
			default:
				t.Fatalf("plainTokens(%q, %d): token %d %+v is none it reads", s, p, k, want)
			}
			pos = want.j
		}
		if sc.syntax != syntax {
			t.Fatalf("plainTokens(%q, %d): syntax %v, want %v", s, p, sc.syntax, syntax)
		}
		if end < pos || end > len(s) || strings.Trim(s[pos:end], " ") != "" {
			t.Fatalf("plainTokens(%q, %d) = %d, after its last token at %d", s, p, end, pos)
		}
		// Where it stops at a keyword, it is lex's next token, one with rules.
		if want := lx.lex(pos); id != kwNone && (want != sqlTok{kind: sWord, id: id, i: end, j: kwEnd} || sqlWordRule[id] == wrNone) {
			t.Fatalf("plainTokens(%q, %d) = %d, %d, %d; lex reads %+v", s, p, end, kwEnd, id, want)
		} else if id == kwNone && kwEnd != end {
			t.Fatalf("plainTokens(%q, %d) = %d, %d, %d", s, p, end, kwEnd, id)
		}
	})
}

// FuzzSQLLexerWord checks sqlLexer.word, which reads words of letters
// from their first eight bytes, against wordPlain (fast_test.go: a byte
// loop and the sqlWords map) at every offset of s where a word may start.
func FuzzSQLLexerWord(f *testing.F) {
	for _, s := range []string{
		"the cat sat on the mat, didn't it? or AND Union sElEcT xp_cmdshell sp_who",
		"abcdefg abcdefgh abcdefghi ab1 a_b a$ \xc3\xa9t\xc3\xa9 _or $and 1union 2or",
		"SLEEP(5) benchmark( information_schema.tables where x=1",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lx := newSQLLexer(s)
		for i := 0; i < len(s); i++ {
			if !sqlWordByte(s[i]) {
				continue
			}
			if got, want := lx.word(i), lx.wordPlain(i); got != want {
				t.Fatalf("word(%q, %d) = %+v, want %+v", s, i, got, want)
			}
		}
	})
}

// comparisonPlain is sqlScan.comparison as first written: it reads the
// operand after any word before it looks at which word it is.
func (sc *sqlScan) comparisonPlain(i int) (int, bool) {
	lx := &sc.lx
	t := lx.next(i)
	if t.kind == sOp {
		return t.j, t.id == opEq || t.id == opCmp
	}
	if t.kind != sWord {
		return 0, false
	}
	if t.id == kwNot || t.id == kwSounds {
		n := lx.next(t.j)
		if n.kind != sWord || n.id != kwLike && (t.id == kwSounds || n.id != kwIn && n.id != kwBetween) {
			return 0, false
		}
		t = n
	}
	r := sc.operand(t.j)
	switch t.id {
	case kwLike:
		return t.j, r.kind != oNone && r.kind != oIdent
	case kwIn:
		return t.j, r.kind == oParen || r.kind == oSub
	case kwBetween:
		return t.j, literal(r) || r.kind == oSQLCall || r.kind == oSub || sc.identRange(r)
	case kwIs:
		n := lx.next(t.j)
		if n.kind == sWord && n.id == kwNot {
			n = lx.next(n.j)
		}
		return t.j, n.kind == sWord && (n.id == kwNull || n.id == kwTrue)
	}
	return 0, false
}

// FuzzSQLComparison checks sqlScan.comparison against comparisonPlain at
// every offset of s. The plain form reads operands the other skips, which
// spends the lexer's budget: both lexers are given more than any value
// the fuzzer makes can spend, so that the budget cuts neither short.
func FuzzSQLComparison(f *testing.F) {
	for _, v := range sqliAttacks {
		f.Add(v)
	}
	for _, v := range sqliBenign {
		f.Add(v)
	}
	for _, v := range []string{"and the house is big", "x like 'a%'", "a not like b", "a sounds like b", "a in (1,2)",
		"a not in (select 1)", "a between 1 and 2", "a is not null", "a is true", "a = b", "a <> b", "a ( b",
		"and the 'quoted' (really) or x", "or a like", "a is", "a in", "a not between 'x' and 'y'"} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v string) {
		sc := sqlScan{lx: newSQLLexer(v)}
		sc.lx.budget = 1 << 40
		for i := 0; i <= len(v); i++ {
			a, b := sc, sc
			gotJ, gotOK := a.comparison(i)
			wantJ, wantOK := b.comparisonPlain(i)
			if gotJ != wantJ || gotOK != wantOK {
				t.Fatalf("comparison(%q, %d) = %d, %v; want %d, %v", v, i, gotJ, gotOK, wantJ, wantOK)
			}
		}
	})
}

// sqliValuePlain is sqliValue as first written: it merges every rule of
// the scan into best, matched or not, and returns nothing.
func sqliValuePlain(v string, m cls, src threat.Source, lib int, best *[sqliNumRules]sqlHit) {
	if m&sqlChars == 0 {
		return
	}
	if src == threat.SourcePath && m&(cQuote|cDQuote|cParen|cSpace) == 0 {
		return
	}
	if m&sqlStrong == 0 && !strings.Contains(v, "--") {
		var stack [512]byte
		lo, p := lowerLong(stack[:], v)
		_, ok := findAny(lo, sqliKeywords, true)
		if p != nil {
			longBuffers.Put(p)
		}
		if !ok {
			return
		}
	}
	sc := sqlScan{lx: newSQLLexer(v)}
	sc.run()
	found := func() bool {
		for _, h := range sc.best {
			if h.conf > 0 {
				return true
			}
		}
		return false
	}
	if sc.syntax && (src != threat.SourceHeader || m&(cQuote|cDQuote|cBacktick) != 0 || found()) &&
		(lib == libRun || lib == libUnlessHit && !found()) {
		sc.libinjection()
	}
	for r := range sc.best {
		if h := sc.best[r]; h.conf > best[r].conf {
			h.src = v
			best[r] = h
		}
	}
}

// FuzzSQLiValueHits checks sqliValue, which merges only the rules its
// scan matched (sqlScan.hits), against sqliValuePlain: the same best after
// two values (the second a decoded form, as scanSQLi reads a header), and
// masks that name exactly the rules of best that matched.
func FuzzSQLiValueHits(f *testing.F) {
	for _, s := range []string{"' or 1=1--", "admin'--", "1 union select 1,2", "the 'quoted' or (really) -- word",
		"O'Brien said \"hi\" -- the end", "'; drop table users--", "a%27%20or%201=1--", "x' and sleep(5)#", "@@version",
		"1 or 2 or 3", "cats and (dogs or birds)"} {
		f.Add(s, "", uint8(0))
		f.Add(s, s+" or 1=1", uint8(0x13))
		f.Add("plain words", s, uint8(0x21))
	}
	f.Fuzz(func(t *testing.T, a, b string, k uint8) {
		src := sqliFuzzSources[k&7]
		var got, want [sqliNumRules]sqlHit
		var hits uint16
		for n, v := range []string{a, b} {
			lib := int(k>>(3+2*n)) & 3 % 3
			hits |= sqliValue(v, classify(v), src, lib, &got)
			sqliValuePlain(v, classify(v), src, lib, &want)
			if got != want {
				t.Fatalf("values %q, %q (source %v): best %+v, want %+v", a, b, src, got, want)
			}
			var mask uint16
			for r, h := range want {
				if h.conf > 0 {
					mask |= 1 << r
				}
			}
			if hits != mask {
				t.Fatalf("values %q, %q (source %v): hits %b, want %b", a, b, src, hits, mask)
			}
		}
	})
}
