package signature

import (
	"bytes"
	"encoding/binary"
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// Path normalisation shared by the traversal and command families.
//
// A path travels through several decoders before it reaches open(2): the
// URL decoder, sometimes a second one, a UTF-8 decoder that may accept
// overlong forms, a Windows API that folds look-alike characters and
// treats '\' as '/'. Fuzzers (dotdotpwn and its lists) encode each of
// '.', '/' and '\' in every form one of these layers might accept, and
// mix in escapes that decode to nothing valid ("%c0%qf", "%bg") in the
// hope that a lenient layer drops them. pathFold undoes all of them at
// once and counts what it had to undo: a value that needed several exotic
// encodings of path characters is hostile whatever it spells.

// pathFold appends to buf a canonical form of v for judging paths:
// ASCII lower-cased; percent escapes decoded however deeply they nest,
// including the broken forms "%%32%65" and "%2%e", and %uXXXX; overlong
// UTF-8 in every length (C0 AE, E0 80 AE, F0 80 80 AF, F8 80 80 80 AE, FC
// 80 80 80 80 AF) and the C0/C1 forms whose second byte lost its top bits
// (C0 2E, C0 6E, C1 1C); Unicode look-alikes of '.', '/' and '\'
// (U+2215, U+2216, U+FF0E, U+2024 ...) and fullwidth ASCII; textual
// "0x2e", "0x2f", "0x5c"; '\' as '/'; NUL as the end of a segment (C
// ends a path there) unless it sits between dots, other control bytes
// dropped, whitespace as ' '. Escapes that decode to nothing valid ("%qf", a lone
// C0 or C1 byte, a private-use code point) become '/', as a lenient
// decoder that drops them would leave the path around them. Runs of '/'
// fold into one. exotic counts the encodings undone beyond a plain
// single %XX escape. plus reads '+' as a space, as form encoding does.
// The output is never longer than v.
func pathFold(buf []byte, v string, plus bool) (out []byte, exotic int) {
	if strings.IndexByte(v, '%') < 0 && (!plus || strings.IndexByte(v, '+') < 0) {
		return foldChars(buf, v, 0)
	}
	var tmp [512]byte
	dst, b := scratch(tmp[:0], len(v))
	defer putScratch(b)
	p, n := unpercent(dst, v, plus)
	return foldChars(buf, p, n)
}

// percentNear reports whether one of the last five bytes of buf is '%'.
func percentNear(buf []byte) bool {
	for k := max(0, len(buf)-5); k < len(buf); k++ {
		if buf[k] == '%' {
			return true
		}
	}
	return false
}

// text is what foldChars reads: a value, or the bytes unpercent made of it.
type text interface{ ~string | ~[]byte }

func foldChars[T text](buf []byte, p T, exotic int) ([]byte, int) {
	start := len(buf)
	for i := 0; i < len(p); i++ {
		c := p[i]
		if pathPlain[c] {
			// a run of bytes the cases below leave as they are (or
			// lower-case): copied in one go
			j := nextMarked(&pathSpecial, p, i+1)
			n := len(buf)
			buf = slices.Grow(buf, j-i)[:n+j-i]
			lowerInto(buf[n:], p[i:j])
			i = j - 1
			continue
		}
		switch {
		case c == '\\' || c == '/':
			buf = appendSlash(buf, start)
			continue
		case c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f':
			buf = append(buf, ' ')
			continue
		case c == 0 && !(len(buf) > start && buf[len(buf)-1] == '.' && i+1 < len(p) && p[i+1] == '.'):
			// a NUL ends the path for C ("boot.ini%00index.html"); between
			// dots a filter that strips it joins them (".%00.")
			buf = appendSlash(buf, start)
			continue
		case c < 0x20 || c == 0x7f:
			continue // other controls: dropped, as decoders that strip them do
		case 'A' <= c && c <= 'Z':
			buf = append(buf, c+'a'-'A')
			continue
		case c == '%':
			if i+2 < len(p) && isAlnum(p[i+1]) && isAlnum(p[i+2]) {
				// what unpercent left is no valid escape: "%qf", "%9v"
				buf = appendSlash(buf, start)
				exotic++
				i += 2
				continue
			}
			if i+1 < len(p) && (p[i+1] == '/' || p[i+1] == '\\') {
				exotic++ // the husk of an escape before a separator: "%\\.."
				continue
			}
		case c == '0' && i+3 < len(p) && (p[i+1] == 'x' || p[i+1] == 'X'):
			switch h := string(p[i+2 : i+4]); h {
			case "2e", "2E":
				buf = append(buf, '.')
				exotic++
				i += 3
				continue
			case "2f", "2F", "5c", "5C":
				buf = appendSlash(buf, start)
				exotic++
				i += 3
				continue
			}
		case (c == '2' || c == '5') && i+1 < len(p) && len(buf)-start >= 2 && buf[len(buf)-1] == '.' && buf[len(buf)-2] == '.':
			// "..2f..2f": a filter stripped the '%' of "%2f"
			if h := p[i+1]; c == '2' && (h == 'f' || h == 'F') || c == '5' && (h == 'c' || h == 'C') {
				buf = appendSlash(buf, start)
				exotic++
				i++
				continue
			}
		case c >= 0x80:
			if r, n, ok := overlong(p[i:]); ok {
				exotic++
				i += n - 1
				switch {
				case r == '/' || r == '\\':
					buf = appendSlash(buf, start)
				case r < 0x20 || r == 0x7f:
					// an overlong control byte: dropped like a plain one
				default:
					if 'A' <= r && r <= 'Z' {
						r += 'a' - 'A'
					}
					buf = append(buf, r)
				}
				continue
			}
			if c == 0xC0 || c == 0xC1 || c >= 0xF8 {
				// a lead byte no valid UTF-8 has, not forming a path
				// character: an escape meant to be dropped
				buf = appendSlash(buf, start)
				exotic++
				continue
			}
			if c >= 0xE0 && c < 0xF0 && i+2 < len(p) && p[i+1]&0xC0 == 0x80 && p[i+2]&0xC0 == 0x80 {
				ru := rune(c&0x0F)<<12 | rune(p[i+1]&0x3F)<<6 | rune(p[i+2]&0x3F)
				if ru == 0x2025 || ru == 0x2026 { // ‥ …
					buf = append(buf, '.', '.')
					if ru == 0x2026 {
						buf = append(buf, '.')
					}
					i += 2
					continue
				}
				if m, isPath := lookalike(ru); m != 0 {
					if isPath {
						exotic++
					}
					if m == '/' {
						buf = appendSlash(buf, start)
					} else {
						buf = append(buf, m)
					}
					i += 2
					continue
				}
				if 0xE000 <= ru && ru <= 0xF8FF {
					buf = appendSlash(buf, start) // private use: "%uF025", "%uEFC8"
					exotic++
					i += 2
					continue
				}
			}
		}
		buf = append(buf, c)
	}
	return buf, exotic
}

// pathPlain marks the bytes foldChars copies (lower-cased) without a
// look at their neighbours: printable ASCII but for the separators, '%',
// and the digits that begin "0x2e" and "2f".
var pathPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = !strings.ContainsRune(`\/%025`, rune(c))
	}
	return t
}()

// pathSpecial marks the bytes pathPlain does not, for nextMarked: where
// a run foldChars copies ends.
var pathSpecial = func() (t [256]uint8) {
	for c, plain := range pathPlain {
		if !plain {
			t[c] = 1
		}
	}
	return t
}()

// foldedSignal builds a Signal for a match at text[i:j] of a folded form
// of in.value: the evidence shows what the value decodes to, where the
// match is.
func foldedSignal(det, rule string, conf float64, in *input, text []byte, i, j int) threat.Signal {
	s := bareSignal(det, rule, conf, in)
	s.Evidence = excerpt(text, i, j, 48)
	return s
}

// appendSlash appends '/' unless buf (from start) already ends with one.
func appendSlash(buf []byte, start int) []byte {
	if len(buf) > start && buf[len(buf)-1] == '/' {
		return buf
	}
	return append(buf, '/')
}

func isAlnum(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// isNameByte reports whether c continues a file name.
func isNameByte(c byte) bool { return isAlnum(c) || c == '-' || c == '_' }

func unhex1(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	}
	return c - 'a' + 10
}

// unpercent appends s to buf with percent escapes decoded as deeply as
// they nest: each decoded byte may complete an escape with the bytes
// before it ("%252e", "%%32%65", "%2%e"), up to four levels at one place.
// %uXXXX is decoded to UTF-8. exotic counts nested, broken and %u escapes.
func unpercent(buf []byte, s string, plus bool) (out []byte, exotic int) {
	for i := 0; i < len(s); i++ {
		if !percentNear(buf) {
			// Each escape the loop below undoes has a '%' among the last
			// six bytes once its last byte is appended: with none in the
			// five before, appending a byte that is no '%' (or the space
			// of a '+') undoes nothing, and a plain %HH undoes itself
			// alone. Prose is copied a block at a time, up to an escape
			// of another kind.
			if buf, i = unpercentRun(buf, s, i, plus); i == len(s) {
				break
			}
			// s[i] is a '%' that unpercentRun left. A doubly encoded byte
			// ("%2527"), as payload lists write whole payloads, completes
			// nothing before it either: with no '%' among the last five
			// bytes, the loop below would decode "%25" to a '%' and it and
			// the next two bytes to the byte, and count both steps when
			// that byte is a '%' again, the first alone otherwise.
			if i+4 < len(s) && s[i+1] == '2' && s[i+2] == '5' && isHex(s[i+3]) && isHex(s[i+4]) {
				c := unhex1(s[i+3])<<4 | unhex1(s[i+4])
				buf = append(buf, c)
				exotic++
				if c == '%' {
					exotic++
				}
				i += 4
				continue
			}
		}
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
					exotic++ // an escaped escape, or one completed by a decoded byte: double encoding
				}
				continue
			}
			if n >= 4 && buf[n-4] == '%' && isHex(buf[n-3]) && buf[n-2] == '%' && isHex(buf[n-1]) {
				// "%2%e": the halves of an escape each escaped on their own
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

// unpercentRun appends s from i to buf while no '%' is among the last
// five bytes of buf, as unpercent does: runs without escapes eight bytes
// at a time ('+' as ' ' when plus), and the plain %HH escapes between
// them, which decode to one byte and complete nothing before them. It
// stops at the end of s or at a '%' that begins another escape, or an
// escape of '%' itself, and returns where; a '%' among the last five
// bytes of buf on entry is the caller's to rule out.
func unpercentRun(buf []byte, s string, i int, plus bool) ([]byte, int) {
	n := len(buf)
	buf = slices.Grow(buf, len(s)-i) // each byte of s adds a byte at most
	dl, sl, _ := decode.PlainRun(buf[n:cap(buf)], s[i:], plus, true)
	return buf[:cap(buf)-dl], len(s) - sl
}

// overlong reads an overlong UTF-8 form at the start of s that hides an
// ASCII byte, and the two-byte forms a lenient decoder reads from C0 or
// C1 followed by any byte whose low six bits spell '.', '/' or '\\'
// ("%c0%2e", "%c0%6e", "%c1%1c", "%c1%af": decoders that mask the
// continuation byte, or ignore the lead's low bit), and returns the byte
// and the length of the form.
func overlong[T text](s T) (byte, int, bool) {
	c := s[0]
	if (c == 0xC0 || c == 0xC1) && len(s) > 1 {
		x := s[1]
		switch x & 0x3F {
		case '.', '/':
			return x & 0x3F, 2, true
		case '\\' & 0x3F:
			return '\\', 2, true
		}
		v := (c&1)<<6 | x&0x3F
		if x&0xC0 == 0x80 && v != 0 {
			return v, 2, true
		}
		return 0, 0, false
	}
	var n int
	switch {
	case c == 0xE0:
		n = 2
	case c == 0xF0:
		n = 3
	case c == 0xF8:
		n = 4
	case c == 0xFC:
		n = 5
	default:
		return 0, 0, false
	}
	if len(s) <= n {
		return 0, 0, false
	}
	var v rune
	for k := 1; k <= n; k++ {
		x := s[k]
		if x&0xC0 != 0x80 {
			return 0, 0, false
		}
		v = v<<6 | rune(x&0x3F)
	}
	if v == 0 || v >= 0x80 {
		return 0, 0, false
	}
	return byte(v), n + 1, true
}

// lookalike maps Unicode characters that Windows APIs, normalisers or
// lenient decoders turn into '.', '/' or '\' (isPath), and fullwidth
// ASCII to ASCII. It returns 0 for other runes.
func lookalike(r rune) (byte, bool) {
	switch r {
	case 0x2215, 0x2044, 0x29F8, 0xFF0F, 0x2571, 0x1735: // ∕ ⁄ ⧸ ／ ╱
		return '/', true
	case 0x2216, 0x29F5, 0x29F9, 0xFF3C, 0xFE68, 0x2572: // ∖ ⧵ ⧹ ＼ ﹨ ╲
		return '/', true
	case 0xFF0E, 0x2024, 0xFE52, 0x3002, 0xFF61: // ． ․ ﹒ 。 ｡
		return '.', true
	}
	if 0xFF01 <= r && r <= 0xFF5E {
		c := byte(r - 0xFF01 + '!')
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		return c, false
	}
	return 0, false
}

// dotBytes are the bytes of a dot segment as dotdots reads it.
var dotBytes = finder(".?*")

// dotdots counts traversal steps in a folded value: segments of two or
// more dots ("..", "...", "....", left when a filter strips "../" once),
// and of dots mixed with the '?' and '*' wildcards that Windows resolves
// (".?", "?.", "??" before a '/'), bounded by '/', ';' (Tomcat's "..;/"),
// the start of the value, '=' or a space on the left, and '/', ';' or the
// end on the right ("/.." at the end). Six or more dots count as
// several steps with their slashes stripped. It returns the count and the
// index of the first step.
func dotdots(b []byte) (n, first int) {
	n, first, _ = dotSteps(b, ^cls(0))
	return n, first
}

// dotSteps is dotdots, and dotSlashRun counted in the same walk: a "./"
// segment starts at a dot the walk stops at (after a '/' or at the start
// of the value) and is a segment of one dot followed by '/'.
//
// m holds the classes of b (^cls(0) searches for every byte): the cursor
// skips '*' and '.' when b lacks them, as prose lacks '*', which it would
// otherwise search the whole value for.
func dotSteps(b []byte, m cls) (n, first, dotSlash int) {
	first = -1
	cur := newClassCursor(dotBytes, unsafeString(b), m)
	for i := 0; i < len(b); i++ {
		if i = cur.next(i); i >= len(b) {
			break
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
		if seg == 1 && dots == 1 && j < len(b) && b[j] == '/' && (i == 0 || b[i-1] == '/') {
			dotSlash++
		}
		end := j == len(b) || b[j] == '/' || b[j] == ';'
		step := false
		switch {
		case dots == seg && seg >= 2:
			step = end && (j < len(b) || i > 0 && b[i-1] == '/') || seg >= 6 && (j == len(b) || b[j] != ' ')
		case seg >= 2 && seg <= 4 && j < len(b) && b[j] == '/':
			step = true // ".?/", "?./", "??/"
		}
		if step {
			if first < 0 {
				first = i
			}
			n++
			if dots >= 6 && dots == seg {
				n += dots / 4 // "........" is "../../" with the slashes stripped
			}
		}
		i = j - 1
	}
	return n, first, dotSlash
}

// dotSlashRun counts "./" segments: "/./././" walks nowhere but is the
// same probe, sent to find a filter that removes "../" and leaves the rest.
func dotSlashRun(b []byte) int {
	n := 0
	for i := 0; i+1 < len(b); i++ {
		k := bytes.IndexByte(b[i:len(b)-1], '.') // the dots, not every byte
		if k < 0 {
			break
		}
		i += k
		if b[i+1] == '/' && (i == 0 || b[i-1] == '/') {
			n++
		}
	}
	return n
}

// File targets: the CRS lists of files attackers read (lfi-os-files,
// restricted-files, ai-critical-artifacts) and a few more, in a trie
// searched at the starts of path segments.

// Target tiers: a system file (etc/passwd, win.ini, .ssh/, proc/self) is
// a secret wherever a path names it; an application file (config.php,
// package.json) is one that a site may legitimately mention or serve.
const (
	tierNone = iota
	tierApp
	tierSystem
)

// appFiles are entries of the CRS lists that name project files an
// application may legitimately mention, upload or serve: evidence only in
// a traversal or an encoded path.
var appFiles = set("package.json", "package-lock.json", "npm-shrinkwrap.json", "packages.json", "yarn.lock", "composer.json",
	"composer.lock", "bower.json", "gruntfile.js", "webpack.config.js", "dockerfile", ".gitignore", ".gitkeep", ".gitattributes",
	".gitmodules", ".dockerignore", ".eslintignore", ".eslintrc", ".jshintrc", ".bowerrc", ".hgignore", ".svnignore", ".aiignore",
	".cursorignore", "thumbs.db", "desktop.ini", ".ds_store", "tmp/", ".vscode", ".idea", "nbproject/", "__pycache__/",
	".coverage", "coverage.xml", ".pytest_cache/", ".ipynb_checkpoints/", "compose.yml", "compose.yaml", "database.yml",
	"database.yaml", ".travis.yml", ".travis.yaml", ".gitlab-ci.yml", ".php_cs.dist", ".phpcs.xml", "phpcs.xml",
	".phpcs.xml.dist", "phpcs.xml.dist", "debug.log", "pm2.log", "npm-debug.log", "yarn-debug.log", "yarn-error.log",
	"phpinfo.php", "program files", ".cache/", ".config/", ".settings/", ".tools/", ".snap/", "@fs/", "@id/", ".fish",
	"error.log", "errors.log", "auth.json", "sys/", "proc/", ".sql.z", "fish_variables", ".editorconfig", "config/app.php", "config/custom.php", "config/database.php", "typo3conf/localconf.php")

// extraTargets are files the CRS lists leave out or spell only by a
// shorter prefix.
var extraTargets = []string{"etc/passwd", "etc/shadow", "windows/win.ini", "winnt/win.ini", "id_rsa", "id_dsa", "id_ecdsa",
	"id_ed25519", "authorized_keys", "known_hosts", "web-inf/web.xml", "meta-inf/", "global.asa", "applicationhost.config",
	"nginx.conf", "httpd.conf", "php.ini", "windows/repair/", "repair/sam", "system32/config/", "system32/drivers/etc/",
	"boot.ini", "win.ini", "system.ini", "etcpasswd", "etcshadow", "global.asa", "autoexec.bat", "config.sys", "ntuser.dat", "ntuser.ini", "unattend.xml",
	"unattended.xml", "sysprep.inf", "sysprep.xml", "filezilla server.xml", "filezilla.xml", "etc/hostname",
	"proc/self/", "proc/version", "var/log/", "var/www/", ".bash_history", ".env", ".htpasswd", ".htaccess",
	"wp-config.php", "localsettings.php", "settings.php", "web.config", "access_log", "error_log", "access.log",
	"httpd-access.log", "httpd-error.log",
	// the BSDs' password databases and the r-commands' trust files
	"etc/master.passwd", "master.passwd", "etc/spwd.db", "etc/pwd.db", ".rhosts", ".shosts", "etc/hosts.equiv",
	"etc/shosts.equiv"}

type trieNode struct {
	tier uint8
	// bounded: the entry ends with a letter or digit, so a match must not
	// run on into a longer name ("etc/hosts" is not "etc/hostsfoo" nor
	// "etc/hosts-guide")
	bounded bool
}

// fileTrie is a trie of the target entries, lower-cased with '\' as '/'
// and no leading '/'. The first level is an array: most segments of a
// benign value leave the trie at their first or second byte.
type fileTrie struct {
	root  [256]int32
	next  map[uint64]int32 // node<<8 | byte -> child
	nodes []trieNode
	// slots hold next as an open-addressed table, filled by seal once
	// every entry is added: longest looks a child up at every byte of a
	// segment that stays in the trie, and a multiplicative hash and a
	// probe or two cost less than a map lookup
	slots []trieSlot
	shift uint8
}

// trieSlot is one key of fileTrie.next and its child; key 0 (node 0 is
// no parent) marks an empty slot.
type trieSlot struct {
	key   uint64
	child int32
}

// seal fills slots from next, at most half full.
func (t *fileTrie) seal() {
	bits := uint8(4)
	for 1<<bits < 2*len(t.next) {
		bits++
	}
	t.slots, t.shift = make([]trieSlot, 1<<bits), 64-bits
	for key, child := range t.next {
		h := key * 0x9E3779B97F4A7C15 >> t.shift
		for t.slots[h].key != 0 {
			h = (h + 1) & uint64(len(t.slots)-1)
		}
		t.slots[h] = trieSlot{key, child}
	}
}

// child returns next[key], 0 when there is none.
func (t *fileTrie) child(key uint64) int32 {
	mask := uint64(len(t.slots) - 1)
	for h := key * 0x9E3779B97F4A7C15 >> t.shift; ; h = (h + 1) & mask {
		s := &t.slots[h&mask]
		if s.key == key {
			return s.child
		}
		if s.key == 0 {
			return 0
		}
	}
}

func (t *fileTrie) add(entry string, tier uint8) {
	e := strings.ToLower(strings.ReplaceAll(entry, "\\", "/"))
	e = strings.TrimLeft(e, "/")
	if len(e) < 3 {
		return
	}
	node := t.root[e[0]]
	if node == 0 {
		t.nodes = append(t.nodes, trieNode{})
		node = int32(len(t.nodes) - 1)
		t.root[e[0]] = node
	}
	for i := 1; i < len(e); i++ {
		key := uint64(node)<<8 | uint64(e[i])
		child, ok := t.next[key]
		if !ok {
			t.nodes = append(t.nodes, trieNode{})
			child = int32(len(t.nodes) - 1)
			t.next[key] = child
		}
		node = child
	}
	n := &t.nodes[node]
	if tier > n.tier {
		n.tier = tier
	}
	n.bounded = isAlnum(e[len(e)-1])
}

// longest returns the end and tier of the longest entry that b starts
// with.
func (t *fileTrie) longest(b []byte) (end int, tier uint8) {
	if len(b) == 0 {
		return 0, tierNone
	}
	node := t.root[b[0]]
	for i := 1; node != 0; i++ {
		if n := t.nodes[node]; n.tier != tierNone {
			switch {
			case !n.bounded || i == len(b) || !isNameByte(b[i]):
				end, tier = i, n.tier
			case b[i] == '-' && (i+1 == len(b) || !isNameByte(b[i+1])):
				// the backup copy shadow-utils and vipw leave beside a
				// file they rewrite: "etc/shadow-", "etc/passwd-"
				end, tier = i+1, n.tier
			}
		}
		for i+1 < len(b) && b[i] == '.' && b[i+1] == '/' && b[i-1] == '/' {
			i += 2 // "etc/./passwd": a folder's "." is the folder
		}
		if i >= len(b) {
			break
		}
		node = t.child(uint64(node)<<8 | uint64(b[i]))
	}
	return end, tier
}

var fileTargets = func() *fileTrie {
	t := &fileTrie{next: map[uint64]int32{}, nodes: make([]trieNode, 1, 4096)}
	// ai-critical-artifacts: the folders where AI coding assistants keep
	// their settings, MCP servers and API keys (.claude/, .cursor/, .aider/)
	for _, list := range []string{"lfi-os-files", "restricted-files", "ai-critical-artifacts"} {
		for _, e := range crsList(list) {
			tier := uint8(tierSystem)
			le := strings.TrimLeft(strings.ToLower(e), "/")
			if appFiles[le] || strings.HasPrefix(le, "config") || strings.HasPrefix(le, ".sql.") ||
				strings.HasPrefix(le, "config/") || strings.HasPrefix(le, ".local/") {
				tier = tierApp
			}
			t.add(e, tier)
		}
	}
	for _, e := range extraTargets {
		t.add(e, tierSystem)
	}
	t.seal()
	return t
}()

// segmentOpenerBytes are the bytes after which a path segment may start
// (besides the start of a value): a separator, or the characters that
// open a value in code and markup (quotes, '=', '(').
const segmentOpenerBytes = "/=\"'(:|<>`,;@"

var segmentOpeners = func() (t [256]bool) {
	for _, c := range []byte(segmentOpenerBytes) {
		t[c] = true
	}
	return t
}()

// findTarget returns the first and strongest file target that starts a
// path segment of a folded value: at its start, or after a segment
// opener, at a byte some target starts with.
func findTarget(b []byte) (i, j int, tier uint8) {
	if len(b) == 0 {
		return 0, 0, tierNone
	}
	k := 0
	if fileTargets.root[b[0]] == 0 {
		k = nextTargetStart(b, 1)
	}
	for ; k < len(b); k = nextTargetStart(b, k+1) {
		if end, t := fileTargets.longest(b[k:]); t > tier {
			i, j, tier = k, k+end, t
			if t == tierSystem {
				return i, j, tier
			}
		}
	}
	return i, j, tier
}

// Bits of targetPairs, for a pair of bytes x, y.
const (
	pairStart  = 1 // x opens a segment and a target may start with y
	pairOpener = 2 // y opens a segment
)

// targetPairs classifies each pair of bytes x, y by the index x | y<<8 (a
// little-endian load of the two).
var targetPairs = func() (t [1 << 16]uint8) {
	for x := range 256 {
		for y := range 256 {
			var v uint8
			if segmentOpeners[x] && fileTargets.root[y] != 0 {
				v |= pairStart
			}
			if segmentOpeners[y] {
				v |= pairOpener
			}
			t[x|y<<8] = v
		}
	}
	return t
}()

// nextTargetStart returns the first k at or after i (i >= 1) where b[k-1]
// opens a segment and b[k] starts a target, or len(b): the next position
// findTarget tries.
//
// Prose has a segment opener every few dozen bytes (a comma, a quote, an
// apostrophe, a colon, a parenthesis), and most are followed by a space
// or by a byte no target starts with (", ", ": ", "\"q"), so the search
// reads pairs rather than openers. A block of sixteen bytes from p is
// eight pairs, looked up in targetPairs: the pairs at p, p+2, ..., p+14
// are tested whole, and the pairs at p+1, p+3, ..., p+15 by their first
// byte alone (the second byte of the pair before), so a block none of
// whose eight lookups is marked has no k in p+1 to p+16. In a marked
// block the marked lookups are tried in order, and for each that marks
// its second byte as an opener, the pair it starts.
func nextTargetStart(b []byte, i int) int {
	p := max(i-1, 0)
	for last := len(b) - 16; p <= last; p += 16 {
		w := (*[16]byte)(b[p:])
		v0, v1 := targetPairs[binary.LittleEndian.Uint16(w[0:])], targetPairs[binary.LittleEndian.Uint16(w[2:])]
		v2, v3 := targetPairs[binary.LittleEndian.Uint16(w[4:])], targetPairs[binary.LittleEndian.Uint16(w[6:])]
		v4, v5 := targetPairs[binary.LittleEndian.Uint16(w[8:])], targetPairs[binary.LittleEndian.Uint16(w[10:])]
		v6, v7 := targetPairs[binary.LittleEndian.Uint16(w[12:])], targetPairs[binary.LittleEndian.Uint16(w[14:])]
		if v0|v1|v2|v3|v4|v5|v6|v7 == 0 {
			continue
		}
		// the marked pairs, a byte each, the first lowest
		m := uint64(v0) | uint64(v1)<<8 | uint64(v2)<<16 | uint64(v3)<<24 |
			uint64(v4)<<32 | uint64(v5)<<40 | uint64(v6)<<48 | uint64(v7)<<56
		for m != 0 {
			n := bits.TrailingZeros64(m) &^ 7
			q := p + n>>2 // the pair at b[q:q+2]
			if m>>n&pairStart != 0 {
				return q + 1
			}
			// b[q+1] opens a segment: does a target start after it?
			if q+2 < len(b) && targetPairs[uint16(b[q+1])|uint16(b[q+2])<<8]&pairStart != 0 {
				return q + 2
			}
			m &^= 0xff << n
		}
	}
	for ; p+1 < len(b); p++ {
		if targetPairs[uint16(b[p])|uint16(b[p+1])<<8]&pairStart != 0 {
			return p + 1
		}
	}
	return len(b)
}

// findGlued returns a system file target of at least seven bytes found
// anywhere in a folded value of one word: names whose slashes a filter
// stripped ("c:windowswin.ini", "....etcpasswd").
func findGlued(b []byte) (i, j int, ok bool) {
	if indexSpace(b) >= 0 || len(b) > 256 {
		return 0, 0, false
	}
	for k := 1; k+7 <= len(b); k++ {
		if fileTargets.root[b[k]] == 0 {
			continue
		}
		if end, t := fileTargets.longest(b[k:]); t == tierSystem && end >= 7 {
			return k, k + end, true
		}
	}
	return 0, 0, false
}

// Path shapes.

// pathRoot reads the root of an absolute path at the start of a folded,
// trimmed value: "/", "~/", a drive ("c:/"), a UNC or file URL prefix. It
// returns where the first segment starts and whether the root is a drive.
func pathRoot(b []byte) (rest int, drive, ok bool) {
	switch {
	case len(b) >= 3 && b[1] == ':' && b[2] == '/' && 'a' <= b[0] && b[0] <= 'z':
		return 3, true, true
	case len(b) >= 2 && b[0] == '~' && b[1] == '/':
		return 2, false, true
	case len(b) >= 2 && b[0] == '/':
		return 1, false, true
	}
	return 0, false, false
}

// segment returns the path segment of b starting at i and where it ends.
func segment(b []byte, i int) ([]byte, int) {
	j := i
	for j < len(b) && b[j] != '/' {
		j++
	}
	return b[i:j], j
}

// shaped reports whether a trimmed, folded value is a path as a whole
// rather than text mentioning one: no whitespace before its last segment
// except inside an absolute path (Windows folders have spaces), and a last
// segment that is one word or a file name with an extension ("FileZilla
// Server.xml").
func shaped(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	_, _, abs := pathRoot(b)
	last := 0 // after the last '/'; 0 when there is none
	if bytes.IndexByte(b, '/') >= 0 {
		// LastIndexByte reads byte by byte, IndexByte a vector at a
		// time: prose, which has no '/', is read the fast way
		last = bytes.LastIndexByte(b, '/') + 1
	}
	if last == 0 && !abs {
		return false // no separator at all: a name, not a path
	}
	if !abs && indexSpace(b[:last]) >= 0 {
		return false
	}
	seg := b[last:]
	if indexSpace(seg) < 0 {
		return true
	}
	// spaces in the last segment: only a file name with an extension
	dot := -1
	for i := len(seg) - 1; i >= 0 && i >= len(seg)-6; i-- {
		if seg[i] == '.' {
			dot = i
			break
		}
	}
	if dot < 0 || dot == len(seg)-1 {
		return false
	}
	for _, c := range seg[dot+1:] {
		if !isAlnum(c) {
			return false
		}
	}
	return true
}

func indexSpace(b []byte) int {
	for i, c := range b {
		if c == ' ' {
			return i
		}
	}
	return -1
}

// trimValue trims spaces and quotes from both ends of a
// folded value.
func trimValue(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '"' || b[0] == '\'') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '"' || b[len(b)-1] == '\'') {
		b = b[:len(b)-1]
	}
	return b
}

// System folders: the first folder of an absolute path that belongs to
// the operating system or a server installation, not to a site.
var unixSystemRoots = set("etc", "proc", "sys", "var", "usr", "opt", "root", "boot", "srv", "bin", "sbin")

var windowsSystemRoots = set("windows", "winnt", "program files", "program files (x86)", "programdata",
	"documents and settings", "inetpub", "xampp", "wamp", "wamp64", "apache", "apache2", "apache group", "appserv",
	"php", "php5", "mysql", "nginx", "system32", "boot.ini", "sysprep", "logs", "log", "perl", "tomcat", "iis",
	"filezillaftp", "xampplite", "lampp", "unattended.txt", "unattend.xml", "unattended.xml", "sysprep.inf", "temp",
	"autoexec.bat", "config.sys", "inetsrv", "winnt32", "unattend.txt", "$recycle.bin", "system volume information",
	"boot", "bootmgr", "pagefile.sys", "hiberfil.sys")

// sensitiveExts are extensions of files that hold logs, settings or
// secrets rather than content a site serves.
var sensitiveExts = set("log", "ini", "inf", "conf", "cnf", "cfg", "config", "err", "bak", "old", "sam", "dat", "pdb",
	"mdb", "sql", "reg", "xml", "pid", "pem", "key", "passwd", "htpasswd", "history", "sys")

// extension returns the extension of the last segment of a folded path.
func extension(b []byte) []byte {
	for i := len(b) - 1; i >= 0 && i >= len(b)-12; i-- {
		switch b[i] {
		case '.':
			return b[i+1:]
		case '/':
			return nil
		}
	}
	return nil
}

// serverRoots are folders of server installations that appear both at
// the root of Unix paths and of Windows ones ("\xampp\apache\logs").
var serverRoots = set("xampp", "wamp", "lampp", "apache", "apache2", "nginx", "inetpub", "appserv", "program files",
	"program files (x86)", "windows", "winnt", "logs", "log")

// systemPath rates a trimmed, folded, path-shaped value that starts with
// a root: 2 for a path into system or server folders ("/var/adm/wtmpx",
// "c:/xampp/filezillaftp/filezilla server.xml", "\xampp\apache\logs"), 1
// for other drive paths, 0 otherwise. Site paths ("/style.css",
// "/images/a.png", "/account/orders") are 0.
func systemPath(b []byte) int {
	rest, drive, ok := pathRoot(b)
	if !ok {
		return 0
	}
	first, end := segment(b, rest)
	if len(first) == 0 {
		return 0
	}
	more := end < len(b) && end+1 < len(b) // a second segment follows
	switch {
	case drive && (windowsSystemRoots[string(first)] || sensitiveExts[string(extension(b))]):
		return 2
	case drive:
		if string(first) == "fakepath" {
			return 0 // what browsers put before an uploaded file's name
		}
		return 1
	case unixSystemRoots[string(first)] && more:
		return 2
	case serverRoots[string(first)] && more:
		return 2
	case string(first) == "home" && more:
		// a home folder holds dotfiles and keys; "/home/index" is a site's
		second, e2 := segment(b, end+1)
		if e2 < len(b) && len(second) > 0 {
			if third, _ := segment(b, e2+1); len(third) > 0 && third[0] == '.' {
				return 2
			}
		}
	}
	return 0
}
