package signature

import "encoding/base64"

// The names of Java deserialisation gadgets written in base64 at any
// alignment. A serialised object sent whole opens with "rO0AB" (javaMagic);
// one cut, prefixed or embedded in a longer base64 document does not, but
// the class names it carries still read the same way in base64, at one of
// three alignments. The names are the CRS's 944300 list (lower-case, as
// the rule matches them) and the classes as a stream writes them
// ("InvokerTransformer"); only the characters that the name alone decides
// are matched, whatever bytes come around it. The CRS's "runtime" is left
// out: base64 of an ordinary JSON or YAML document holds it.

var javaBase64Words = []string{
	// CRS 944300
	"processbuilder", "prototypeclonefactory", "prototypeserializationfactory", "whileclosure", "forclosure",
	"clonetransformer", "instantiatefactory", "instantiatetransformer", "invokertransformer",
	// as serialised streams name them
	"ProcessBuilder", "PrototypeCloneFactory", "PrototypeSerializationFactory", "WhileClosure", "ForClosure",
	"CloneTransformer", "InstantiateFactory", "InstantiateTransformer", "InvokerTransformer", "ChainedTransformer",
	"ConstantTransformer", "TemplatesImpl", "JdbcRowSetImpl", "java.lang.Runtime", "getRuntime",
}

// javaBase64Min is the shortest needle: a value shorter holds none.
var javaBase64Min = 1 << 30

var (
	javaBase64Needles []string
	// javaBase64Pairs marks the first two characters of the needles, as
	// two six-bit base64 values
	javaBase64Pairs [1 << 12 / 64]uint64
	// base64Value is each character's six-bit value in either alphabet,
	// 0xff for the others
	base64Value [256]byte
)

func init() {
	for c := range base64Value {
		base64Value[c] = 0xff
	}
	for i, c := range "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" {
		base64Value[c] = byte(i)
	}
	base64Value['-'], base64Value['_'] = 62, 63
	seen := map[string]bool{}
	for _, w := range javaBase64Words {
		for s := 0; s < 3; s++ {
			p := make([]byte, s+len(w))
			copy(p[s:], w)
			enc := base64.StdEncoding.EncodeToString(p)
			// character j holds bits [6j, 6j+6) of the bytes: those of w
			// are [8s, 8(s+len(w)))
			n := enc[(8*s+5)/6 : 8*(s+len(w))/6]
			for _, x := range []string{n, toURLAlphabet(n)} {
				if !seen[x] {
					seen[x] = true
					javaBase64Needles = append(javaBase64Needles, x)
					k := int(base64Value[x[0]])<<6 | int(base64Value[x[1]])
					javaBase64Pairs[k>>6] |= 1 << (k & 63)
					javaBase64Min = min(javaBase64Min, len(x))
				}
			}
		}
	}
}

func toURLAlphabet(s string) string {
	b := []byte(s)
	for i, c := range b {
		switch c {
		case '+':
			b[i] = '-'
		case '/':
			b[i] = '_'
		}
	}
	return string(b)
}

// javaBase64 returns where in v a gadget's name in base64 starts, or -1.
// v is read only where it runs base64 characters.
func javaBase64(v string) int {
	if len(v) < javaBase64Min {
		return -1
	}
	for i := 0; i+javaBase64Min <= len(v); i++ {
		a, b := base64Value[v[i]], base64Value[v[i+1]]
		if a|b == 0xff {
			if b == 0xff {
				i++ // v[i+1] starts no needle either
			}
			continue
		}
		k := int(a)<<6 | int(b)
		if javaBase64Pairs[k>>6]&(1<<(k&63)) == 0 {
			continue
		}
		for _, n := range javaBase64Needles {
			if len(v)-i >= len(n) && v[i:i+len(n)] == n {
				return i
			}
		}
	}
	return -1
}
