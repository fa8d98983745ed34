package signature

import (
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanCRLF finds header injection and response splitting: a line break,
// raw or in any of the encodings that survive to a server (%0d%0a,
// %250a, %%0a0a, %u000a, \r\n, the U+560A/U+560D pair whose low bytes are
// CR and LF), followed by what the next line of a response or a mail
// would carry: a header ("Set-Cookie: x=y", "Location: //evil"), a status
// line, an HTML body after a blank line, a mail header ("Bcc:
// a@evil.example") or an SMTP or IMAP command. A raw line break in a
// request header value is injection by itself. Multi-line text from a
// form keeps passing: its lines are prose, not header lines whose values
// have the header's grammar.

const (
	crlfHeader = iota
	crlfMail
	crlfPath
)

func scanCRLF(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	m := in.m
	if m&(cNL|cPercent|cBackslash|cHigh) == 0 {
		return dst, hit
	}
	v := in.value
	if in.src == threat.SourceHeader && m&cNL != 0 {
		if seen.mark(&hit, crlfHeader) {
			i := strings.IndexAny(v, "\r\n")
			dst = append(dst, signal(nameCRLF, "crlf.header", 0.99, in, i, i+1))
		}
		return dst, hit
	}
	i, conf, rule := splitting(v)
	if conf == 0 && in.src == threat.SourcePath && m&cNL != 0 {
		// a path has no line in it: the break alone is a probe
		i, conf, rule = strings.IndexAny(v, "\r\n"), 0.9, crlfPath
	}
	if conf > 0 && seen.mark(&hit, uint(rule)) {
		name := [...]string{crlfHeader: "crlf.header", crlfMail: "crlf.mail", crlfPath: "crlf.path"}[rule]
		dst = append(dst, signal(nameCRLF, name, conf, in, i, i+24))
	}
	return dst, hit
}

// lineBreak returns the length of a line break at v[i:], raw or encoded,
// and 0 if there is none.
func lineBreak(v string, i int) int {
	switch c := v[i]; c {
	case '\r', '\n':
		if i > 0 && v[i-1] == '%' && i+2 < len(v) && (hasPrefixFold(v[i+1:], "0a") || hasPrefixFold(v[i+1:], "0d")) {
			return 3 // %%0a0a decoded once: the inner %0a went, its digits stay
		}
		return 1
	case 0xe5: // U+560A, U+560D: cut to Latin-1 they are LF and CR
		if i+2 < len(v) && v[i+1] == 0x98 && (v[i+2] == 0x8a || v[i+2] == 0x8d) {
			return 3
		}
	case '\\':
		if i+1 < len(v) {
			switch v[i+1] {
			case 'r', 'n':
				return 2
			case 'u', 'U':
				if hasPrefixFold(v[i:], "\\u000a") || hasPrefixFold(v[i:], "\\u000d") {
					return 6
				}
			case 'x', 'X':
				if hasPrefixFold(v[i:], "\\x0a") || hasPrefixFold(v[i:], "\\x0d") {
					return 4
				}
			}
		}
	case '%':
		if i+2 >= len(v) || strings.IndexByte("02%uUeEcC5\r\n", v[i+1]) < 0 {
			return 0
		}
		if (v[i+1] == '\r' || v[i+1] == '\n') && i+3 < len(v) && (hasPrefixFold(v[i+2:], "0a") || hasPrefixFold(v[i+2:], "0d")) {
			return 4 // %%0a0a decoded once, seen from its first '%'
		}
		// only the forms whose second byte is v[i+1] (ASCII, by the test
		// above; lower case): a run of '%' took two dozen case-folding
		// compares a byte
		for _, f := range breaksAfterPercent[v[i+1]|0x20] {
			if hasPrefixFold(v[i:], f) {
				return len(f)
			}
		}
	}
	return 0
}

// encodedBreaks are CR and LF percent-encoded once or more, in the forms
// servers and proxies are known to decode.
var encodedBreaks = [...]string{"%0a", "%0d", "%250a", "%250d", "%25250a", "%25250d", "%%0a0a", "%%0d0d", "%u000a",
	"%u000d", "%25%30%61", "%25%30%64", "%25%30a", "%25%30d", "%e5%98%8a", "%e5%98%8d", "%c0%8a", "%c0%8d", "%5cn", "%5cr",
	"%5c%6e", "%5c%72", "%25u000a", "%25u000d"}

// breaksAfterPercent holds the encodedBreaks by their second byte (a digit,
// '%' or a lower-case letter), in their order.
var breaksAfterPercent = func() (t [256][]string) {
	for _, f := range encodedBreaks {
		t[f[1]] = append(t[f[1]], f)
	}
	return t
}()

// splitting finds a line break followed by a line that injects into a
// response or a mail. It returns the index of the break, the confidence
// and the rule.
func splitting(v string) (int, float64, int) {
	best, bi, brule := 0.0, -1, 0
	lineStart := 0
	for i := 0; i < len(v); i++ {
		n := lineBreak(v, i)
		if n == 0 {
			continue
		}
		prev := v[lineStart:i] // the line the break ends
		if lineStart > 0 && strings.TrimSpace(prev) == "" {
			prev = "\x00 blank" // a blank line inside text: a paragraph, not a field
		}
		// the run of breaks, and whether it holds a blank line (CR LF
		// counts as one break)
		j, breaks, cr := i+n, 1, isCR(v, i, n)
		for j < len(v) {
			k := lineBreak(v, j)
			if k == 0 {
				break
			}
			if !cr || isCR(v, j, k) {
				breaks++
			}
			cr = isCR(v, j, k)
			j += k
		}
		conf, rule := nextLine(v[j:], prev, breaks)
		if conf > best {
			best, bi, brule = conf, i, rule
			if best >= 0.99 {
				return bi, best, brule
			}
		}
		lineStart = j
		i = j - 1
	}
	return bi, best, brule
}

// isCR reports whether the break of n bytes at v[i:] is a carriage return.
func isCR(v string, i, n int) bool {
	t := v[i : i+n]
	last := t[len(t)-1] | 0x20
	return t == "\r" || last == 'd' || last == 'r' || t == "\xe5\x98\x8d"
}

// singleToken reports whether a line holds one token, as the single-line
// field an injection is appended to does (an address, a name, a path).
func singleToken(line string) bool {
	line = strings.TrimSpace(line)
	if strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~") {
		return false // a code fence: what follows is quoted
	}
	if len(line) > 128 || strings.ContainsAny(line, " \t") {
		return false
	}
	for i := 0; i < len(line); i++ {
		if isWord(line[i]) || line[i] == '/' || line[i] == '.' || line[i] == '@' || line[i] >= 0x80 {
			return true
		}
	}
	return line == "" // the value's first line, empty: the break comes first
}

// statusLine reports whether s starts with an HTTP status line:
// "HTTP/1.1 200 OK", "HTTP/2 302".
func statusLine(s string) bool {
	if !hasPrefixFold(s, "http/") {
		return false
	}
	i := 5
	for i < len(s) && i < 9 && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 5 || i+4 > len(s) || s[i] != ' ' {
		return false
	}
	return s[i+1] >= '1' && s[i+1] <= '5' && s[i+2] >= '0' && s[i+2] <= '9' && s[i+3] >= '0' && s[i+3] <= '9'
}

// nextLine weighs the line after a run of breaks: prev is the line before
// the run, breaks the number of breaks in it (two and more can end a
// header block).
func nextLine(s, prev string, breaks int) (float64, int) {
	if len(s) > 256 {
		s = s[:256]
	}
	if statusLine(s) {
		return 0.99, crlfHeader
	}
	if hasPrefixFold(s, "<html") || hasPrefixFold(s, "<meta") || hasPrefixFold(s, "<!doctype html") {
		if singleToken(prev) {
			return 0.99, crlfHeader
		}
		return 0.9, crlfHeader
	}
	if breaks >= 2 && len(s) > 1 && s[0] == '<' && (isWord(s[1]) || s[1] == '!' || s[1] == '/') {
		return 0.95, crlfHeader // a body after the headers
	}
	if requestLine(s) {
		if singleToken(prev) {
			return 0.99, crlfHeader // a second request smuggled behind the first
		}
		return 0.9, crlfHeader
	}
	if c, ok := mailCommand(s, prev); ok {
		return c, crlfMail
	}
	s = strings.TrimLeft(s, " \t") // "%0d%0a%20Set-Cookie:": servers trim what folding leaves
	k := 0
	for k < len(s) && k < 64 && (isWord(s[k]) || s[k] == '-') {
		k++
	}
	if k == 0 {
		return 0, 0
	}
	c := k
	for c < len(s) && (s[c] == ' ' || s[c] == '\t') {
		c++
	}
	if c >= len(s) || s[c] != ':' {
		return 0, 0
	}
	name := strings.ToLower(s[:k])
	val := strings.TrimLeft(s[c+1:], " \t")
	if e := strings.IndexAny(val, "\r\n"); e >= 0 {
		val = val[:e]
	}
	conf, rule := headerLine(name, val, prev)
	if conf == 0 && canonicalName(s[:k]) && val != "" {
		// Header-Test: x, X-Anything: an unknown header written as
		// clients write them, appended to a single-line value
		if singleToken(prev) {
			return 0.99, crlfHeader
		}
		return 0.8, crlfHeader
	}
	return conf, rule
}

// fieldOrNot weighs a well-formed injected header line: sure when the
// line before it is a single-line field's value, strong evidence when it
// follows text (a pasted response in a note).
func fieldOrNot(single bool) float64 {
	if single {
		return 0.99
	}
	return 0.9
}

// headerShaped reports whether a header value reads as one: a token
// without spaces, or parameters ("a=b; Path=/").
func headerShaped(val string) bool {
	val = strings.TrimSpace(val)
	return val != "" && (!strings.ContainsAny(val, " \t") || strings.ContainsAny(val, "=;")) && !strings.ContainsAny(val, "<>")
}

// canonicalName reports whether name is written as header names are
// canonically: capitalised words joined by '-' ("Header-Test",
// "X-Forwarded-For"), at least two of them.
func canonicalName(name string) bool {
	words, lowerCase := 0, false
	for _, w := range strings.Split(name, "-") {
		if w == "" || w[0] < 'A' || w[0] > 'Z' {
			return false
		}
		if strings.ToUpper(w) != w {
			lowerCase = true
		}
		words++
	}
	return words >= 2 && lowerCase // UDP-CONNECT is a command's name, Header-Test a header's
}

// headerLine weighs "name: val" as an injected header line. Names prose
// also writes at a line's start ("Location:", "Server:", "To:") count when
// the value has the header's grammar.
func headerLine(name, val, prev string) (float64, int) {
	single := singleToken(prev)
	if v := strings.TrimSpace(val); v != "" && (strings.IndexByte("'\"{[`", v[0]) >= 0 || v[len(v)-1] == ',') {
		return 0, 0 // host: '127.0.0.1', : an object literal's line, not a header's
	}
	switch name {
	case "set-cookie", "set-cookie2", "content-security-policy", "strict-transport-security", "x-xss-protection",
		"x-frame-options", "x-content-type-options", "transfer-encoding", "www-authenticate", "proxy-authenticate",
		"content-disposition", "cache-control", "content-encoding", "x-forwarded-for", "x-forwarded-host", "x-real-ip",
		"x-original-url", "x-rewrite-url", "forwarded-for", "forwarded-host", "forwarded-server", "x-forwarded-server",
		"remote-ip", "remote-addr", "originating-ip", "x-originating-ip", "x-remote-ip", "x-remote-addr", "last-modified", "x-powered-by", "access-control-allow-origin",
		"access-control-allow-credentials", "access-control-allow-headers", "access-control-allow-methods",
		"access-control-expose-headers", "content-location", "mime-version", "content-transfer-encoding":
		if single {
			return 0.99, crlfHeader
		}
		if headerShaped(val) {
			return 0.9, crlfHeader
		}
		return 0.8, crlfHeader
	case "location", "refresh":
		if strings.HasPrefix(val, "/") || hasPrefixFold(val, "http") || hasPrefixFold(val, "javascript:") ||
			hasPrefixFold(val, "data:") || len(val) > 0 && val[0] >= '0' && val[0] <= '9' && strings.Contains(val, "url") {
			return fieldOrNot(single), crlfHeader
		}
		return 0.6, crlfHeader
	case "content-type":
		if strings.Contains(val, "/") {
			return fieldOrNot(single), crlfHeader
		}
		return 0.7, crlfHeader
	case "content-length":
		if len(val) > 0 && val[0] >= '0' && val[0] <= '9' {
			return fieldOrNot(single), crlfHeader
		}
		return 0.6, crlfHeader
	case "cookie", "host", "referer", "user-agent", "authorization", "origin":
		if single && val != "" && !strings.ContainsAny(strings.TrimSpace(val), " \t") && strings.ContainsAny(val, "=./:") {
			return 0.99, crlfHeader
		}
		return 0.6, crlfHeader
	case "bcc", "cc", "to", "from", "reply-to", "sender", "return-path":
		if strings.Contains(val, "@") && single {
			return 0.99, crlfMail
		}
		if strings.Contains(val, "@") {
			return 0.8, crlfMail
		}
		return 0.5, crlfMail
	case "subject":
		if single {
			return 0.99, crlfMail
		}
		return 0.5, crlfMail
	}
	if strings.HasPrefix(name, "x-") || strings.HasPrefix(name, "content-") || strings.HasPrefix(name, "access-control-") {
		if strings.Count(name, "-") >= 2 || single || !strings.ContainsAny(val, " \t") || strings.ContainsAny(val, "=;") {
			return 0.99, crlfHeader
		}
		return 0.9, crlfHeader
	}
	return 0, 0
}

// requestLine reports whether s starts with an HTTP request line:
// "GET /admin HTTP/1.1".
func requestLine(s string) bool {
	m := 0
	for m < len(s) && m < 10 && 'A' <= s[m] && s[m] <= 'Z' {
		m++
	}
	if m < 3 || m >= len(s) || s[m] != ' ' || !httpMethods[s[:m]] {
		return false
	}
	t := m + 1
	for t < len(s) && t < m+1+2048 && s[t] != ' ' && s[t] != '\r' && s[t] != '\n' {
		t++
	}
	return t > m+1 && t < len(s) && s[t] == ' ' && hasPrefixFold(s[t+1:], "http/")
}

var httpMethods = set("GET", "POST", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE", "TRACK", "CONNECT", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK")

// mailCommand weighs a line as an SMTP or IMAP command smuggled into a
// mail or mailbox request: "RCPT TO:<a@evil.example>", "MAIL FROM:",
// "V100 CAPABILITY", "A1 FETCH 1:* (BODY[])". Commands are matched in upper
// case, as protocol clients and payloads write them and prose does not.
func mailCommand(s, prev string) (float64, bool) {
	for _, c := range [...]string{"rcpt to:", "mail from:", "rcpt to :", "mail from :"} {
		if hasPrefixFold(s, c) {
			return 0.99, true
		}
	}
	line := s
	if e := strings.IndexAny(line, "\r\n%\\"); e >= 0 {
		line = line[:e]
	}
	for _, c := range [...]string{"HELO ", "EHLO ", "VRFY ", "EXPN ", "AUTH LOGIN", "AUTH PLAIN", "STARTTLS"} {
		if strings.HasPrefix(line, c) {
			return 0.97, true
		}
	}
	if line == "DATA" || line == "QUIT" || line == "RSET" {
		if strings.TrimSpace(prev) == "" {
			return 0.99, true // "\r\nQUIT\r\n": a value that opens with a break, then a command
		}
		return 0.9, true
	}
	if c := pop3Command(line); c > 0 && (strings.TrimSpace(prev) == "" || singleToken(prev)) {
		return c, true // "user@x\r\nRETR 1": a mailbox command after a field
	}
	// IMAP: a tag, a space, a command
	t := 0
	for t < len(line) && t < 12 && (isWord(line[t]) || line[t] == '.') {
		t++
	}
	if t == 0 || t >= len(line) || line[t] != ' ' {
		return 0, false
	}
	cmd := line[t+1:]
	e := 0
	for e < len(cmd) && 'A' <= cmd[e] && cmd[e] <= 'Z' {
		e++
	}
	if e < len(cmd) && cmd[e] != ' ' || !imapCommands[cmd[:e]] {
		return 0, false
	}
	if singleToken(prev) || imapLine(prev) {
		return 0.99, true // a command after a field, or after another command
	}
	return 0.9, true
}

// pop3Command weighs line, in upper case as clients write it, as a POP3
// command with its arguments' grammar (RFC 1939, 5034): "RETR 1",
// "DELE 1", "TOP 1 10", "LIST 2", "APOP name <md5 hex>", "AUTH PLAIN"
// are sure; "USER name" and "PASS secret" are two words a note may hold.
func pop3Command(line string) float64 {
	line = strings.TrimRight(line, " ")
	verb, rest, _ := strings.Cut(line, " ")
	args := strings.Fields(rest)
	switch verb {
	case "RETR", "DELE", "LIST", "UIDL":
		if len(args) == 1 && allDigits(args[0]) {
			return 0.99
		}
	case "TOP":
		if len(args) == 2 && allDigits(args[0]) && allDigits(args[1]) {
			return 0.99
		}
	case "APOP":
		if len(args) == 2 && len(args[1]) == 32 && allHex(args[1]) {
			return 0.99
		}
	case "AUTH":
		if len(args) >= 1 && len(args) <= 2 && allUpperWord(args[0]) {
			return 0.99
		}
	case "USER", "PASS":
		if len(args) == 1 {
			return 0.75
		}
	}
	return 0
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return s != ""
}

// allUpperWord reports an SASL mechanism's name: upper-case letters,
// digits and '-' ("PLAIN", "CRAM-MD5").
func allUpperWord(s string) bool {
	for i := 0; i < len(s); i++ {
		if !('A' <= s[i] && s[i] <= 'Z' || isDigit(s[i]) || s[i] == '-' || s[i] == '_') {
			return false
		}
	}
	return s != ""
}

// imapLine reports whether line is an IMAP command: a tag and a command,
// "V100 CAPABILITY".
func imapLine(line string) bool {
	line = strings.TrimSpace(line)
	sp := strings.IndexByte(line, ' ')
	if sp <= 0 || sp > 12 {
		return false
	}
	cmd := line[sp+1:]
	if e := strings.IndexByte(cmd, ' '); e >= 0 {
		cmd = cmd[:e]
	}
	return imapCommands[cmd]
}

var imapCommands = set("CAPABILITY", "LOGIN", "LOGOUT", "SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE",
	"UNSUBSCRIBE", "LIST", "LSUB", "STATUS", "APPEND", "CHECK", "CLOSE", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY",
	"UID", "NOOP", "AUTHENTICATE", "IDLE", "GETQUOTAROOT", "NAMESPACE")
