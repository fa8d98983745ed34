package signature

import "strings"

// Perl's "baby cart", @{[ expr ]}: an array dereference of an anonymous
// array, which interpolates the result of any expression into a string
// ("@{[system 'id']}", "@{[ `id` ]}"). A template or a string that Perl
// interpolates runs what a request put there. No text writes "@{[" and
// a "]}" to close it.

// perlCartMax bounds the expression read.
const perlCartMax = 512

// perlCart finds such an interpolation in v and returns its span.
func perlCart(v string) (int, int, bool) {
	var closes nextMatch
	for k := 0; k < len(v); {
		p := strings.Index(v[k:], "@{")
		if p < 0 {
			return 0, 0, false
		}
		p += k
		k = p + 2
		a := k
		for a < len(v) && (v[a] == ' ' || v[a] == '\t' || v[a] == '\n' || v[a] == '\r') {
			a++
		}
		if a+2 >= len(v) || v[a] != '[' {
			continue // a '[' and at least a byte and "]}" after it
		}
		// the expression ends at a ']' that only spaces part from a '}',
		// found once for all the openings before it
		c := closes.next(v, a+2, cartClose)
		if c < len(v) && c-a <= perlCartMax {
			return p, perlCartEnd(v, c), true
		}
	}
	return 0, 0, false
}

// perlCartEnd returns the end of the "]}" whose ']' is at v[c].
func perlCartEnd(v string, c int) int {
	d := c + 1
	for d < len(v) && v[d] != '}' {
		d++
	}
	return d + 1
}

// cartClose returns the first ']' at or after k that only spaces part
// from a '}', or len(v): the end of a cart.
func cartClose(v string, k int) int {
	for p := k; ; p++ {
		q := strings.IndexByte(v[p:], ']')
		if q < 0 {
			return len(v)
		}
		p += q
		d := p + 1
		for d < len(v) && (v[d] == ' ' || v[d] == '\t' || v[d] == '\n' || v[d] == '\r') {
			d++
		}
		if d < len(v) && v[d] == '}' {
			return p
		}
	}
}
