package main

import (
	"net/url"
	"testing"
)

func TestTarget(t *testing.T) {
	for in, want := range map[string]string{
		`/top.php?stuff='uname >q36497765 #`:        `/top.php?stuff='uname%20%3Eq36497765%20%23`,
		`/cgi-bin/search.pl?form=../etc/passwd\x00`: `/cgi-bin/search.pl?form=../etc/passwd%00`,
		`/main.php?stuff="&ping\xa0-w\xa07000`:      `/main.php?stuff=%22&ping%A0-w%A07000`,
		`/%3B%20str%3D%24%28echo%20ZSSQMT%29`:       `/%3B%20str%3D%24%28echo%20ZSSQMT%29`,
		`<script>document.cookie="x=1;"</script>`:   `/%3Cscript%3Edocument.cookie=%22x=1;%22%3C/script%3E`,
		`/c:\boot.ini \xZZ`:                         `/c:%5Cboot.ini%20%5CxZZ`,
	} {
		got := target(in)
		if got != want {
			t.Errorf("target(%q) = %q, want %q", in, got, want)
		}
		if _, err := url.ParseRequestURI(got); err != nil {
			t.Errorf("target(%q) = %q: %v", in, got, err)
		}
	}
}

// FuzzTarget: any line becomes a target a request line holds (no blank,
// control byte, '#' or byte above ASCII) that starts with '/'.
func FuzzTarget(f *testing.F) {
	for _, s := range []string{`/a?b=\x00`, `\x`, `\xf`, "a b\x7f\xff#"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := target(s)
		if got == "" || got[0] != '/' {
			t.Fatalf("%q: %q", s, got)
		}
		for i := 0; i < len(got); i++ {
			if c := got[i]; c <= ' ' || c >= 0x7f || c == '#' {
				t.Fatalf("%q: %q holds %q", s, got, c)
			}
		}
	})
}
