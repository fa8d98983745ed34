package signature

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"github.com/bulwarkhq/bulwark/internal/decode"
	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSRF finds server-side request forgery: a value meant as a
// destination (a URL, or a host with a port or a path) that points at the
// cloud metadata service, at loopback, at the unspecified address or at
// private networks, in every spelling resolvers and URL parsers accept
// (127.1, 0, 2130706433, 0x7f.1, 0177.0.0.1, [::], [::ffff:7f00:1],
// enclosed alphanumerics ①②⑦, ideographic dots, DNS names that resolve to
// the address they spell: 127.0.0.1.nip.io), hidden behind userinfo, '#'
// or '\' confusions ("http://expected.com@127.0.0.1",
// "http://127.0.0.1#@expected.com"); URL schemes that turn a fetch into a
// raw socket (gopher://, dict://); the metadata paths of every cloud; and
// the interaction domains of out-of-band testing tools.
//
// A private address alone is weak evidence: forms hold printer addresses
// and intranet links. A canonical loopback or metadata URL is strong;
// a spelling that only exists to slip past a filter is stronger.

const (
	ssrfMetadata = iota
	ssrfInternal
	ssrfScheme
	ssrfOOB
	ssrfConfusion
)

var (
	ssrfSchemes = words("gopher://", "dict://", "ldap://", "ldaps://", "tftp://", "sftp://", "smb://", "jar:http", "jar:ftp",
		"jar:file", "netdoc://", "ssh2.exec://", "telnet://", "imap://", "pop3://", "smtp://", "redis://", "mysql://",
		"postgres://", "mongodb://", "memcached://")
	metadataPaths = words("/latest/meta-data", "/latest/user-data", "/latest/api/token", "/latest/dynamic/instance-identity",
		"/computemetadata/v1", "/metadata/instance", "/metadata/identity/oauth2", "/metadata/v1", "/opc/v1/instance",
		"/opc/v2/instance", "/openstack/latest", "/meta-data/iam", "/2009-04-04/meta-data", "/v2/credentials",
		"/metadata/v1.json", "/hetzner/v1/metadata", "/2018-06-01/runtime")
	metadataHosts = set("metadata.google.internal", "metadata", "instance-data", "instance-data.ec2.internal",
		"metadata.azure.com", "metadata.azure.internal", "metadata.packet.net", "metadata.tencentyun.com",
		"metadata.platformequinix.com", "rancher-metadata", "metadata.oraclecloud.com", "169.254.169.254.xip.io")
	internalHosts = set("localhost", "localhost.localdomain", "localhost4", "localhost4.localdomain4", "localhost6",
		"ip6-localhost", "ip6-loopback", "ipv6-localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
		"kubernetes.default.svc.cluster.local", "docker.internal", "host.docker.internal", "gateway.docker.internal",
		"kubernetes.docker.internal", "host.containers.internal", "localtest.me", "lvh.me", "vcap.me",
		"lacolhost.com", "spoofed.burpcollaborator.net")
	// rebindDomains resolve a name to the address it spells or to a
	// rotating internal one: SSRF filters that check names let them
	// through.
	rebindDomains = []string{".nip.io", ".xip.io", ".sslip.io", ".localtest.me", ".lvh.me", ".vcap.me", ".rbndr.us",
		".1u.ms", ".traefik.me", ".nip.direct", ".localhost"}
	// oobDomains are interaction servers of security testing tools: a
	// value that names one is a probe for blind injection.
	oobDomains = set("burpcollaborator.net", "oastify.com", "interact.sh", "oast.pro", "oast.live", "oast.site",
		"oast.online", "oast.fun", "oast.me", "dnslog.cn", "ceye.io", "dnslog.link")
	metadataAddrs = []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("169.254.170.2"),
		netip.MustParseAddr("169.254.169.123"), netip.MustParseAddr("100.100.100.200"), netip.MustParseAddr("fd00:ec2::254"),
		netip.MustParseAddr("192.0.0.192"), netip.MustParseAddr("169.254.0.23")}
)

func scanSSRF(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	v := in.value
	m := in.m
	if m&(cColon|cDot|cSlash|cHigh|cBracket) == 0 || len(v) < 3 {
		return dst, hit
	}
	header := in.src == threat.SourceHeader
	if header && addressHeader(in.name) {
		return dst, hit // client addresses written by proxies: nothing is fetched from them
	}
	// Referer and Origin name pages (internal ones in development and on
	// intranets): in those only the metadata service counts.
	metadataOnly := header && (in.name == "Referer" || in.name == "Origin")
	decoded := header && m&cPercent != 0
	if decoded {
		v = decode.Percent(v, false)
	} else if r := in.raw; r != "" && m&cSpace == 0 && (strings.IndexByte(r, 0) >= 0 || nulEscape(r)) {
		// The value's decoder drops a NUL, where a fetcher written in C
		// stops at it: "http://127.0.0.1%00.example.com" passes a check
		// of the name's end and connects to 127.0.0.1. The raw form (a
		// JSON string's holds the NUL itself), decoded once with the NUL
		// kept, is what parseDest reads; a value with blanks is no host
		// (and prose, whose raw form is searched for nothing).
		// Sent encoded twice ("%2500"), the application reads "%00" in
		// the URL, which a fetcher that decodes it stops at: decoded
		// twice.
		plus := in.src == threat.SourceQuery || in.src == threat.SourceForm
		v, decoded = decode.Percent(r, plus), true
		if strings.Contains(v, "%00") {
			v = decode.Percent(v, false)
		}
	}
	var stack [512]byte
	var b []byte
	exotic := 0
	// b is v lower-cased, with v's classes, in the first two cases
	lowered := !decoded && m&(cHigh|cBackslash) == 0
	switch {
	case !decoded && m&(cHigh|cBackslash) == 0 && len(v) > len(stack):
		// ASCII without '\', as the classes of v say: urlFold would
		// lower-case it whole, after reading it to find that out; the
		// code family reads the same
		b = in.lowerValue()
	case !decoded && m&(cHigh|cBackslash) == 0:
		b = lower(stack[:0], v)
	case len(v) > len(stack):
		p := longBuffers.Get().(*[]byte)
		defer longBuffers.Put(p)
		b, exotic = urlFold((*p)[:0], v)
	default:
		b, exotic = urlFold(stack[:0], v)
	}
	b = bytes.TrimSpace(trimValue(b))
	if m&cColon != 0 && !metadataOnly {
		if mt, ok := findAny(b, ssrfSchemes, false); ok && seen.mark(&hit, ssrfScheme) {
			dst = append(dst, foldedSignal(nameSSRF, "ssrf.scheme", 0.99, in, b, mt.i, mt.j))
		}
	}
	if (!lowered || m&cSlash != 0) && bytes.IndexByte(b, '/') >= 0 {
		if mt, ok := findAny(b, metadataPaths, false); ok && seen.mark(&hit, ssrfMetadata) {
			dst = append(dst, foldedSignal(nameSSRF, "ssrf.metadata", 0.99, in, b, mt.i, mt.j))
		}
	}
	if !metadataOnly && m&cDot != 0 {
		if i, j := oobDomain(b); j > 0 && seen.mark(&hit, ssrfOOB) {
			dst = append(dst, foldedSignal(nameSSRF, "ssrf.oob_domain", 0.99, in, b, i, j))
		}
	}
	d := parseDest(b)
	if d.n == 0 || header && !d.scheme && !metadataOnly && !d.explicit {
		return dst, hit
	}
	for k := 0; k < d.n; k++ {
		h := d.hosts[k]
		kind, odd := classifyHost(h, d.scheme, d.explicit)
		if kind == hostPublic {
			continue
		}
		odd = odd || exotic > 0
		switch {
		case kind == hostMetadata:
			if seen.mark(&hit, ssrfMetadata) {
				dst = append(dst, foldedSignal(nameSSRF, "ssrf.metadata", 0.99, in, b, 0, len(b)))
			}
		case metadataOnly:
		case k > 0 || d.confused:
			// the host one parser sees is not the one another sees:
			// "http://expected.com#@127.0.0.1"
			if seen.mark(&hit, ssrfConfusion) {
				dst = append(dst, foldedSignal(nameSSRF, "ssrf.parser_confusion", 0.99, in, b, 0, len(b)))
			}
		default:
			conf, rule := 0.6, "ssrf.internal_address" // a bare private address may be a legitimate form field
			switch {
			case odd && (d.explicit || kind == hostLoopback):
				conf, rule = 0.99, "ssrf.obfuscated_address" // "http://0x7f.1/", "http://①②⑦.0.0.1"
			case kind == hostLoopback && d.scheme:
				conf, rule = 0.99, "ssrf.loopback" // "http://127.0.0.1:6379/", "http://localhost/admin"
			case kind == hostLoopback && d.explicit:
				conf, rule = 0.95, "ssrf.loopback"
			case kind == hostRebind:
				conf, rule = 0.95, "ssrf.rebinding_name"
			case d.scheme:
				conf, rule = 0.9, "ssrf.internal" // "http://10.0.0.5/": intranet links exist
			case d.explicit:
				conf, rule = 0.75, "ssrf.internal"
			}
			if seen.mark(&hit, ssrfInternal) {
				dst = append(dst, foldedSignal(nameSSRF, rule, conf, in, b, 0, len(b)))
			}
		}
	}
	return dst, hit
}

// oobDomain finds a name under one of oobDomains, looking for the rare
// bytes of their names first.
func oobDomain(b []byte) (int, int) {
	var at [5]int
	at[0] = -1
	if oobDots(b, at[1:]) {
		// the first "oast" is all the loop below reads of it: one that
		// starts no "oast." or "oastify." names no interaction server,
		// and without either in b none does
		at[0] = indexPair(b, "oast")
	}
	for _, k := range at {
		if k < 0 {
			continue
		}
		if k > 0 && b[k-1] != '.' && b[k-1] != '/' && b[k-1] != '@' && b[k-1] != ' ' {
			continue // "toast.pro" is no interaction server
		}
		end := k
		for end < len(b) && (isAlnum(b[end]) || b[end] == '.' || b[end] == '-') {
			end++
		}
		if oobDomains[string(bytes.TrimRight(b[k:end], "."))] {
			return k, end
		}
	}
	return 0, 0
}

// oobAnchors are the parts of oobDomains oobDomain looks for, in order;
// oobRest are those after "oast", which oobDomain looks for on its own.
var (
	oobAnchors = needlesOf("oast", "burpcollaborator.", "interact.sh", "dnslog.", "ceye.io")
	oobRest    = needlesOf(oobAnchors.needles[1:]...)
)

// oobBeforeDot marks the bytes before the dot of "oast.", "oastify."
// and oobRest's needles: a dot after any other byte starts none of them.
var oobBeforeDot = func() (t [256]bool) {
	t['t'], t['y'] = true, true // "oast.", "oastify."
	for n, nd := range oobRest.needles {
		k := oobRest.rare[n]
		if nd[k] != '.' || k == 0 {
			panic("signature: oobRest needle without a dot inside: " + nd)
		}
		t[nd[k-1]] = true
	}
	return t
}()

// oobDots sets at[n] to the first occurrence of oobRest's needle n in b,
// or -1, as oobRest.index does, and reports whether b holds "oast." or
// "oastify.", which every name of oobDomains under "oast" starts with. It
// reads the dots, which a vector search finds, and the bytes around each,
// in one walk for both (each of oobRest's needles has its rarest byte, a
// dot, at oobRest.rare[n]): prose has one dot in some fifty bytes, and
// "oast"'s letters in every word.
func oobDots(b []byte, at []int) bool {
	at = at[:len(oobRest.needles)]
	for n := range at {
		at[n] = -1
	}
	oast, left := false, len(at)
	for p := 0; p < len(b) && (!oast || left > 0); p++ {
		k := bytes.IndexByte(b[p:], '.')
		if k < 0 {
			break
		}
		p += k
		if p == 0 || !oobBeforeDot[b[p-1]] {
			continue // most dots of prose: no name below ends there
		}
		if !oast && (p >= 4 && string(b[p-4:p]) == "oast" || p >= 7 && string(b[p-7:p]) == "oastify") {
			oast = true
		}
		for n, nd := range oobRest.needles {
			// the first byte first: most positions differ there
			if i := p - oobRest.rare[n]; at[n] < 0 && i >= 0 && i+len(nd) <= len(b) && b[i] == nd[0] && string(b[i+1:i+len(nd)]) == nd[1:] {
				at[n] = i
				left--
			}
		}
	}
	return oast
}

// urlFold appends v lower-cased to buf with the characters that URL
// parsers and IDNA normalisation turn into ASCII read as ASCII: enclosed
// alphanumerics (①, ⑯, ⓐ, Ⓐ, ⓪, ⑴, ⒈), fullwidth forms, the ideographic
// and halfwidth full stops (。 ｡ ．), and '\' as '/'. exotic counts them.
func urlFold(buf []byte, v string) ([]byte, int) {
	if asciiWithout(v, '\\') {
		// prose and most URLs: one run of the loop below, lower-cased
		// whole without reading it byte by byte first
		return lower(buf, v), 0
	}
	exotic := 0
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c != '\\' && (c < 0xE0 || c >= 0xF0) {
			// a run of bytes the cases below lower-case or leave as they
			// are: copied in one go
			j := i + 1
			for j < len(v) && v[j] != '\\' && (v[j] < 0xE0 || v[j] >= 0xF0) {
				j++
			}
			buf = lower(buf, v[i:j])
			i = j - 1
			continue
		}
		switch {
		case c == '\\':
			buf = append(buf, '/')
			continue
		case c >= 0xE0 && c < 0xF0 && i+2 < len(v) && v[i+1]&0xC0 == 0x80 && v[i+2]&0xC0 == 0x80:
			r := rune(c&0x0F)<<12 | rune(v[i+1]&0x3F)<<6 | rune(v[i+2]&0x3F)
			if s, ok := enclosed(r); ok {
				buf = append(buf, s...)
				exotic++
				i += 2
				continue
			}
			if m, _ := lookalike(r); m != 0 {
				buf = append(buf, m)
				exotic++
				i += 2
				continue
			}
		}
		buf = append(buf, c)
	}
	return buf, exotic
}

// asciiWithout reports whether s holds only bytes below 0x80 and no c,
// eight bytes at a time (see nextByte for the zero-byte test).
func asciiWithout(s string, c byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	cs := uint64(c) * ones
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := s[i : i+8]
		x := uint64(w[0]) | uint64(w[1])<<8 | uint64(w[2])<<16 | uint64(w[3])<<24 |
			uint64(w[4])<<32 | uint64(w[5])<<40 | uint64(w[6])<<48 | uint64(w[7])<<56
		t := x ^ cs
		if (x|(t-ones)&^t)&highs != 0 {
			return false
		}
	}
	for ; i < len(s); i++ {
		if s[i] >= 0x80 || s[i] == c {
			return false
		}
	}
	return true
}

// enclosed maps the enclosed alphanumerics that IDNA normalisation (NFKC)
// turns into ASCII digits and letters.
func enclosed(r rune) (string, bool) {
	switch {
	case r == 0x24EA, r == 0x24FF: // ⓪ ⓿
		return "0", true
	case 0x2460 <= r && r <= 0x2473: // ① .. ⑳
		return strconv.Itoa(int(r-0x2460) + 1), true
	case 0x2474 <= r && r <= 0x2487: // ⑴ .. ⒇
		return strconv.Itoa(int(r-0x2474) + 1), true
	case 0x2488 <= r && r <= 0x249B: // ⒈ .. ⒛ (a digit and a full stop)
		return strconv.Itoa(int(r-0x2488)+1) + ".", true
	case 0x249C <= r && r <= 0x24B5: // ⒜ .. ⒵
		return string(rune('a' + r - 0x249C)), true
	case 0x24B6 <= r && r <= 0x24CF: // Ⓐ .. Ⓩ
		return string(rune('a' + r - 0x24B6)), true
	case 0x24D0 <= r && r <= 0x24E9: // ⓐ .. ⓩ
		return string(rune('a' + r - 0x24D0)), true
	case 0x2776 <= r && r <= 0x277F: // ❶ .. ❿
		return strconv.Itoa(int(r-0x2776) + 1), true
	case 0x24F5 <= r && r <= 0x24FE: // ⓵ .. ⓾
		return strconv.Itoa(int(r-0x24F5) + 1), true
	case 0xFF10 <= r && r <= 0xFF19: // fullwidth digits
		return string(rune('0' + r - 0xFF10)), true
	}
	return "", false
}

// dest is what a value says about where to connect.
type dest struct {
	hosts    [2][]byte // the host a URL parser reads, and the one a naive one reads when they differ
	n        int
	scheme   bool // "scheme://" or "scheme:" before a host
	explicit bool // a scheme, a port or a path: meant as a destination, not a stored address
	confused bool // '@' after '#', '?' or '\' in the authority, several '@', or a NUL
}

// parseDest reads the destination of a folded, trimmed value: a URL
// ("scheme://user@host:port/path", "//host", "http:127.0.0.1"), or a
// value that starts like a host ("10.0.0.1:8080/x", "[::1]",
// "localhost/admin").
func parseDest(b []byte) dest {
	var d dest
	rest := b
	// the searches read only as far as the first "://" or ':' that
	// counts may lie: the first in the prefix is the first in b there
	if i := bytes.Index(b[:min(len(b), 15+len("://"))], []byte("://")); i > 0 && schemeName(b[:i]) {
		rest, d.scheme, d.explicit = b[i+3:], true, true
	} else if i := bytes.IndexByte(b[:min(len(b), 7+len(":"))], ':'); i > 0 && schemeName(b[:i]) && (string(b[:i]) == "http" || string(b[:i]) == "https") {
		rest, d.scheme, d.explicit = bytes.TrimLeft(b[i+1:], "/"), true, true // "http:127.0.0.1", "http:/x"
	} else if bytes.HasPrefix(b, []byte("//")) {
		rest, d.explicit = b[2:], true
	} else if !hostStart(b) {
		return d
	}
	// The authority ends at the first '/', '?' or '#' (WHATWG; '\' was
	// folded to '/'); a naive parser cuts at the last '@' before the path.
	end := len(rest)
	for i, c := range rest {
		if c == '/' || c == '?' || c == '#' || c == ' ' {
			end = i
			if c == '/' {
				// a path makes a destination, unless it is a CIDR prefix
				// length ("10.0.0.0/8")
				d.explicit = d.explicit || !prefixLen(rest[i+1:])
			} else if c != ' ' {
				d.explicit = true
			}
			break
		}
	}
	auth := rest[:end]
	if h, ok := hostPart(auth, &d); ok {
		d.hosts[0], d.n = h, 1
	}
	if nul := bytes.IndexByte(auth, 0); nul > 0 {
		// "http://127.0.0.1%00.example.com": a check of the name's end
		// reads example.com, a fetcher in C stops at the NUL
		d.confused = true
		var scratch dest
		if h, ok := hostPart(auth[:nul], &scratch); ok {
			d.hosts[d.n] = h
			d.n++
		}
	}
	if d.scheme {
		// what a parser that splits on the last '@' of the whole URL, or
		// stops at the first ':' or '@', would read instead
		naiveEnd := bytes.IndexByte(rest, '/')
		if naiveEnd < 0 {
			naiveEnd = len(rest)
		}
		if at := bytes.LastIndexByte(rest[:naiveEnd], '@'); at >= 0 && at >= end {
			d.confused = true
			var scratch dest
			if h, ok := hostPart(rest[at+1:naiveEnd], &scratch); ok && d.n < 2 {
				d.hosts[d.n] = h
				d.n++
			}
		}
	}
	return d
}

// hostPart extracts the host of an authority ("user:pass@host:port"),
// noting a port as explicit.
func hostPart(auth []byte, d *dest) ([]byte, bool) {
	if at := bytes.LastIndexByte(auth, '@'); at >= 0 {
		if bytes.Count(auth, []byte("@")) > 1 {
			d.confused = true
		}
		auth = auth[at+1:]
	}
	if len(auth) > 0 && auth[0] == '[' {
		i := bytes.IndexByte(auth, ']')
		if i <= 0 {
			return nil, false
		}
		if i+1 < len(auth) && auth[i+1] == ':' {
			d.explicit = true
		}
		return auth[1:i], true
	}
	switch colons := bytes.Count(auth, []byte(":")); {
	case colons == 1:
		i := bytes.LastIndexByte(auth, ':')
		if _, err := strconv.Atoi(string(auth[i+1:])); err == nil {
			d.explicit = true
		}
		auth = auth[:i]
	case colons > 1 && d.scheme:
		// "http://127.1.1.1:80:\@@127.2.2.2:80/": no port parses, and a
		// parser that stops at the first ':' reads the host before it (an
		// IPv6 address without its brackets is read whole)
		if _, err := netip.ParseAddr(string(auth)); err != nil {
			if i := bytes.IndexByte(auth, ':'); i > 0 {
				auth, d.confused = auth[:i], true
			}
		}
	}
	auth = bytes.TrimSuffix(auth, []byte("."))
	if len(auth) == 0 || len(auth) > 253 {
		return nil, false
	}
	return auth, true
}

// nulEscape reports whether s holds a NUL's escape, "%00", or the same
// escaped twice, "%2500": found by their "00", which a raw form escaped
// throughout holds far more rarely than a '%'.
func nulEscape(s string) bool {
	for i := strings.Index(s, "00"); i >= 0; {
		if i >= 1 && s[i-1] == '%' || i >= 3 && s[i-3:i] == "%25" {
			return true
		}
		k := strings.Index(s[i+1:], "00")
		if k < 0 {
			return false
		}
		i += k + 1
	}
	return false
}

// schemeName reports whether s is a URL scheme: a letter and letters,
// digits, '+', '-' or '.', or one or two digits, which RFC 3986 forbids
// and parsers that do not check read as a scheme all the same ("0://",
// Orange Tsai's cURL confusion "0://127.0.0.1:80;http://example.com:80/").
func schemeName(s []byte) bool {
	if len(s) == 0 {
		return false
	}
	if !isLetter(s[0]) {
		return len(s) <= 2 && isDigit(s[0]) && isDigit(s[len(s)-1])
	}
	for _, c := range s {
		if !(isAlnum(c) || c == '+' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// hostStart reports whether a value without a scheme starts like a host:
// an IPv6 literal, a digit, or a name with a dot or a port before any
// space.
func hostStart(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	if b[0] == '[' || '0' <= b[0] && b[0] <= '9' {
		return true
	}
	for _, c := range b {
		switch {
		case c == '.' || c == ':' || c == '/':
			return true
		case c == ' ':
			return false
		}
	}
	return false
}

type hostKind uint8

const (
	hostPublic hostKind = iota
	hostInternal
	hostRebind
	hostLoopback // loopback and the unspecified address
	hostMetadata
)

// classifyHost says whether a host names the metadata service, loopback,
// an internal network or a rebinding service, and whether it is spelt in a
// form only a filter bypass uses (2130706433, 0x7f.1, 0177.0.0.1, 127.1,
// IPv4 in IPv6). Without explicit (a scheme, port or path) only canonical
// addresses and names count: a nine-digit id is also an IPv4 address.
func classifyHost(h []byte, scheme, explicit bool) (hostKind, bool) {
	s := string(h)
	dotted := strings.IndexByte(s, '.') >= 0
	if metadataHosts[s] && (dotted || scheme) {
		return hostMetadata, false // "metadata/v1" alone may be an API path
	}
	if internalHosts[s] && (dotted || explicit) {
		return hostLoopback, false
	}
	for _, dom := range rebindDomains {
		if strings.HasSuffix(s, dom) {
			// the address the name spells, when it spells one
			if a, ok := spelledAddr(strings.TrimSuffix(s, dom)); ok {
				if k := addrKind(a); k != hostPublic {
					return max(k, hostRebind), true
				}
			}
			if dom == ".localhost" {
				return hostLoopback, false
			}
			return hostRebind, true
		}
	}
	if d := strings.LastIndexByte(s, '.'); d > 0 && (scheme || explicit) && allDigits(s[d+1:]) && strings.Count(s, ".") > 3 {
		// "http://example.com.127.0.0.1": no DNS name ends in a number, so
		// a name whose last labels spell an address is that address to a
		// lenient parser, and a bypass of a check on the name's start
		labels := strings.Split(s, ".")
		if a, ok := parseAddr(strings.Join(labels[len(labels)-4:], ".")); ok {
			if k := addrKind(a); k != hostPublic {
				return k, true
			}
		}
	}
	if strings.HasSuffix(s, ".internal") || strings.HasSuffix(s, ".svc.cluster.local") ||
		strings.HasSuffix(s, ".cluster.local") {
		return hostInternal, false
	}
	a, err := netip.ParseAddr(s)
	odd := false
	if err != nil {
		// inet_aton's spellings: hex and octal parts are written for a
		// filter; a bare number or "10.1" needs a scheme to be an address
		crafted := strings.Contains(s, "0x") || octalPart(s)
		if !explicit || !scheme && !crafted {
			return hostPublic, false
		}
		var ok bool
		if a, ok = parseAddr(s); !ok {
			return hostPublic, false
		}
		odd = true
	}
	if a.Is6() {
		b := a.As16()
		if a.Is4In6() {
			odd = true
		} else if [12]byte(b[:12]) == ([12]byte{}) && !a.IsLoopback() && !a.IsUnspecified() {
			// ::127.0.0.1, the deprecated IPv4-compatible form
			a, odd = netip.AddrFrom4([4]byte(b[12:])), true
		} else if b[0] == 0 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b {
			a, odd = netip.AddrFrom4([4]byte(b[12:])), true // 64:ff9b::/96, NAT64
		}
	}
	return addrKind(a.Unmap()), odd
}

// spelledAddr reads the address a wildcard DNS service's name spells
// before its domain, as nip.io and sslip.io read it: the whole prefix
// ("127.0.0.1"), its last four dotted labels ("app.my.127.0.0.1"), or the
// last four dashed parts of its last label ("app-127-0-0-1").
func spelledAddr(prefix string) (netip.Addr, bool) {
	if a, ok := parseAddr(prefix); ok {
		return a, true
	}
	labels := strings.Split(prefix, ".")
	if n := len(labels); n > 4 {
		if a, ok := parseAddr(strings.Join(labels[n-4:], ".")); ok {
			return a, true
		}
	}
	parts := strings.Split(labels[len(labels)-1], "-")
	if n := len(parts); n >= 4 {
		if a, ok := parseAddr(strings.Join(parts[n-4:], ".")); ok {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// octalPart reports whether a dotted number has a part with a leading
// zero ("0177.0.0.1").
func octalPart(s string) bool {
	for _, p := range strings.Split(s, ".") {
		if len(p) > 1 && p[0] == '0' {
			return true
		}
	}
	return false
}

// addrKind classifies an address.
func addrKind(a netip.Addr) hostKind {
	for _, m := range metadataAddrs {
		if a == m {
			return hostMetadata
		}
	}
	switch {
	case a.IsLoopback() || a.IsUnspecified():
		return hostLoopback
	case a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast() ||
		a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64: // 100.64.0.0/10, carrier-grade NAT
		return hostInternal
	}
	return hostPublic
}

// parseAddr parses an IPv4 address in the forms inet_aton accepts (one to
// four parts, each decimal, octal with a leading 0, or hex with 0x; the
// last part fills the remaining bytes; a lone number past 32 bits keeps
// its low 32) as well as the canonical forms.
func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if s == "" || len(s) > 40 {
		return netip.Addr{}, false
	}
	var parts [4]uint64
	n := 0
	for rest := s; ; {
		if n == 4 {
			return netip.Addr{}, false
		}
		part := rest
		i := strings.IndexByte(rest, '.')
		if i >= 0 {
			part, rest = rest[:i], rest[i+1:]
		}
		v, err := strconv.ParseUint(part, 0, 64)
		if err != nil || part == "" || part[0] == '+' {
			return netip.Addr{}, false
		}
		parts[n] = v
		n++
		if i < 0 {
			break
		}
	}
	var ip uint64
	switch n {
	case 1:
		// a number past 32 bits wraps in parsers that keep its low 32
		// ("7147006462" and "0x41414141A9FEA9FE" are 169.254.169.254)
		ip = parts[0] & 0xffffffff
	case 2:
		if parts[0] > 0xff || parts[1] > 0xffffff {
			return netip.Addr{}, false
		}
		ip = parts[0]<<24 | parts[1]
	case 3:
		if parts[0] > 0xff || parts[1] > 0xff || parts[2] > 0xffff {
			return netip.Addr{}, false
		}
		ip = parts[0]<<24 | parts[1]<<16 | parts[2]
	case 4:
		// parts over 255 wrap in parsers that keep the low byte
		// ("425.510.425.510" is 169.254.169.254 to them)
		for _, p := range parts {
			if p > 0xffff {
				return netip.Addr{}, false
			}
		}
		ip = (parts[0]&0xff)<<24 | (parts[1]&0xff)<<16 | (parts[2]&0xff)<<8 | parts[3]&0xff
	}
	if ip > 0xffffffff {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte{byte(ip >> 24), byte(ip >> 16), byte(ip >> 8), byte(ip)}), true
}

// prefixLen reports whether b starts with a CIDR prefix length: one to
// three digits, then the end or a non-word byte.
func prefixLen(b []byte) bool {
	n := 0
	for n < len(b) && n < 4 && b[n] >= '0' && b[n] <= '9' {
		n++
	}
	return n > 0 && n <= 3 && (n == len(b) || !isWord(b[n]))
}
