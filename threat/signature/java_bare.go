package signature

import "strings"

// A Java class, package or internal named alone, as the whole of a value
// or a name: "com.opensymphony.xwork2", "com.sun.org.apache",
// "classLoader", "OgnlContext". Probes and gadget chains send these where
// a polymorphic deserialiser, a property binder or an expression language
// reads a class by its name; no form field, search or note is one of
// them and nothing else. The names are the CRS java-classes list and the
// Java words of javaWordList that are names (no call, no punctuation but
// dots). Spaces and quotes around the name are allowed; anything else
// around it is a sentence or code, which javaCode reads.
//
// A public package of the list ("org.apache.commons", "javax.xml.parsers",
// "java.nio.file") is a Maven groupId, an import or a search of the docs
// as well: alone as a value it is metadata (javaCode weighs it 0.6), and
// only a parameter's or key's name that is one is a finding. The JDK's and
// Struts' internal packages (javaInternalPackages) are no one's metadata.

var (
	javaBareNames  map[string]bool // true: a public package ("org.apache.commons")
	javaBareFilter wordFilter
	// javaBareMin and javaBareMax bound the names' lengths
	javaBareMin, javaBareMax = 1 << 30, 0
)

func init() {
	javaBareNames = map[string]bool{}
	add := func(w string) {
		for i := 0; i < len(w); i++ {
			if c := w[i]; !isWord(c) && c != '.' {
				return // a call, an OGNL or JSON fragment: not a name
			}
		}
		last := w[strings.LastIndexByte(w, '.')+1:]
		pkg := strings.IndexByte(w, '.') >= 0 && last != "" && last[0] >= 'a' && last[0] <= 'z'
		w = strings.ToLower(w)
		javaBareNames[w] = pkg && !javaInternalPackages[w]
		javaBareFilter[javaBareHash(w)>>6] |= 1 << (javaBareHash(w) & 63)
		javaBareMin, javaBareMax = min(javaBareMin, len(w)), max(javaBareMax, len(w))
	}
	for _, c := range crsList("java-classes") {
		add(c)
	}
	for _, w := range javaWordList {
		add(w)
	}
}

// javaBareHash is wordFilterHash of w with its letters folded to lower
// case: the first, middle and last bytes and the length.
func javaBareHash(w string) uint32 {
	n := len(w)
	k := uint64(w[0]|0x20) | uint64(w[n/2]|0x20)<<8 | uint64(w[n-1]|0x20)<<16 | uint64(n)<<24
	return uint32(k * 0x9E3779B97F4A7C15 >> 48)
}

// javaBareValue reports whether v, spaces and quotes around it aside, is
// one of javaBareNames, in any case, and whether that name is a public
// package. A class of the list whose last name goes on in letters and
// digits is found too, as a package's name never is: a class named for
// the one it extends or wraps ("java.io.InputStreamReader",
// "java.lang.StringBuilder", "java.net.URLClassLoader"), which the CRS
// finds by the listed name's bytes inside it.
func javaBareValue(v string) (found, pkg bool) {
	if len(v) < javaBareMin || len(v) > javaBareMax+javaSuffixMax {
		return false, false
	}
	if c := v[0]; c == ' ' || c == '"' || c == '\'' || c == '\t' || v[len(v)-1] <= '\'' {
		v = strings.Trim(v, " \t\"'")
		if len(v) < javaBareMin {
			return false, false
		}
	}
	if len(v) <= javaBareMax {
		if h := javaBareHash(v); javaBareFilter[h>>6]&(1<<(h&63)) != 0 {
			var stack [64]byte
			if pkg, found = javaBareNames[string(lower(stack[:0], v))]; found {
				return found, pkg
			}
		}
	}
	if d := strings.LastIndexByte(v, '.'); d > 0 {
		return javaClassExtended(v, d) || javaExecClass(v, d), false
	}
	return false, false
}

// javaExecClass reports whether v names, in a dotted name of Java's own
// namespaces (java, javax, jdk, sun), one of the classes that run a
// command: Runtime, ProcessBuilder, ProcessImpl, UNIXProcess. The
// package between may be spelt any way ("java.evil.runtime", the CRS's
// 944250): nothing but a probe for Runtime.exec names it so. l is v's
// last dot.
func javaExecClass(v string, l int) bool {
	d := strings.IndexByte(v, '.')
	if d <= 0 || l == d || l+1 >= len(v) {
		return false // two dots at least: a package and a class
	}
	switch first := v[:d]; {
	case equalFold(first, "java"), equalFold(first, "javax"), equalFold(first, "jdk"), equalFold(first, "sun"):
	default:
		return false
	}
	for i := d; i < l; i++ {
		if c := v[i]; !isAlnum(c) && c != '.' && c != '_' || c == '.' && v[i+1] == '.' {
			return false
		}
	}
	switch last := v[l+1:]; {
	case equalFold(last, "runtime"), equalFold(last, "processbuilder"), equalFold(last, "processimpl"), equalFold(last, "unixprocess"):
		return true
	}
	return false
}

// javaSuffixMax bounds what javaClassExtended reads past a listed class.
const javaSuffixMax = 24

// javaClassExtended reports whether v is a dotted name whose last name
// opens with a capital and starts with a listed class's last name, and
// goes on in letters and digits: the class named in full is a prefix of v.
// d is v's last dot.
func javaClassExtended(v string, d int) bool {
	if d+2 >= len(v) || v[d+1] < 'A' || v[d+1] > 'Z' {
		return false
	}
	for i := d + 1; i < len(v); i++ {
		if !isAlnum(v[i]) {
			return false
		}
	}
	for i := 0; i < d; i++ {
		if c := v[i]; !isAlnum(c) && c != '.' && c != '_' {
			return false
		}
	}
	var stack [64]byte
	lo := max(d+2, javaBareMin, len(v)-javaSuffixMax)
	for k := min(len(v)-1, javaBareMax); k >= lo; k-- {
		p := v[:k]
		if h := javaBareHash(p); javaBareFilter[h>>6]&(1<<(h&63)) == 0 {
			continue
		}
		if pkg, found := javaBareNames[string(lower(stack[:0], p))]; found && !pkg {
			return true
		}
	}
	return false
}

// javaInternalPackages are the packages of the list that only the JDK's
// and Struts' internals live in: the Xalan and reflection classes that
// gadget chains reach, and OGNL's xwork2.
var javaInternalPackages = set("com.sun.org.apache", "sun.reflect", "com.opensymphony.xwork2")

// javaBare reports whether v is one of javaBareNames: the quick paths of
// scan and Detect read such a word rather than pass it by. The length is
// tested here, inlined, since most words are too short or too long.
func javaBare(v string) bool {
	if len(v) < javaBareMin || len(v) > javaBareMax+javaSuffixMax {
		return false
	}
	found, _ := javaBareValue(v)
	return found
}
