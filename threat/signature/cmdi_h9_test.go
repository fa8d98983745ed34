package signature

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/internal/benchtext"
)

// The plain forms of the command family's prose paths: each Fuzz target
// checks that the fast form answers as the plain one does.

// proseCmdSeeds are values of prose whose operators English commands
// follow, with arguments hostile, shaped or neither.
var proseCmdSeeds = []string{
	"we went home and then; time to find more of the words that we read at night",
	"the words that we read at night and then; cat /etc/passwd and more of the same words",
	"the words that we read at night and then; more %SYSTEMROOT% and the same words again",
	"the words that we read at night and then; find the passwd file > x.php and other words",
	"the words that we read at night and then| make etc/passwd, and other words of prose",
	"the words that we read at night and then& which python and other words of prose",
	"the words that we read at night and then\nget http://x.example/a and other words of prose",
	"the words that we read at night and then; move (really) -- all the Words 0x2f 25 %2f",
	"the words that we read at night and then; c'a't the words that we read at night",
	"the words that we read at night and then; sleep 10 and the words that we read at night",
	"The Words That We Read At Night And Then; Look At Them, Boot.ini Win.ini And More",
	"the words that we read at night and then; as \"quoted\" words; at it's; call who; set x",
	"the words that we read at night and then; find 2 or 5 of the 0x2e0x2e boot.ini words, 20 of them",
	"the words that we read at night and then; find " + strings.Repeat("2 or 5 words, ", 30) + "boot.ini",
	"time to read the words that we read at night (really) and then; more",
	"more of the words that we read at night and then -- some; as c:",
	"find the words that we read at night in +the +x \"quoted\" who; set",
	"rm the words that we read at night and then; go -rf",
	"at the words that we read at night, /etc/passwd and then; go",
	"as the words that we read at night, passwd and then; go",
	"make C'a't the words that we read at night and then; go",
	"who are the words that we read at night (really) and then; set -- x; who; where (is) it",
	"set the words that we read at night and then; who -- x; whoami -- y; uname (really) z",
	"id the words that we read at night and then; ls it; netsh (really) x",
}

// rateCommandsPlain is rateCommandsIn as it was before proseCommand: every
// command found after an operator has its arguments read.
func rateCommandsPlain(t *shellText, best *cmdHit, path bool, m cls) {
	b := t.b
	var nameBuf [48]byte
	wordy, counted := false, false
	var lw lineWords
	lwMade := false
	line := false
	var cwd workDir
	if !path {
		cwd.follow(b, 0)
	}
	if c, ok := commandWord(b, 0, nameBuf[:0]); ok && !path {
		a := readArgs(b, &c, 0, true)
		line = c.byPath || c.class != cmdWord || a.shaped
		wordy, counted = hasWords(b, 8), true
		rateLine(t, &c, &a, wordy, best)
	}
	inTick := false
	ops := newClassCursor(opFinder, unsafeString(b), m)
	for i := 0; i < len(b); i++ {
		if i = ops.next(i); i >= len(b) {
			break
		}
		x := b[i]
		op, next, close := opNone, i+1, byte(0)
		switch x {
		case ';':
			op = opStrong
		case '|':
			op = opStrong
			if next < len(b) && b[next] == '|' {
				next++
			}
		case '&':
			if i > 0 && (b[i-1] == '>' || b[i-1] == '<') || next < len(b) && b[next] == '>' {
				continue
			}
			op = opWeak
			if next < len(b) && b[next] == '&' {
				op, next = opStrong, next+1
			}
		case '\n', '\r':
			op = opNewline
		case '`':
			inTick = !inTick
			if !inTick {
				continue
			}
			op, close = opBacktick, '`'
		case '$', '<', '>':
			if next < len(b) && b[next] == '(' && (x == '$' || i == 0 || b[i-1] == ' ' || b[i-1] == '<' || b[i-1] == '>') {
				op, next, close = opSubst, next+1, ')'
			}
		}
		if op == opNone {
			continue
		}
		if !path && op != opSubst && op != opBacktick {
			cwd.follow(b, next)
		}
		c, ok := commandWord(b, next, nameBuf[:0])
		if !ok {
			continue
		}
		a := readArgs(b, &c, close, false)
		if !path && !a.hostile && cwd.n > 1 && cwd.reaches(b[c.end:argsEnd(b, c.end, close)]) {
			a.hostile = true
		}
		if !counted {
			wordy, counted = hasWords(b, 8), true
		}
		if !lwMade {
			lw, lwMade = newLineWords(b), true
			lw.nl = m&cNL != 0
		}
		words, plain := lw.at(i)
		ctx := opContext{op: op, words: words, plain: plain && words > 0, line: line,
			lead: words <= 2 && !line && !inTick && op != opBacktick}
		if op == opBacktick {
			end := len(b)
			if k := bytes.IndexByte(b[next:], '`'); k >= 0 {
				ctx.after = wordsUpTo(b[next+k+1:], 3)
				end = next + k
			}
			if unclosedQuoteOracle(string(b[next:end])) {
				continue
			}
		}
		if path {
			emptySeg := (b[i] == ';' || b[i] == '|' || b[i] == '&') && i > 0 && b[i-1] == '/' && (c.class >= cmdName || c.byPath)
			probeSeg := (b[i] == ';' || b[i] == '|') && (c.class == cmdProbe && a.empty || c.byPath) &&
				(c.end == len(b) || b[c.end] == '|' || b[c.end] == '&' || b[c.end] == ';')
			if op != opSubst && op != opBacktick && !a.hostile && !obfuscated(t, &c, &a, wordy) && !spacedAndOr(b, i, next) &&
				!emptySeg && !probeSeg {
				continue
			}
		}
		rateAt(t, ctx, wordy, &c, &a, i, best)
	}
}

// FuzzRateCommandsProse checks rateCommandsIn, which reads the arguments
// of an English command in prose only as far as their hostility (and, at
// the start of the value, their shape), against rateCommandsPlain, on the
// value folded as judgeCommand folds it, as a query's value and as a URL
// path's; and argsMayBeHostile and argsShaped against readArgs: the one
// true wherever readArgs finds hostile arguments, the other its shaped.
func FuzzRateCommandsProse(f *testing.F) {
	for _, s := range append(proseCmdSeeds, cmdFuzzSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st shellText
		st.b = shellFold(&st, nil, s)
		m := classify(unsafeString(st.b))
		for _, path := range []bool{false, true} {
			var got, want cmdHit
			rateCommandsIn(&st, &got, path, m)
			rateCommandsPlain(&st, &want, path, m)
			if got != want {
				t.Fatalf("rateCommandsIn(%q, path %v) = %+v, want %+v", st.b, path, got, want)
			}
		}
		if len(st.b) > 1024 {
			return // each command's arguments are read to the end: quadratic
		}
		var nameBuf [48]byte
		for i := 0; i < len(st.b); i++ {
			c, ok := commandWord(st.b, i, nameBuf[:0])
			if !ok {
				continue
			}
			for _, close := range []byte{0, ')', '`'} {
				a := readArgs(st.b, &c, close, false)
				span := st.b[c.end:argsEnd(st.b, c.end, close)]
				if a.hostile && !argsMayBeHostile(span, &c) {
					t.Fatalf("argsMayBeHostile(%q, %q) = false; readArgs finds them hostile", span, c.name)
				}
				if got := argsShaped(span); got != a.shaped {
					t.Fatalf("argsShaped(%q) = %v, readArgs finds shaped %v", span, got, a.shaped)
				}
			}
		}
	})
}

// TestRateCommandsProseBench checks rateCommandsIn against
// rateCommandsPlain on the benchmarks' prose, in values of the lengths
// the Body benchmarks send.
func TestRateCommandsProseBench(t *testing.T) {
	text := benchtext.Prose(1 << 18)
	for _, size := range []int{600, 1000, 4000} {
		for i := 0; (i+1)*size <= len(text); i++ {
			var st shellText
			st.b = shellFold(&st, nil, text[i*size:(i+1)*size])
			m := classify(unsafeString(st.b))
			var got, want cmdHit
			rateCommandsIn(&st, &got, false, m)
			rateCommandsPlain(&st, &want, false, m)
			if got != want {
				t.Fatalf("rateCommandsIn(%q) = %+v, want %+v", st.b, got, want)
			}
		}
	}
}

// TestProseCommandWords checks that the English words of the benchmarks'
// prose that are commands are still read as such: the prose path is
// taken in the benchmarks.
func TestProseCommandWords(t *testing.T) {
	for _, w := range strings.Fields("as at make time look more go call find man move") {
		if commandClasses[w] != cmdWord || hostileArgsOf([]byte(w)) {
			t.Errorf("%q: class %d, hostileArgsOf %v; want an English command of no hostile arguments", w, commandClasses[w], hostileArgsOf([]byte(w)))
		}
	}
}

// TestExecFuncsNamed checks that every name of execFuncs is a name:
// execCall looks up no empty one.
func TestExecFuncsNamed(t *testing.T) {
	if _, ok := execFuncs[""]; ok {
		t.Fatal(`execFuncs holds ""`)
	}
}

// FuzzFoldCursor checks foldCursor against a search for every byte of
// shellSpecialBytes, given the classes of the value, every class, and the
// value's classes with some others, for queries that go forward (by one,
// or to the answer and past it), as shellFoldFrom's do.
func FuzzFoldCursor(f *testing.F) {
	for _, s := range append(proseCmdSeeds, cmdFuzzSeeds...) {
		f.Add(s, uint64(0x9e3779b97f4a7c15))
	}
	f.Fuzz(func(t *testing.T, s string, steps uint64) {
		// want[i] is the first special byte at or after i
		want := make([]int, len(s)+1)
		want[len(s)] = len(s)
		for k := len(s) - 1; k >= 0; k-- {
			if want[k] = want[k+1]; shellSpecial[s[k]] {
				want[k] = k
			}
		}
		for _, m := range []cls{classify(s), ^cls(0), classify(s) | cls(steps>>32)} {
			var fc foldCursor
			fc.set(s, m)
			r := steps
			for i := 0; i <= len(s); {
				if got := fc.next(i); got != want[i] {
					t.Fatalf("foldCursor(%q, %b).next(%d) = %d, want %d", s, m, i, got, want[i])
				}
				if r&1 != 0 || want[i] == i {
					i++
				} else {
					i = want[i]
				}
				r = r>>1 | r<<63
			}
		}
	})
}

// unclosedQuoteOracle is unclosedQuote written plainly: strip what is
// escaped, then the quoted strings, and look for a quote left.
func unclosedQuoteOracle(s string) bool {
	for {
		k := strings.IndexAny(s, "\\'\"")
		switch {
		case k < 0:
			return false
		case s[k] == '\\':
			s = s[min(len(s), k+2):]
		case s[k] == '\'':
			e := strings.IndexByte(s[k+1:], '\'')
			if e < 0 {
				return true
			}
			s = s[k+2+e:]
		default:
			r := s[k+1:]
			for {
				e := strings.IndexAny(r, "\\\"")
				if e < 0 {
					return true
				}
				if r[e] == '"' {
					s = r[e+1:]
					break
				}
				r = r[min(len(r), e+2):]
			}
		}
	}
}
