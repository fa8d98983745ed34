package signature

import (
	"bytes"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// Oracles for the shortcuts of the traversal family: each Fuzz target
// checks that the fast form returns what the plain one does.

// FuzzFoldIsLower checks that a value foldIsLower accepts folds, through
// pathFold, to exactly its lower-cased form with nothing exotic, and that
// the traversal, SSRF and code families leave the shared lower-cased copy
// as lowerValue made it, with the value's classes.
func FuzzFoldIsLower(f *testing.F) {
	for _, s := range []string{"Plain Text, with: Punctuation; (and) \"QUOTES\" 'here'", "a 0x2e b", "A 0X5C B", "x..2f y", "..5C",
		"tab\there", "nul\x00", "del\x7f", "high \xc0\xae", "etc/passwd", "C:\\boot.ini", "%2e%2e", "see win.ini or .htaccess",
		"php://filter", "x ... y 2f", "0x", "100 200 500 0xff", "\xef\xbc\x8e"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify(s)
		if foldIsLower(s, m) {
			got, exotic := pathFold(nil, s, false)
			if want := lower(nil, s); !bytes.Equal(got, want) || exotic != 0 {
				t.Fatalf("foldIsLower(%q) but pathFold = %q %d, want %q 0", s, got, exotic, want)
			}
		}
		v := strings.Repeat(s+" ", 1+loweredFold/(len(s)+1)) // long enough for the shared copy
		in := &input{src: threat.SourceQuery, name: "q", value: v, m: classify(v)}
		var seen [3]rules
		scanTraversal(in, &seen[0], nil)
		scanSSRF(in, &seen[1], nil)
		scanCode(in, &seen[2], nil)
		if in.lowered && !bytes.Equal(in.lo, lower(nil, v)) {
			t.Fatalf("the shared lower-cased copy of %q changed", v)
		}
		if in.lowered && classify(string(in.lo)) != in.m {
			// scanTraversal gives dotSteps the value's classes for it
			t.Fatalf("the lower-cased copy of %q has classes %b, the value %b", v, classify(string(in.lo)), in.m)
		}
		in.release()
	})
}

// dotdotsPlain is dotdots as first written: every byte a candidate.
func dotdotsPlain(b []byte) (n, first int) {
	first = -1
	for i := 0; i < len(b); i++ {
		if b[i] != '.' && b[i] != '?' && b[i] != '*' {
			continue
		}
		if i > 0 {
			if p := b[i-1]; p != '/' && p != '=' && p != ' ' && p != ';' && p != '"' && p != '\'' {
				continue
			}
		}
		j, dots := i, 0
		for j < len(b) && (b[j] == '.' || b[j] == '?' || b[j] == '*') {
			if b[j] == '.' {
				dots++
			}
			j++
		}
		seg := j - i
		end := j == len(b) || b[j] == '/' || b[j] == ';'
		step := false
		switch {
		case dots == seg && seg >= 2:
			step = end && (j < len(b) || i > 0 && b[i-1] == '/') || seg >= 6 && (j == len(b) || b[j] != ' ')
		case seg >= 2 && seg <= 4 && j < len(b) && b[j] == '/':
			step = true
		}
		if step {
			if first < 0 {
				first = i
			}
			n++
			if dots >= 6 && dots == seg {
				n += dots / 4
			}
		}
		i = j - 1
	}
	return n, first
}

// FuzzDotSteps checks dotSteps, which counts the steps up and the "./"
// segments in one walk, against dotdotsPlain and dotSlashRunPlain, on
// short values and on values long enough for the byte cursor, searching
// for every byte and for those the value's classes hold.
func FuzzDotSteps(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "./././etc", "/./a/./", ".", "./", "a./b/./.", "..//./", "x=../a", "?./??/.?/",
		"........", "...... x", "/..;/", "'../'", "a .. b", "*/./*./"} {
		f.Add(s, 1)
		f.Add(s, 40) // long enough for the cursor
	}
	f.Fuzz(func(t *testing.T, s string, n int) {
		b := []byte(strings.Repeat(s, 1+min(max(n, 0), 40)))
		wn, wf := dotdotsPlain(b)
		ws := dotSlashRunPlain(b)
		for _, m := range []cls{^cls(0), classify(string(b))} {
			if gn, gf, gs := dotSteps(b, m); gn != wn || gf != wf || gs != ws {
				t.Fatalf("dotSteps(%q, %b) = %d %d %d, want %d %d %d", b, m, gn, gf, gs, wn, wf, ws)
			}
		}
	})
}

// longestPlain is fileTrie.longest as first written: each child looked up
// in the map.
func (t *fileTrie) longestPlain(b []byte) (end int, tier uint8) {
	if len(b) == 0 {
		return 0, tierNone
	}
	node := t.root[b[0]]
	for i := 1; node != 0; i++ {
		if n := t.nodes[node]; n.tier != tierNone {
			if !n.bounded || i == len(b) || !isNameByte(b[i]) {
				end, tier = i, n.tier
			} else if b[i] == '-' && (i+1 == len(b) || !isNameByte(b[i+1])) {
				end, tier = i+1, n.tier
			}
		}
		for i+1 < len(b) && b[i] == '.' && b[i+1] == '/' && b[i-1] == '/' {
			i += 2
		}
		if i >= len(b) {
			break
		}
		node = t.next[uint64(node)<<8|uint64(b[i])]
	}
	return end, tier
}

// TestTrieSlots checks that the open-addressed table holds every child
// of the map and nothing else: each key of the map, and each byte after
// each node.
func TestTrieSlots(t *testing.T) {
	ft := fileTargets
	for key, child := range ft.next {
		if got := ft.child(key); got != child {
			t.Fatalf("child(%#x) = %d, want %d", key, got, child)
		}
	}
	for node := range ft.nodes {
		for c := 0; c < 256; c++ {
			key := uint64(node)<<8 | uint64(c)
			if node > 0 && ft.child(key) != ft.next[key] {
				t.Fatalf("child(%#x) = %d, want %d", key, ft.child(key), ft.next[key])
			}
		}
	}
}

// FuzzFileTrie checks longest, which looks children up in the slots,
// against longestPlain at every offset of a lower-cased value.
func FuzzFileTrie(f *testing.F) {
	for _, s := range []string{"../../etc/passwd", "etc/./passwd", "c:/windows/win.ini", "/proc/self/environ", ".htaccess x",
		"var/log/apache2/access.log", "etc/hostsfoo", "web-inf/web.xml", "wp-config.php.bak"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(strings.ToLower(s))
		for k := range b {
			ge, gt := fileTargets.longest(b[k:])
			if we, wt := fileTargets.longestPlain(b[k:]); ge != we || gt != wt {
				t.Fatalf("longest(%q) = %d %d, want %d %d", b[k:], ge, gt, we, wt)
			}
		}
	})
}

// FuzzRawFoldIsLower checks the raw shortcut of scanTraversal: when the
// raw form s unpercents to a value v that foldIsLower accepts, pathFold
// of s is v lower-cased with unpercent's count, and unpercentsTo says so;
// for another value of the same length it says no.
func FuzzRawFoldIsLower(f *testing.F) {
	for _, s := range []string{"plain+text%2C+with+%22quotes%22%3A+and+more", "%252e%252e", "a%2fb", "%u002e", "x+y", "%%32%65",
		"%2%e", "don%27t+stop", "100%25+sure", "%0d%0a", "%c0%ae", "..%32f"} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, plus bool) {
		u, n := unpercent(nil, s, plus)
		v := string(u)
		if len(v) > len(s) {
			t.Fatalf("unpercent(%q) = %q is longer", s, v)
		}
		if got, ok, _ := unpercentsTo(s, plus, v); !ok || got != n {
			t.Fatalf("unpercentsTo(%q, %v, %q) = %d %v, want %d true", s, plus, v, got, ok, n)
		}
		if w := strings.Map(func(r rune) rune { return r ^ 1 }, v); len(w) == len(v) && w != v {
			if _, ok, _ := unpercentsTo(s, plus, w); ok {
				t.Fatalf("unpercentsTo(%q, %v, %q) = true", s, plus, w)
			}
		}
		if foldIsLower(v, classify(v)) {
			got, exotic := pathFold(nil, s, plus)
			if want := lower(nil, v); !bytes.Equal(got, want) || exotic != n {
				t.Fatalf("pathFold(%q, %v) = %q %d, want %q %d", s, plus, got, exotic, want, n)
			}
		}
	})
}

// unpercentTokens are the pieces FuzzUnpercentForm builds values of:
// text, the '+' of form encoding, plain escapes, escapes of '%' and of
// its halves, the nested and broken forms unpercent undoes, and bytes a
// borrow between the bytes of a block could mistake for '+' or '%'.
var unpercentTokens = []string{"a", "word", "+", "++", "*", "$", "%2C", "%41", "%2b", "%25", "%", "%2", "%e", "%zz", "%u0041",
	"%U002e", "%%32%65", "%2%e", "%252e", "%25%32%65", "%c0", "%9v", "5", "2", "e", "u", "0123456789abcdef", " ", "%ff", "%2F"}

// FuzzUnpercentForm holds unpercent, which reads runs and plain escapes
// with decode.PlainRun, to the plain form on values made of
// unpercentTokens, after a prefix made of them too (an escape may begin
// in the buffer).
func FuzzUnpercentForm(f *testing.F) {
	f.Add([]byte{3}, []byte{0, 2, 1, 2, 6, 2, 8, 26, 2, 9, 7, 7, 11, 21, 12, 10}, true)
	f.Add([]byte{11}, []byte{22, 24, 14, 15, 16, 17, 18, 19, 26, 26, 20, 21, 29}, false)
	f.Fuzz(func(t *testing.T, prefix, tokens []byte, plus bool) {
		var p, b strings.Builder
		for _, c := range prefix {
			p.WriteString(unpercentTokens[int(c)%len(unpercentTokens)])
		}
		for _, c := range tokens {
			b.WriteString(unpercentTokens[int(c)%len(unpercentTokens)])
		}
		s := b.String()
		gb, ge := unpercent([]byte(p.String()), s, plus)
		wb, we := unpercentPlain([]byte(p.String()), s, plus)
		if string(gb) != string(wb) || ge != we {
			t.Fatalf("unpercent(%q, %q, %v) = %q %d, want %q %d", p.String(), s, plus, gb, ge, wb, we)
		}
	})
}

// openerMarks is segmentOpeners for nextMarked, as findTargetPlain reads
// them.
var openerMarks = byteMarks(segmentOpenerBytes)

// findTargetPlain is findTarget as first written: every position after a
// segment opener (found a block of bytes at a time) is tried, whatever
// byte follows the opener.
func findTargetPlain(b []byte) (i, j int, tier uint8) {
	for k := 0; k < len(b); k++ {
		if k > 0 && !segmentOpeners[b[k-1]] {
			if k = nextMarked(&openerMarks, b, k) + 1; k >= len(b) {
				break
			}
		}
		if fileTargets.root[b[k]] == 0 {
			continue
		}
		if end, t := fileTargets.longest(b[k:]); t > tier {
			i, j, tier = k, k+end, t
			if t == tierSystem {
				return i, j, tier
			}
		}
	}
	return i, j, tier
}

// nextTargetStartPlain is nextTargetStart a byte at a time.
func nextTargetStartPlain(b []byte, i int) int {
	for k := max(i, 1); k < len(b); k++ {
		if segmentOpeners[b[k-1]] && fileTargets.root[b[k]] != 0 {
			return k
		}
	}
	return len(b)
}

// checkFindTarget compares findTarget with findTargetPlain on b and on
// its suffixes from the first seventeen offsets (every alignment of the
// blocks), and nextTargetStart with nextTargetStartPlain from every
// offset.
func checkFindTarget(t *testing.T, b []byte) {
	t.Helper()
	for off := 0; off <= 16 && off <= len(b); off++ {
		s := b[off:]
		gi, gj, gt := findTarget(s)
		wi, wj, wt := findTargetPlain(s)
		if gi != wi || gj != wj || gt != wt {
			t.Fatalf("findTarget(%q) = %d %d %d, want %d %d %d", s, gi, gj, gt, wi, wj, wt)
		}
	}
	for i := 1; i <= len(b); i++ {
		if got, want := nextTargetStart(b, i), nextTargetStartPlain(b, i); got != want {
			t.Fatalf("nextTargetStart(%q, %d) = %d, want %d", b, i, got, want)
		}
	}
}

// FuzzFindTarget checks findTarget, which reads pairs of bytes sixteen
// bytes at a time, against findTargetPlain on arbitrary input.
func FuzzFindTarget(f *testing.F) {
	f.Add([]byte("/etc/passwd"))
	f.Add([]byte("see the config.php, then 'etc/passwd' or (boot.ini) and \"win.ini\""))
	f.Add([]byte("don't, can't; it's: (really) \"quoted\" o'brien =x |y <z> `w` @v /u"))
	f.Add([]byte("123456789012345/etc/passwd"))   // an opener at the end of a block, the target in the next
	f.Add([]byte("1234567890123456/etc/passwd"))  // both in the next
	f.Add([]byte("12345678901234/etc/passwd"))    // both in the first, an odd pair
	f.Add([]byte("123456789012345,,/etc/passwd")) // openers running across a block
	f.Add([]byte("000000000000000\"a"))           // an opener, then the last byte
	f.Add([]byte("1234567 /package.json"))        // an application file
	f.Add([]byte("a/package.json and /etc/shadow"))
	f.Add([]byte("x;.env y:.htaccess z@web.config"))
	f.Add([]byte(""))
	f.Add([]byte("/"))
	f.Add([]byte("e"))
	f.Fuzz(func(t *testing.T, b []byte) {
		checkFindTarget(t, b)
	})
}

// targetProsePieces are what FuzzFindTargetProse builds its text of:
// words, the punctuation of prose, every segment opener, and targets of
// both tiers with and without the separators around them.
var targetProsePieces = func() []string {
	p := []string{"the ", "a ", "quick ", "don't ", "it's ", "o'brien ", "(really) ", "\"quoted\" ", ", ", "; ", ": ",
		". ", " -- ", "? ", "etc", "passwd", "win", ".ini", "sam", "the same ", "hosts", "hostsfoo", "-", "_", "./", "/./",
		"\\", "0x2f", "%2f", "..", "../", "c:", "C:/", "ETC/PASSWD", "   ", "\x00", "\xff", "\xc0\xae", "12", "q", "z"}
	for _, c := range []byte(segmentOpenerBytes) {
		p = append(p, string(c), string(c)+string(c))
	}
	p = append(p, extraTargets...)
	p = append(p, "package.json", "composer.lock", ".gitignore", "tmp/", "config/app.php", ".env", "proc/")
	return p
}()

// FuzzFindTargetProse checks findTarget against findTargetPlain on text
// built of targetProsePieces: prose with paths, file names and targets
// at every offset from the blocks' edges.
func FuzzFindTargetProse(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{200, 201, 202, 8, 9, 100, 101, 102, 103})
	f.Add([]byte("some bytes pick the pieces"))
	f.Fuzz(func(t *testing.T, picks []byte) {
		var b []byte
		for _, c := range picks {
			b = append(b, targetProsePieces[int(c)%len(targetProsePieces)]...)
		}
		checkFindTarget(t, b)
	})
}

// TestFindTargetProse checks findTarget against findTargetPlain on the
// benchmarks' prose, lower-cased as the family reads it, with targets
// and paths planted at every offset of a block: the text alone, and the
// text with one planted piece in each window.
func TestFindTargetProse(t *testing.T) {
	text := []byte(strings.ToLower(benchProse(16 << 10)))
	checkFindTarget(t, text[:4096])
	plants := []string{"/etc/passwd", " 'win.ini'", ",boot.ini", "(.env)", "\"config.php\"", "=../../etc/shadow",
		":package.json", "@id_rsa", "/x/tmp/"}
	for k, p := range plants {
		for off := 0; off < 17; off++ {
			at := 512*k + 37*off
			b := append(append(append([]byte{}, text[at:at+200]...), p...), text[at+200:at+300]...)
			checkFindTarget(t, b)
		}
	}
}
