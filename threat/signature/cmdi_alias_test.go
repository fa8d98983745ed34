package signature

import (
	"strings"
	"testing"
)

// TestAliasDefinition: shell aliases defined for a command, as the CRS's
// 932175 tests and obfuscation guides write them, and look-alikes of
// prose and settings.
func TestAliasDefinition(t *testing.T) {
	for v, want := range map[string]bool{
		"alias eennvv=env":         true,
		"alias a=c${KK}url":        true,
		"alias 'letter'=curl":      true,
		"alias \"quote\"=curl":     true,
		"alias double=\"curl\"":    true,
		"alias -p jzfrx=id":        true,
		"x;alias w=wget -q":        true,
		"$(alias n=nc)":            true,
		"alias ..='cd ..'":         false,
		"My alias=John Smith":      false,
		"the alias=curl in docs":   false,
		"set alias a=b":            false,
		"aliases=curl":             false,
		"alias":                    false,
		"alias ":                   false,
		"alias x=":                 false,
		"alias x=${":               false,
		"email alias=me@x.example": false,
	} {
		if _, _, got := aliasDefinition(v); got != want {
			t.Errorf("aliasDefinition(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzAliasDefinition: aliasDefinition never panics, and a definition it
// finds starts with "alias" and lies inside the value.
func FuzzAliasDefinition(f *testing.F) {
	for _, s := range []string{"alias a=curl", "alias a=c${KK}url", "alias -p x=id", "alias", "alias x=${", ";alias 'q'=nc", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		i, j, ok := aliasDefinition(s)
		if !ok {
			return
		}
		if i < 0 || j > len(s) || i >= j || !strings.EqualFold(s[i:i+5], "alias") {
			t.Fatalf("%q: definition at %d:%d", s, i, j)
		}
	})
}
