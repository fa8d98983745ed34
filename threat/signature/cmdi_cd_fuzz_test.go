package signature

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzWorkDir checks that following a command line's "cd" commands never
// panics, keeps the directory within its buffer and absolute, and that
// reaches finds a file only through a name of the arguments.
func FuzzWorkDir(f *testing.F) {
	for _, s := range []string{"cd /;cd etc;cat passwd", "cd /etc/ ; head passwd", "cd ..;cd ..", "cd /a/b;cd ..;cd ..;cd ..",
		"cd " + string(bytes.Repeat([]byte("x"), 70)), "cd /root/.ssh;cat id_rsa", "cd", "cd \t/"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		b = bytes.ToLower(b)
		var d workDir
		for i := 0; i <= len(b); i++ {
			d.follow(b, i)
			if d.n < 0 || d.n > len(d.buf) || d.n > 0 && d.buf[0] != '/' {
				t.Fatalf("%q at %d: directory %q", b, i, d.buf[:max(0, min(d.n, len(d.buf)))])
			}
		}
		if d.reaches(nil) {
			t.Fatalf("%q: reaches a file without arguments", b)
		}
		d.reaches(b)
	})
}

// FuzzVarWords checks that varWords stays in bounds and skips only
// variables and blanks.
func FuzzVarWords(f *testing.F) {
	for _, s := range []string{"$u wget x", "${a} $b id", "$ wget", "$", "${", "${x", "$a", "$a $b $c $d $e cat"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		k := varWords(b, 0)
		if k < 0 || k > len(b) {
			t.Fatalf("%q: %d out of bounds", b, k)
		}
		for _, c := range b[:k] {
			if c != '$' && c != '{' && c != '}' && c != ' ' && c != '\t' && !isWord(c) {
				t.Fatalf("%q: skipped %q", b, b[:k])
			}
		}
		if k > 0 && (k == len(b) || b[k] == ' ' || b[k] == '\t') {
			t.Fatalf("%q: stops at %d, not at a word", b, k)
		}
	})
}

// FuzzExpandAssigned checks that expandAssigned never panics, bounds
// what it writes, and writes only for a value with an assignment and a
// variable.
func FuzzExpandAssigned(f *testing.F) {
	for _, s := range []string{"a=c;b=at;$a$b /etc/passwd", "c4=\\ ;$c4", "x='y;$x", "a=\"b\";${a}", "${", "a=;$a", "a=b", "=;$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		out := expandAssigned(v)
		if len(out) > varExpandMax {
			t.Fatalf("%q: %d bytes written", v, len(out))
		}
		if out != "" && (!strings.Contains(v, "=") || !strings.Contains(v, "$")) {
			t.Fatalf("%q: expanded to %q without an assignment and a variable", v, out)
		}
	})
}

// FuzzFindExec checks that findExec never panics and finds only
// arguments that name an action running a command.
func FuzzFindExec(f *testing.F) {
	for _, s := range []string{" /etc -name passwd -exec cat {} \\;", " . -exec /bin/sh \\;", " -exec", " -", " / -ok", ""} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if findExec(b) && !bytes.Contains(b, []byte(" -exec")) && !bytes.Contains(b, []byte(" -ok")) {
			t.Fatalf("%q: no -exec or -ok", b)
		}
	})
}

// FuzzANSICQuote checks that ansiCQuote keeps what b held, ends on the
// closing quote, decodes no more bytes than the string holds, and appends
// printable lower-case ASCII only.
func FuzzANSICQuote(f *testing.F) {
	for _, s := range []string{`$'\x63\x61\x74'`, `$'\167\150\157\141\155\151'`, `$'\x'`, `$'\x6'`, `$'ab'`, `$'\x63`, `$'\e[2J'`,
		`$'\x41\t\n\\\''`, `$'\400'`, `$'\x00'`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		v = "$'" + strings.TrimPrefix(v, "$'")
		head := []byte("pre")
		got, end, ok := ansiCQuote(head, v, 0)
		if string(got[:3]) != "pre" {
			t.Fatalf("%q: b's bytes changed: %q", v, got)
		}
		if !ok {
			if len(got) != 3 {
				t.Fatalf("%q: refused but appended %q", v, got[3:])
			}
			return
		}
		if end >= len(v) || v[end] != '\'' || end < 3 {
			t.Fatalf("%q: end %d is no closing quote", v, end)
		}
		if len(got)-3 > end-2 {
			t.Fatalf("%q: %d bytes from a string of %d", v, len(got)-3, end-2)
		}
		for _, c := range got[3:] {
			if (c < 0x20 || c > 0x7e) && c != '\t' || 'A' <= c && c <= 'Z' || quotedOperator(c) {
				t.Fatalf("%q: appended %q", v, got[3:])
			}
		}
	})
}
