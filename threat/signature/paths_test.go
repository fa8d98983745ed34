package signature

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestPathFold(t *testing.T) {
	for _, c := range []struct {
		in, want string
		exotic   bool
	}{
		{"..%2f..%2fetc%2fpasswd", "../../etc/passwd", false},
		{"..%252f..%252fetc/passwd", "../../etc/passwd", true},       // PortSwigger: double encoding
		{"%25252e%25252e%25252f", "../", true},                       // triple
		{"%%32%65%%32%65/", "../", true},                             // IIS double-decode halves
		{"%2%e%2%e%2%f", "../", true},                                // each half escaped
		{"%u002e%u002e%u2215etc%u2215passwd", "../etc/passwd", true}, // %u and DIVISION SLASH
		{"..%c0%af..%c0%afetc", "../../etc", true},                   // overlong '/'
		{"..%c1%9c..%c1%9cboot.ini", "../../boot.ini", true},         // overlong '\'
		{"%c0%2e%c0%2e%c0%5c", "../", true},                          // C0 with an ASCII second byte
		{"%e0%80%ae%e0%80%ae%f0%80%80%af", "../", true},              // three and four bytes
		{"%f8%80%80%80%ae%fc%80%80%80%80%ae%c0%af", "../", true},     // five and six bytes
		{"%uff0e%uff0e%uff0f", "../", true},                          // fullwidth
		{"\u2024\u2024\u2216windows", "../windows", true},            // one dot leader, set minus
		{"0x2e0x2e0x2fetc", "../etc", true},                          // textual hex
		{"..%c0%qf..%bg%qfetc", "../../etc", true},                   // escapes that decode to nothing
		{"..%uF025..%uEFC8etc", "../../etc", true},                   // private use
		{"..2f..2fetc", "../../etc", true},                           // a filter ate the '%'
		{".%00.%00/", "../", false},                                  // NUL dropped
		{"..\\..\\Windows\\WIN.INI", "../../windows/win.ini", false}, // '\' and case
		{"....//....//etc", "..../..../etc", false},                  // runs of '/'
		{"%2F%2525%255c..%2525%255c..", "/../..", true},              // the husk of an escape
		{"Ca\xf1on 50% off", "ca\xf1on 50% off", false},              // Latin-1 and a lone '%' stay
		{"résumé.pdf", "résumé.pdf", false},
	} {
		got, exotic := pathFold(nil, c.in, false)
		if string(got) != c.want || (exotic > 0) != c.exotic {
			t.Errorf("pathFold(%q) = %q, exotic %d; want %q, exotic %v", c.in, got, exotic, c.want, c.exotic)
		}
	}
	if got, _ := pathFold(nil, "a+b%2Bc", true); string(got) != "a b+c" {
		t.Errorf("plus: %q", got)
	}
}

func TestDotdots(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"../../etc/passwd", 2},
		{"/static/..;/..;/web-inf/web.xml", 2},
		{"..../..../etc", 2},
		{"?./?./boot.ini", 2}, // wildcards Windows resolves
		{"..", 0},             // a bare ".." is not a walk
		{"/..", 1},
		{"x=../y", 1},
		{"wait... what", 0},
		{"and so on.../etc", 0},
		{"......... escape", 0}, // an ellipsis line
		{"........etc/passwd", 3},
		{"1.5..2.0", 0},
	} {
		if got, _ := dotdots([]byte(c.in)); got != c.want {
			t.Errorf("dotdots(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func TestFileTargets(t *testing.T) {
	for _, c := range []struct {
		in   string
		tier uint8
	}{
		{"/etc/passwd", tierSystem},
		{"c:/windows/win.ini", tierSystem},
		{"/proc/self/environ", tierSystem},
		{"/home/bob/.ssh/id_rsa", tierSystem},
		{"/var/www/.env", tierSystem},
		{"../.git/config", tierSystem},
		{"/var/log/apache2/access.log", tierSystem},
		{"includes/config.php", tierApp},
		{"/app/package.json", tierApp},
		{"/etc/hostsfoo", tierNone}, // a longer name is another file
		{"/blog/etc-hosts-explained", tierNone},
		{"/images/logo.png", tierNone},
		{"the same as before", tierNone}, // "sam" inside a word
	} {
		if _, _, tier := findTarget([]byte(c.in)); tier != c.tier {
			t.Errorf("findTarget(%q) tier %d, want %d", c.in, tier, c.tier)
		}
	}
}

func TestSystemPath(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int
	}{
		{"/var/adm/wtmpx", 2},
		{"/usr/local/nginx/conf/nginx.conf", 2},
		{"c:/xampp/filezillaftp/filezilla server.xml", 2},
		{"/xampp/apache/logs/error.log", 2},
		{"d:/appserv/mysql", 2},
		{"c:/data/report.log", 2},
		{"c:/users/bob/photo.jpg", 1},
		{"c:/users/bob/appdata/app.log", 2},
		{"e:/photos/cat.jpg", 1},
		{"c:/fakepath/cv.pdf", 0},
		{"/home/index", 0},
		{"/home/bob/.bashrc", 2},
		{"/style.css", 0},
		{"/images/a.png", 0},
		{"/account/orders", 0},
		{"/var", 0},
	} {
		if got := systemPath([]byte(c.in)); got != c.want {
			t.Errorf("systemPath(%q) = %d, want %d", c.in, got, c.want)
		}
	}
}

func FuzzPathFold(f *testing.F) {
	for _, s := range []string{"..%2f..%2fetc%2fpasswd", "%%32%65%%32%65/", "%c0%ae%c0%ae%c0%af", "%uff0e%u2215",
		"%f8%80%80%80%ae", "..%c0%qf", "0x2e0x2e0x5c", "\u2026/\u2025/", "%2525%255c..", "caf\xe9 50% off", "\xc0", "%u", "%"} {
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, v string, plus bool) {
		out, exotic := pathFold(nil, v, plus)
		if len(out) > len(v) {
			t.Fatalf("pathFold(%q) = %q grew", v, out)
		}
		if exotic < 0 || exotic > len(v) {
			t.Fatalf("exotic %d for %d bytes", exotic, len(v))
		}
		if bytes.Contains(out, []byte("//")) || bytes.IndexByte(out, '\\') >= 0 {
			t.Fatalf("pathFold(%q) = %q: separators not folded", v, out)
		}
		for _, c := range out {
			if c < 0x20 || 'A' <= c && c <= 'Z' {
				t.Fatalf("pathFold(%q) = %q: control or upper-case byte", v, out)
			}
		}
		if utf8.ValidString(v) && !strings.ContainsAny(v, "%\u00c0\u00c1") && !utf8.Valid(out) {
			t.Fatalf("pathFold(%q) = %q: valid input made invalid", v, out)
		}
		dotdots(out)
		findTarget(out)
		systemPath(trimValue(out))
		shaped(trimValue(out))
	})
}

func FuzzShellFold(f *testing.F) {
	for _, s := range []string{";c'a't /e''tc/pa''sswd", "w\\h\\o\\a\\m\\i", "w^h^o^a^m^i", "cat${IFS}/etc/passwd",
		"$IFS$9", "${PATH:0:1}", "{cat,/etc/passwd}", "{,ifconfig}", "\\033[2Awget x", "/???/??t", "a|id|", "`id`",
		"$(id)", "<(id)", "it's 'quoted'", "x'", "{", "${", "$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		var st [64]byte
		tx := shellText{b: st[:0]}
		tx.b = shellFold(&tx, tx.b[:0], v)
		if len(tx.b) > len(v) {
			t.Fatalf("shellFold(%q) = %q grew", v, tx.b)
		}
		for k := 0; k < tx.n && k < maxObf; k++ {
			if o := int(tx.obf[k]); o < 0 || o > len(tx.b) {
				t.Fatalf("shellFold(%q): obfuscation at %d of %d", v, o, len(tx.b))
			}
		}
		var best cmdHit
		rateCommands(&tx, &best, false)
		rateCommands(&tx, &best, true)
		if best.conf > 0 && (best.i < 0 || best.j < best.i || best.j > len(tx.b)) {
			t.Fatalf("%q: hit %+v outside %d bytes", v, best, len(tx.b))
		}
		execCall(tx.b)
		psCradle(tx.b)
	})
}

func FuzzParseDest(f *testing.F) {
	for _, s := range []string{"http://expected.com@127.0.0.1/", "http://127.0.0.1#@x/", "http://[::ffff:7f00:1]:80/",
		"//169.254.169.254/latest", "http:127.0.0.1", "0x7f.1:80/", "http://①②⑦.⓪.⓪.①/", "[", "http://[", "a@b@c",
		"http://0/", "10.0.0.0/8", "http://127.1.1.1:80:/@@127.2.2.2:80/", "http://::1/", "http://7147006462/", "http://0x41414141A9FEA9FE/", "http://99999999999999999999999/", "http://127.0.0.1\x00.example.com/", "\x00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		b, _ := urlFold(nil, v)
		if len(b) > len(v) {
			t.Fatalf("urlFold(%q) = %q grew", v, b)
		}
		d := parseDest(b)
		for k := 0; k < d.n; k++ {
			classifyHost(d.hosts[k], d.scheme, d.explicit)
		}
		oobDomain(b)
	})
}
