package signature

import (
	"bytes"
	"strings"
)

// Paths to secret files that only a shell resolves.
//
// A shell expands '?', '*' and "[...]" in a word against the file system
// (none of them matches a '/'), and drops what expands to nothing inside
// a word: an unset variable ("$u", "${u}"), "$@" without arguments, an
// empty substitution ("$()"), a backslash before a plain byte, an empty
// pair of quotes. "/e?c/?asswd", "/???/??ss??", "/e[t]c/pa*wd" and
// "/etc$u/passwd$u" all name /etc/passwd, and only a shell would find
// it: the literal path that the traversal family looks for is not there.
// shellFold undoes the quotes, "$@" after a letter, "$IFS" and
// "${PATH:0:1}"; readPathGlob reads what is left of a word that starts
// with '/' as a pattern, and it counts when it matches one of
// globPathTargets.
//
// How much of the pattern is literal decides how much it tells:
//   - a pattern whose last segment keeps a literal byte and which keeps
//     two or more in all ("/???/??ss??", "/e*c/*asswd", "/etc/pa?swd")
//     hides a known name, and is an attack alone (0.99);
//   - a pattern of '?' and classes alone ("/???/??????") has only the
//     shape of a target's name, lengths that a path of mojibake can
//     share: 0.8 alone, and a hostile argument of a command, which
//     makes "cat /???/??????" an attack;
//   - a pattern with a segment that is '*' alone, or with '*' and no
//     literal in its last segment, lists a folder ("/etc/*",
//     "/proc/*/status", "/*/*"), as a note on administration does, and
//     counts for nothing.

// globPathTargets are the secret files of the traversal family's target
// lists (etc/passwd, .ssh/, proc/self/ are tierSystem entries of
// fileTargets) and the shells, by the absolute paths a payload globs.
// The list is short on purpose: a pattern is matched against each entry,
// and the fewer there are the less a listing glob of prose can hit one.
// /proc/self's files that administrators read for every process
// ("/proc/*/status", "/proc/*/cmdline") are left out.
var globPathTargets = []string{"/etc/passwd", "/etc/shadow", "/etc/group", "/etc/gshadow", "/etc/sudoers",
	"/etc/master.passwd", "/proc/self/environ", "/root/.ssh/id_rsa", "/root/.ssh/authorized_keys",
	"/root/.bash_history", "/bin/sh", "/bin/bash"}

// globPathMax bounds the pattern readPathGlob reads from a word: the
// longest target is shorter, and a wildcard stands for at least nothing,
// so a longer pattern matches none of them.
const globPathMax = 48

// pathGlob is a word read as a shell pattern by readPathGlob.
type pathGlob struct {
	pat      []byte // '/', literal bytes, '?', '*' and classes ("[a-z]")
	literals int    // bytes that match themselves, the '/' aside
	wild     bool   // a wildcard before the trailing '*'s
	trailing bool   // the pattern ends with '*'
	vanished bool   // an expansion or a backslash the shell drops
	lastLit  bool   // the last segment has a literal byte
	listing  bool   // a segment of '*' alone, or '*' and no literal in the last one
	stars    bool   // a '*' anywhere
}

// pathWordEnds marks the bytes that end a word readPathGlob reads: a
// blank, an operator, a closing bracket, and '+', a form's space, which
// opens a word too (pathWordOpens): ";+cat+/etc$u/passwd+\#".
var pathWordEnds = byteSet(" \t\r\n;|&`)<>},\x00+")

// pathWordOpens marks the bytes after which a '/' starts a word: a
// blank, an operator, an opening quote or bracket, '='.
var pathWordOpens = byteSet(" \t\r\n;|&`(<>{,'\"=+")

// readPathGlob reads the word at the start of b (b[0] is '/') as a shell
// pattern into buf. It returns the pattern, where the word ends, and
// false when the word is no pattern that could name a target: longer
// than globPathMax, a substitution that runs a command, a quote that
// opens a string.
func readPathGlob(b, buf []byte) (pathGlob, int, bool) {
	g := pathGlob{pat: buf[:0]}
	segLit, segStars, segOther := 0, 0, 0
	endSeg := func() {
		if segStars > 0 && segLit == 0 && segOther == 0 {
			g.listing = true // "/*/", "/**/"
		}
		segLit, segStars, segOther = 0, 0, 0
	}
	ok := true
	k := 0
word:
	for ; k < len(b) && !pathWordEnds[b[k]]; k++ {
		if !ok {
			continue // read on to the word's end, where the caller goes on
		}
		c := b[k]
		switch c {
		case '/':
			if n := len(g.pat); n > 0 && g.pat[n-1] == '/' {
				continue // "/etc//passwd" is /etc/passwd
			}
			endSeg()
			g.pat = append(g.pat, '/')
			continue
		case '*':
			g.stars = true
			segStars++
			if n := len(g.pat); n > 0 && g.pat[n-1] == '*' {
				continue // "**" is '*' to a shell without globstar
			}
		case '?':
			segOther++
		case '[':
			end := classEnd(b[k:])
			if end < 0 || len(g.pat)+end > globPathMax {
				ok = false
				continue
			}
			segOther++
			g.pat = append(g.pat, b[k:k+end]...)
			k += end - 1
			continue
		case '$':
			n := expansionLen(b[k:])
			if n == 0 {
				ok = false
				continue
			}
			g.vanished = true
			k += n - 1
			continue
		case '\\':
			if k+1 < len(b) && (isNameByte(b[k+1]) || b[k+1] == '.') {
				g.vanished = true // "/e\tc": a shell drops the backslash
				continue
			}
			ok = false
			continue
		case '\'', '"':
			if k+1 < len(b) && b[k+1] == c {
				g.vanished = true // an empty pair shellFold left
				k++
				continue
			}
			break word // a closing quote ends the word: "'/e?c/passwd'"
		default:
			g.literals++
			segLit++
		}
		if c == '?' || c == '*' {
			if g.trailing = c == '*'; !g.trailing {
				g.wild = true
			}
		} else if g.trailing {
			g.wild, g.trailing = true, false // the '*' was inside the pattern
		}
		g.pat = append(g.pat, c)
		if len(g.pat) > globPathMax {
			ok = false
		}
	}
	if !ok {
		return g, k, false
	}
	// a class is a wildcard too: it left no trace in the flags above
	g.wild = g.wild || bytes.IndexByte(g.pat, '[') >= 0
	g.lastLit = segLit > 0
	if segStars > 0 && segLit == 0 {
		g.listing = true // "/etc/*", "/var/log/*"
	}
	endSeg()
	return g, k, true
}

// classEnd returns the length of the class "[...]" at the start of b, or
// -1 when none closes within a few bytes.
func classEnd(b []byte) int {
	k := 1
	if k < len(b) && (b[k] == '!' || b[k] == '^') {
		k++
	}
	if k < len(b) && b[k] == ']' {
		k++ // "[]a]": a ']' first is a member
	}
	for ; k < len(b) && k < 16; k++ {
		switch b[k] {
		case ']':
			return k + 1
		case '/', ' ', '[':
			return -1
		}
	}
	return -1
}

// expansionLen returns the length of an expansion at the start of b that
// a shell makes nothing of in a word when it is unset or empty: "$u",
// "${u}", "$@", "$*", "$1", "$()". It returns 0 for anything else ("$(id)"
// runs a command, "$/" is no expansion).
func expansionLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch x := b[1]; {
	case x == '@' || x == '*' || '0' <= x && x <= '9':
		return 2
	case x == '(':
		if len(b) > 2 && b[2] == ')' {
			return 3
		}
	case x == '{':
		end := bytes.IndexByte(b[2:min(len(b), 28)], '}')
		if end < 0 {
			return 0
		}
		inner := string(b[2 : 2+end])
		if isEnvName(inner) || inner == "@" || inner == "*" {
			return end + 3
		}
	case x == '_' || isLetter(x):
		n := 2
		for n < len(b) && (isAlnum(b[n]) || b[n] == '_') {
			n++
		}
		return n
	}
	return 0
}

// classMatch reports whether the class at the start of pat (classEnd
// found it well formed) holds c, and its length.
func classMatch(pat []byte, c byte) (int, bool) {
	end := classEnd(pat)
	k, neg := 1, false
	if pat[k] == '!' || pat[k] == '^' {
		neg, k = true, k+1
	}
	in := false
	for ; k < end-1; k++ {
		lo, hi := pat[k], pat[k]
		if k+2 < end-1 && pat[k+1] == '-' {
			hi = pat[k+2]
			k += 2
		}
		if lo <= c && c <= hi {
			in = true
		}
	}
	return end, in != neg
}

// globPathMatch matches name against pat as a shell matches a path: '?',
// '*' and a class match any byte but '/'. It backtracks to the last '*'
// only: no blow-up on many stars. A '*' cannot reach past a '/', and the
// pattern's '/'s must meet the name's in order, so once the last '*'
// would have to take a '/' nothing matches. globCommand matches command
// names with it too (none holds a '/').
func globPathMatch(pat []byte, name string) bool {
	p, n := 0, 0
	star, mark := -1, 0
	for n < len(name) {
		if p < len(pat) {
			switch c := pat[p]; c {
			case '*':
				star, mark = p, n
				p++
				continue
			case '?':
				if name[n] != '/' {
					p++
					n++
					continue
				}
			case '[':
				if end, in := classMatch(pat[p:], name[n]); in && name[n] != '/' {
					p += end
					n++
					continue
				}
			default:
				if c == name[n] {
					p++
					n++
					continue
				}
			}
		}
		if star < 0 || name[mark] == '/' {
			return false
		}
		p, mark = star+1, mark+1
		n = mark
	}
	for p < len(pat) && pat[p] == '*' {
		p++
	}
	return p == len(pat)
}

// globPathTarget reports whether pat matches one of globPathTargets.
func globPathTarget(pat []byte) bool {
	for _, target := range globPathTargets {
		if globPathMatch(pat, target) {
			return true
		}
	}
	return false
}

// Confidences of an obfuscated path to a target.
const (
	obfPathStrong = 0.99 // a known name with letters hidden
	obfPathShape  = 0.8  // wildcards alone, in the shape of a target
)

// findObfPath returns the strongest word of b that starts with '/' and
// names one of globPathTargets through wildcards or vanishing
// expansions: where it is and its confidence (0 when there is none). t,
// when given, holds the obfuscations shellFold undid in b: a word that
// spans one is obfuscated even without wildcards ("/e'tc'/passwd" folded
// to "/etc/passwd"). Only the words at a '/' that opens one are read, and
// each once.
func findObfPath(b []byte, t *shellText) (i, j int, conf float64) {
	var buf [globPathMax + 16]byte
	for k := 0; k < len(b); k++ {
		s := bytes.IndexByte(b[k:], '/')
		if s < 0 {
			break
		}
		k += s
		if k > 0 && !pathWordOpens[b[k-1]] || k+1 < len(b) && b[k+1] == '/' {
			continue // inside a word, or "//host": a URL
		}
		g, n, ok := readPathGlob(b[k:], buf[:0])
		start := k
		k += n
		if !ok || g.listing {
			continue
		}
		marked := t != nil && t.obfIn(start+1, k-1)
		if !g.wild && !g.vanished && !marked {
			if !g.trailing {
				continue // a plain path: the traversal family's
			}
			if trimmed := bytes.TrimRight(g.pat, "*"); globPathTarget(trimmed) {
				continue // "/etc/passwd*" names the file as it is
			}
		}
		if !globPathTarget(g.pat) {
			continue
		}
		c := 0.0
		switch {
		case g.lastLit && g.literals >= 2:
			c = obfPathStrong
		case !g.stars:
			c = obfPathShape
		}
		if c > conf {
			i, j, conf = start, k, c
			if c == obfPathStrong {
				return i, j, conf
			}
		}
	}
	return i, j, conf
}

// obfPathMay reports whether a value may hold a path findObfPath finds:
// a '/' and a wildcard, a '$' or a backslash, or a quote in a value of
// one word ("/e'tc'/passwd"; prose has '/' and apostrophes, and a
// quote breaks a path up only as the payload itself). The other values
// with a '/', URLs, dates and fractions, pay nothing.
func obfPathMay(v string, m cls) bool {
	if m&cSlash == 0 {
		return false
	}
	return m&(cStar|cBracket|cDollar|cBackslash) != 0 || m&(cQuote|cDQuote) != 0 && m&cSpace == 0 ||
		strings.IndexByte(v, '?') >= 0
}
