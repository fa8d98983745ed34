package signature

import (
	"bytes"
	"slices"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanTraversal finds path traversal and file inclusion: walks up the
// tree ("../" in every encoding pathFold undoes), paths to files attackers
// read (the CRS lfi-os-files and restricted-files lists, and absolute
// paths into system folders), stream wrappers (php://filter, file://,
// phar://), remote includes (a URL parameter ending in '?' or a NUL), and
// the probes of memory bugs: the long runs of one character that overflow
// probes send, and format strings ("%x%x%x%x", "%10$n", formatProbe).
//
// A file name alone is weak evidence: "config.php" and "/etc/hosts" turn
// up in prose and in code. It becomes strong with a walk up the tree, with
// exotic encodings of path characters around it, or when the value is
// that path and nothing else.

const (
	travDotDot = iota
	travFile
	travWrapper
	travRemote
	travRun
	travEncoded
	travSystem
	travFormat
)

var (
	wrappers = words(wrapperList...)
	// wrapperColons are the wrappers that hold a ':' (all but "ssh2."):
	// an anchored set, found from the colons of a value (findWrapper).
	wrapperColons = words(slices.Delete(slices.Clone(wrapperList), wrapperSSH2, wrapperSSH2+1)...)
	remoteSchemes = words("http:/", "https:/", "ftp:/", "ftps:/")
	remoteShells  = words("c99", "r57", "shell", "cmd.", ".txt?", "webshell", "backdoor", "/evil", "?cmd=", "?c=")
)

var wrapperList = []string{"php:/", "file:/", "zip:/", "phar:/", "expect:/", "data:/", "glob:/", "compress.zlib:/",
	"compress.bzip2:/", "ogg:/", "rar:/", "ssh2.", "jar:", "netdoc:", "zlib:"}

// wrapperFile and wrapperSSH2 are the indexes of "file:/" and "ssh2." in
// wrapperList.
const (
	wrapperFile = 1
	wrapperSSH2 = 11
)

// ssh2Wrappers are the wrappers of PHP's ssh2 extension, after "ssh2.".
var ssh2Wrappers = []string{"shell:/", "exec:/", "tunnel:/", "scp:/", "sftp:/"}

// wrapperWord finds a stream wrapper that starts a word: PHP reads one
// only at the start of a path, so one inside a word is some other name
// ("libssh2.org", "gzip:/", "metadata:/"); "ssh2." counts before one of
// ssh2Wrappers ("ssh2.c" is a file). After eight such names it
// reports the next match wherever it starts, so that a run of them costs
// at most nine searches and hides nothing.
func wrapperWord(b []byte) (match, bool) {
	off := 0
	for tries := 0; ; tries++ {
		mt, ok := findWrapper(b[off:])
		if !ok {
			return match{}, false
		}
		mt.i, mt.j = mt.i+off, mt.j+off
		if tries == 8 {
			return mt, true
		}
		if (mt.i == 0 || !isWord(b[mt.i-1])) && (mt.k != wrapperSSH2 || ssh2Wrapper(b[mt.j:])) {
			return mt, true
		}
		off = mt.i + 1
	}
}

// ssh2Wrapper reports whether b, what follows "ssh2.", names one of
// ssh2Wrappers: "ssh2.c" and "ssh2.sh" are files of libssh2.
func ssh2Wrapper(b []byte) bool {
	for _, w := range ssh2Wrappers {
		if bytes.HasPrefix(b, []byte(w)) {
			return true
		}
	}
	return false
}

// findWrapper is findAny(b, wrappers, false): the leftmost of the
// leftmost colon wrapper and the first "ssh2." (no colon wrapper starts
// with "s", so the two never start at one offset), with the index of the
// keyword in wrapperList.
func findWrapper(b []byte) (match, bool) {
	mt, ok := findAny(b, wrapperColons, false)
	if ok && mt.k >= wrapperSSH2 {
		mt.k++
	}
	if k := indexRare(b, "ssh2."); k >= 0 && (!ok || k < mt.i) { // from the '2's, which prose lacks
		return match{wrapperSSH2, k, k + len("ssh2.")}, true
	}
	return mt, ok
}

// escapedBreaks reports whether v holds a line break or a tab that raw,
// the form v was decoded from, holds only as an escape ("\n", "\t",
// "%5Cn"): raw holds none of those bytes itself.
func escapedBreaks(raw, v string) bool {
	if !strings.ContainsAny(v, "\n\r\t") || strings.ContainsAny(raw, "\n\r\t") {
		return false
	}
	return strings.Contains(raw, "\\") || strings.Contains(raw, "%5C") || strings.Contains(raw, "%5c")
}

const pathChars = cDot | cSlash | cBackslash | cColon | cPercent | cBrace | cHigh

func scanTraversal(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	v := in.value
	m := in.m
	// afterPadding has looked for the same runs in most values already
	// (input.runless)
	if in.src != threat.SourceHeader && len(v) >= minPadding && in.runless != v {
		if i, n := longestRun(v); n >= minPadding && seen.mark(&hit, travRun) {
			dst = append(dst, signal(nameTraversal, "probe.long_run", 0.75, in, i, i+n))
		}
	}
	dst = formatProbes(in, seen, &hit, dst)
	if m&pathChars == 0 && !strings.Contains(v, "0x") {
		return dst, hit
	}
	// The raw form of a parameter keeps what one more decoding pass
	// would spoil: "%%32%%66" decodes to "%2%f" in steps, but the decoder
	// reads "%2%fetc" as "%2" and the byte 0xFE.
	src, plus := v, false
	if r := in.raw; r != "" {
		// A Windows path's "\ntuser.dat" or "\temp" is no escape to it: when
		// the decoded value has line breaks or tabs that only escapes
		// in raw made, raw is the path's reading.
		breaks := m&(cNL|cCtl) != 0 && escapedBreaks(r, v)
		switch in.src {
		case threat.SourceQuery, threat.SourceForm, threat.SourceCookie:
			// cookies are form-encoded by the frameworks that encode them
			if strings.IndexByte(r, '\\') < 0 || breaks {
				src, plus = r, true
			}
		default:
			// a raw form that is the value itself (JSON and XML values)
			// would change nothing: it is not searched
			if r != v && (strings.IndexByte(r, '\\') < 0 && strings.IndexByte(r, '%') >= 0 || breaks) {
				src = r
			}
		}
	}
	var b []byte
	var exotic int
	lowered, dotdot := false, false
	if len(v) > loweredFold {
		// pathFold would lower-case the value and nothing more, after
		// reading every byte to find that out: the lower-cased copy the
		// code and SSRF families read of a long value is the same bytes
		// (none of the families writes to it). A raw form is folded so
		// when its escapes decode to the value (a form field of prose):
		// pathFold's first step, unpercent, is left, and what it counts.
		var folds bool
		folds, dotdot = foldsLower(v, m)
		switch {
		case !folds:
		case !plus && src == v:
			b, lowered = in.lowerValue(), true
		default:
			if n, ok, plain := unpercentsTo(src, plus, v); ok {
				b, exotic, lowered = in.lowerValue(), n, true
				in.escPlain = plain && src == in.raw
			}
		}
	}
	if !lowered {
		// declared here, it is cleared only for the values folded into it
		var stack [1024]byte
		buf, p := scratch(stack[:0], len(src))
		defer putScratch(p)
		if src != v && decode.DecodesPlainlyTo(src, plus, v) {
			// every escape of the raw form is a plain %HH of a byte other
			// than '%': unpercent would decode it to the value, counting
			// nothing (unpercentsTo), so the value is folded as it is;
			// scanProtocol need not look for odd escapes in it either
			b, exotic = foldChars(buf, v, 0)
			in.escPlain = src == in.raw
		} else {
			b, exotic = pathFold(buf, src, plus)
		}
	}
	isPath := in.src == threat.SourcePath
	referer := in.src == threat.SourceHeader && in.name == "Referer"
	t := trimValue(b)
	url := hasScheme(t)
	bm := ^cls(0) // the classes of b: v's when b is v lower-cased
	if lowered {
		bm = m
	}
	dots, at, dotSlash := 0, -1, 0
	if !lowered || dotdot {
		// a lower-cased value has no '/' (foldsLower): without a ".."
		// it has no step up and no "./", and dotSteps, which would read
		// its dots and question marks, finds none
		dots, at, dotSlash = dotSteps(b, bm)
	}
	if dots > 0 && seen.mark(&hit, travDotDot) {
		conf, rule := 0.75, "traversal.dotdot_one"
		switch {
		case dots >= 2 && (exotic > 0 || isPath || !wordy(t)):
			conf, rule = 0.99, "traversal.dotdot"
		case dots >= 2:
			// "-include ../../debian/x.h" in a chat log, "using
			// ../../../../src/libstdc++-v3" in a build log: a walk in
			// text; the file it reaches decides (findTarget below)
			conf, rule = 0.9, "traversal.dotdot_text"
		case exotic > 0:
			conf, rule = 0.99, "traversal.dotdot_encoded" // an obfuscated walk up has no benign use
		case isPath:
			conf, rule = 0.99, "traversal.dotdot_path" // clients resolve ".." before sending a path
		case !url && leadingStep(t) && shaped(t) && !asset(t):
			conf, rule = 0.99, "traversal.relative" // the value walks out of its folder: "../config.php"
		case !url && leadingStep(t) && shaped(t):
			conf, rule = 0.9, "traversal.relative_asset" // "../images/logo.png" in a page's markup
		}
		dst = append(dst, foldedSignal(nameTraversal, rule, conf, in, b, at, at+3))
	} else if dots == 0 && dotSlash >= 4 && seen.mark(&hit, travDotDot) {
		dst = append(dst, foldedSignal(nameTraversal, "traversal.dotslash_run", 0.99, in, b, 0, len(b)))
	}
	if !referer && !url {
		if i, j, tier := findTarget(b); tier != tierNone && seen.mark(&hit, travFile) {
			conf, rule := fileConfidence(b, t, i, tier, dots, exotic, isPath)
			if conf > 0 {
				dst = append(dst, foldedSignal(nameTraversal, rule, conf, in, b, i, j))
			}
		} else if i, j, ok := findGlued(t); tier == tierNone && ok && !isPath && seen.mark(&hit, travFile) {
			conf := 0.9
			if dots > 0 || exotic > 0 || len(t) > 2 && t[1] == ':' || bytes.Contains(t, []byte("..")) {
				conf = 0.99 // "c:windowswin.ini", "....etcpasswd"
			}
			dst = append(dst, foldedSignal(nameTraversal, "lfi.file_glued", conf, in, t, i, j))
		} else if tier == tierNone && (isPath || bm&cSlash != 0 && shaped(t)) { // no '/', no path shape: prose
			k := 0
			if isPath {
				k = drivePath(b)
			} else {
				k = systemPath(t)
			}
			if k > 0 && seen.mark(&hit, travSystem) {
				conf, rule := 0.99, "lfi.system_path"
				if k == 1 {
					conf, rule = 0.8, "lfi.drive_path"
				}
				dst = append(dst, foldedSignal(nameTraversal, rule, conf, in, b, 0, len(b)))
			}
		}
	}
	if m&cBrace != 0 && bytes.Contains(b, []byte("{file}")) && seen.mark(&hit, travEncoded) {
		// FuzzDB's and dotdotpwn's templates sent unfilled: a scanner
		dst = append(dst, foldedSignal(nameTraversal, "traversal.fuzz_template", 0.99, in, b, 0, len(b)))
	}
	if exotic >= 3 && dots == 0 && !hit && encodedPath(b) && seen.mark(&hit, travEncoded) {
		// separators spelt in several exotic encodings: a fuzzer's path
		dst = append(dst, foldedSignal(nameTraversal, "traversal.encoded_path", 0.9, in, b, 0, len(b)))
	}
	if m&cColon != 0 {
		if mt, ok := wrapperWord(b); ok && seen.mark(&hit, travWrapper) {
			conf := 0.99
			if mt.k == wrapperFile && wordy(t) {
				// a file URL in a sentence ("readFileSync(new URL('file:/c:/p/'))
				// reads", "output file:/ format links"): the file it names
				// decides (findTarget)
				conf = 0.9
			}
			dst = append(dst, foldedSignal(nameTraversal, "lfi.wrapper", conf, in, b, mt.i, mt.j))
		}
		if !isPath && in.src != threat.SourceHeader {
			u := t // the value without the quotes of a string it breaks into
			if len(u) > 1 && u[len(u)-1] == '/' && (nulEnd(v, "\x00") || nulEnd(in.raw, "%00")) {
				u = u[:len(u)-1] // "?\x00": pathFold made the NUL, where C ends the path, a '/'
			}
			if conf := remoteInclude(u); conf > 0 && seen.mark(&hit, travRemote) {
				rule := "rfi.url"
				if conf < 0.8 {
					rule = "rfi.shell_url"
				}
				dst = append(dst, foldedSignal(nameTraversal, rule, conf, in, b, 0, len(b)))
			}
		}
	}
	return dst, hit
}

// loweredFold is the length above which the code and SSRF families read
// a value through input.lowerValue: a longer value that pathFold would
// only lower-case is read from that copy.
const loweredFold = 512

// foldIsLower reports whether pathFold(nil, v, false) is v lower-cased
// with nothing counted as exotic, from the classes m of v and a few
// vector searches: v has none of the bytes foldChars rewrites ('/', '\',
// '%', control bytes, tabs, bytes >= 0x80), no "0x" that could spell a
// path character, and no "2f" or "5c" after "..". The digits '0', '2'
// and '5' are copied as they are everywhere else.
func foldIsLower(v string, m cls) bool {
	lower, _ := foldsLower(v, m)
	return lower
}

// foldsLower reports foldIsLower(v, m) and, when it holds, whether v
// holds "..", which strippedEscape has looked for.
func foldsLower(v string, m cls) (lower, dotdot bool) {
	if m&(cSlash|cBackslash|cPercent|cCtl|cNL|cHigh) != 0 || m&cSpace != 0 && strings.IndexByte(v, '\t') >= 0 || hexPrefix(v) {
		return false, false
	}
	if m&cDot == 0 {
		return true, false
	}
	escape, dotdot := strippedEscapeDots(v)
	return !escape, dotdot
}

// hexPrefix reports whether v holds "0x" or "0X", in one walk over its
// '0's (two searches for the two spellings read all of v twice).
func hexPrefix(v string) bool {
	for i := 0; i < len(v); i++ {
		k := strings.IndexByte(v[i:], '0')
		if k < 0 {
			return false
		}
		i += k
		if i+1 < len(v) && v[i+1]|0x20 == 'x' {
			return true
		}
	}
	return false
}

// unpercentsTo reports whether unpercent(s, plus) is v, and what it
// counts as exotic. unpercent never lengthens what it decodes.
//
// A form field of prose has an escape every few dozen bytes, all of them
// plain: decode.DecodesPlainlyTo answers for those without writing a
// byte. When every '%' of s begins a %HH escape of a byte other than '%',
// unpercent decodes s once and counts nothing: the bytes it appends are
// never a '%' (a '+' becomes a space, an escape a byte other than '%',
// other bytes themselves), so its buffer never holds one, percentNear
// never finds one, and unpercentRun reads s to the end (its PlainRun
// stops only at a '%' that begins no %HH escape or one of '%'). Nested
// escapes ("%252e", "%%32%65", "%2%e") and %u need a '%' that begins
// no plain escape, or one of '%', and are left to unpercent.
//
// plain says decode.DecodesPlainlyTo answered: every '%' of s begins a
// %HH escape of a byte other than '%'.
func unpercentsTo(s string, plus bool, v string) (exotic int, ok, plain bool) {
	if len(s) < len(v) {
		return 0, false, false
	}
	if decode.DecodesPlainlyTo(s, plus, v) {
		return 0, true, true
	}
	p := longBuffers.Get().(*[]byte)
	u, n := unpercent((*p)[:0], s, plus)
	ok = string(u) == v
	*p = u[:0] // a grown buffer goes back grown
	longBuffers.Put(p)
	return n, ok, false
}

// strippedEscape reports whether v holds "..2f" or "..5c" (either case),
// which foldChars reads as "../". It reads v once, from one ".." to the
// next: prose has a dot every sentence but seldom two in a row, where a
// search for each of the digits reads all of v twice.
func strippedEscape(v string) bool {
	escape, _ := strippedEscapeDots(v)
	return escape
}

// strippedEscapeDots is strippedEscape, and whether v holds "..".
func strippedEscapeDots(v string) (escape, dotdot bool) {
	for i := 0; i < len(v); i++ {
		k := strings.Index(v[i:], "..")
		if k < 0 {
			return false, dotdot
		}
		dotdot = true
		i += k // v[i:i+2] is "..", and "..." holds another at i+1
		if i+3 < len(v) && (v[i+2] == '2' && v[i+3]|0x20 == 'f' || v[i+2] == '5' && v[i+3]|0x20 == 'c') {
			return true, true
		}
	}
	return false, dotdot
}

// fileConfidence rates a file target found at b[i:] in a folded value
// (t is the value trimmed).
func fileConfidence(b, t []byte, i int, tier uint8, dots, exotic int, isPath bool) (float64, string) {
	slash := i > 0 && b[i-1] == '/'
	switch {
	case dots > 0:
		return 0.99, "lfi.traversal_file" // a walk up to a known file
	case exotic >= 2:
		return 0.99, "lfi.encoded_file"
	case isPath && tier == tierSystem && slash:
		// "/static/etc/passwd": no site serves the OS's files; app
		// files in a URL path are the scanner family's
		return 0.99, "lfi.file_path"
	case isPath && drivePath(b) == 2:
		return 0.99, "lfi.file_path" // "/files/c:/windows/win.ini"
	case isPath:
		return 0, ""
	case tier == tierSystem && shaped(t):
		return 0.99, "lfi.file_path" // the value is a path to a secret: "/etc/passwd", "c:\boot.ini"
	case tier == tierSystem && &b[i] == &t[0] && secretName(t):
		return 0.99, "lfi.file" // the value is a secret's name: ".htpasswd", "win.ini"
	case tier == tierSystem && &b[i] == &t[0]:
		return 0.9, "lfi.file" // a bare name: "php.ini", "my.cnf"
	case tier == tierSystem && slash:
		return 0.8, "lfi.file_in_text" // "how to edit /etc/hosts"
	case tier == tierSystem:
		return 0.7, "lfi.file_mention"
	case shaped(t) && systemPath(t) > 0:
		return 0.99, "lfi.file_path" // an application file by an absolute system path
	case shaped(t):
		return 0.8, "lfi.app_file"
	}
	return 0.6, "lfi.app_file_mention"
}

// drivePath rates a drive path inside a URL path as systemPath does:
// "/static/c:/xampp/apache/logs/error.log". No site has a drive letter
// for a folder.
func drivePath(b []byte) int {
	for i := 0; i+3 < len(b); i++ {
		if b[i] == '/' && b[i+2] == ':' && b[i+3] == '/' && 'a' <= b[i+1] && b[i+1] <= 'z' {
			return systemPath(b[i+1:])
		}
	}
	return 0
}

// asset reports whether a folded path ends in a file a site serves:
// images, styles, scripts, fonts, media, documents.
func asset(t []byte) bool {
	switch string(extension(t)) {
	case "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "bmp", "css", "js", "mjs", "map", "woff", "woff2", "ttf",
		"eot", "otf", "mp3", "mp4", "webm", "ogg", "wav", "pdf", "html", "htm", "txt", "json", "md":
		return true
	}
	return false
}

// secretName reports whether a trimmed value is nothing but the name of a
// file that holds secrets or system settings and that no search or form
// has a reason to name: a dotfile or a Windows system file.
func secretName(t []byte) bool {
	if indexSpace(t) >= 0 || len(t) > 40 {
		return false
	}
	if t[0] == '.' && len(t) > 3 && isLetter(t[1]) {
		return true // ".htpasswd", ".env", ".bash_history"
	}
	switch string(t) {
	case "boot.ini", "win.ini", "system.ini", "ntuser.dat", "autoexec.bat", "id_rsa", "id_dsa", "id_ecdsa", "id_ed25519",
		"authorized_keys", "web.config", "global.asa", "wp-config.php", "applicationhost.config":
		return true
	}
	return false
}

// leadingStep reports whether a trimmed, folded value starts with a step
// up: "../", "..\", "/../".
func leadingStep(t []byte) bool {
	if len(t) > 0 && t[0] == '/' {
		t = t[1:]
	}
	for len(t) > 1 && t[0] == '.' && t[1] == '/' {
		t = t[2:] // "./../"
	}
	n := 0
	for n < len(t) && (t[n] == '.' || t[n] == '?') {
		n++
	}
	return n >= 2 && (n == len(t) || t[n] == '/' || t[n] == ';')
}

// hasScheme reports whether a folded value starts with a URL scheme other
// than file: (a URL names a resource, not a file on this server; SSRF and
// remote inclusion read those).
func hasScheme(t []byte) bool {
	for i, c := range t {
		switch {
		case c == ':':
			return i > 1 && i+1 < len(t) && t[i+1] == '/' && string(t[:i]) != "file"
		case 'a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return false
		}
	}
	return false
}

// wordy reports whether a folded value reads as text: four words or more.
func wordy(t []byte) bool {
	n := 0
	for i := 1; i < len(t); i++ {
		if t[i] == ' ' && t[i-1] != ' ' {
			n++
		}
	}
	return n >= 3
}

// encodedPath reports whether a folded value is made of path segments
// (at least three separators) rather than text.
func encodedPath(b []byte) bool {
	n := 0
	for _, c := range b {
		switch c {
		case '/':
			n++
		case ' ':
			return false
		}
	}
	return n >= 3
}

// remoteInclude rates a value that is a URL as a remote file include: a URL
// ending in '?' or '&' or a NUL (to cut off the suffix the application
// appends; certain when the value is the URL alone), one naming a script
// on a host given by its IP address, or one pointing at a known shell
// name.
func remoteInclude(b []byte) float64 {
	b = bytes.TrimSpace(b)
	scheme := false
	for _, s := range remoteSchemes.kws {
		if bytes.HasPrefix(b, s) {
			scheme = true
		}
	}
	if !scheme {
		return 0
	}
	last := b[len(b)-1]
	switch {
	case last == '?' || last == 0 || bytes.HasSuffix(b, []byte("?&")):
		// the '?' (or NUL) that makes the extension the server appends
		// ("include($page . '.php')") part of the query: a whole URL
		// value ending so is the inclusion trick; in a sentence it is
		// punctuation
		if bytes.IndexByte(b, ' ') < 0 {
			return 0.99
		}
		return 0.9
	case ipScriptURL(b):
		return 0.99
	case bytes.Contains(b, []byte("?=")) || bytes.Contains(b, []byte("??")):
		return 0.85
	}
	if mt, ok := findAny(b, remoteShells, false); ok && mt.i > 7 {
		return 0.7
	}
	return 0
}

// nulEnd reports whether s ends in nul (a NUL, or its escape) before
// any closing quotes and blanks.
func nulEnd(s, nul string) bool { return strings.HasSuffix(strings.TrimRight(s, " '\""), nul) }

// longestRun returns the start and length of the longest run of one byte
// (other than digits, which card numbers and ids repeat legitimately) of
// at least minPadding bytes.
func longestRun(v string) (int, int) {
	best, at := 0, 0
	eachRun(v, minPadding, func(i, j int) {
		if j-i > best && !(v[i] >= '0' && v[i] <= '9') {
			best, at = j-i, i
		}
	})
	return at, best
}

// ipScriptURL reports whether b, a URL without spaces, names its host by
// an IPv4 address and its path a script or text file a PHP include would
// run (http://66.240.183.75/crash.php, http://1.2.3.4/shell.txt): how
// remote inclusion fetches its code, and no link a person shares.
func ipScriptURL(b []byte) bool {
	if bytes.IndexByte(b, ' ') >= 0 {
		return false
	}
	k := bytes.Index(b, []byte(":/"))
	if k < 0 {
		return false
	}
	h := bytes.TrimLeft(b[k+2:], "/") // pathFold may have made "//" one '/'

	e := 0
	for e < len(h) && h[e] != '/' && h[e] != '?' && h[e] != '#' {
		e++
	}
	host := h[:e]
	if c := bytes.LastIndexByte(host, ':'); c >= 0 {
		host = host[:c]
	}
	if !ipLike(host) || bytes.Count(host, []byte(".")) != 3 {
		return false
	}
	path := h[e:]
	if q := bytes.IndexAny(path, "?#"); q >= 0 {
		path = path[:q]
	}
	dot := bytes.LastIndexByte(path, '.')
	if dot < 0 || bytes.IndexByte(path[dot:], '/') >= 0 {
		return false
	}
	switch string(bytes.ToLower(path[dot+1:])) {
	case "php", "txt", "inc", "phtml", "pl", "cgi", "sh", "jsp", "asp", "aspx":
		return true
	}
	return false
}
