package sequence

// maxShape bounds the normalised path shape, in bytes.
const maxShape = 128

// Shape returns the normalised shape of a URL path: numeric segments become
// {n}, long hexadecimal or UUID-like segments become {id}, letters are
// lower-cased, at most 6 segments and 128 bytes are kept.
func Shape(path string) string { return string(appendShape(make([]byte, 0, 64), path)) }

func appendShape(dst []byte, path string) []byte {
	segs := 0
	i := 0
	for i < len(path) {
		for i < len(path) && path[i] == '/' {
			i++
		}
		if i >= len(path) {
			break
		}
		j := i
		for j < len(path) && path[j] != '/' && path[j] != '?' {
			j++
		}
		seg := path[i:j]
		ph := ""
		switch {
		case isDigits(seg):
			ph = "{n}"
		case len(seg) >= 16 && isHexID(seg):
			ph = "{id}"
		}
		if segs == 6 || len(dst)+1+max(len(ph), 1) > maxShape {
			break
		}
		dst = append(dst, '/')
		if ph != "" {
			dst = append(dst, ph...)
		} else {
			for k := 0; k < len(seg) && len(dst) < maxShape; k++ {
				c := seg[k]
				if 'A' <= c && c <= 'Z' {
					c += 'a' - 'A'
				}
				dst = append(dst, c)
			}
		}
		segs++
		if j < len(path) && path[j] == '?' {
			break
		}
		i = j
	}
	if len(dst) == 0 {
		dst = append(dst, '/')
	}
	return dst
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isHexID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' || c == '-') {
			return false
		}
	}
	return true
}

// ShapeHash is the FNV-1a hash of Shape(path), computed without allocating.
func ShapeHash(path string) uint64 {
	var buf [maxShape + 8]byte
	return fnv64(appendShape(buf[:0], path))
}

func fnv64(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	return h
}
