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
	var closes cartCloses
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
		c := closes.next(v, a+2)
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

// cartCloses finds the ']' that ends a cart: the first at or after a
// position that only spaces part from a '}'. The answer for a position
// holds for every later one up to it.
type cartCloses struct {
	from, at int // no such ']' in v[from:at]; at is one, or len(v)
	set      bool
}

func (c *cartCloses) next(v string, k int) int {
	if c.set && c.from <= k && k <= c.at {
		return c.at
	}
	p := k
	for {
		q := strings.IndexByte(v[p:], ']')
		if q < 0 {
			p = len(v)
			break
		}
		p += q
		d := p + 1
		for d < len(v) && (v[d] == ' ' || v[d] == '\t' || v[d] == '\n' || v[d] == '\r') {
			d++
		}
		if d < len(v) && v[d] == '}' {
			break
		}
		p++
	}
	*c = cartCloses{from: k, at: p, set: true}
	return p
}
