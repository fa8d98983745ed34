package signature

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzClassPairs checks classify and classifyLower, which read a pair of
// bytes a lookup (classPairs), against the classes of the bytes or-ed one
// by one and lowerTable byte by byte, with the fuzzed text after each
// offset up to seventeen so that every byte falls at both halves of a
// pair and at every place of a round.
func FuzzClassPairs(f *testing.F) {
	f.Add("The Quick brown FOX; jumps (over) the \"LAZY\" dog's back.")
	f.Add("\x00\x7f`~!@#$%^&*()[]{}|\\;:'\",.<>/?=-_+ \t\r\n\x80\xffAZaz@[`{")
	f.Fuzz(func(t *testing.T, s string) {
		for off := 0; off <= 17; off++ {
			v := strings.Repeat("q", off) + s
			var want cls
			wantLo := make([]byte, len(v))
			for i := 0; i < len(v); i++ {
				want |= classes[v[i]]
				wantLo[i] = lowerTable[v[i]]
			}
			if got := classify(v); got != want {
				t.Fatalf("classify(%q) = %#x, want %#x", v, got, want)
			}
			d := make([]byte, len(v))
			if got := classifyLower(d, v); got != want || string(d) != string(wantLo) {
				t.Fatalf("classifyLower(%q) = %#x, %q, want %#x, %q", v, got, d, want, wantLo)
			}
		}
	})
}

// FuzzLowerK checks lowerK.lower against lowerWord, and both against
// lowerTable, for the eight bytes the fuzzer picks.
func FuzzLowerK(f *testing.F) {
	f.Add(uint64(0x4142435a5b606140))
	f.Add(uint64(0xc1dafffe80417a5a))
	f.Fuzz(func(t *testing.T, x uint64) {
		var want uint64
		for k := 0; k < 64; k += 8 {
			want |= uint64(lowerTable[byte(x>>k)]) << k
		}
		if got := lowerConsts.lower(x); got != want {
			t.Fatalf("lowerK.lower(%#x) = %#x, want %#x", x, got, want)
		}
		if got := lowerWord(x); got != want {
			t.Fatalf("lowerWord(%#x) = %#x, want %#x", x, got, want)
		}
	})
}

// parseDestPlain is parseDest as it was, searching all of b for "://"
// and ':'.
func parseDestPlain(b []byte) dest {
	var d dest
	rest := b
	if i := bytes.Index(b, []byte("://")); i > 0 && i < 16 && schemeName(b[:i]) {
		rest, d.scheme, d.explicit = b[i+3:], true, true
	} else if i := bytes.IndexByte(b, ':'); i > 0 && i < 8 && schemeName(b[:i]) && (string(b[:i]) == "http" || string(b[:i]) == "https") {
		rest, d.scheme, d.explicit = bytes.TrimLeft(b[i+1:], "/"), true, true
	} else if bytes.HasPrefix(b, []byte("//")) {
		rest, d.explicit = b[2:], true
	} else if !hostStart(b) {
		return d
	}
	end := len(rest)
	for i, c := range rest {
		if c == '/' || c == '?' || c == '#' || c == ' ' {
			end = i
			if c == '/' {
				d.explicit = d.explicit || !prefixLen(rest[i+1:])
			} else if c != ' ' {
				d.explicit = true
			}
			break
		}
	}
	auth := rest[:end]
	if h, ok := hostPart(auth, &d); ok {
		d.hosts[0], d.n = h, 1
	}
	if nul := bytes.IndexByte(auth, 0); nul > 0 {
		d.confused = true
		var scratch dest
		if h, ok := hostPart(auth[:nul], &scratch); ok {
			d.hosts[d.n] = h
			d.n++
		}
	}
	if d.scheme {
		naiveEnd := bytes.IndexByte(rest, '/')
		if naiveEnd < 0 {
			naiveEnd = len(rest)
		}
		if at := bytes.LastIndexByte(rest[:naiveEnd], '@'); at >= 0 && at >= end {
			d.confused = true
			var scratch dest
			if h, ok := hostPart(rest[at+1:naiveEnd], &scratch); ok && d.n < 2 {
				d.hosts[d.n] = h
				d.n++
			}
		}
	}
	return d
}

func sameDest(a, b dest) bool {
	return a.n == b.n && a.scheme == b.scheme && a.explicit == b.explicit && a.confused == b.confused &&
		bytes.Equal(a.hosts[0], b.hosts[0]) && bytes.Equal(a.hosts[1], b.hosts[1])
}

// FuzzParseDestPrefix checks parseDest, which searches only the prefix
// where a scheme may end, against the search of the whole value.
func FuzzParseDestPrefix(f *testing.F) {
	for _, s := range []string{"http://127.0.0.1/", "http:127.0.0.1", "https:/x", "//host/x", "10.0.0.1:8080/x",
		"abcdefghijklmno://x", "abcdefghijklmnop://x", "abcdefg:x", "abcdefgh:x", "http://a@b#@c", "the http://x said"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, b := range [][]byte{[]byte(s), []byte("http" + s), []byte("a:" + s), []byte("ab://" + s)} {
			if got, want := parseDest(b), parseDestPlain(b); !sameDest(got, want) {
				t.Fatalf("parseDest(%q) = %+v, want %+v", b, got, want)
			}
		}
	})
}

// oobDotsPlain is oobDots as it was, reading the bytes around every dot.
func oobDotsPlain(b []byte, at []int) bool {
	at = at[:len(oobRest.needles)]
	for n := range at {
		at[n] = -1
	}
	oast, left := false, len(at)
	for p := 0; p < len(b) && (!oast || left > 0); p++ {
		k := bytes.IndexByte(b[p:], '.')
		if k < 0 {
			break
		}
		p += k
		if !oast && (p >= 4 && string(b[p-4:p]) == "oast" || p >= 7 && string(b[p-7:p]) == "oastify") {
			oast = true
		}
		for n, nd := range oobRest.needles {
			if i := p - oobRest.rare[n]; at[n] < 0 && i >= 0 && i+len(nd) <= len(b) && b[i] == nd[0] && string(b[i+1:i+len(nd)]) == nd[1:] {
				at[n] = i
				left--
			}
		}
	}
	return oast
}

// FuzzOOBDotsSkip checks oobDots, which passes over the dots no name ends
// before, against the walk that reads every dot.
func FuzzOOBDotsSkip(f *testing.F) {
	for _, s := range []string{"x.oast.pro", "a.oastify.com", "burpcollaborator.net", "x.interact.sh", "dnslog.cn",
		"ceye.io", "the end. of it.", "oast", ".oast.", "toast.pro interact.sh ceye.io"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b := []byte(strings.ToLower(s))
		var got, want [4]int
		g, w := oobDots(b, got[:]), oobDotsPlain(b, want[:])
		if g != w || got != want {
			t.Fatalf("oobDots(%q) = %v %v, want %v %v", b, g, got, w, want)
		}
	})
}

// FuzzShapedNoSlash checks what scanTraversal assumes of a value whose
// classes lack '/': shaped is false for it, lower-cased and trimmed.
func FuzzShapedNoSlash(f *testing.F) {
	for _, s := range []string{"c:\\boot.ini", "~x", "etc passwd", "FileZilla Server.xml", "/etc/passwd", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if classify(s)&cSlash != 0 {
			return
		}
		if b := trimValue(lower(nil, s)); shaped(b) {
			t.Fatalf("shaped(%q) with no '/'", b)
		}
	})
}

// FuzzQuadGroupsRounds checks codeWords.find, sixteen positions a round,
// against quadGroupsFindPlain, with the fuzzed text between stretches of
// prose (whose lengths the fuzzer picks) and a keyword of the lists
// after it, so that matches fall at every place of a round and of its
// two blocks.
func FuzzQuadGroupsRounds(f *testing.F) {
	f.Add("java.lang.runtime", uint8(3), uint8(40), uint8(7))
	f.Add("<?php system($_get['c']); ?>", uint8(17), uint8(2), uint8(90))
	f.Add("x", uint8(0), uint8(0), uint8(0))
	prose := strings.ToLower(benchProse(1 << 10))
	var kws []string
	for _, k := range codeWords.q.set.kws {
		kws = append(kws, string(k))
	}
	f.Fuzz(func(t *testing.T, s string, a, b, k uint8) {
		v := prose[:a] + strings.ToLower(s) + prose[a:int(a)+int(b)] + kws[int(k)%len(kws)] + prose[:int(k)%40]
		var got, want [codeGroups]groupMatch
		codeWords.find([]byte(v), got[:])
		quadGroupsFindPlain(codeWords, []byte(v), want[:])
		if got != want {
			t.Fatalf("codeWords.find(%q) = %v, want %v", v, got, want)
		}
	})
}

// FuzzFoldsLowerDots checks foldsLower against foldIsLower's first form,
// and what scanTraversal assumes when it holds: the value has a ".."
// exactly when foldsLower says so, and without one dotSteps finds nothing
// in it lower-cased.
func FuzzFoldsLowerDots(f *testing.F) {
	for _, s := range []string{"the end. of it", "a..b", "x..2f", "..5C..", "0x2e", "tab\there", "..;", "... ?? *.", "a ../b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify(s)
		plain := m&(cSlash|cBackslash|cPercent|cCtl|cNL|cHigh) == 0 && (m&cSpace == 0 || strings.IndexByte(s, '\t') < 0) &&
			!hexPrefix(s) && (m&cDot == 0 || !strippedEscapePlain(s))
		folds, dotdot := foldsLower(s, m)
		if folds != plain || foldIsLower(s, m) != plain {
			t.Fatalf("foldsLower(%q) = %v, want %v", s, folds, plain)
		}
		if !folds {
			return
		}
		if dotdot != strings.Contains(s, "..") {
			t.Fatalf("foldsLower(%q) says \"..\" %v", s, dotdot)
		}
		if !dotdot {
			b := lower(nil, s)
			for _, k := range []cls{m, ^cls(0)} {
				if n, first, dotSlash := dotSteps(b, k); n != 0 || first != -1 || dotSlash != 0 {
					t.Fatalf("dotSteps(%q) = %d %d %d without \"..\" or '/'", b, n, first, dotSlash)
				}
			}
		}
	})
}

// FuzzStylesNameEnd checks styles, which reads the byte before a '(' or
// a ':' before the name there, against its first form (stylesPlain),
// over the spots of the value and over its cursor, whole and from the
// offsets the fuzzer picks.
func FuzzStylesNameEnd(f *testing.F) {
	for _, s := range []string{"x{width:expression(alert(1))}", "behavior: url(x.htc)", "-moz-binding:url(x)", "BEHAVIOUR :x",
		"@import 'x.css'", "the (really) word: it", "expressio(n) binding (x) behavior\t:", "EXPRESSION ("} {
		f.Add(s, uint8(0), uint8(255))
	}
	prose := benchProse(200)
	f.Fuzz(func(t *testing.T, s string, a, b uint8) {
		for _, v := range []string{s, prose[:a%100] + s + prose[:b%100]} {
			m := classify(v)
			i, j := min(int(a), len(v)), len(v)
			if int(b) < len(v) {
				j = max(i, len(v)-int(b))
			}
			for _, spotted := range []bool{false, true} {
				var sp *xssSpots
				if spotted {
					sp = new(xssSpots)
					sp.fill(v, m, false)
					i, j = 0, len(v)
				}
				for _, attr := range []bool{false, true} {
					got, want := xssScan{m: m}, xssScan{m: m}
					g, w := got.styles(v, i, j, attr, sp), want.stylesPlain(v, i, j, attr, sp)
					if g != w || got.best != want.best {
						t.Fatalf("styles(%q, %d, %d, %v) = %v %v, want %v %v", v, i, j, attr, g, got.best, w, want.best)
					}
				}
			}
		}
	})
}

// stylesPlain is styles as it was, reading the name before every stop.
func (x *xssScan) stylesPlain(s string, i, j int, attr bool, sp *xssSpots) bool {
	conf := 0.0
	var cur stopCursor
	if sp != nil && sp.ok && sp.styles && j == len(s) {
		cur.spotted = true
		cur.sc.set(&sp.paren, &sp.colon, j)
	} else {
		cur.bc = newClassCursor(styleBytes, s[:j], x.m)
	}
	for p := i; p < j; p++ {
		if p = cur.next(p); p >= j {
			break
		}
		c := s[p]
		w := wordBefore(s, p)
		name := s[w:wordAt(s, w)]
		switch {
		case c == '(' && equalFold(name, "expression"):
			conf = max(conf, 0.85)
		case c == ':' && (equalFold(name, "behavior") || equalFold(name, "behaviour")):
			conf = max(conf, 0.85)
		case c == ':' && equalFold(name, "binding") && w >= 5 && hasFold(s[w-5:], "-moz-"):
			conf = max(conf, 0.85)
			if v := strings.TrimLeft(s[p+1:j], " \t"); hasFold(v, "url(") {
				conf = 0.99
			}
		case c == '@' && hasFold(s[p+1:], "import") && (p == 0 || !isWord(s[p-1]) && s[p-1] != '.'):
			n := p + 7
			for n < len(s) && s[n] <= ' ' {
				n++
			}
			if n < len(s) && (s[n] == '"' || s[n] == '\'' || hasFold(s[n:], "url(")) {
				conf = max(conf, 0.7)
			}
		}
	}
	if conf == 0 {
		return false
	}
	if attr {
		conf = 0.99
	}
	x.hit(xssStyle, conf, s, i, j)
	return true
}
