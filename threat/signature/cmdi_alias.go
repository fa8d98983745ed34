package signature

import "strings"

// aliasDefinition finds a shell alias defined for a command, "alias
// x=curl", "alias 'letter'=curl", "alias a=c${KK}url": a payload that
// names a command under another word, so that a filter looking for the
// command's name in a command's place finds only the alias ("alias
// eennvv=env" then "eennvv whoami"). "alias" must open the value or
// follow a shell separator, and the aliased text, its quotes and empty
// expansions undone, must start with a command no prose names (a
// cmdName or a probe, "curl", "env", "id", "ls"); an alias for a word
// ("cd ..", "alias=John Smith" in a sentence) is left. It returns the
// definition's span.
func aliasDefinition(v string) (int, int, bool) {
	for k := 0; k < len(v); {
		p := indexFold(v[k:], "alias")
		if p < 0 {
			return 0, 0, false
		}
		p += k
		k = p + 5
		if !aliasAtCommand(v, p) || k >= len(v) || v[k] != ' ' && v[k] != '\t' {
			continue
		}
		i := skipSpaceStr(v, k)
		for i+1 < len(v) && v[i] == '-' && isLetter(v[i+1]) { // alias -p, -g
			for i < len(v) && v[i] != ' ' && v[i] != '\t' {
				i++
			}
			i = skipSpaceStr(v, i)
		}
		// the alias's name, maybe quoted, up to '='
		e := i
		for e < len(v) && e-i < 64 && v[e] != '=' && v[e] != ' ' && v[e] != '\t' && v[e] != ';' && v[e] != '&' && v[e] != '|' {
			e++
		}
		if e == i || e >= len(v) || v[e] != '=' {
			continue
		}
		if w, ok := aliasedWord(v[e+1:]); ok {
			switch commandClasses[w] {
			case cmdName, cmdProbe:
				return p, e + 1 + len(w), true
			}
		}
	}
	return 0, 0, false
}

// aliasAtCommand reports whether "alias" at s[p] stands where a shell
// reads a command: at the value's start, after spaces, or after a
// separator (; & | newline ` $( ).
func aliasAtCommand(s string, p int) bool {
	if p+5 < len(s) && isWord(s[p+5]) {
		return false
	}
	b := p
	for b > 0 && (s[b-1] == ' ' || s[b-1] == '\t') {
		b--
	}
	if b == 0 {
		return true
	}
	switch s[b-1] {
	case ';', '&', '|', '\n', '\r', '`', '(':
		return true
	}
	return false
}

// aliasedWord reads the first word of an alias's text: its quotes, empty
// braced expansions ("${KK}", read as unset) and
// backslashes dropped, lower-cased, up to a space, a separator or the
// closing quote. It reports false for a word longer than a command's
// name.
func aliasedWord(s string) (string, bool) {
	var buf [32]byte
	w := buf[:0]
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'' || c == '"' || c == '\\':
			continue
		case c == '$' && i+1 < len(s) && s[i+1] == '{':
			e := strings.IndexByte(s[i+2:min(len(s), i+34)], '}')
			if e < 0 || !isEnvName(s[i+2:i+2+e]) {
				return "", false
			}
			i += 2 + e
			continue
		case isAlnum(c) || c == '-' || c == '_' || c == '.':
			if len(w) == len(buf) {
				return "", false
			}
			if 'A' <= c && c <= 'Z' {
				c += 'a' - 'A'
			}
			w = append(w, c)
			continue
		}
		break
	}
	return string(w), len(w) > 0
}
