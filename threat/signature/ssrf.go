package signature

import (
	"bytes"
	"net/netip"
	"strconv"
	"strings"

	"github.com/bulwarkhq/bulwark/threat"
)

// scanSSRF finds server-side request forgery: parameters holding a URL
// or address of the cloud metadata service, loopback, private, link-local or
// unspecified networks (in dotted, decimal, hex, octal and IPv6 forms), and
// URL schemes that turn an HTTP fetch into a raw socket (gopher://, dict://).

const (
	ssrfMetadata = iota
	ssrfInternal
	ssrfScheme
)

var (
	ssrfSchemes   = words("gopher://", "dict://", "ldap://", "ldaps://", "tftp://", "sftp://", "smb://", "jar:http", "netdoc://")
	metadataPaths = words("/latest/meta-data", "/latest/user-data", "/latest/api/token", "/computemetadata/v1", "/metadata/instance",
		"/metadata/v1", "/opc/v1/instance", "/openstack/latest", "/meta-data/iam")
	metadataHosts = map[string]bool{"metadata.google.internal": true, "metadata": true, "instance-data": true,
		"metadata.azure.com": true, "instance-data.ec2.internal": true, "metadata.packet.net": true, "metadata.tencentyun.com": true}
	internalHosts = map[string]bool{"localhost": true, "localhost.localdomain": true, "ip6-localhost": true, "ip6-loopback": true,
		"kubernetes.default": true, "kubernetes.default.svc": true, "docker.internal": true, "host.docker.internal": true}
	metadataAddrs = []netip.Addr{netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("169.254.170.2"),
		netip.MustParseAddr("100.100.100.200"), netip.MustParseAddr("fd00:ec2::254"), netip.MustParseAddr("192.0.0.192")}
)

func scanSSRF(in *input, seen *rules, dst []threat.Signal) ([]threat.Signal, bool) {
	var hit bool
	var stack [256]byte
	v := in.value
	m := in.m
	if m&(cColon|cDot|cSlash) == 0 || len(v) < 3 {
		return dst, hit
	}
	if in.src == threat.SourceHeader && in.name != "X-Forwarded-Host" && in.name != "Referer" {
		return dst, hit
	}
	b := lower(stack[:0], v)
	b = bytes.TrimSpace(b)
	if m&cColon != 0 {
		if mt, ok := findAny(b, ssrfSchemes, false); ok && seen.mark(&hit, ssrfScheme) {
			dst = append(dst, signal(NameSSRF, "ssrf.scheme", 0.99, in, mt.i, mt.j))
		}
	}
	if m&cSlash != 0 {
		if mt, ok := findAny(b, metadataPaths, false); ok && seen.mark(&hit, ssrfMetadata) {
			dst = append(dst, signal(NameSSRF, "ssrf.metadata", 0.99, in, mt.i, mt.j))
		}
	}
	host, explicit := hostOf(b)
	if len(host) == 0 || in.src == threat.SourceHeader && !explicit {
		return dst, hit
	}
	if !explicit {
		// Without a scheme, port or path only canonical addresses
		// count: a nine-digit id is also a decimal IPv4 address.
		if _, err := netip.ParseAddr(string(host)); err != nil && !metadataHosts[string(host)] && !internalHosts[string(host)] {
			return dst, hit
		}
	}
	switch kind := classifyHost(host); {
	case kind == hostMetadata && seen.mark(&hit, ssrfMetadata):
		dst = append(dst, signal(NameSSRF, "ssrf.metadata", 0.99, in, 0, len(v)))
	case kind == hostInternal && in.src != threat.SourceHeader && seen.mark(&hit, ssrfInternal):
		conf, rule := 0.6, "ssrf.internal_address" // a bare private address may be a legitimate form field
		if explicit {
			conf, rule = 0.95, "ssrf.internal"
		}
		dst = append(dst, signal(NameSSRF, rule, conf, in, 0, len(v)))
	}
	return dst, hit
}

// hostOf extracts the host of a URL ("scheme://user@host:port/path") or of
// a value that starts like an address ("10.0.0.1:8080/x"). explicit is true
// when the value carried a scheme, a port or a path: it is meant as a
// destination, not a stored address.
func hostOf(b []byte) (host []byte, explicit bool) {
	if i := bytes.Index(b, []byte("://")); i >= 0 && i < 16 {
		b, explicit = b[i+3:], true
	} else if bytes.HasPrefix(b, []byte("//")) {
		b, explicit = b[2:], true
	}
	end := len(b)
	for i, c := range b {
		if c == '/' || c == '?' || c == '#' || c == '\\' || c == ' ' {
			// a path makes a destination, unless it is a CIDR prefix
			// length ("10.0.0.0/8")
			cidr := c == '/' && prefixLen(b[i+1:])
			end, explicit = i, explicit || (c == '/' || c == '\\') && !cidr
			break
		}
	}
	b = b[:end]
	if i := bytes.LastIndexByte(b, '@'); i >= 0 {
		b = b[i+1:]
	}
	if len(b) > 0 && b[0] == '[' {
		if i := bytes.IndexByte(b, ']'); i > 0 {
			return b[1:i], true
		}
		return nil, false
	}
	if i := bytes.LastIndexByte(b, ':'); i >= 0 && bytes.Count(b, []byte(":")) == 1 {
		if _, err := strconv.Atoi(string(b[i+1:])); err == nil {
			explicit = true
		}
		b = b[:i]
	}
	return bytes.TrimSuffix(b, []byte(".")), explicit
}

type hostKind uint8

const (
	hostPublic hostKind = iota
	hostInternal
	hostMetadata
)

// classifyHost says whether a host names the metadata service or an
// internal address. Numeric forms that resolvers accept (2130706433,
// 0x7f000001, 0177.0.0.1, 127.1) are read as addresses.
func classifyHost(h []byte) hostKind {
	s := string(h)
	if metadataHosts[s] {
		return hostMetadata
	}
	if internalHosts[s] || bytes.HasSuffix(h, []byte(".localhost")) || bytes.HasSuffix(h, []byte(".internal")) ||
		bytes.HasSuffix(h, []byte(".local")) || bytes.HasSuffix(h, []byte(".svc.cluster.local")) {
		return hostInternal
	}
	a, ok := parseAddr(s)
	if !ok {
		return hostPublic
	}
	a = a.Unmap()
	for _, m := range metadataAddrs {
		if a == m {
			return hostMetadata
		}
	}
	if a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() || a.IsUnspecified() || a.IsLinkLocalMulticast() ||
		a.Is4() && a.As4()[0] == 100 && a.As4()[1]&0xc0 == 64 { // 100.64.0.0/10, carrier-grade NAT
		return hostInternal
	}
	return hostPublic
}

// parseAddr parses an IP address in the forms inet_aton accepts as well as
// the canonical ones.
func parseAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a, true
	}
	if s == "" || len(s) > 40 {
		return netip.Addr{}, false
	}
	// inet_aton: one to four parts, each decimal, octal (leading 0) or hex
	// (0x); the last part fills the remaining bytes.
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
		v, err := strconv.ParseUint(part, 0, 32)
		if err != nil || part == "" {
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
		ip = parts[0]
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
		for _, p := range parts {
			if p > 0xff {
				return netip.Addr{}, false
			}
		}
		ip = parts[0]<<24 | parts[1]<<16 | parts[2]<<8 | parts[3]
	}
	if ip > 0xffffffff {
		return netip.Addr{}, false
	}
	if n == 1 && ip < 1<<24 {
		return netip.Addr{}, false // a small number is a number, not an address
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
