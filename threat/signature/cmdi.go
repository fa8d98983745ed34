package signature

import (
	"bytes"
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanCommand finds OS command injection: a shell separator or
// substitution (; | || && & newline `...` $(...)) followed by a command a
// shell or cmd.exe would run, $IFS tricks, server-side includes that
// execute, and Shellshock function definitions in headers.

const (
	cmdChain = iota
	cmdSubst
	cmdIFS
	cmdShellshock
	cmdBare
	cmdExec
)

// shellCommands are commands attackers chain after a separator to prove or
// use execution.
var shellCommands = func() map[string]bool {
	m := map[string]bool{}
	for _, c := range []string{"id", "whoami", "uname", "cat", "ls", "pwd", "echo", "sleep", "ping", "nslookup", "dig",
		"host", "wget", "curl", "nc", "ncat", "netcat", "bash", "sh", "zsh", "ksh", "csh", "tcsh", "dash", "python", "python2",
		"python3", "perl", "php", "ruby", "node", "lua", "dir", "type", "ver", "ipconfig", "ifconfig", "net", "netstat",
		"systeminfo", "tasklist", "taskkill", "powershell", "pwsh", "cmd", "cmd.exe", "powershell.exe", "certutil", "bitsadmin",
		"rm", "mv", "cp", "chmod", "chown", "touch", "mkdir", "true", "false", "expr", "printf", "base64", "telnet", "tftp",
		"timeout", "ps", "env", "export", "kill", "killall", "useradd", "passwd", "crontab", "nohup", "xterm", "awk",
		"sed", "find", "grep", "head", "tail", "more", "less", "hostname", "reboot", "shutdown", "mail", "sendmail", "uptime",
		"who", "lsof", "ftp", "ssh", "scp", "rsync", "tar", "unzip", "sudo", "su", "eval", "exec", "socat", "xargs", "od",
		"xxd", "dd", "tee", "nmap", "openssl", "net.exe", "wmic", "reg", "regsvr32", "rundll32", "mshta", "cscript",
		"wscript", "schtasks", "sc", "ping.exe", "whoami.exe", "sleep.exe", "uname.exe", "start", "copy", "del", "erase",
		"ren", "move", "findstr", "icacls", "attrib", "vssadmin", "bcdedit", "curl.exe", "wget.exe", "set", "gcc", "cc",
		"chattr", "getent", "last", "finger", "route", "arp", "traceroute", "tracert", "iptables", "service",
		"systemctl", "mknod", "mkfifo", "java", "jrunscript", "busybox", "sh.exe", "bash.exe"} {
		m[c] = true
	}
	return m
}()

// binDirs are the directories commands are called by absolute path from.
var binDirs = words("/usr/local/bin/", "/usr/local/sbin/", "/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/", "usr/bin/",
	"bin/", "c:/windows/system32/", "c:/windows/syswow64/", "c:/windows/", "system32/")

const shellChars = cSemi | cPipe | cAmp | cNL | cBacktick | cDollar | cLT | cParen | cBrace

func scanCommand(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	v := in.value
	m := in.m
	header := in.src == threat.SourceHeader
	if m&cParen != 0 && m&cBrace != 0 {
		if i := strings.Index(v, "() {"); i >= 0 && seen.mark(&hit, cmdShellshock) {
			dst = append(dst, signal(NameCommand, "cmdi.shellshock", 0.995, in, i, i+4))
		}
	}
	if header && in.name != "User-Agent" && in.name != "Referer" {
		return dst, hit // other headers only carry Shellshock
	}
	if m&(shellChars|cSpace|cSlash) == 0 {
		return dst, hit
	}
	b := pathNorm(stack[:0], v)
	if m&shellChars != 0 {
		if i, j, conf := chained(b); i >= 0 && seen.mark(&hit, cmdChain) {
			rule := "cmdi.chain"
			if conf < 0.95 {
				rule = "cmdi.chain_amp" // after a lone '&', which text uses
			}
			dst = append(dst, signal(NameCommand, rule, conf, in, i, j))
		}
		if i, j := substitution(b); i >= 0 && seen.mark(&hit, cmdSubst) {
			dst = append(dst, signal(NameCommand, "cmdi.substitution", 0.95, in, i, j))
		}
		if m&cDollar != 0 {
			if i := bytes.Index(b, []byte("$ifs")); i >= 0 && seen.mark(&hit, cmdIFS) {
				dst = append(dst, signal(NameCommand, "cmdi.ifs", 0.99, in, i, i+4))
			} else if i := bytes.Index(b, []byte("${ifs")); i >= 0 && seen.mark(&hit, cmdIFS) {
				dst = append(dst, signal(NameCommand, "cmdi.ifs", 0.99, in, i, i+5))
			}
		}
	}
	if !header && in.src != threat.SourcePath {
		if i, j, conf, rule := bareCommand(b); i >= 0 && seen.mark(&hit, cmdBare) {
			dst = append(dst, signal(NameCommand, rule, conf, in, i, j))
		}
		if m&cParen != 0 {
			if i, j := execCall(b); i >= 0 && seen.mark(&hit, cmdExec) {
				dst = append(dst, signal(NameCommand, "cmdi.exec_call", 0.99, in, i, j))
			}
		}
	}
	return dst, hit
}

// commandAt reports whether b[i:] starts (after spaces, quotes, a brace and
// an optional binary directory) with a shell command followed by a word
// boundary, and returns where the command ends.
func commandAt(b []byte, i int) (int, bool) {
	for i < len(b) && (b[i] == ' ' || b[i] == '+' || b[i] == '\t' || b[i] == '\'' || b[i] == '"' || b[i] == '{' || b[i] == '(' || b[i] == '\\') {
		i++
	}
	if k, ok := hasPrefixAny(b[i:], binDirs); ok {
		i += len(binDirs.kws[k])
	}
	j := i
	for j < len(b) && (isWord(b[j]) || b[j] == '.' || b[j] == '-') {
		j++
	}
	if j == i || j-i > 16 {
		return 0, false
	}
	// An unquoted quote or backslash inside a command name is a shell
	// obfuscation ("w'h'oami", "c\at"); fold simple cases by reading on.
	if !shellCommands[string(b[i:j])] {
		return 0, false
	}
	if j < len(b) {
		switch b[j] {
		case ' ', '+', '\t', '\n', '\r', ';', '|', '&', '`', '\'', '"', ')', '$', '<', '>', ',', '}', '/', 0:
		default:
			return 0, false
		}
	}
	return j, true
}

// chained finds a shell separator followed by a command. It returns the
// span and a confidence: lower for a lone '&', which ordinary text uses.
func chained(b []byte) (int, int, float64) {
	for i := 0; i < len(b); i++ {
		c := b[i]
		var next int
		conf := 0.99
		switch {
		case c == ';' || c == '|' || c == '\n' || c == '`':
			next = i + 1
			if next < len(b) && b[next] == '|' {
				next++
			}
		case c == '&':
			next = i + 1
			if next < len(b) && b[next] == '&' {
				next++
			} else {
				conf = 0.9
			}
		case c == '$' && i+1 < len(b) && b[i+1] == '(':
			next = i + 2
		default:
			continue
		}
		if j, ok := commandAt(b, next); ok {
			if conf < 0.95 {
				// after a lone '&': strong only for a command line
				k := next
				for k < j && !isWord(b[k]) {
					k++
				}
				if name := b[k:j]; strongCommands[string(name)] || bytes.LastIndexByte(name, '/') >= 0 {
					conf = 0.97
				}
			}
			return i, j, conf
		}
	}
	return -1, -1, 0
}

// substitution finds `...` or $(...) enclosing a word.
func substitution(b []byte) (int, int) {
	if i := bytes.IndexByte(b, '`'); i >= 0 {
		if j := bytes.IndexByte(b[i+1:], '`'); j > 0 {
			inner := b[i+1 : i+1+j]
			for _, c := range inner {
				if isWord(c) {
					return i, i + j + 2
				}
			}
		}
	}
	if i := bytes.Index(b, []byte("$(")); i >= 0 {
		if j := bytes.IndexByte(b[i:], ')'); j > 2 {
			return i, i + j + 1
		}
	}
	return -1, -1
}

// bareCommand finds a value that is a command line by itself: a command
// called by its absolute path ("/usr/bin/id"), a command directly followed
// by a shell separator ("id;"), or a command followed by an option, an
// absolute path, a drive or an address ("ping -n 3 127.0.0.1").
func bareCommand(b []byte) (i, j int, conf float64, rule string) {
	start := 0
	for start < len(b) && (b[start] == ' ' || b[start] == '+') {
		start++
	}
	j, ok := commandAt(b, start)
	if !ok {
		return -1, -1, 0, ""
	}
	if _, dir := hasPrefixAny(b[start:], binDirs); dir {
		return start, j, 0.99, "cmdi.binary_path"
	}
	if j == len(b) {
		return -1, -1, 0, ""
	}
	switch b[j] {
	case ';', '|', '&', '`', '\n':
		if strongCommands[string(b[start:j])] {
			return start, j + 1, 0.99, "cmdi.leading"
		}
		return start, j + 1, 0.6, "cmdi.leading_weak"
	case ' ', '+', '\t':
	default:
		return -1, -1, 0, ""
	}
	k := j
	for k < len(b) && (b[k] == ' ' || b[k] == '+' || b[k] == '\t') {
		k++
	}
	if k >= len(b) {
		return -1, -1, 0, ""
	}
	strong := strongCommands[string(b[start:j])]
	switch c := b[k]; {
	case (c == '/' || c == '$' || c == '-' || k+1 < len(b) && b[k+1] == ':' && c >= 'a' && c <= 'z') && strong:
		return start, k + 1, 0.99, "cmdi.command_line"
	case c == '/' || c == '$' || c == '-' || k+1 < len(b) && b[k+1] == ':' && c >= 'a' && c <= 'z':
		return start, k + 1, 0.6, "cmdi.bare"
	}
	return -1, -1, 0, ""
}

// strongCommands are commands whose name followed by an argument is a
// command line rather than a sentence ("ping -n", "cat /etc", "wget http").
var strongCommands = set("id", "whoami", "uname", "cat", "ls", "ping", "ping.exe", "nslookup", "wget", "curl", "nc", "ncat",
	"netcat", "bash", "sh", "zsh", "powershell", "powershell.exe", "pwsh", "cmd", "cmd.exe", "certutil", "sleep", "dir",
	"ipconfig", "ifconfig", "netstat", "systeminfo", "tasklist", "chmod", "chown", "rm", "telnet", "tftp", "perl", "python",
	"python3", "php", "ruby", "nohup", "crontab", "useradd", "base64", "uname.exe", "whoami.exe", "net.exe", "wmic",
	"busybox", "socat", "xterm", "mkfifo", "sudo")

// execCall finds a process-spawning call whose argument is a shell command:
// system('id'), exec("cat /etc/passwd"), os.system('ls'),
// Runtime.getRuntime().exec("whoami"), child_process.exec('id').
func execCall(b []byte) (int, int) {
	for off := 0; off < len(b); {
		p := bytes.IndexByte(b[off:], '(')
		if p < 0 {
			return -1, -1
		}
		p += off
		off = p + 1
		s := p
		for s > 0 && (isWord(b[s-1]) || b[s-1] == '.') {
			s--
		}
		name := b[s:p]
		if dot := bytes.LastIndexByte(name, '.'); dot >= 0 {
			name = name[dot+1:]
		}
		if !execFuncs[string(name)] {
			continue
		}
		a := p + 1
		for a < len(b) && (b[a] == ' ' || b[a] == '\'' || b[a] == '"' || b[a] == '`' || b[a] == '[') {
			a++
		}
		if j, ok := commandAt(b, a); ok {
			return s, j
		}
	}
	return -1, -1
}

var execFuncs = set("system", "exec", "shell_exec", "passthru", "popen", "proc_open", "pcntl_exec", "spawn", "execsync",
	"spawnsync", "execfile", "call", "check_output", "run", "getoutput", "getstatusoutput", "start", "command", "eval",
	"assert", "runtime", "processbuilder", "os_exec", "execute", "backticks", "qx", "io.popen")

// pathNorm appends v lower-cased to buf with '\' as '/', textual hex
// escapes of dot and slashes ("0x2e", "0x2f", "0x5c") decoded, and runs of
// '/' folded.
func pathNorm(buf []byte, v string) []byte {
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '0' && i+3 < len(v) && (v[i+1] == 'x' || v[i+1] == 'X') {
			switch h := v[i+2 : i+4]; h {
			case "2e", "2E":
				c, i = '.', i+3
			case "2f", "2F", "5c", "5C":
				c, i = '/', i+3
			}
		}
		switch {
		case c == '\\':
			c = '/'
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		if c == '/' && len(buf) > 0 && buf[len(buf)-1] == '/' {
			continue
		}
		buf = append(buf, c)
	}
	return buf
}
