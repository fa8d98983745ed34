package signature

import "testing"

func TestCRSListsLoad(t *testing.T) {
	for _, name := range []string{"java-classes", "lfi-os-files", "php-function-names-933150", "php-variables",
		"restricted-files", "restricted-upload", "scanners-user-agents", "ssrf", "ssrf-no-scheme", "unix-shell",
		"unix-shell-aliases", "unix-shell-builtins", "windows-powershell-commands", "web-shells-php", "web-shells-asp",
		"ai-critical-artifacts"} {
		l := crsList(name)
		if len(l) < 3 {
			t.Errorf("%s: %d entries", name, len(l))
		}
		for _, e := range l {
			if e == "" || e[0] == '#' {
				t.Errorf("%s: comment or blank entry %q", name, e)
			}
		}
	}
}
