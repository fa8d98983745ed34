package signature

import (
	"bytes"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanTraversal finds path traversal and file inclusion: "../"
// sequences in all their encodings, names of files attackers read (passwd,
// boot.ini, web.config ...), stream wrappers (php://filter, file://,
// phar://), remote includes (a URL parameter ending in '?' or a NUL), and
// the long runs of one character that overflow probes send.

const (
	travDotDot = iota
	travFile
	travWrapper
	travRemote
	travRun
)

var (
	sensitiveStrong = words("etc/passwd", "etc/shadow", "etc/group", "etc/hosts", "etc/issue", "etc/motd", "etc/master.passwd",
		"etc/httpd/", "etc/apache", "etc/nginx/", "etc/mysql/", "etc/php", "etc/crontab", "etc/sudoers", "proc/self/", "proc/version",
		"proc/1/", "var/log/", "var/www/", "boot.ini", "win.ini", "system.ini", "windows/system32", "winnt/system32",
		"inetpub/", "global.asa", "web.config", "web-inf", "meta-inf/", ".htaccess", ".htpasswd", ".bash_history",
		".ssh/", "id_rsa", "authorized_keys", ".git/", ".svn/", ".env", "wp-config.php", "config.inc.php", "localsettings.php",
		"autoexec.bat", "sam", "repair/sam", "system32/config", "boot/grub", "/dev/null", "/dev/tcp/", "/dev/zero",
		"etcpasswd", "etcshadow", "bootini", "{file}", "php.ini", "my.cnf", "httpd.conf", "applicationhost.config")
	// sensitivePlaces name places rather than secrets: alone they prove
	// nothing; after a traversal or as an absolute path in a parameter
	// they do.
	sensitivePlaces = words("c:/", "d:/", "file:/", "/root/", "/home/", "/tmp/", "/usr/local/", "/opt/", "/bin/", "/usr/bin/")
	wrappers        = words("php:/", "file:/", "zip:/", "phar:/", "expect:/", "data:/", "glob:/", "compress.zlib:/",
		"compress.bzip2:/", "ogg:/", "rar:/", "ssh2.", "jar:", "netdoc:", "zlib:")
	remoteSchemes = words("http:/", "https:/", "ftp:/", "ftps:/")
	remoteShells  = words("c99", "r57", "shell", "cmd.", ".txt?", "webshell", "backdoor", "/evil", "?cmd=", "?c=")
)

const pathChars = cDot | cSlash | cBackslash | cColon | cPercent | cBrace

func scanTraversal(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [512]byte
	v := in.value
	m := in.m
	if in.src != threat.SourceHeader && len(v) >= 64 {
		if i, n := longestRun(v); n >= 64 && seen.mark(&hit, travRun) {
			dst = append(dst, signal(NameTraversal, "probe.long_run", 0.75, in, i, i+n))
		}
	}
	if m&pathChars == 0 {
		return dst, hit
	}
	b := pathNorm(stack[:0], v)
	dots, at := dotdots(b)
	if dots > 0 && seen.mark(&hit, travDotDot) {
		n, i := dots, at
		conf, rule := 0.75, "traversal.dotdot_one"
		switch {
		case n >= 2:
			conf, rule = 0.99, "traversal.dotdot"
		case in.src == threat.SourcePath:
			conf, rule = 0.9, "traversal.dotdot_path" // a client never needs ".." in a path
		}
		dst = append(dst, signal(NameTraversal, rule, conf, in, i, i+3))
	}
	if in.src != threat.SourceHeader || in.name != "Referer" {
		mt, ok := findAny(b, sensitiveStrong, false)
		strong := ok
		if !ok {
			mt, ok = findAny(b, sensitivePlaces, false)
		}
		if ok {
			if (strong || dots > 0 || in.src != threat.SourcePath && absolute(b)) && seen.mark(&hit, travFile) {
				conf, rule := 0.9, "lfi.file"
				switch {
				case !strong:
					conf, rule = 0.7, "lfi.place"
				case dots > 0 || bytes.IndexByte(b, '/') >= 0 || bytes.IndexByte(b, ':') >= 0:
					conf, rule = 0.99, "lfi.file_path" // a secret file by path
				}
				dst = append(dst, signal(NameTraversal, rule, conf, in, mt.i, mt.j))
			}
		}
	}
	if m&cColon != 0 {
		if mt, ok := findAny(b, wrappers, false); ok && seen.mark(&hit, travWrapper) {
			dst = append(dst, signal(NameTraversal, "lfi.wrapper", 0.99, in, mt.i, mt.j))
		}
		if in.src != threat.SourcePath && in.src != threat.SourceHeader {
			if conf := remoteInclude(b); conf > 0 && seen.mark(&hit, travRemote) {
				rule := "rfi.url"
				if conf < 0.8 {
					rule = "rfi.shell_url"
				}
				dst = append(dst, signal(NameTraversal, rule, conf, in, 0, len(v)))
			}
		}
	}
	return dst, hit
}

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

// dotdots counts traversal steps in a normalised value: ".." (or more dots)
// before '/' or ';' or at the end after '/', and runs of "./" or of six or
// more dots (left when a filter strips slashes). It returns the count and
// the index of the first.
func dotdots(b []byte) (n, first int) {
	first = -1
	for i := 0; i+1 < len(b); i++ {
		if b[i] != '.' || b[i+1] != '.' {
			continue
		}
		j := i
		for j < len(b) && b[j] == '.' {
			j++
		}
		atStart := i == 0 || b[i-1] == '/' || b[i-1] == '=' || b[i-1] == ' '
		end := j == len(b) || b[j] == '/' || b[j] == ';' || b[j] == 0
		if (atStart && end && (j < len(b) || i > 0)) || j-i >= 6 {
			if first < 0 {
				first = i
			}
			n++
			if j-i >= 6 {
				n += (j - i) / 4 // "........" is "../../" with the slashes stripped
			}
		}
		i = j - 1
	}
	if n == 0 {
		// "/./././." walks nowhere but is the same probe
		if c := bytes.Count(b, []byte("./")); c >= 4 && bytes.Contains(b, []byte("/./")) {
			return 1, bytes.Index(b, []byte("./"))
		}
	}
	return n, first
}

// absolute reports whether b starts like an absolute file path.
func absolute(b []byte) bool {
	return len(b) > 1 && b[0] == '/' || len(b) > 2 && b[1] == ':' && b[2] == '/' && b[0] >= 'a' && b[0] <= 'z'
}

// remoteInclude rates a value that is a URL as a remote file include: a URL
// ending in '?' or '&' or a NUL (to cut off the suffix the application
// appends), or one pointing at a known shell name.
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
		return 0.9
	case bytes.Contains(b, []byte("?=")) || bytes.Contains(b, []byte("??")):
		return 0.85
	}
	if mt, ok := findAny(b, remoteShells, false); ok && mt.i > 7 {
		return 0.7
	}
	return 0
}

// longestRun returns the start and length of the longest run of one byte
// (other than digits, which card numbers and ids repeat legitimately).
func longestRun(v string) (int, int) {
	best, at := 0, 0
	for i := 0; i < len(v); {
		j := i + 1
		for j < len(v) && v[j] == v[i] {
			j++
		}
		if j-i > best && !(v[i] >= '0' && v[i] <= '9') {
			best, at = j-i, i
		}
		i = j
	}
	return at, best
}
