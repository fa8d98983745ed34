package signature

import (
	"bytes"
	"strings"
	"sync"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanCommand finds OS command injection by the grammar of a shell
// command line, not by command names: a name is only a command where a
// shell would run it, that is at the start of the value, after a
// separator (; | || & && newline) or inside a substitution ($(...),
// `...`), and a command line has argument shapes prose lacks (-flags,
// paths, redirections, addresses, $VARS, %VARS%). "how to use the cat
// command" and "cat /etc/hosts explained" mention a command; "; cat
// /etc/passwd" and "a);id;" run one.
//
// What decides:
//   - where the separator sits: at the start of the value, or after one
//     token the application supplied ("127.0.0.1; id", "a'); id"), it is
//     an injection; deep inside a sentence it is punctuation;
//   - what follows: commands whose names no prose uses (netsh, wget,
//     whoami: the CRS unix-shell and PowerShell lists and cmd.exe's),
//     commands that prove execution alone (id, uname, ifconfig), English
//     words that are also commands (cat, sleep, find) only with arguments
//     shaped like a command line's;
//   - hostile arguments make any command line an attack: secret files,
//     /dev/tcp, a shell's -e/-c, %SYSTEMROOT%, a download piped to a
//     shell;
//   - obfuscation that only a shell undoes ("c'a't", "w\h\o\a\m\i",
//     "w^h^o^a^m^i", "$IFS", "${PATH:0:1}", "{cat,/etc/passwd}", globs
//     such as "/???/??t") is an attack wherever a command follows;
//   - a path to a secret file that only a shell resolves, its letters
//     hidden by wildcards or broken up by expansions that vanish
//     ("/e?c/?asswd", "/etc$u/passwd$u"), is an attack on its own
//     (cmdi_glob.go).
//
// Shellshock function definitions are looked for in every header.

const (
	cmdChain = iota
	cmdSubst
	cmdIFS
	cmdShellshock
	cmdLine
	cmdExec
	cmdPowerShell
	cmdObfuscated
	cmdObfPath
	cmdBatch
)

// cmdClass says how much a command name alone tells.
type cmdClass uint8

const (
	cmdUnknown cmdClass = iota
	cmdWord             // an English word too ("cat", "sleep", "find"): needs a command line's arguments
	cmdName             // a name no prose uses ("netsh", "wget", "nslookup")
	cmdProbe            // runs alone to prove execution ("id", "whoami", "uname", "ifconfig")
)

// englishCommands are command names that are English words, or read as
// one in a sentence.
var englishCommands = set(
	"gc", "gci", "gi", "gps", "sls", "ii", "ni", "cpi", // PowerShell's aliases that are abbreviations too
	"ab", "alpine", "apt", "ar", "arch", "as", "ash", "at", "batch", "bridge", "cancel", "cargo", "chef", "column",
	"comm", "command", "compress", "cut", "date", "dialog", "diff", "dig", "ed", "es", "ex", "expand", "expect",
	"fetch", "file", "find", "fish", "flock", "fold", "genie", "get", "head", "post", "highlight", "install", "ip",
	"join", "jobs", "kill", "last", "less", "links", "local", "look", "mail", "make", "man", "more", "mount", "nice",
	"octave", "paste", "patch", "pic", "pip", "pr", "puppet", "rake", "red", "rename", "replace", "rev", "screen",
	"script", "sort", "source", "split", "snap", "strings", "task", "tee", "time", "top", "touch", "trap", "view", "w",
	"wall", "watch", "wish", "yes", "zip", "cat", "ping", "type", "start", "call", "set", "copy", "move", "del", "echo",
	"print", "sleep", "who", "which", "host", "shutdown", "reboot", "service", "go", "git", "yarn", "gem", "node",
	"java", "ruby", "python", "perl", "lua", "net", "route", "finger", "test", "true", "false", "exit", "read", "wait",
	"shift", "return", "alias", "history", "repeat", "function", "done", "fi", "export", "builtin", "eval", "exec",
	"hash", "help", "open", "pass", "run", "select", "share", "show", "tree", "unzip", "up", "use", "vi", "what",
	"whois", "erase", "ren", "timeout", "assoc", "label", "path", "pause", "prompt", "title", "color", "cls", "format",
	"mode", "sc", "shred", "cp", "mv", "rm", "su", "od", "dd", "du", "df", "ln", "ls-f", "pg", "lp", "nl", "wc", "tac",
	"ul", "sg", "rc", "ld", "nm", "cc", "fc", "w3m", "yelp", "efax", "grc", "ptx", "tbl", "tic", "eqn", "pax", "pdb",
	"pry", "ss", "eb", "bzz", "ghc", "php", "choice", "tex", "latex", "emacs", "nano", "pico", "vim", "mutt", "lynx",
	"crash", "volatility", "restic", "facter", "knife", "byebug", "redcarpet", "dosbox", "neofetch", "cowsay",
	"cowthink", "tmux", "htop", "gimp", "xpad", "zathura", "whiptail", "mosquitto", "certbot")

// cmdProbes prove execution when they run alone: their output is the
// point.
var cmdProbes = set("id", "whoami", "uname", "ifconfig", "ipconfig", "netstat", "systeminfo", "tasklist", "hostname",
	"pwd", "ls", "dir", "ver", "env", "printenv", "ps", "lsb_release", "getuid", "arp", "getenforce", "nproc", "lscpu",
	"lsmod", "lshw", "lsusb", "lspci", "dmesg", "mount", "w", "who", "last", "uptime", "groups", "set", "whoami.exe",
	"net", "query", "qwinsta", "quser", "klist", "cmdkey", "wmic", "netsh", "route")

// extraCommands are cmd.exe built-ins, Windows tools and a few Unix
// commands the CRS lists leave out.
var extraCommands = []string{"cmd", "command.com", "powershell", "pwsh", "net", "net1", "netsh", "reg", "regedit",
	"sc", "wmic", "certutil", "bitsadmin", "mshta", "rundll32", "regsvr32", "cscript", "wscript", "schtasks", "at",
	"vssadmin", "bcdedit", "icacls", "cacls", "takeown", "attrib", "type", "dir", "copy", "xcopy", "robocopy", "del",
	"erase", "ren", "move", "findstr", "ver", "systeminfo", "tasklist", "taskkill", "ipconfig", "nslookup", "tracert",
	"pathping", "nbtstat", "netstat", "arp", "route", "whoami", "hostname", "timeout", "start", "call", "echo", "set",
	"query", "qwinsta", "quser", "klist", "cmdkey", "runas", "msiexec", "installutil", "regasm", "regsvcs", "msbuild",
	"forfiles", "pcalua", "wevtutil", "fsutil", "diskpart", "shutdown", "logoff", "sdelete", "psexec", "mimikatz",
	"procdump", "ntdsutil", "dsquery", "nltest", "gpresult", "auditpol", "sethc", "utilman", "curl", "tar", "iex",
	"iwr", "irm", "invoke-expression", "invoke-webrequest", "invoke-restmethod", "sleep", "ping", "expand", "extrac32",
	"replace", "print", "more", "tree", "assoc", "ftype", "powercat", "which", "whereis", "where", "sysinfo", "uptime",
	"groups", "lsb_release", "getenforce", "nproc", "killall", "pkill", "useradd", "usermod", "chpasswd", "crontab",
	"base64", "xxd", "mkfifo", "nohup", "setsid", "wc", "printenv", "ifconfig", "ip"}

// psAliases are the built-in aliases of Windows PowerShell (Get-Alias)
// that no English word, abbreviation or common tool shares: "; saps
// cmd.exe" is Start-Process, "| gwmi win32_process" Get-WmiObject. The
// CRS lists name the cmdlets, not their aliases. Aliases that are words
// or common abbreviations are words (englishCommands): "; gc
// C:\Windows\win.ini" is Get-Content of a system file, "gc" alone the
// garbage collector.
var psAliases = []string{"gc", "gci", "gi", "gps", "sls", "ii", "ni", "cpi", "asnp", "ebp", "epal", "epcsv", "epsn", "etsn", "exsn", "icm", "ihy", "ipal", "ipcsv", "ipmo",
	"ipsn", "iwmi", "ogv", "trcm", "wjb", "cvpa", "clhy", "clv", "cnsn", "dbp", "dnsn", "gbp", "gdr", "ghy", "gwmi", "gjb",
	"gcm", "gmo", "gsnp", "gsv", "gpv", "nmo", "nsn", "npssc", "rbp", "rwmi", "rjb", "rnp", "rni", "rdr", "rmo", "rsnp",
	"rvpa", "rcjb", "rcsn", "rujb", "sajb", "saps", "sasv", "sbp", "swmi", "spjb", "spps", "spsv", "shcm", "sujb"}

// commandClasses maps every command name (lower case, no directory, no
// ".exe") to its class: the CRS unix-shell, unix-shell-builtins and
// windows-powershell-commands lists and extraCommands.
var commandClasses = func() map[string]cmdClass {
	m := map[string]cmdClass{}
	add := func(name string) {
		name = strings.ToLower(name)
		if name == "" || strings.ContainsAny(name, "/${}") || !isAlnum(name[len(name)-1]) {
			return // "aa-", "docker-", "sudo_": prefixes of many names, not commands
		}
		switch {
		case cmdProbes[name]:
			m[name] = cmdProbe
		case englishCommands[name] || len(name) < 2:
			m[name] = cmdWord
		default:
			m[name] = cmdName
		}
	}
	for _, e := range crsList("unix-shell") {
		if rest, ok := strings.CutPrefix(e, "bin/"); ok {
			add(rest)
		} else if rest, ok := strings.CutPrefix(e, "sbin/"); ok {
			add(rest)
		}
	}
	for _, e := range crsList("unix-shell-builtins") {
		add(e)
	}
	for _, e := range crsList("windows-powershell-commands") {
		add(e)
	}
	for _, e := range extraCommands {
		add(e)
	}
	for _, e := range psAliases {
		add(e)
	}
	for name := range cmdProbes {
		add(name)
	}
	// Shell keywords and JavaScript's "function" are no commands to run.
	for _, kw := range []string{"function", "done", "fi", "endif", "esac", "foreach", "endsw", "breaksw", "return",
		"true", "false", "local", "exit", "select", "help", "test", "alias", "repeat", "hup", "fg", "onintr"} {
		delete(m, kw)
	}
	return m
}()

// interpreters run code given on their command line.
// commandTokens holds the names readArgs reads as a command in an
// argument: a command of class cmdName or above, an interpreter or a
// fetcher. It reads every word of a value, and one lookup here costs a
// third of the three.
var commandTokens = func() map[string]bool {
	m := make(map[string]bool)
	for w, class := range commandClasses {
		if class >= cmdName {
			m[w] = true
		}
	}
	for w := range interpreters {
		m[w] = true
	}
	for w := range fetchers {
		m[w] = true
	}
	return m
}()

// commandTokenWords filters the lookups in commandTokens: most words of
// prose miss it.
var commandTokenWords = func() *wordFilter {
	f := new(wordFilter)
	for w := range commandTokens {
		f.add(w)
	}
	return f
}()

var interpreters = set("perl", "perl5", "python", "python2", "python3", "ruby", "php", "php5", "php7", "node", "lua",
	"bash", "sh", "zsh", "ksh", "csh", "tcsh", "dash", "ash", "powershell", "pwsh", "cmd", "busybox", "jrunscript",
	"osascript", "tclsh", "wish", "awk", "gawk", "nawk", "mawk")

// fetchers download what an attacker serves.
var fetchers = set("wget", "curl", "fetch", "lwp-download", "lwp-request", "certutil", "bitsadmin", "tftp", "ftp",
	"mshta", "invoke-webrequest", "iwr", "irm", "invoke-restmethod", "aria2c", "axel", "get", "lynx", "w3m", "scp",
	"sftp", "rsync", "nc", "ncat", "netcat", "socat", "telnet", "regsvr32", "rundll32", "msiexec")

// adminVerbs are the first arguments of Windows administration commands
// that change the system: "net user x /add", "reg add", "netsh firewall".
var adminVerbs = set("user", "localgroup", "group", "share", "use", "add", "delete", "query", "save", "export",
	"import", "firewall", "advfirewall", "interface", "wlan", "create", "config", "stop", "process", "useraccount",
	"shadowcopy", "os", "-urlcache", "-decode", "-encode", "/transfer", "/create", "/run", "/change", "+x", "777", "-rf")

const shellChars = cSemi | cPipe | cAmp | cNL | cBacktick | cDollar | cLT | cParen | cBrace

// cmdOps are the classes of the bytes that open a command position or
// hide one: separators, substitutions, brace expansion, escapes.
const cmdOps = cSemi | cPipe | cAmp | cNL | cBacktick | cDollar | cBrace | cCtl | cPercent

// argShapes are the classes of the bytes that make a command line's
// arguments (flags, paths, variables, redirections, quotes, drives).
const argShapes = cSlash | cBackslash | cDash | cDollar | cPercent | cGT | cLT | cColon | cQuote | cDQuote | cTilde |
	cAt | cStar | cDot

// startsWithCommand reports whether v may be a command line: its first
// word (after blanks, quotes and brackets) is a command name or a path,
// the only command position of a value without operators, and what
// follows could be a command line's arguments ("red running shoes" starts
// with the editor red, and is a search).
func startsWithCommand(v string, m cls) bool {
	i := 0
	for i < len(v) && (v[i] == ' ' || v[i] == '\t' || v[i] == '\'' || v[i] == '"' || v[i] == '(' || v[i] == '+') {
		i++
	}
	if i < len(v) && (v[i] == '/' || v[i] == '\\' || v[i] == '.' || i+1 < len(v) && v[i+1] == ':') {
		return true
	}
	var buf [24]byte
	n := 0
	for ; i < len(v) && n < len(buf); i++ {
		c := v[i]
		switch {
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		case isAlnum(c) || c == '-' || c == '_' || c == '.':
		case c == '\'' || c == '"' || c == '^' || c == '\\' || c == '?' || c == '*':
			return true // quoted, escaped or globbed: let the full reading decide
		default:
			return lineCandidate(buf[:n], m)
		}
		buf[n] = c
		n++
	}
	return n < len(buf) && lineCandidate(buf[:n], m)
}

// lineCandidate reports whether a value starting with the word name may
// be a command line: a command whose arguments need no shape ("which
// python", "sleep 10", "netsh firewall ..."), or any command with
// argument-shaped bytes in the value.
func lineCandidate(name []byte, m cls) bool {
	name = bytes.TrimSuffix(name, []byte(".exe"))
	switch commandClasses[string(name)] {
	case cmdUnknown:
		return false
	case cmdWord:
		switch string(name) {
		case "which", "whereis", "where", "sleep", "timeout", "ping", "host", "dig", "nslookup", "net":
			return true
		}
		return m&argShapes != 0
	}
	return true
}

// Operators before a command.
const (
	opNone     = iota // the start of the value
	opStrong          // ; | || &&
	opWeak            // a lone '&', which text uses ("Tom & Jerry")
	opNewline         // a line break
	opSubst           // $(
	opBacktick        // `
)

// longBuffers hold the folded form of values longer than the stack
// buffers of the command and traversal families (up to the 8 KiB scan
// window), so that long benign values cost no allocation.
var longBuffers = sync.Pool{New: func() any {
	b := make([]byte, 0, 8<<10)
	return &b
}}

// scratch returns an empty buffer for n bytes: stack (a caller's array,
// sliced to length 0) when n fits it, else a longBuffers buffer, with the
// pool entry that putScratch must put back (nil for stack). Callers
// write "buf, p := scratch(stack[:0], n); defer putScratch(p)".
func scratch(stack []byte, n int) ([]byte, *[]byte) {
	if n <= cap(stack) {
		return stack[:0], nil
	}
	p := longBuffers.Get().(*[]byte)
	return (*p)[:0], p
}

// putScratch puts back a buffer scratch took from longBuffers.
func putScratch(p *[]byte) {
	if p != nil {
		longBuffers.Put(p)
	}
}

// shellSpecialBytes are the bytes shellFold does more with than
// lower-case; it copies the runs of other bytes lower-cased.
const shellSpecialBytes = "\x1b\\'\"^${`\v\f"

// shellSpecial marks shellSpecialBytes.
var shellSpecial = byteSet(shellSpecialBytes)

// shellSpecialMarks is shellSpecial for nextMarked: where a run ends.
var shellSpecialMarks = byteMarks(shellSpecialBytes)

// shellSpecialFinder finds shellSpecialBytes, for a cursor.
var shellSpecialFinder = finder(shellSpecialBytes)

// maxObf bounds the obfuscations shellFold remembers.
const maxObf = 16

// shellText is a value folded for the command family.
type shellText struct {
	b   []byte
	obf [maxObf]int32 // where obfuscations were undone, in b
	n   int           // how many (may exceed maxObf)
	ifs int           // index of a $IFS in b, or -1
	exp int           // index of a ${VAR:n:m} in b, or -1
}

// wordThenBlanks reports whether s ends in a word and then blanks.
func wordThenBlanks(s string) bool {
	s = strings.TrimRight(s, " \t")
	return s != "" && isWord(s[len(s)-1])
}

// spacedWord reports whether v[i:j] stands as a word of a sentence: the
// value's start, a blank or a bracket before it, and after it the value's
// end, a blank, or a sentence's punctuation that the value's end or a
// blank follows ("when $IFS is empty", "characters in $IFS."). $IFS
// stands in for a blank where a blank would be refused ("cat$IFS/etc",
// ";ls${IFS}-la"): used, it is glued to a word on one side at least.
func spacedWord(v string, i, j int) bool {
	if i > 0 && v[i-1] != ' ' && v[i-1] != '\t' && v[i-1] != '(' {
		return false
	}
	if j < len(v) && strings.IndexByte(".,:;!?)", v[j]) >= 0 {
		j++
	}
	return j >= len(v) || v[j] == ' ' || v[j] == '\t'
}

func (t *shellText) mark(at int) {
	if t.n < maxObf {
		t.obf[t.n] = int32(at)
	}
	t.n++
}

// obfIn reports whether an obfuscation was undone in b[i:j].
func (t *shellText) obfIn(i, j int) bool {
	for k := 0; k < t.n && k < maxObf; k++ {
		if o := int(t.obf[k]); i <= o && o <= j {
			return true
		}
	}
	return false
}

// quotedOperator reports whether c is a shell operator's byte: inside
// quotes a literal, no separator.
func quotedOperator(c byte) bool {
	switch c {
	case ';', '|', '&', '`', '$', '<', '>', '\n', '\r':
		return true
	}
	return false
}

// ansiCQuote decodes bash's ANSI-C quoting at v[i:], the '$' of "$'":
// "$'\x63\x61\x74'" is "cat" to the shell. It appends the text, lower-cased,
// to b, and returns it with the index of the closing quote, when the
// string closes within 64 bytes, holds a hexadecimal or octal escape and
// decodes to printable ASCII (tabs included) without an operator's byte;
// else b as it was and false. A quoted ';' is a literal, no separator, and
// the fold adds no operator the value lacks: the family's gates read the
// value's classes.
func ansiCQuote(b []byte, v string, i int) ([]byte, int, bool) {
	n0, coded := len(b), false
	for k := i + 2; k < len(v) && k < i+2+64; k++ {
		c := v[k]
		switch c {
		case '\'':
			if !coded {
				return b[:n0], 0, false
			}
			return b, k, true
		case '\\':
			if k+1 >= len(v) {
				return b[:n0], 0, false
			}
			k++
			switch e := v[k]; {
			case e == 'x':
				x, d := 0, 0
				for d < 2 && k+1 < len(v) && isHex(v[k+1]) {
					x = x<<4 | int(unhex1(v[k+1]))
					k++
					d++
				}
				if d == 0 {
					return b[:n0], 0, false
				}
				c, coded = byte(x), true
			case '0' <= e && e <= '7':
				x := int(e - '0')
				for d := 1; d < 3 && k+1 < len(v) && '0' <= v[k+1] && v[k+1] <= '7'; d++ {
					x = x<<3 | int(v[k+1]-'0')
					k++
				}
				c, coded = byte(x), true
			case e == 't':
				c = '\t'
			case e == 'n':
				c = '\n'
			case e == '\\' || e == '\'' || e == '"':
				c = e
			default:
				return b[:n0], 0, false
			}
		}
		if (c < 0x20 || c > 0x7e) && c != '\t' || quotedOperator(c) {
			return b[:n0], 0, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		b = append(b, c)
	}
	return b[:n0], 0, false
}

// shellFold lower-cases v and undoes what a shell would undo before it
// runs a word: quotes inside a word ("c'a't", an empty pair of quotes in
// "/etc/passwd"), carets
// between letters (cmd.exe's "w^h^o^a^m^i"), empty expansions inside a
// word ("c$@at", "$9"), $IFS and ${IFS} (a space), ${VAR:n:m} substrings
// (read as '/', the usual ${PATH:0:1}) and brace expansion
// ("{cat,/etc/passwd}" runs "cat /etc/passwd"), and empty substitutions
// inside a word ("pi$()ng", or a pair of backquotes). Backslashes inside words
// are left to commandWord: outside command names they are Windows paths.
func shellFold(t *shellText, b []byte, v string) []byte { return shellFoldFrom(t, b, v, nil, 0) }

// shellFoldFrom is shellFold given lo, v lower-cased (or nil), and m, the
// classes of v (read only when lo is given). With lo the runs between
// special bytes are copied from it, lower-cased once for the families
// that share it (input.lowerValue), and the special bytes are searched
// for by a class cursor (newClassCursor): of the nine, a value of prose
// holds the quotes and little else, and the classes of v say which to
// skip. ('^' has no class and is always searched for.)
func shellFoldFrom(t *shellText, b []byte, v string, lo []byte, m cls) []byte {
	t.ifs, t.exp = -1, -1
	var specials foldCursor
	if lo != nil {
		specials.set(v, m)
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !shellSpecial[c] {
			// a run of bytes the cases below lower-case or leave as they
			// are: copied in one go
			if lo != nil {
				j := specials.next(i + 1)
				b = append(b, lo[i:j]...)
				i = j - 1
				continue
			}
			j := nextMarked(&shellSpecialMarks, v, i+1)
			b = lower(b, v[i:j])
			i = j - 1
			continue
		}
		switch {
		case c == '\v' || c == '\f':
			// cmd.exe parts a command's arguments at them as at a space
			// ("|ping\f-w\f8000\f-n\f1\f1.2.3.4|rem\f")
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
					t.mark(len(b)) // "c$@at", "$IFS$9", "c$!at" ($! is empty until a job runs in the background)
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

// foldCursor finds the next of shellSpecialBytes in a value for
// shellFoldFrom, whose queries only go forward: the bytes whose classes
// the value has, and '^', each searched for once for each occurrence (a
// byteCursor without the bookkeeping of queries that go back).
type foldCursor struct {
	s  string
	n  int
	c  [len(shellSpecialBytes)]byte
	at [len(shellSpecialBytes)]int // the next c[k] at or after the last query, or -1 before the first
}

func (f *foldCursor) set(v string, m cls) {
	f.s = v
	for k := 0; k < len(shellSpecialBytes); k++ {
		if b := shellSpecialBytes[k]; classes[b] == 0 || m&classes[b] != 0 {
			f.c[f.n], f.at[f.n] = b, -1
			f.n++
		}
	}
}

// next returns the index of the first byte searched for at or after i
// (not below the last query's), or len(s).
func (f *foldCursor) next(i int) int {
	best := len(f.s)
	for k := 0; k < f.n; k++ {
		a := f.at[k]
		if a < i {
			a = len(f.s)
			if j := strings.IndexByte(f.s[min(i, len(f.s)):], f.c[k]); j >= 0 {
				a = i + j
			}
			f.at[k] = a
		}
		best = min(best, a)
	}
	return best
}

// ansiEscape returns the length of a terminal control sequence at the
// start of s, raw (ESC "[") or written as an escape (`\033[`, `\x1b[`,
// `\e[`, `\u001b[`), or 0.
func ansiEscape(s string) int {
	n := 0
	for _, p := range []string{`\x1b[`, `\033[`, `\u001b[`, `\e[`} {
		if len(s) >= len(p) && strings.EqualFold(s[:len(p)], p) {
			n = len(p)
			break
		}
	}
	if n == 0 && len(s) > 1 && s[0] == 0x1b && s[1] == '[' {
		n = 2
	}
	if n == 0 {
		return 0
	}
	for n < len(s) && n < 16 && ('0' <= s[n] && s[n] <= '9' || s[n] == ';') {
		n++
	}
	if n < len(s) && isLetter(s[n]) {
		return n + 1
	}
	return 0
}

// pairedAhead reports whether the quote at v[j-1] closes a quoted string
// that the next quote of the same kind within a word opens again: in
// "it's 'quoted'" nothing is joined.
func pairedAhead(v string, j int, q byte) bool {
	k := strings.IndexByte(v[j:], q)
	return k < 0 || strings.IndexByte(v[j:j+k], ' ') >= 0
}

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// isEnvName reports whether s is a shell variable name.
func isEnvName(s string) bool {
	if s == "" || len(s) > 24 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c == '_' || isLetter(c) || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// wordStart reports whether b, the folded text so far, ends where a word
// of a command starts: at the value's start, after a separator or a blank,
// or after a '/' of a path.
func wordStart(b []byte) bool {
	if len(b) == 0 {
		return true
	}
	switch b[len(b)-1] {
	case ';', '|', '&', '(', '`', '\n', ' ', '\t', '/':
		return true
	}
	return false
}

// caretChain reports whether s starts a chain of cmd.exe's escapes: a '^'
// before a letter, and another within the next two letters ("^d^i^r",
// "/^u^s^r", "^ca^t"; commix's caret puts one before most letters of a
// command, the first too). One caret before a word ("^abc", a regular
// expression's anchor) is not a chain.
func caretChain(s string) bool {
	for k := 2; k <= 3 && k+1 < len(s); k++ {
		if !isLetter(s[k-1]) {
			return false
		}
		if s[k] == '^' {
			return isLetter(s[k+1])
		}
	}
	return false
}

// setVariables are variables every shell has set: "${HOME}" expands to a
// path, not to nothing.
var setVariables = map[string]bool{"path": true, "home": true, "pwd": true, "oldpwd": true, "user": true, "shell": true,
	"term": true, "lang": true, "hostname": true, "logname": true, "mail": true, "tmpdir": true, "ifs": true, "ps1": true}

// patternRemoval reports whether s is the inside of ${NAME%pat},
// ${NAME%%pat}, ${NAME#pat} or ${NAME##pat} on a variable holding a path
// (PATH, HOME, PWD, SHELL), which payloads use to spell a '/'.
func patternRemoval(s string) bool {
	k := strings.IndexAny(s, "%#")
	if k <= 0 || k+1 >= len(s) || !isEnvName(s[:k]) {
		return false
	}
	switch strings.ToLower(s[:k]) {
	case "path", "home", "pwd", "oldpwd", "shell":
		return true
	}
	return false
}

// substringSpec reports whether s is the "n:m" of ${VAR:n:m}.
func substringSpec(s string) bool {
	a, b, ok := strings.Cut(s, ":")
	if !ok || a == "" || b == "" {
		return false
	}
	for _, p := range []string{a, b} {
		for i := 0; i < len(p); i++ {
			if !('0' <= p[i] && p[i] <= '9' || i == 0 && p[i] == '-' || p[i] == ' ') {
				return false
			}
		}
	}
	return true
}

// command is a command word read at a command position.
type command struct {
	name       []byte // lower case, without directory and ".exe"
	start, end int    // the word in the folded value
	class      cmdClass
	glob       bool // the name had wildcards
	byPath     bool // called by an absolute path ("/usr/bin/id", "c:\windows\system32\cmd.exe")
	quoted     bool // an opening quote came before it: "$('ul')" is jQuery
	obf        bool // the word needed a backslash or a glob resolved
}

// binDirs are the directories commands are called from by path.
var binDirs = set("bin", "sbin", "usr", "local", "system32", "syswow64", "windows", "winnt", "opt", "busybox")

// prefixCommands run the command line that follows them: "time sh -c
// id", "nohup nc -e /bin/sh", "sudo cat /etc/shadow".
var prefixCommands = set("time", "nohup", "sudo", "doas", "nice", "builtin", "command", "exec", "stdbuf")

// commandWord reads the command word at b[i:], after spaces, an opening
// quote, '(' or '{'. name is the buffer for the name. Behind a prefix
// command ("time", "nohup", "sudo") it reads the command the prefix runs,
// when another follows.
func commandWord(b []byte, i int, name []byte) (command, bool) {
	j := i
	for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
		j++
	}
	if j >= len(b) || b[j] != '$' {
		return commandWordPrefixed(b, i, name)
	}
	if k := varWords(b, i); k > i {
		// "$u wget x": a variable the shell expands to no word, before
		// the command it hides
		if inner, ok := commandWordPrefixed(b, k, name); ok && (inner.class != cmdWord || inner.byPath) {
			inner.obf = true
			return inner, true
		}
	}
	return commandWordPrefixed(b, i, name)
}

// varWords returns where the words after b[i:] begin when b[i:] opens,
// after blanks, with up to four words that are each a variable alone
// ("$u ", "${x} "), followed by more; otherwise i.
func varWords(b []byte, i int) int {
	k := i
	for n := 0; n < 4; n++ {
		j := k
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j+1 >= len(b) || b[j] != '$' {
			break
		}
		j++
		braced := b[j] == '{'
		if braced {
			j++
		}
		if j >= len(b) || !isLetter(b[j]) && b[j] != '_' {
			break
		}
		for j < len(b) && isWord(b[j]) {
			j++
		}
		if braced {
			if j >= len(b) || b[j] != '}' {
				break
			}
			j++
		}
		if j >= len(b) || b[j] != ' ' && b[j] != '\t' {
			break
		}
		for j < len(b) && (b[j] == ' ' || b[j] == '\t') {
			j++
		}
		if j >= len(b) {
			break
		}
		k = j
	}
	return k
}

// commandWordPrefixed is commandWord after any variable words.
func commandWordPrefixed(b []byte, i int, name []byte) (command, bool) {
	c, ok := commandWordAt(b, i, name)
	if !ok || !prefixCommands[string(c.name)] || c.end >= len(b) || b[c.end] != ' ' && b[c.end] != '\t' {
		return c, ok
	}
	k := c.end
	for k < len(b) && (b[k] == ' ' || b[k] == '\t') {
		k++
	}
	if k >= len(b) || b[k] == '-' {
		return c, ok // "nice -n 5 x", "time -p": the prefix's own options
	}
	// the prefix's name is copied out, as the next read reuses name
	var pre [8]byte
	p := append(pre[:0], c.name...)
	inner, iok := commandWordAt(b, k, name)
	if !iok || inner.class == cmdWord && !inner.byPath {
		c.name = append(name[:0], p...)
		return c, ok // "time flies", "time cat": the prefix's word is judged alone
	}
	inner.start = c.start
	inner.obf = inner.obf || c.obf
	return inner, true
}

// commandWordAt reads one command word at b[i:] (commandWord).
func commandWordAt(b []byte, i int, name []byte) (command, bool) {
	quoted := false
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '(' || b[i] == '{' || b[i] == '\'' || b[i] == '"' || b[i] == '+') {
		quoted = quoted || b[i] == '\'' || b[i] == '"'
		i++
	}
	c := command{start: i, quoted: quoted}
	// a word of lower-case letters that a blank or an operator ends, as
	// most after the operators of prose are, is its own name: nothing
	// below changes it
	k := i
	for k < len(b) && k-i <= 40 && 'a' <= b[k] && b[k] <= 'z' {
		k++
	}
	if k > i && k-i <= 40 && (k == len(b) || plainWordEnds[b[k]]) {
		c.end = k
		if commandClassWords.may(b[i:k]) {
			c.class = commandClasses[string(b[i:k])]
		}
		c.name = append(name[:0], b[i:k]...)
		return c, c.class != cmdUnknown
	}
	j := i
	for j < len(b) && j-i < 96 && !commandWordEnds[b[j]] {
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
		case x == '[':
			// a bracket class of one letter or digit, which a shell
			// matches against the folder's files as it does '?', and
			// which nothing but hiding a name needs: "/usr/bin/[u]name".
			// A regular expression's classes ("a|[sS]?", "[a-z]*") are
			// no command.
			end := classEnd(w[k:])
			if end != 3 || !isAlnum(w[k+1]) {
				return c, false
			}
			glob = true
			name = append(name, w[k:k+end]...)
			k += end - 1
			continue
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
	if commandClassWords.may(name) {
		c.class = commandClasses[string(name)]
	}
	if h := bytes.IndexByte(name, '-'); c.class == cmdUnknown && h > 1 && h < len(name)-1 && commandClassWords.may(name[:h]) &&
		commandClasses[string(name[:h])] == cmdName {
		// a tool's subcommand binary: "ansible-playbook", "ansible-vault"
		// are ansible's, as "git-upload-pack" is git's. Only a name that is
		// no English word lends its class ("well-known" lends none)
		c.class = cmdName
	}
	c.name = name
	return c, c.class != cmdUnknown
}

// commandWordEnds marks the bytes that end a command word.
var commandWordEnds = byteSet(" \t;|&`)}<>\n\r,($'\"#+\x00")

// plainWordEnds are commandWordEnds but for the three commandWord reads
// after a word: ',' (a list), '(' (a call) and '$' (a variable).
var plainWordEnds = byteSet(" \t;|&`)}<>\n\r'\"#+\x00")

// commandClassWords filters commandWord's lookups in commandClasses: the
// words after the separators of prose are mostly no command.
var commandClassWords = func() *wordFilter {
	f := new(wordFilter)
	for w := range commandClasses {
		f.add(w)
	}
	return f
}()

// binPath reports whether dir is a directory commands live in, globs
// allowed ("/???/"): "/bin", "/usr/local/bin", "c:\windows\system32",
// "./". The root is none: "/whoami" is a site's page.
func binPath(dir []byte) bool {
	if string(dir) == "." {
		return true // "./x"
	}
	if len(dir) >= 2 && dir[1] == ':' {
		dir = dir[2:] // a drive
	}
	n := 0
	for len(dir) > 0 {
		k := 0
		for k < len(dir) && dir[k] != '/' && dir[k] != '\\' {
			k++
		}
		seg := dir[:k]
		if k < len(dir) {
			dir = dir[k+1:]
		} else {
			dir = nil
		}
		if len(seg) == 0 {
			continue
		}
		n++
		if !binDirs[string(seg)] && bytes.IndexByte(seg, '?') < 0 && bytes.IndexByte(seg, '*') < 0 {
			return false
		}
	}
	return n > 0
}

// globCommand matches a name with shell wildcards ('?', '*', classes)
// against the commands that matter when hidden that way: probes, names
// and interpreters. "c?t", "??t", "/???/n? -e" resolve to real binaries.
func globCommand(pat []byte) (cmdClass, bool) {
	if len(pat) > 16 {
		return cmdUnknown, false
	}
	best := cmdUnknown
	for _, name := range globTargets {
		if globPathMatch(pat, name) { // no name holds a '/'
			if c := commandClasses[name]; c > best {
				best = c
			}
		}
	}
	return max(best, cmdName), best != cmdUnknown
}

var globTargets = []string{"cat", "nc", "ncat", "id", "whoami", "uname", "wget", "curl", "bash", "sh", "python",
	"python3", "perl", "php", "ruby", "ls", "ping", "sleep", "nslookup", "head", "tail", "more", "less", "base64",
	"echo", "busybox", "telnet", "socat", "chmod", "rm", "dd", "env", "netstat", "ifconfig", "hostname"}

// args describes the arguments of a command, up to the next operator.
type args struct {
	end        int  // where they end in the folded value
	empty      bool // nothing but closing quotes, parentheses or a comment
	shaped     bool // a flag, path, address, number, variable, redirection, quote
	strong     bool // a flag, path, URL, address, variable or redirection: what a sentence never has
	lastShaped bool // the last token is shaped
	plain      int  // tokens that are plain words
	hostile    bool // arguments no legitimate use of the command needs from a web request
	admin      bool // an administration verb: "net user", "reg add", "chmod 777", "rm -rf"
	command    bool // the first argument is itself a command name ("which python", "cmd /c whoami")
}

// argToken returns the next argument token of span from k: its start and
// end (equal when span has none left) and the argBytes of its bytes or-ed
// (abOther when it starts with '+'). Tokens are separated by blanks, and
// by '+' where a value's spaces were encoded twice ("+|+dir+c:"). A '+'
// after a blank and before a token's byte starts the token: "chmod +x"
// reads "+x".
func argToken(span []byte, k int) (int, int, uint8) {
	for k < len(span) && argBytes[span[k]]&abSep != 0 {
		if span[k] == '+' && k > 0 && (span[k-1] == ' ' || span[k-1] == '\t') && k+1 < len(span) && argBytes[span[k+1]]&abSep == 0 {
			break
		}
		k++
	}
	s := k
	var f uint8
	if k < len(span) && span[k] == '+' {
		f, k = abOther, k+1
	}
	for k < len(span) {
		x := argBytes[span[k]]
		if x&abSep != 0 {
			break
		}
		f |= x
		k++
	}
	return s, k, f
}

// readArgs reads the arguments of c in b, up to the next operator or the
// end of the substitution that contains it (close is ')' or '`').
func readArgs(b []byte, c *command, close byte, line bool) args {
	a := args{empty: true}
	i := c.end
	end := argsEnd(b, i, close)
	a.end = end
	span := b[i:end]
	kind, special := hostileKindOf(c.name)
	first := true
	tok := 0
	for k := 0; k < len(span); { // the tokens, as argToken reads them
		var s int
		var f uint8 // abOther if the token has a byte that is no letter
		if s, k, f = argToken(span, k); s == k {
			break
		}
		// a token of letters (most of prose's) has nothing to trim and no
		// shape: trimSet and tokenShaped read the others
		t, sh := span[s:k], false
		if f != 0 {
			if t = trimSet(t, &argTrim); len(t) == 0 {
				continue
			}
			sh = tokenShaped(t)
		}
		a.empty = false
		tok++
		sh = sh || commandTokenWords.may(t) && commandTokens[string(t)]
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
		// (of a token of letters alone it reads only the first, after
		// which, whereis and where)
		if (special || len(t) > 2 && (t[0] == '%' || t[0] == '/')) && (f != 0 || tok == 1) && hostileArgOf(c, kind, t, tok == 1, line) {
			a.hostile = true
		}
	}
	if !a.hostile && !a.empty {
		// the arguments of a command in prose run on to the next ';':
		// a long span folds into a pooled buffer, not a new one
		var stack [256]byte
		buf, p := scratch(stack[:0], len(span))
		defer putScratch(p)
		if f, _ := pathFoldBytes(buf, span); hostileSpan(f, c) {
			a.hostile = true
		}
	}
	return a
}

// argsEnd returns where the arguments that start at b[i] end: at the
// next operator, or close.
func argsEnd(b []byte, i int, close byte) int {
	end := i
	for {
		// only the bytes of argEndMarks can end the arguments: the ones
		// between are skipped eight at a time
		if end = nextMarked(&argEndMarks, b, end); end >= len(b) {
			return end
		}
		x := b[end]
		if x == ';' || x == '|' || x == '\n' || x == '\r' || x == '`' || x == close && close != 0 ||
			x == '&' && !(end > 0 && b[end-1] == '>') && !(end+1 < len(b) && b[end+1] == '>') ||
			x == '$' && end+1 < len(b) && b[end+1] == '(' {
			return end
		}
		end++
	}
}

// argsMayBeHostile reports whether readArgs may find the arguments of c,
// span, hostile: false only when it surely does not. It reads what
// readArgs reads for that and no more. A command that is no
// hostileArgsOf one has hostile tokens only where they start with '%' or
// '/', and a span of prose has neither; what is left is hostileSpan,
// asked of the folded span (of the span itself when the fold would copy
// it as it is). readArgs asks hostileSpan only when a token is left: on
// a span of nothing else it is false, and a true answer here only sends
// the caller to readArgs.
func argsMayBeHostile(span []byte, c *command) bool {
	if hostileArgsOf(c.name) {
		return true
	}
	if bytes.IndexByte(span, '/') >= 0 || bytes.IndexByte(span, '%') >= 0 {
		return true
	}
	if nextMarked(&foldStops, span, 0) == len(span) {
		return hostileSpan(span, c) // pathFoldBytes would copy it unchanged
	}
	var stack [256]byte
	buf, p := scratch(stack[:0], len(span))
	defer putScratch(p)
	f, _ := pathFoldBytes(buf, span)
	return hostileSpan(f, c)
}

// argsShaped returns readArgs' shaped for the arguments span: whether a
// token of them is shaped like a command line's. It reads them as
// readArgs does, up to the first such token.
func argsShaped(span []byte) bool {
	for k := 0; k < len(span); {
		var s int
		var f uint8
		if s, k, f = argToken(span, k); s == k {
			break
		}
		t := span[s:k]
		if f != 0 {
			if t = trimSet(t, &argTrim); len(t) == 0 {
				continue
			}
			if tokenShaped(t) {
				return true
			}
		}
		if commandTokenWords.may(t) && commandTokens[string(t)] {
			return true
		}
	}
	return false
}

// foldStops marks the bytes pathFoldBytes does more with than copy: the
// ones it folds (pathSpecial) and the upper-case letters.
var foldStops = func() (t [256]uint8) {
	t = pathSpecial
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = 1
	}
	return t
}()

// argEndMarks marks the bytes that may end a command's arguments in
// readArgs (';', '|', line breaks, '`', ')' closing a substitution, '&'
// and the '$' of "$("), for nextMarked.
var argEndMarks = byteMarks(";|\n\r`&$)")

// Classes of argBytes.
const (
	abSep   = 1 << iota // a blank or '+': separates readArgs' tokens
	abOther             // no letter: the token may need trimming, or have a shape
)

// argBytes classes the bytes of a command's arguments for readArgs.
var argBytes = func() (t [256]uint8) {
	for c := range t {
		switch y := byte(c); {
		case y == ' ' || y == '\t' || y == '+':
			t[c] = abSep
		case !isLetter(y):
			t[c] = abOther
		}
	}
	return t
}()

// argTrim marks the bytes readArgs trims from the ends of a token.
var argTrim = byteSet("'\")#")

// trimSet returns b without the bytes set marks at its ends (as
// bytes.Trim, without building the set for each call).
func trimSet(b []byte, set *[256]bool) []byte {
	for len(b) > 0 && set[b[0]] {
		b = b[1:]
	}
	for len(b) > 0 && set[b[len(b)-1]] {
		b = b[:len(b)-1]
	}
	return b
}

// winFileCommand reports cmd.exe commands that take a bare drive.
func winFileCommand(name []byte) bool {
	switch string(name) {
	case "dir", "type", "cd", "chdir", "copy", "xcopy", "del", "attrib", "icacls", "tree", "more", "format", "robocopy":
		return true
	}
	return false
}

// netVerbs are the subcommands of Windows' net.
var netVerbs = set("user", "users", "localgroup", "group", "share", "use", "view", "session", "start", "stop", "accounts",
	"config", "statistics", "time", "file", "computer", "helpmsg", "print", "continue", "pause")

// adminCommand reports whether a command administers Windows or Unix
// accounts, services and files through a verb argument.
func adminCommand(name []byte) bool {
	switch string(name) {
	case "net", "net1", "reg", "netsh", "sc", "wmic", "certutil", "bitsadmin", "schtasks", "vssadmin", "chmod", "rm":
		return true
	}
	return false
}

// sentenceEnd marks the punctuation tokenShaped trims from a word's end.
var sentenceEnd = byteSet(".,!?:")

// tokenShaped reports whether an argument token is shaped like a command
// line's rather than a sentence's word: anything but letters with
// sentence punctuation after them.
func tokenShaped(t []byte) bool {
	if len(t) == 2 && t[1] == ':' && isLetter(t[0]) {
		return true // a drive
	}
	for len(t) > 0 && sentenceEnd[t[len(t)-1]] {
		t = t[:len(t)-1]
	}
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

// tokenStrong reports whether a shaped token is a flag, a path, a URL,
// an address, a variable or a redirection.
func tokenStrong(t []byte) bool {
	switch {
	case len(t) > 1 && t[0] == '-' && isLetter(t[1]) || len(t) > 2 && t[0] == '-' && t[1] == '-' && isLetter(t[2]):
		return true // -la, --help
	case t[0] == '/' || t[0] == '\\' || t[0] == '~' || t[0] == '$' || t[0] == '%' || t[0] == '>' || t[0] == '<':
		return true
	case len(t) > 2 && t[1] == ':' && (t[2] == '\\' || t[2] == '/'):
		return true // c:\
	case bytes.Contains(t, []byte("://")) || ipLike(t):
		return true
	case bytes.IndexByte(t, '>') > 0:
		return true
	case bytes.IndexByte(t, '/') > 0:
		// a relative path ("foo/bar.txt", "etc/passwd"), not "s/n",
		// "and/or" or "1/2"
		k := bytes.IndexByte(t, '/')
		after := t[k+1:]
		return k >= 2 && (len(after) >= 3 || bytes.IndexByte(after, '/') >= 0) || bytes.Count(t, []byte("/")) >= 2
	}
	return false
}

// hostileArg reports an argument token that turns any command line into
// an attack: a shell's or an interpreter's code flag, a Windows
// environment variable, /dev/tcp, a URL handed to a downloader.
func hostileArg(c *command, t []byte, first, line bool) bool {
	kind, _ := hostileKindOf(c.name)
	return hostileArgOf(c, kind, t, first, line)
}

// argKind is what hostileArg asks of a command's name in the interpreters
// and fetchers sets: readArgs looks it up once for all the arguments.
type argKind struct{ interp, fetcher bool }

// hostileArgOf is hostileArg given kind, the command's argKind.
func hostileArgOf(c *command, kind argKind, t []byte, first, line bool) bool {
	// keep in step with hostileArgsOf
	name := string(c.name)
	switch {
	case len(t) > 2 && t[0] == '%' && bytes.IndexByte(t[1:], '%') > 0:
		return isEnvName(string(t[1 : 1+bytes.IndexByte(t[1:], '%')])) // %SYSTEMROOT%, %SYSTEMROOT%\repair
	case bytes.HasPrefix(t, []byte("/dev/tcp/")) || bytes.HasPrefix(t, []byte("/dev/udp/")):
		return true
	case kind.interp:
		switch string(t) {
		case "-e", "-c", "-r", "-i", "-enc", "-encodedcommand", "-nop", "-noprofile", "-command", "-w", "-windowstyle",
			"-ep", "-executionpolicy", "/c", "/k", "-exec", "-noni", "-noninteractive":
			return true
		}
	case kind.fetcher:
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

// hostileArgsOf reports whether hostileArg reads name's arguments by the
// command's name (the cases after the first two): for other commands,
// only an argument that starts with '%' or '/' can be hostile, and
// readArgs asks hostileArg about those only.
func hostileArgsOf(name []byte) bool {
	_, special := hostileKindOf(name)
	return special
}

// hostileKindOf returns name's argKind and hostileArgsOf(name).
func hostileKindOf(name []byte) (argKind, bool) {
	kind := argKind{interp: interpreters[string(name)], fetcher: fetchers[string(name)]}
	if kind.interp || kind.fetcher {
		return kind, true
	}
	switch string(name) {
	case "ping", "nslookup", "dig", "host", "traceroute", "tracert", "sleep", "timeout", "start-sleep", "which", "whereis",
		"where", "echo", "printf", "print":
		return kind, true
	}
	return kind, false
}

// hostileSpan reports hostile arguments in a command's folded argument
// span: a secret file, a shell's reverse connection, a redirection into
// a script file or a web root, a pipe into a shell.
func hostileSpan(f []byte, c *command) bool {
	if _, _, tier := findTarget(f); tier == tierSystem {
		return true
	}
	if string(c.name) == "find" && findExec(f) {
		return true
	}
	if bytes.IndexByte(f, '/') >= 0 {
		// "cat /etc/pa?swd", "cat /???/??????": a target only the shell
		// resolves, wildcards alone enough after a command
		if _, _, conf := findObfPath(f, nil); conf > 0 {
			return true
		}
	}
	if i := bytes.IndexByte(f, '>'); i >= 0 {
		rest := bytes.TrimLeft(f[i+1:], "> &")
		for _, ext := range []string{".php", ".jsp", ".asp", ".aspx", ".phtml", ".sh", ".py", ".pl", ".cgi"} {
			if k := bytes.Index(rest, []byte(ext)); k > 0 {
				return true
			}
		}
		if bytes.HasPrefix(rest, []byte("/tmp/")) || bytes.HasPrefix(rest, []byte("/var/www")) || bytes.HasPrefix(rest, []byte("/dev/tcp")) {
			return true
		}
	}
	return false
}

// findExec reports whether f, find's arguments, runs a shell, an
// interpreter or a fetcher on what it finds ("find . -exec /bin/sh \;",
// GTFOBins), or reads files found under a system folder ("find /etc -name
// passwd -exec cat {} \;"). A changelog's "find . -exec foo {} +" or
// "find / -maxdepth 0 -exec true \;" runs neither.
func findExec(f []byte) bool {
	root := bytes.TrimLeft(f, " \t")
	if k := bytes.IndexAny(root, " \t"); k >= 0 {
		root = root[:k]
	}
	for k := 0; ; {
		i := bytes.Index(f[k:], []byte(" -"))
		if i < 0 {
			return false
		}
		k += i + 2
		j := k
		for j < len(f) && 'a' <= f[j] && f[j] <= 'z' {
			j++
		}
		switch string(f[k:j]) {
		case "exec", "execdir", "ok", "okdir":
		default:
			continue
		}
		c := j
		for c < len(f) && (f[c] == ' ' || f[c] == '\t') {
			c++
		}
		e := c
		for e < len(f) && f[e] != ' ' && f[e] != '\t' && f[e] != ';' && f[e] != '{' {
			e++
		}
		name := f[c:e]
		if s := bytes.LastIndexByte(name, '/'); s >= 0 {
			name = name[s+1:]
		}
		if interpreters[string(name)] || fetchers[string(name)] {
			return true
		}
		switch string(name) {
		case "cat", "head", "tail", "more", "less", "strings", "xxd", "od", "base64", "cp", "tar":
			if string(root) == "/" || bytes.HasPrefix(root, []byte("/etc")) || bytes.HasPrefix(root, []byte("/root")) ||
				bytes.HasPrefix(root, []byte("/home")) || bytes.HasPrefix(root, []byte("/proc")) || bytes.HasPrefix(root, []byte("/var")) {
				return true
			}
		}
	}
}

// pathFoldBytes is pathFold for bytes already decoded.
func pathFoldBytes(buf, b []byte) ([]byte, int) { return foldChars(buf, b, 0) }

// domainLike reports a host name: labels of letters, digits and hyphens,
// at least one dot, a last label of letters.
func domainLike(t []byte) bool {
	dot := bytes.LastIndexByte(t, '.')
	if dot <= 0 || len(t)-dot-1 < 2 || len(t) > 253 {
		return false
	}
	for _, x := range t[dot+1:] {
		if !isLetter(x) {
			return false
		}
	}
	for _, x := range t {
		if !(isAlnum(x) || x == '-' || x == '.') {
			return false
		}
	}
	return true
}

func isNumber(t []byte) bool {
	for _, x := range t {
		if x < '0' || x > '9' {
			return false
		}
	}
	return len(t) > 0 && len(t) < 10
}

// ipLike reports an IPv4 address or a host:port.
func ipLike(t []byte) bool {
	dots, digits := 0, 0
	for _, x := range t {
		switch {
		case x == '.':
			dots++
		case '0' <= x && x <= '9':
			digits++
		case x == ':':
		default:
			return false
		}
	}
	return dots == 3 && digits >= 4
}

func scanCommand(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	v := in.value
	m := in.m
	header := in.src == threat.SourceHeader
	if m&cParen != 0 && m&cBrace != 0 {
		// "() { :; }; cmd": a function definition where a variable's value
		// goes; "main() {" and "define main () {" in a code snippet name
		// their function
		if i := strings.Index(v, "() {"); i >= 0 && (i == 0 || !isWord(v[i-1]) && !wordThenBlanks(v[:i])) && seen.mark(&hit, cmdShellshock) {
			dst = append(dst, signal(nameCommand, "cmdi.shellshock", 0.995, in, i, i+4))
		}
		if m&(cPipe|cAmp) != 0 {
			if i, j, ok := forkBomb(v); ok && seen.mark(&hit, cmdChain) {
				dst = append(dst, signal(nameCommand, "cmdi.fork_bomb", 0.99, in, i, j))
			}
		}
	}
	if m&(cPipe|cQuote) == cPipe|cQuote && m&cBang != 0 || m&cParen != 0 && len(v) > 4 {
		if i, j := ddeCommand(v, m&cNL != 0); i >= 0 && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.dde", 0.99, in, i, j))
		}
	}
	if m&(cBang|cTilde|cBrace) != 0 && !(header && structuredHeader(in.name)) {
		// "~+", "!-1!-2", "{,ifconfig}" alone or after a separator
		i, j, rule := shellExpansion(v, m)
		if i < 0 && in.src == threat.SourcePath {
			i, j, rule = pathExpansion(v)
		}
		if i >= 0 {
			bit := uint(cmdIFS)
			if rule == "cmdi.obfuscated" {
				bit = cmdObfuscated
			}
			if seen.mark(&hit, bit) {
				dst = append(dst, signal(nameCommand, rule, 0.99, in, i, j))
			}
		}
	}
	if m&(shellChars|cSpace|cSlash|cBackslash|cQuote|cDQuote|cPercent) == 0 || header && structuredHeader(in.name) {
		return dst, hit // structured headers carry Shellshock only
	}
	// a raw form that is the value itself (JSON and XML values) has the
	// value's classes: without '\\' and '%' it needs no search
	r := in.raw
	rawEscapes := r != "" && (r != v || m&(cBackslash|cPercent) != 0) && (strings.IndexByte(r, '\\') >= 0 || escapedBackslash(r))
	if m&cPipe != 0 {
		if i, j, ok := pipeToShell(v); ok && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.pipe_shell", 0.99, in, i, j))
		}
	}
	if m&(cSemi|cPipe|cAmp|cNL|cBacktick|cParen) != 0 && m&cSlash != 0 {
		if i, j, ok := tmpExec(v); ok && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.tmp_exec", 0.99, in, i, j))
		}
	}
	if m&cSpace != 0 && m&cDash != 0 {
		if i, j, ok := netcatShell(v); ok && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.reverse_shell", 0.99, in, i, j))
		}
	}
	if m&cLT != 0 {
		if i, j, ok := hereString(v); ok && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.here_string", 0.99, in, i, j))
		}
	}
	if m&cEq != 0 && m&cSpace != 0 {
		if i, j, ok := aliasDefinition(v); ok && seen.mark(&hit, cmdChain) {
			dst = append(dst, signal(nameCommand, "cmdi.alias", 0.99, in, i, j))
		}
	}
	if m&cSpace != 0 && len(v) >= 8 && (batchLead(v, m) || in.src == threat.SourcePath && m&cSlash != 0) {
		// cmd.exe's FOR and IF; a Windows path's "\n" is no line break to
		// cmd.exe, so a value whose raw form has escapes is read raw too
		i, j, ok := batchStatement(v, m, in.src == threat.SourcePath)
		ev := v
		if !ok && rawEscapes {
			ev = decode.Percent(r, in.src == threat.SourceQuery || in.src == threat.SourceForm)
			i, j, ok = batchStatement(ev, classify(ev), in.src == threat.SourcePath)
		}
		if ok && seen.mark(&hit, cmdBatch) {
			s := bareSignal(nameCommand, "cmdi.batch", 0.99, in)
			s.Evidence = excerpt(ev, i, j, 48)
			dst = append(dst, s)
		}
	}
	path := in.src == threat.SourcePath
	if m&cmdOps == 0 && !header && m&cParen == 0 && !rawEscapes && !startsWithCommand(v, m) {
		// no operator, no call, no command line first: no command
		// position at all, but a path only a shell resolves may stand
		// alone ("/e?c/?asswd")
		if !path && obfPathMay(v, m) {
			if h, ev := judgeObfPath(v); h.conf > 0 && seen.mark(&hit, cmdObfPath) {
				dst = append(dst, evSignal(nameCommand, h.rule, h.conf, in, ev))
			}
		}
		return dst, hit
	}
	// The decoder reads JavaScript escapes, which payload lists use for
	// line breaks ("\nid") but which also eat Windows paths
	// ("C:\WINNT\repair" loses its "\r"): a value whose raw form has
	// backslashes is judged both ways.
	alt := ""
	switch {
	case header && m&(cPercent|cBackslash) != 0:
		// header values arrive as sent: "%0aid", "\nid"
		v, alt = decode.Value(v, false), decode.Percent(v, false)
	case rawEscapes:
		alt = decode.Percent(in.raw, in.src == threat.SourceQuery || in.src == threat.SourceForm)
	}
	var lo []byte
	if v == in.value && len(v) > sharedLower {
		lo = in.lowerValue() // the SSRF and code families read it too
	}
	j := judgeCommand(v, m, path, lo)
	if alt != "" && alt != v {
		k := judgeCommand(alt, m, path, nil)
		if k.best.conf > j.best.conf {
			j.best, j.bestEv = k.best, k.bestEv
		}
		if k.obfPath.conf > j.obfPath.conf {
			j.obfPath, j.obfPathEv = k.obfPath, k.obfPathEv
		}
	}
	if j.best.conf < 0.9 && m&cDollar != 0 && m&cEq != 0 && !path {
		// "a=c;b=at;$a$b /etc/passwd": the line the assignments build
		if exp := expandAssigned(v); exp != "" {
			exp = ";" + exp // it follows the assignments' separator
			if k := judgeCommand(exp, classify(exp), false, nil); (k.best.conf >= 0.9 || k.obfPath.conf >= 0.9) &&
				seen.mark(&hit, cmdObfuscated) {
				dst = append(dst, signal(nameCommand, "cmdi.variables", 0.99, in, 0, len(v)))
			}
		}
	}
	if j.ifs >= 0 && seen.mark(&hit, cmdIFS) {
		dst = append(dst, evSignal(nameCommand, "cmdi.ifs", 0.99, in, j.ifsEv))
	}
	if j.exp >= 0 && seen.mark(&hit, cmdIFS) {
		dst = append(dst, evSignal(nameCommand, "cmdi.expansion", 0.99, in, j.expEv))
	}
	if j.ps.j > 0 && seen.mark(&hit, cmdPowerShell) {
		dst = append(dst, evSignal(nameCommand, "cmdi.powershell", 0.99, in, j.psEv))
	}
	if best := j.best; best.conf > 0 {
		bit := uint(cmdChain)
		switch {
		case best.rule == "cmdi.command_line" || best.rule == "cmdi.binary_path":
			bit = cmdLine
		case best.rule == "cmdi.substitution" || best.rule == "cmdi.backticks":
			bit = cmdSubst
		case best.rule == "cmdi.obfuscated":
			bit = cmdObfuscated
		}
		if seen.mark(&hit, bit) {
			dst = append(dst, evSignal(nameCommand, best.rule, best.conf, in, j.bestEv))
		}
	}
	if j.exec.j > 0 && seen.mark(&hit, cmdExec) {
		dst = append(dst, evSignal(nameCommand, "cmdi.exec_call", 0.99, in, j.execEv))
	}
	if j.obfPath.conf > 0 && seen.mark(&hit, cmdObfPath) {
		dst = append(dst, evSignal(nameCommand, j.obfPath.rule, j.obfPath.conf, in, j.obfPathEv))
	}
	return dst, hit
}

// brokenWord finds a word that the fold joined from pieces which no-op
// expansions or empty quotes split at four places or more:
// "$@p$@h$@p$@i$@n$@f$@o", "${LY}e${LY}x${LY}e${LY}c", "w'h'o'a'm'i".
// commix's tampers set every letter apart this way; a person's text
// splits no word so. It returns the word's bounds in t.b, or -1, -1.
func brokenWord(t *shellText) (int, int) {
	run, prev := 0, 0
	for k := 0; k < t.n && k < maxObf; k++ {
		o := int(t.obf[k])
		if o <= 0 || o >= len(t.b) || !isLetter(t.b[o-1]) || !isLetter(t.b[o]) {
			run = 0
			continue
		}
		if run > 0 && lettersOnly(t.b[prev:o]) {
			run++
		} else {
			run = 1
		}
		prev = o
		if run == 4 {
			i, j := o, o
			for i > 0 && isLetter(t.b[i-1]) {
				i--
			}
			for j < len(t.b) && isLetter(t.b[j]) {
				j++
			}
			return i, j
		}
	}
	return -1, -1
}

// lettersOnly reports whether b is all ASCII letters.
func lettersOnly(b []byte) bool {
	for _, c := range b {
		if !isLetter(c) {
			return false
		}
	}
	return true
}

// escapedBackslash reports whether s holds "%5c" or "%5C", in one walk
// over its '5's: an encoded value of prose has an escape at each of its
// punctuation marks and few '5's (its digits, and the escapes of '[',
// '\\', ']' and '^').
func escapedBackslash(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		k := strings.IndexByte(s[i:len(s)-1], '5')
		if k < 0 {
			return false
		}
		i += k
		if s[i-1] == '%' && (s[i+1] == 'c' || s[i+1] == 'C') {
			return true
		}
	}
	return false
}

// commandJudgement is what the command family found in one reading of a
// value.
type commandJudgement struct {
	best     cmdHit
	ifs, exp int    // $IFS, ${VAR:n:m}, or -1
	ps, exec match  // a PowerShell cradle, a process-spawning call (j > 0 when found)
	obfPath  cmdHit // a path to a secret file only a shell resolves (findObfPath)
	// evidence of each, from the folded value, when found
	bestEv, ifsEv, expEv, psEv, execEv, obfPathEv string
}

// sharedLower is the length above which the command family folds a value
// from the lower-cased copy input.lowerValue keeps: the SSRF and code
// families take it for the values longer than their stack buffers.
const sharedLower = 512

// judgeCommand reads v (whose classes m holds when lo is given: v is the
// input's value, and lo is it lower-cased).
func judgeCommand(v string, m cls, path bool, lo []byte) commandJudgement {
	var stack [1024]byte
	buf, p := scratch(stack[:0], len(v))
	defer putScratch(p)
	t := shellText{b: buf}
	t.b = shellFoldFrom(&t, t.b[:0], v, lo, m)
	j := commandJudgement{ifs: t.ifs, exp: t.exp}
	// the operator bytes of the folded value are some of v's (the fold
	// only drops bytes and writes blanks and slashes): the classes of v
	// say which to search for, and otherwise those of the folded value
	ops := m
	if lo == nil {
		ops = classify(unsafeString(t.b))
	}
	if m&(cParen|cPipe|cDash) != 0 {
		if mt, ok := psCradleIn(t.b, ops); ok {
			j.ps = mt
		}
	}
	rateCommandsIn(&t, &j.best, path, ops)
	if j.best.conf < 0.99 && m&(cBacktick|cDollar) != 0 && booleanProbe(t.b) {
		j.best = cmdHit{0.99, "cmdi.substitution", 0, len(t.b)}
	}
	if j.best.conf < 0.99 && t.n >= 4 {
		if i, k := brokenWord(&t); i >= 0 {
			j.best = cmdHit{0.99, "cmdi.broken_word", i, k}
		}
	}
	if j.best.conf < 0.99 && m&cDollar != 0 {
		if i, k := sumEchoProbe(t.b); i >= 0 {
			j.best = cmdHit{0.99, "cmdi.substitution", i, k}
		}
	}
	if j.best.conf < 0.99 && m&(cPipe|cAmp) != 0 {
		if i, k := remLine(t.b); i >= 0 {
			j.best = cmdHit{0.99, "cmdi.command_line", i, k}
		}
	}
	if j.best.conf < 0.99 && m&cSemi != 0 {
		if i, k := timingBranch(t.b); i >= 0 {
			j.best = cmdHit{0.99, "cmdi.timing", i, k}
		}
	}
	if m&cParen != 0 {
		if i, k := execCall(t.b); i >= 0 {
			j.exec = match{i: i, j: k}
		}
	}
	ev := func(i, k int) string { return excerpt(t.b, i, k, 48) }
	if j.best.conf > 0 {
		j.bestEv = ev(j.best.i, j.best.j)
	}
	if j.ifs >= 0 {
		j.ifsEv = ev(j.ifs, j.ifs+5)
	}
	if j.exp >= 0 {
		j.expEv = ev(j.exp, j.exp+10)
	}
	if j.ps.j > 0 {
		j.psEv = ev(j.ps.i, j.ps.j)
	}
	if j.exec.j > 0 {
		j.execEv = ev(j.exec.i, j.exec.j)
	}
	if !path && obfPathMay(v, m) {
		j.obfPath = obfPathHit(&t)
		if j.obfPath.conf > 0 {
			j.obfPathEv = ev(j.obfPath.i, j.obfPath.j)
		}
	}
	return j
}

// judgeObfPath folds v as judgeCommand does and looks for a path only a
// shell resolves in it, for a value with no command position: the
// hit and its evidence.
func judgeObfPath(v string) (cmdHit, string) {
	var stack [1024]byte
	buf, p := scratch(stack[:0], len(v))
	defer putScratch(p)
	t := shellText{b: buf}
	t.b = shellFold(&t, t.b[:0], v)
	h := obfPathHit(&t)
	if h.conf == 0 {
		return h, ""
	}
	return h, excerpt(t.b, h.i, h.j, 48)
}

// obfPathHit rates findObfPath's find in a folded value.
func obfPathHit(t *shellText) cmdHit {
	i, j, conf := findObfPath(t.b, t)
	switch {
	case conf >= obfPathStrong:
		return cmdHit{conf, "cmdi.obfuscated_path", i, j}
	case conf > 0:
		return cmdHit{conf, "cmdi.obfuscated_path_shape", i, j}
	}
	return cmdHit{}
}

// psCradle finds a PowerShell download-and-run idiom, looking for the
// rare bytes of each first (a keyword set would try every 'i', '.' and
// '-' of prose).
func psCradle(b []byte) (match, bool) { return psCradleIn(b, classify(unsafeString(b))) }

// psCradleIn is psCradle given m, which holds the class of every '(',
// '|', '$', '.' and '-' of b. A value that cradleMay finds holds none of
// psCradles is not searched for their anchors: in prose the anchors'
// rare bytes ('b', '.') are common, and the search stops at every one.
func psCradleIn(b []byte, m cls) (match, bool) {
	if !cradleMay(b, m) {
		return match{}, false
	}
	var at [6]int
	cradleAnchors.index(b, at[:]) // the first occurrence of each; those sharing a rare byte in one walk
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

// cradleBytes are the bytes of psCradles that cradleMay reads around.
const cradleBytes = "(|$.-"

// cradleMay reports whether b may hold one of psCradles: false only when
// it holds none (m holds the classes of b's cradleBytes). Each of them
// holds a byte of cradleBytes with what is around it: a '(' after "iex",
// "string", "file" or "expression" (a blank between them or not), "|iex"
// or "| iex", "expression $", ".w" (net.webclient) or "-b"
// (start-bitstransfer). Those bytes are few in prose, and each is
// searched for only when m says the value has it.
func cradleMay(b []byte, m cls) bool {
	for i := 0; i < len(cradleBytes); i++ {
		if c := cradleBytes[i]; m&classes[c] != 0 && cradleAround(b, c) {
			return true
		}
	}
	return false
}

// cradleAround reports whether an occurrence of c, one of cradleBytes,
// stands where one of psCradles holds it.
func cradleAround(b []byte, c byte) bool {
	for p := 0; p < len(b); p++ {
		k := bytes.IndexByte(b[p:], c)
		if k < 0 {
			return false
		}
		p += k
		switch c {
		case '(':
			q := p
			if q > 0 && b[q-1] == ' ' {
				q--
			}
			head := b[:q]
			if bytes.HasSuffix(head, []byte("iex")) || bytes.HasSuffix(head, []byte("string")) ||
				bytes.HasSuffix(head, []byte("file")) || bytes.HasSuffix(head, []byte("expression")) {
				return true
			}
		case '|':
			if rest := b[p+1:]; bytes.HasPrefix(rest, []byte("iex")) || bytes.HasPrefix(rest, []byte(" iex")) {
				return true
			}
		case '$':
			if bytes.HasSuffix(b[:p], []byte("expression ")) {
				return true
			}
		case '.':
			if p+1 < len(b) && b[p+1] == 'w' {
				return true
			}
		case '-':
			if p+1 < len(b) && b[p+1] == 'b' {
				return true
			}
		}
	}
	return false
}

// cradleAnchors are the rare parts of psCradles psCradle looks for, in
// order.
var cradleAnchors = needlesOf("iex", "webclient", ".download", "base64string", "-expression", "bitstransfer")

// psCradles are PowerShell download-and-run idioms: code, never prose.
// (powershell's flags, -enc, -nop, -w hidden, are its arguments'.)
// cradleMay reads the bytes around which each can stand: keep it in step
// (TestPSCradleWords holds a copy of the list).
var psCradles = words("net.webclient", ".downloadstring(", ".downloadfile(", "iex(", "iex (", "|iex", "| iex",
	"frombase64string(", "invoke-expression(", "invoke-expression (", "invoke-expression $", "start-bitstransfer")

// cmdHit is the strongest command found in a value.
type cmdHit struct {
	conf float64
	rule string
	i, j int
}

// evSignal builds a Signal with evidence already excerpted.
func evSignal(det, rule string, conf float64, in *input, ev string) threat.Signal {
	s := bareSignal(det, rule, conf, in)
	s.Evidence = ev
	return s
}

func (h *cmdHit) offer(conf float64, rule string, i, j int) {
	if conf > h.conf {
		*h = cmdHit{conf, rule, i, j}
	}
}

// rateCommands finds the command positions of a folded value and rates
// the command at each.
func rateCommands(t *shellText, best *cmdHit, path bool) {
	rateCommandsIn(t, best, path, classify(unsafeString(t.b)))
}

// rateCommandsIn is rateCommands given m, which holds the class of every
// operator byte and line break of t.b: only those are searched for.
func rateCommandsIn(t *shellText, best *cmdHit, path bool, m cls) {
	b := t.b
	var nameBuf [48]byte
	// Whether the value reads as text, and the words before an operator,
	// are asked of the commands found only: a value of prose has none at
	// its start and few after its operators, and the two are worked out
	// at the first that needs them.
	wordy, counted := false, false
	var lw lineWords
	lwMade := false
	// The value itself may be a command line; a URL path is none (its
	// segments are names: "/whoami", "/ping").
	line := false
	var cwd workDir // where the value's "cd" commands went
	if !path {
		cwd.follow(b, 0)
	}
	start := 0
	if !path {
		start = cmdSwitches(b)
	}
	if c, ok := commandWord(b, start, nameBuf[:0]); ok && !path {
		wordy, counted = hasWords(b, 8), true
		if span := b[c.end:argsEnd(b, c.end, 0)]; proseLine(t, wordy, &c) && !argsMayBeHostile(span, &c) {
			line = c.class != cmdWord || argsShaped(span) // and rateLine would offer nothing
		} else {
			a := readArgs(b, &c, 0, true)
			line = c.byPath || c.class != cmdWord || a.shaped
			rateLine(t, &c, &a, wordy, best)
		}
	}
	inTick := false
	ops := newClassCursor(opFinder, unsafeString(b), m)
	for i := 0; i < len(b); i++ {
		if i = ops.next(i); i >= len(b) {
			break // the operators of prose are few: each byte of them is searched for once
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
				continue // a redirection: "2>&1", ">&"
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
				continue // a closing backtick
			}
			op, close = opBacktick, '`'
		case '$', '<', '>':
			// $(cmd), and process substitution <(cmd) >(cmd)
			if next < len(b) && b[next] == '(' && (x == '$' || i == 0 || b[i-1] == ' ' || b[i-1] == '<' || b[i-1] == '>') {
				op, next, close = opSubst, next+1, ')'
			}
		}
		if op == opNone || opAhead(b, next) {
			continue // "||||", ";;": another operator follows, and no command
		}
		if !path && op != opSubst && op != opBacktick {
			cwd.follow(b, next)
		}
		c, ok := commandWord(b, next, nameBuf[:0])
		if !ok {
			continue
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
			if unclosedQuote(b[next:end]) {
				// "`bash -c command' where": GNU's quotes in a note; a
				// substitution that leaves a quote open is a shell's
				// syntax error, and runs nothing
				continue
			}
		}
		if !path && proseCommand(t, ctx, wordy, &c) {
			// (a URL path's command is read in full below: there a
			// shell's "&&" between spaces, or a ';' that opens a segment,
			// counts though its arguments are harmless)
			if span := b[c.end:argsEnd(b, c.end, close)]; !argsMayBeHostile(span, &c) && !(cwd.n > 1 && cwd.reaches(span)) {
				// rateAt would offer a name no prose uses with shaped
				// arguments 0.75 and nothing else
				if c.class >= cmdName && argsShaped(span) {
					best.offer(0.75, "cmdi.chain", i, c.end+len(span))
				}
				continue
			}
		}
		a := readArgs(b, &c, close, false)
		if !path {
			if !a.hostile && cwd.n > 1 && cwd.reaches(b[c.end:argsEnd(b, c.end, close)]) {
				a.hostile = true // "cd /etc;cat passwd"
			}
		}
		if path {
			// ';' separates matrix parameters and '|' and '&' appear in
			// names: in a URL path only substitutions, hostile arguments
			// and a shell's "&&" or "||" between spaces count ("/ping/
			// 127.0.0.1 && ls /etc"; a path has a space only escaped)
			// A ';' that opens a segment ("/x/;dmesg") parameterises no
			// segment: a name no English word is counts after it
			// (or a '|' or '&' that does: "/|id", "/||/usr/bin/id|"), and
			// so does a probe, or a binary by its path, after a ';' or a
			// '|' that the path's end or another operator ends ("/a;id|",
			// "/a);/usr/bin/id", "/index.html|id|"): a matrix parameter
			// is a name and a value
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

// unclosedQuote reports whether a shell reading s ends inside a quote: a
// single quote that no other closes (a backslash escapes nothing inside
// one), or a double quote that no unescaped one closes.
func unclosedQuote(s []byte) bool {
	var q byte
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case q == '\'':
			if c == '\'' {
				q = 0
			}
		case c == '\\':
			i++ // escapes the next byte, outside quotes and inside double ones
		case q == '"':
			if c == '"' {
				q = 0
			}
		case c == '\'' || c == '"':
			q = c
		}
	}
	return q != 0
}

// opAhead reports whether the first byte after blanks from b[i] is an
// operator's or a closing bracket's, where no command word starts.
func opAhead(b []byte, i int) bool {
	i = skipSpace(b, i)
	if i >= len(b) {
		return false
	}
	switch b[i] {
	case '|', '&', ';', '<', '>', ')':
		return true
	}
	return false
}

// workDir is the directory a command line's "cd" commands lead to, lower
// case, from its root ("/etc"); n is 0 until a cd names an absolute one.
type workDir struct {
	buf [64]byte
	n   int
}

// follow moves d when the command at b[i:] (after spaces) is "cd" with
// a directory: an absolute one sets it, a relative one is joined to it
// ("cd /;cd etc" is "/etc"), ".." goes up.
func (d *workDir) follow(b []byte, i int) {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t') {
		i++
	}
	if i+3 > len(b) || b[i] != 'c' || b[i+1] != 'd' || b[i+2] != ' ' && b[i+2] != '\t' {
		return
	}
	at := i + 2
	end := argsEnd(b, at, 0)
	s, e, _ := argToken(b[at:end], 0)
	dir := bytes.TrimRight(b[at+s:at+e], "/")
	switch {
	case e == s:
	case b[at+s] == '/':
		if len(dir) <= len(d.buf) {
			d.n = copy(d.buf[:], dir)
			if d.n == 0 {
				d.buf[0], d.n = '/', 1 // "cd /"
			}
		}
	case d.n == 0:
	case string(dir) == "..":
		if k := bytes.LastIndexByte(d.buf[:d.n], '/'); k > 0 {
			d.n = k
		} else {
			d.n = 1
		}
	case bytes.IndexByte(dir, '/') < 0 && dir[0] != '.' && d.n+1+len(dir) <= len(d.buf):
		if d.n > 1 {
			d.buf[d.n] = '/'
			d.n++
		}
		d.n += copy(d.buf[d.n:], dir)
	default:
		d.n = 0 // somewhere this reading does not follow
	}
}

// reaches reports whether an argument of span, a command's arguments, is
// a relative name that names a system file from d ("passwd" in /etc).
func (d *workDir) reaches(span []byte) bool {
	if d.n <= 1 {
		return false // from "/", a name is a top folder: "etc" alone is no file
	}
	var join [128]byte
	for k, n := 0, 0; k < len(span) && n < 8; n++ {
		s, e, _ := argToken(span, k)
		k = e
		if e == s {
			break
		}
		t := span[s:e]
		if t[0] == '-' || t[0] == '/' || d.n+1+len(t) > len(join) {
			continue
		}
		j := copy(join[:], d.buf[1:d.n])
		join[j] = '/'
		j++
		j += copy(join[j:], t)
		if _, end, tier := findTarget(join[:j]); tier == tierSystem && end > d.n {
			return true // "etc" and "passwd"
		}
		if _, _, tier := findTarget(join[d.n:j]); tier == tierSystem {
			return true // a name that is a target wherever it is: "id_rsa" in /root/.ssh
		}
	}
	return false
}

// spacedAndOr reports whether b[i:next] is "&&" or "||" with a space
// before or after it.
func spacedAndOr(b []byte, i, next int) bool {
	return next-i == 2 && b[i] == b[i+1] && (b[i] == '&' || b[i] == '|') &&
		(i > 0 && b[i-1] == ' ' || next < len(b) && b[next] == ' ')
}

// proseCommand reports whether rateAt, given c in the context x of a
// value of prose, rates c by its arguments' hostility and shape alone:
// when they are not hostile it offers nothing for an English word that
// is a command ("time", "find", "more"), and 0.75 for another command
// with shaped arguments. That is for a command neither obfuscated nor in
// a substitution, after an operator that follows three words or more of
// text: how prose's commands stand, after the ';' of a sentence.
func proseCommand(t *shellText, x opContext, wordy bool, c *command) bool {
	return wordy && !x.lead && !x.line && x.op != opSubst && x.op != opBacktick && !c.obf && !t.obfIn(c.start, c.end)
}

// proseLine reports whether rateLine, given c at the start of a value of
// prose, offers nothing unless the arguments are hostile: a command by
// no path, not obfuscated, administering nothing ("rm", "sc" may) and,
// if a probe, an English word ("who", "set"; "id;" alone is one).
func proseLine(t *shellText, wordy bool, c *command) bool {
	return wordy && !c.byPath && !c.obf && !t.obfIn(c.start, c.end) && !adminCommand(c.name) &&
		string(c.name) != "net" && string(c.name) != "net1" && (c.class != cmdProbe || englishCommands[string(c.name)])
}

// lineWords counts the words of the line before each operator
// rateCommands rates, asked at offsets that only grow. Only whether there
// are none, at most two or more counts (opContext.words), and whether
// they are plain only when there are at most two (opContext.plain serves
// rateAt's lead operators): once a line has three words the rest of it
// need not be read, which in prose is all of it but for its first words.
type lineWords struct {
	b       []byte
	breaks  byteCursor
	words   int  // in the line of b[:counted]; stops being counted at 3
	plain   bool // those words are letters and blanks only; stale at 3 or more words
	counted int
	nl      bool // b may hold line breaks (when not, they are not searched for)
}

func newLineWords(b []byte) lineWords {
	return lineWords{b: b, breaks: newCursor(lineBreaks, b), plain: true, nl: true}
}

// lineBreaks are the bytes where countWords starts a line afresh.
var lineBreaks = finder("\n\r")

// at returns the words before b[i] in its line, as countWords counts
// them from the start, exactly when they are at most two and at least
// three otherwise, and whether they are plain, when they are at most two.
func (lw *lineWords) at(i int) (int, bool) {
	if lw.counted >= i {
		return lw.words, lw.plain
	}
	// a line break restarts the count after it: countWords from the
	// last one before i, whose class leaves no blank before the next byte
	if lw.nl {
		for r := lw.breaks.next(lw.counted); r < i; r = lw.breaks.next(r + 1) {
			lw.words, lw.plain, lw.counted = 0, true, r+1
		}
	}
	// in steps, to stop at the third word: counting b[a:c] and then b[c:d]
	// is counting b[a:d] (the class of b[c-1] carries the blank over)
	for lw.words < 3 && lw.counted < i {
		end := min(i, lw.counted+64)
		lw.words, lw.plain = countWords(lw.b, lw.counted, end, lw.words, lw.plain)
		lw.counted = end
	}
	lw.counted = i
	return lw.words, lw.plain
}

// countWords carries the count of words in b[:from] and whether they are
// letters and blanks only (plain) on to b[:to]. A word starts at a byte
// that is no blank nor operator byte, after a blank or at 0; each line
// starts afresh: a separator at its start opens it. The loop reads a class
// a byte from countClasses and branches only at line breaks.
func countWords(b []byte, from, to, words int, plain bool) (int, bool) {
	after := uint8(ccBlank) // after a blank, or at 0
	if from > 0 {
		after = countClasses[b[from-1]] & ccBlank
	}
	var notPlain uint8
	for k := from; k < to; k++ {
		f := countClasses[b[k]]
		if f&ccBreak != 0 {
			words, plain, notPlain, after = 0, true, 0, 0
			continue
		}
		words += int(f >> 1 & after) // ccWordy >> 1 and after are 0 or 1
		notPlain |= f & ccNotPlain
		after = f & ccBlank
	}
	return words, plain && notPlain == 0
}

// Classes of countClasses.
const (
	ccBlank    = 1 << iota // ' ', '\t'
	ccWordy                // neither blank nor opByte: a byte of a word
	ccNotPlain             // neither blank nor a letter
	ccBreak                // '\n', '\r'
)

var countClasses = func() (t [256]uint8) {
	for c := 0; c < 256; c++ {
		y := byte(c)
		switch {
		case y == '\n' || y == '\r':
			t[c] = ccBreak
			continue
		case y == ' ' || y == '\t':
			t[c] = ccBlank
			continue
		}
		if !opByte[y] {
			t[c] |= ccWordy
		}
		if !isLetter(y) {
			t[c] |= ccNotPlain
		}
	}
	return t
}()

// opBytes may be or start an operator.
const opBytes = ";|&\n\r`$<>"

// opByte marks the bytes that may be or start an operator.
var opByte = byteSet(opBytes)

// opFinder finds the bytes of opBytes.
var opFinder = finder(opBytes)

// wordsUpTo counts the space-separated words of b up to limit, looking at
// no more than 64 bytes a word, so that asking for each of many code spans
// stays linear.
func wordsUpTo(b []byte, limit int) int {
	if len(b) > 64*limit {
		return limit // that much text after it is more than a few words
	}
	n := 0
	for i := range b {
		if b[i] != ' ' && (i == 0 || b[i-1] == ' ') {
			if n++; n >= limit {
				break
			}
		}
	}
	return n
}

// hasWords reports whether b has at least n space-separated words.
func hasWords(b []byte, n int) bool {
	for i := range b {
		if b[i] != ' ' && (i == 0 || b[i-1] == ' ') {
			if n--; n == 0 {
				return true
			}
		}
	}
	return n <= 0
}

// obfuscated reports an obfuscation a shell undoes in the command word,
// or in its first arguments when the value is no prose.
func obfuscated(t *shellText, c *command, a *args, wordy bool) bool {
	return c.obf || t.obfIn(c.start, c.end) || !wordy && t.obfIn(c.end, min(a.end, c.end+64))
}

// cmdSwitches returns where the command line starts in a value that
// opens with cmd.exe's switches, the last of them /c, /k or /r, which run
// the rest ("/c dir", "/x /c tftp -i 10.0.0.1 get x.exe": the query of a
// request for cmd.exe itself or a copy of it); 0 for any other value.
func cmdSwitches(b []byte) int {
	k, run := 0, false
	for k+2 < len(b) && b[k] == '/' && isLetter(b[k+1]) && (b[k+2] == ' ' || b[k+2] == '\t') {
		c := b[k+1] | 0x20
		run = c == 'c' || c == 'k' || c == 'r'
		k = skipSpace(b, k+2)
	}
	if !run {
		return 0
	}
	return k
}

// rateLine rates a value that starts with a command.
func rateLine(t *shellText, c *command, a *args, wordy bool, best *cmdHit) {
	i, j := c.start, a.end
	switch {
	case obfuscated(t, c, a, wordy):
		best.offer(0.99, "cmdi.obfuscated", i, j)
	case a.hostile && (a.lastShaped || !englishish(c.name) && a.plain <= 5) || a.admin && a.lastShaped:
		// "cat /etc/passwd", "net user x /add"; but "cat /etc/hosts
		// explained" and "chmod 777 meaning" end as sentences
		best.offer(0.99, "cmdi.command_line", i, j)
	case c.byPath && !wordy:
		best.offer(0.99, "cmdi.binary_path", i, j) // "/usr/bin/id", "c:\windows\system32\cmd.exe /c ver"
	case c.class == cmdProbe && a.empty && a.end < len(t.b) && !englishCommands[string(c.name)]:
		best.offer(0.99, "cmdi.command_line", i, j) // "id;", "whoami|": a command ended for the next
	case !wordy && c.class >= cmdWord && (a.strong || a.shaped) && remTail(t.b, a.end):
		// "ping -w 8000 -n 1 4.3.2.1|rem": cmd.exe's comment takes what
		// the application appends to the line
		best.offer(0.99, "cmdi.command_line", i, j)
	case wordy || a.plain >= 6:
		return // a sentence that starts with a command's name
	case c.quoted && c.class >= cmdName && (a.empty || a.strong) && a.plain <= 2:
		best.offer(0.99, "cmdi.command_line", i, j) // "' whoami": out of a quoted argument
	case c.quoted && a.plain <= 1 && commentTail(t.b[c.end:]) && markedArg(t.b[c.end:]):
		best.offer(0.99, "cmdi.command_line", i, j) // "\"del q17133825 #": out of a quoted argument, the rest commented out
	case (string(c.name) == "sleep" || string(c.name) == "timeout") && a.plain == 0 && isNumber(bytes.TrimSpace(t.b[c.end:a.end])):
		best.offer(0.99, "cmdi.command_line", i, j) // "sleep 10": a delay probe and nothing else
	case c.class >= cmdName && a.strong && a.lastShaped:
		best.offer(0.99, "cmdi.command_line", i, j) // "uname -a", "nc -lvvp 4444", "dir c:\users"
	case c.class >= cmdName && a.command && a.plain <= 1:
		best.offer(0.99, "cmdi.command_line", i, j) // "cmd /c whoami", "sudo su"
	case c.class >= cmdName && !englishish(c.name) && !a.empty && (a.strong || a.plain > 0):
		best.offer(0.9, "cmdi.command_line_weak", i, j) // "netsh firewall set opmode disable"
	case c.class == cmdWord && a.strong && a.lastShaped:
		best.offer(0.9, "cmdi.command_line_weak", i, j) // "sleep 10", "find / -name x"
	}
}

// booleanProbe reports a value that is nothing but a substitution of the
// shell's true or false ("`true`", "\"$(false)\""): blind injection
// compares the two answers. A note names them inside a sentence.
func booleanProbe(b []byte) bool {
	b = bytes.Trim(b, " '\"")
	for _, w := range []string{"true", "false"} {
		if len(b) == len(w)+2 && b[0] == '`' && b[len(b)-1] == '`' && string(b[1:len(b)-1]) == w ||
			len(b) == len(w)+3 && b[0] == '$' && b[1] == '(' && b[len(b)-1] == ')' && string(b[2:len(b)-1]) == w {
			return true
		}
	}
	return false
}

// timingBranch finds a conditional whose two branches sleep ("then
// sleep 0; else sleep 1"): the oracle of time-based blind injection
// (commix's "if [ 2 -ne ${str1} ]; then sleep 0; else sleep 1; fi"),
// which reads the answer from how long the response takes. It returns
// where the "then" branch starts and the "else" branch ends, or -1.
func timingBranch(b []byte) (int, int) {
	i, e := sleepAfter(b, "then")
	if i < 0 {
		return -1, -1
	}
	_, k := sleepAfter(b[e:], "else")
	if k < 0 {
		return -1, -1
	}
	return i, e + k
}

// sleepAfter returns where the first "KW sleep N" in b that is a command
// of its own (after a ';' or a line break, ended by one or by the
// value's end) starts and ends, or -1, -1.
func sleepAfter(b []byte, kw string) (int, int) {
	for off := 0; off < len(b); {
		k := bytes.Index(b[off:], []byte(kw))
		if k < 0 {
			return -1, -1
		}
		k += off
		off = k + len(kw)
		// a shell keyword opens a command: after a ';' or a line break
		p := k - 1
		for p >= 0 && (b[p] == ' ' || b[p] == '\t') {
			p--
		}
		if p < 0 || b[p] != ';' && b[p] != '\n' {
			continue
		}
		j := skipSpace(b, off)
		if j == off || !bytes.HasPrefix(b[j:], []byte("sleep")) {
			continue
		}
		e := skipSpace(b, j+5)
		if e == j+5 || e >= len(b) || b[e] < '0' || b[e] > '9' {
			continue
		}
		for e < len(b) && b[e] >= '0' && b[e] <= '9' {
			e++
		}
		// and the branch ends there ("sleep 8 hours" is a sentence)
		if n := skipSpace(b, e); n < len(b) && b[n] != ';' && b[n] != '\n' && b[n] != '&' && b[n] != '|' {
			continue
		}
		return k, e
	}
	return -1, -1
}

// opContext is where an operator stands in a value.
type opContext struct {
	op    int
	words int  // words before the operator
	plain bool // those words are plain words ("Who | What"), not a value an attacker ends ("127.0.0.1", "a)")
	lead  bool // at most two words before it, and no command line before them
	line  bool // the value started with a command line: this continues it
	after int  // for a backtick, the words after the closing one
}

// englishish reports command names that read as words in running text:
// English ones, and any of three letters or fewer ("id", "ps", "ver",
// "del", "dir") except the few no text uses.
func englishish(name []byte) bool {
	if englishCommands[string(name)] {
		return true
	}
	if len(name) > 3 {
		return false
	}
	switch string(name) {
	case "nc", "sh", "ksh", "zsh", "csh", "ssh", "scp", "awk", "sed", "cmd", "php", "xxd", "gcc", "tcl", "wget", "pwd",
		"ifconfig", "uname":
		return false
	}
	return true
}

// rateAt rates the command c found after the operator at b[i].
func rateAt(t *shellText, x opContext, wordy bool, c *command, a *args, i int, best *cmdHit) {
	j := a.end
	op := x.op
	rule := "cmdi.chain"
	switch op {
	case opSubst:
		rule = "cmdi.substitution"
	case opBacktick:
		rule = "cmdi.backticks"
	}
	english := englishish(c.name)
	distinct := c.class >= cmdName && !english
	// the operator opens the value, or follows only the quotes and
	// brackets that close what the value was written into ("';rm x #")
	start := x.words == 0 || x.words == 1 && closersOnly(t.b[:i])
	switch {
	case obfuscated(t, c, a, wordy) || c.glob && (x.lead || x.line):
		best.offer(0.99, "cmdi.obfuscated", i, j)
		return
	case a.hostile || a.admin && (x.lead || x.line):
		best.offer(0.99, rule, i, j)
		return
	case op == opBacktick:
		// a code span in a note reads like a substitution: only one that
		// holds a probe and ends the value is an attack ("x`id`")
		switch {
		case c.class == cmdProbe && a.empty && x.after <= 2 && !wordy:
			best.offer(0.99, rule, i, j)
		case c.class >= cmdName && (a.shaped || a.empty):
			best.offer(0.9, rule, i, j)
		case a.strong:
			best.offer(0.75, rule, i, j)
		}
		return
	case op == opSubst && !wordy && a.plain < 6 && !c.quoted:
		best.offer(0.99, rule, i, j) // "$(curl ...)", "$(date)": only shells write "$(" before a command
		return
	case c.byPath && (x.lead || x.line) && !wordy:
		best.offer(0.99, rule, i, j) // "|/usr/bin/id"
		return
	case c.class == cmdProbe && a.empty && x.line:
		best.offer(0.99, rule, i, j) // "ls -la; id"
		return
	}
	if !x.lead {
		// inside text or a command line the value itself started: a
		// pipeline in a code snippet reads like one in an attack
		switch {
		case wordy:
			if c.class >= cmdName && a.shaped {
				best.offer(0.75, rule, i, j)
			}
		case c.class >= cmdName && (a.shaped || a.empty):
			best.offer(0.9, rule, i, j)
		case a.strong:
			best.offer(0.75, rule, i, j)
		}
		return
	}
	// An operator at the start of the value or after one or two tokens.
	if start && op == opNewline && a.plain <= 1 && commentTail(t.b[c.end:]) {
		best.offer(0.99, rule, i, j) // "'\nrm q29624474 #": a line a shell comment ends
		return
	}
	if op == opNewline && !(c.class == cmdProbe && a.empty) {
		// a line of a text field is judged as a value is: "egrep
		// patterns are full regular expressions" starts a sentence
		rateLine(t, c, a, wordy, best)
		return
	}
	// an IP address alone before it is the target the value was meant
	// to be ("127.0.0.1 & id", "\"255.255.255.255 & id&\""): the ping
	// form's injection, which '&' makes no weaker
	weak := op == opWeak && !start && !(x.words == 1 && !x.plain && pingTarget(t.b[:i]))
	// "Who | What | Where": a list of words, not "a|id"
	listed := x.plain && english && op == opStrong && !start && t.b[i] == '|' && i > 0 && t.b[i-1] == ' ' &&
		i+1 < len(t.b) && t.b[i+1] == ' '

	switch {
	case a.plain >= 6:
		return
	case distinct && (!weak || a.strong || a.empty || a.plain <= 4):
		best.offer(0.99, rule, i, j) // "; netsh firewall set opmode disable", "& whoami"
	case c.class == cmdProbe && a.empty && !weak && !listed:
		best.offer(0.99, rule, i, j) // "; id", "| dir", "& dir"
	case a.strong && !listed && (c.class >= cmdName || !weak):
		best.offer(0.99, rule, i, j) // "; cat /etc/hosts", "| dir c:\\", "& ping -n 10 x"
	case start && op == opWeak && c.class >= cmdWord && a.plain <= 1 && commentTail(t.b[c.end:]) && markedArg(t.b[c.end:]):
		best.offer(0.99, rule, i, j) // "'&rm\tq79227952\t#": a line a shell comment ends
	case start && op == opStrong && c.class == cmdWord && a.plain <= 1 && !listed:
		// "; echo test", "|cat x": an operator opens the value, then a
		// command and one word. Echo of a number or of an arithmetic
		// expansion is the probe that reads the command's output back
		// (";echo 111111", commix's ";echo XYZ$((7*7))XYZ")
		conf := 0.9
		if string(c.name) == "echo" && echoProbe(t.b[c.end:]) || commentTail(t.b[c.end:]) {
			conf = 0.99
		}
		best.offer(conf, rule, i, j)
	case a.empty && op == opStrong || listed:
		best.offer(0.9, rule, i, j) // "; sort", "Home | Top"
	}
}

// pingTarget reports whether b, the one word before an operator, is an
// IPv4 address (four numbers and three dots) or an IPv6 one (hex digits
// and two colons or more), after the quotes or brackets that open it and
// before its blanks: a time ("10:30") or a number is none.
func pingTarget(b []byte) bool {
	b = bytes.TrimRight(b, " \t]")
	b = bytes.TrimLeft(b, "'\"([")
	dots, colons, hex := 0, 0, false
	for _, c := range b {
		switch {
		case '0' <= c && c <= '9':
		case c == '.':
			dots++
		case c == ':':
			colons++
		case 'a' <= c|0x20 && c|0x20 <= 'f':
			hex = true
		default:
			return false
		}
	}
	return dots == 3 && colons == 0 && !hex || colons >= 2 && dots == 0
}

// echoProbe reports an argument of echo, the rest of its command in
// rest, that marks a probe's output: a number of three digits or more, or
// an arithmetic expansion.
func echoProbe(rest []byte) bool {
	if k := bytes.IndexAny(rest, ";|&\n`"); k >= 0 {
		rest = rest[:k]
	}
	arg := bytes.TrimSpace(rest)
	if bytes.Contains(arg, []byte("$((")) {
		return true
	}
	if len(arg) < 3 {
		return false
	}
	for _, c := range arg {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// remTail reports whether b from k is a '|' or '&' (or two) and then
// cmd.exe's comment command, "rem", with nothing after it but blanks and
// cmd.exe's other delimiters: the end of a line an injection writes.
func remTail(b []byte, k int) bool {
	k = skipSpace(b, k)
	n := 0
	for k < len(b) && (b[k] == '|' || b[k] == '&') && n < 2 {
		k++
		n++
	}
	if n == 0 {
		return false
	}
	k = skipSpace(b, k)
	if !bytes.HasPrefix(b[k:], []byte("rem")) {
		return false
	}
	for _, c := range b[k+3:] {
		if !cmdDelim(c) {
			return false
		}
	}
	return true
}

// sumEchoProbe finds commix's classic probe: a sum of two numbers in an
// arithmetic expansion, then a substitution that runs echo,
// "$((62+55))$(echo TAG)", whose result the prober looks for in the
// response between its tags. It returns the probe's bounds, or -1, -1.
func sumEchoProbe(b []byte) (int, int) {
	for off := 0; off < len(b); {
		k := bytes.Index(b[off:], []byte("$(("))
		if k < 0 {
			return -1, -1
		}
		i := off + k
		off = i + 3
		p := digitsEnd(b, off)
		if p == off || p >= len(b) || b[p] != '+' {
			continue
		}
		q := digitsEnd(b, p+1)
		if q == p+1 || !bytes.HasPrefix(b[q:], []byte("))$(")) {
			continue
		}
		e := skipSpace(b, q+4)
		if bytes.HasPrefix(b[e:], []byte("echo")) {
			return i, e + 4
		}
	}
	return -1, -1
}

// digitsEnd returns where the run of ASCII digits at b[i:] ends.
func digitsEnd(b []byte, i int) int {
	for i < len(b) && isDigit(b[i]) {
		i++
	}
	return i
}

// remLine finds a command line that "|rem" or "&rem" ends, whose
// arguments cmd.exe's delimiters separate (cmdDelim): Nessus's probes
// "|ping,-w,11000,-n,1,1.2.3.4|rem,", "rm\vq27764952&rem\v",
// "&ver&rem;". The command is a known one's name; one that is an English
// word ("ping", "del") needs an argument a command line's shape gives (an
// option, a redirection, a number), and a probe ("ver") may stand alone.
// It returns the line's bounds in b, or -1, -1.
func remLine(b []byte) (int, int) {
	r := bytes.LastIndex(b, []byte("rem"))
	if r < 1 {
		return -1, -1
	}
	op := r
	for op > 0 && (b[op-1] == ' ' || b[op-1] == '\t' || b[op-1] == '|' || b[op-1] == '&') {
		op--
	}
	if op == r || !remTail(b, op) {
		return -1, -1
	}
	e := op
	s := e
	for s > 0 && e-s < 128 && bytes.IndexByte([]byte("|&'\"\n"), b[s-1]) < 0 {
		s--
	}
	for s < e && cmdDelim(b[s]) {
		s++
	}
	w := s
	for w < e && 'a' <= b[w] && b[w] <= 'z' {
		w++
	}
	if w == s || w < e && !cmdDelim(b[w]) && b[w] != '>' {
		return -1, -1
	}
	cl := commandClasses[string(b[s:w])]
	if cl == cmdUnknown {
		return -1, -1
	}
	args := b[w:e]
	shaped := false
	for k := 0; k < len(args); k++ {
		c := args[k]
		start := k == 0 || cmdDelim(args[k-1])
		if start && (c == '-' || c == '/' || c == '>') || '0' <= c && c <= '9' {
			shaped = true
			break
		}
	}
	alone := true
	for _, c := range args {
		alone = alone && cmdDelim(c)
	}
	if !shaped && !(alone && cl == cmdProbe) {
		return -1, -1 // "cat,dog,bird|rem": a list
	}
	return s, e
}

// cmdDelim reports whether c separates a command's arguments for cmd.exe:
// blanks, ',', ';', '=', the vertical tab and form feed, and the no-break
// spaces of code pages 1252 and 437 (0xa0, 0xff).
func cmdDelim(c byte) bool {
	switch c {
	case ' ', '\t', ',', ';', '=', '\v', '\f', 0xa0, 0xff:
		return true
	}
	return false
}

// markedArg reports whether the argument in rest, before its comment,
// holds a digit, or opens with an option's '-' or a path's '/': the file a
// probe names ("q17133825"), not a word of a sentence ("well").
func markedArg(rest []byte) bool {
	arg := bytes.TrimSpace(rest)
	if k := bytes.IndexByte(arg, '#'); k >= 0 {
		arg = bytes.TrimSpace(arg[:k])
	}
	if len(arg) == 0 {
		return false
	}
	return arg[0] == '-' || arg[0] == '/' || bytes.ContainsAny(arg, "0123456789")
}

// closersOnly reports whether b is one or more quotes and closing
// brackets, with blanks: what a value breaks out of its string with.
func closersOnly(b []byte) bool {
	n := 0
	for _, c := range b {
		switch c {
		case '\'', '"', ')', ']':
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n > 0
}

// commentTail reports whether the command whose arguments start rest
// ends the value with a shell comment: a '#' after a blank, and nothing
// but blanks after it (";rm q88998669 #", the probe that comments out
// what the application appends to the line).
func commentTail(rest []byte) bool {
	arg := bytes.TrimRight(rest, " \t")
	if len(arg) < 3 || arg[len(arg)-1] != '#' || arg[len(arg)-2] != ' ' && arg[len(arg)-2] != '\t' {
		return false
	}
	return !bytes.ContainsAny(arg[:len(arg)-1], ";|&\n`#")
}

// execCall finds a process-spawning call whose argument is a shell command:
// system('id'), exec("cat /etc/passwd"), os.system('ls'),
// Runtime.getRuntime().exec("whoami"), child_process.exec('id').
func execCall(b []byte) (int, int) {
	var nameBuf [48]byte
	for off := 0; off < len(b); {
		p := bytes.IndexByte(b[off:], '(')
		if p < 0 {
			return -1, -1
		}
		p += off
		off = p + 1
		// PHP and Python take blanks between a function's name and its
		// call: "shell_exec (id)"
		gap := p
		for gap > 0 && p-gap < 4 && (b[gap-1] == ' ' || b[gap-1] == '\t') {
			gap--
		}
		s := gap
		for s > 0 && (isWord(b[s-1]) || b[s-1] == '.') {
			s--
		}
		name := b[s:gap]
		if dot := bytes.LastIndexByte(name, '.'); dot >= 0 {
			name = name[dot+1:]
		}
		if len(name) == 0 {
			continue // "(really)": a parenthesis of prose, after a blank
		}
		strict, ok := execFuncs[string(name)]
		if !ok {
			continue
		}
		if gap < p && (string(name) == "system" || string(name) == "exec") {
			strict = true // "the system (as designed) runs": a word before a parenthesis of prose
		}
		a := p + 1
		for a < len(b) && b[a] == ' ' {
			a++
		}
		quoted := a < len(b) && (b[a] == '\'' || b[a] == '"' || b[a] == '`' || b[a] == '[')
		if strict && !quoted {
			continue
		}
		if c, ok := commandWord(b, a, nameBuf[:0]); ok && c.class != cmdWord || ok && quoted {
			return s, c.end
		}
	}
	return -1, -1
}

// execFuncs are functions that run a shell command; the value says
// whether the command must be a quoted string (generic names such as
// run, call and start).
var execFuncs = map[string]bool{"system": false, "exec": false, "shell_exec": false, "passthru": false, "popen": false,
	"proc_open": false, "pcntl_exec": false, "spawn": true, "execsync": true, "spawnsync": true, "execfile": true,
	"call": true, "check_output": true, "run": true, "getoutput": true, "getstatusoutput": true, "start": true,
	"command": true, "eval": true, "assert": true, "processbuilder": true, "os_exec": true, "execute": true, "qx": true,
	"popen2": true, "popen3": true, "check_call": true}

// emptyInWord reports whether an empty substitution that ends at v[j]
// stands inside a word: a letter before it (the last of b, the folded
// bytes), and a letter, a space or the value's end after it.
func emptyInWord(b []byte, v string, j int) bool {
	return len(b) > 0 && isLetter(b[len(b)-1]) && (j == len(v) || isLetter(v[j]) || v[j] == ' ' || v[j] == '\t')
}

// joinsCommand reports whether the letters that end b and the letters of
// v from e on, backslashes dropped, make a command's name: what the shell
// runs when the variable between them is unset ("w" and "\hoami").
func joinsCommand(b []byte, v string, e int) bool {
	s := len(b)
	for s > 0 && len(b)-s < 24 && isLetter(b[s-1]) {
		s--
	}
	var buf [48]byte
	w := append(buf[:0], b[s:]...)
	k := e
	for ; k < len(v) && len(w) < len(buf); k++ {
		if c := v[k]; isLetter(c) {
			w = append(w, c|0x20)
		} else if c != '\\' {
			break
		}
	}
	switch commandClasses[string(w)] {
	case cmdName, cmdProbe:
		return true
	case cmdWord: // "c$x\at /etc/hosts": a word that is a command given an argument
		for k < len(v) && (v[k] == ' ' || v[k] == '\t') {
			k++
		}
		return k < len(v) && (v[k] == '-' || v[k] == '/')
	}
	return false
}

// unsetAfterCommand reports whether the letters that end b name a command
// that an argument follows in v after e (a space): a name no English word
// is ("uname", "sh"), or an English one ("cat") before an option or a
// path.
func unsetAfterCommand(b []byte, v string, e int) bool {
	s := len(b)
	for s > 0 && isLetter(b[s-1]) {
		s--
	}
	if len(b)-s > 24 {
		return false
	}
	a := e
	for a < len(v) && (v[a] == ' ' || v[a] == '\t') {
		a++
	}
	if a >= len(v) {
		return false
	}
	switch commandClasses[string(b[s:])] {
	case cmdName, cmdProbe:
		return true
	case cmdWord:
		return v[a] == '-' || v[a] == '/'
	}
	return false
}
