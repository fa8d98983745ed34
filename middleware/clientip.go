package middleware

import (
	"context"
	"hash/maphash"
	"net/http"
	"net/netip"
	"strings"
	"sync/atomic"
)

// Headers that carry the client address through a proxy. Only the one named
// in Config.ClientIPHeader is read, and only when the TCP peer is a trusted
// proxy: a proxy that sets X-Forwarded-For usually passes a client's own
// Forwarded header through untouched, so reading both would let a client
// pick its identity.
const (
	headerXForwardedFor = "X-Forwarded-For"
	headerForwarded     = "Forwarded"
	headerXRealIP       = "X-Real-Ip"
)

// identifier resolves the client of a request: the TCP peer, or the
// right-most untrusted hop of the configured forwarding header when the peer
// is a trusted proxy. Addresses are unmapped (::ffff:a.b.c.d is a.b.c.d),
// zones are stripped and IPv6 addresses are aggregated to a prefix.
type identifier struct {
	trusted []netip.Prefix
	header  string // canonical header name; "" when no proxy is trusted
	v4Bits  int
	v6Bits  int

	// peers remembers recent TCP peers by host: the address and key of a
	// peer that is its own client, or the address of a trusted proxy
	// (whose key is never used: the clients it forwards are in the
	// header). fwd remembers the client a trusted proxy's header names, by
	// the header's value. So a client's requests after the first neither
	// parse an address nor allocate a key. A slot holds an immutable entry
	// swapped atomically; a collision only evicts.
	seed  maphash.Seed
	peers [peerSlots]atomic.Pointer[peerEntry]
	fwd   [fwdSlots]atomic.Pointer[fwdEntry]
}

const (
	peerSlots = 1 << 14
	fwdSlots  = 1 << 14
	// maxFwdCached bounds the header values fwd keeps alive.
	maxFwdCached = 128
)

type peerEntry struct {
	host  string
	addr  netip.Addr
	key   string
	proxy bool // a trusted proxy: addr is known, the client is in the header
}

type fwdEntry struct {
	value string
	addr  netip.Addr
	key   string
}

// peerHost returns the host part of a RemoteAddr of the form "v4:port" or
// "[v6]:port" with a numeric port, or "" for any other form (those are
// parsed every time).
func peerHost(s string) string {
	var host, port string
	if strings.HasPrefix(s, "[") {
		i := strings.IndexByte(s, ']')
		if i < 0 || i+1 >= len(s) || s[i+1] != ':' {
			return ""
		}
		host, port = s[:i+1], s[i+2:]
	} else {
		i := strings.IndexByte(s, ':')
		if i < 0 || strings.IndexByte(s[i+1:], ':') >= 0 {
			return ""
		}
		host, port = s[:i], s[i+1:]
	}
	if len(port) == 0 || len(port) > 5 {
		return ""
	}
	for i := 0; i < len(port); i++ {
		if port[i] < '0' || port[i] > '9' {
			return ""
		}
	}
	return host
}

// clientAddr returns the client address of r, not yet aggregated. ok is
// false when RemoteAddr does not parse.
func (id *identifier) clientAddr(r *http.Request) (netip.Addr, bool) {
	peer, ok := parseRemoteAddr(r.RemoteAddr)
	if !ok {
		return netip.Addr{}, false
	}
	if id.header == "" || !id.isTrusted(peer) {
		return peer, true
	}
	a, _ := id.forwarded(peer, r.Header[id.header])
	return a, true
}

// forwarded returns the client that the forwarding header values name, for
// a request from the trusted proxy peer. fromHeader is false when the
// answer is peer itself (no header, or garbage before any hop); when it is
// true the answer depends on values alone.
func (id *identifier) forwarded(peer netip.Addr, values []string) (a netip.Addr, fromHeader bool) {
	if len(values) == 0 {
		return peer, false
	}
	if id.header == headerXRealIP {
		// A single-value header: the last copy is the one the nearest proxy set.
		if a, ok := parseHeaderAddr(strings.TrimSpace(values[len(values)-1])); ok {
			return a, true
		}
		return peer, false
	}
	// Walk the chain right to left. Every trusted hop is skipped; the first
	// untrusted one is the client. If the walk meets garbage, or runs out,
	// the last trusted hop seen is the client: a client can prepend entries
	// but never remove the ones our proxies appended.
	client := peer
	for i := len(values) - 1; i >= 0; i-- {
		h := values[i]
		for h != "" {
			var v string
			if j := strings.LastIndexByte(h, ','); j >= 0 {
				v, h = h[j+1:], h[:j]
			} else {
				v, h = h, ""
			}
			v = strings.TrimSpace(v)
			if v == "" {
				continue
			}
			var a netip.Addr
			var ok bool
			if id.header == headerForwarded {
				a, ok = parseForwardedFor(v)
			} else {
				a, ok = parseHeaderAddr(v)
			}
			if !ok {
				return client, fromHeader
			}
			if !id.isTrusted(a) {
				return a, true
			}
			client, fromHeader = a, true
		}
	}
	return client, fromHeader
}

func (id *identifier) isTrusted(a netip.Addr) bool {
	a = a.WithZone("")
	for _, p := range id.trusted {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// aggregate masks a to the configured prefix length of its family.
func (id *identifier) aggregate(a netip.Addr) netip.Prefix {
	bits := id.v4Bits
	if a.Is6() {
		bits = id.v6Bits
	}
	p, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return netip.PrefixFrom(a.WithZone(""), a.BitLen())
	}
	return p
}

// key returns the client key of r: the address as text, or the aggregated
// prefix ("2001:db8:1:2::/64") when aggregation widens it. It returns
// "unknown" when RemoteAddr does not parse, so such requests share one key
// rather than escape limiting. It answers as resolve does, from the peer
// and forwarding caches when it can.
func (id *identifier) key(r *http.Request) (string, netip.Addr) {
	host := peerHost(r.RemoteAddr)
	if host == "" {
		return id.resolve(r)
	}
	slot := &id.peers[maphash.String(id.seed, host)%peerSlots]
	e := slot.Load()
	if e == nil || e.host != host {
		peer, ok := parseRemoteAddr(r.RemoteAddr)
		if !ok {
			return "unknown", netip.Addr{}
		}
		e = &peerEntry{host: host, addr: peer}
		if id.header != "" && id.isTrusted(peer) {
			e.proxy = true
		} else {
			e.key = id.keyOf(peer)
		}
		slot.Store(e)
	}
	if !e.proxy {
		return e.key, e.addr
	}
	values := r.Header[id.header]
	if len(values) != 1 || len(values[0]) > maxFwdCached {
		a, _ := id.forwarded(e.addr, values)
		return id.keyOf(a), a
	}
	v := values[0]
	fslot := &id.fwd[maphash.String(id.seed, v)%fwdSlots]
	if f := fslot.Load(); f != nil && f.value == v {
		return f.key, f.addr
	}
	a, fromHeader := id.forwarded(e.addr, values)
	key := id.keyOf(a)
	if fromHeader {
		fslot.Store(&fwdEntry{value: v, addr: a, key: key})
	}
	return key, a
}

// resolve is key without the caches.
func (id *identifier) resolve(r *http.Request) (string, netip.Addr) {
	a, ok := id.clientAddr(r)
	if !ok {
		return "unknown", netip.Addr{}
	}
	return id.keyOf(a), a
}

// keyOf returns the key of client address a.
func (id *identifier) keyOf(a netip.Addr) string {
	p := id.aggregate(a)
	if p.Bits() == p.Addr().BitLen() {
		return p.Addr().String()
	}
	return p.String()
}

// parseRemoteAddr parses the host of an http.Request RemoteAddr, which is
// "ip:port", "[ip%zone]:port" or, in tests, a bare address.
func parseRemoteAddr(s string) (netip.Addr, bool) {
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	return netip.Addr{}, false
}

// parseHeaderAddr parses one X-Forwarded-For or X-Real-IP entry: a bare
// address, "[v6]" or "[v6]:port" or "v4:port" as some proxies write them.
func parseHeaderAddr(s string) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(s); err == nil {
		return a.Unmap().WithZone(""), true
	}
	if ap, err := netip.ParseAddrPort(s); err == nil {
		return ap.Addr().Unmap().WithZone(""), true
	}
	if len(s) > 2 && s[0] == '[' && s[len(s)-1] == ']' {
		if a, err := netip.ParseAddr(s[1 : len(s)-1]); err == nil && a.Is6() {
			return a.Unmap().WithZone(""), true
		}
	}
	return netip.Addr{}, false
}

// parseForwardedFor extracts the for= node of one RFC 7239 forwarded-element
// ("for=192.0.2.60;proto=http;by=203.0.113.43"). Obfuscated or "unknown"
// nodes do not parse.
func parseForwardedFor(elem string) (netip.Addr, bool) {
	for elem != "" {
		var pair string
		if i := strings.IndexByte(elem, ';'); i >= 0 {
			pair, elem = elem[:i], elem[i+1:]
		} else {
			pair, elem = elem, ""
		}
		pair = strings.TrimSpace(pair)
		eq := strings.IndexByte(pair, '=')
		if eq < 0 || !strings.EqualFold(strings.TrimSpace(pair[:eq]), "for") {
			continue
		}
		v := strings.TrimSpace(pair[eq+1:])
		if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
			v = v[1 : len(v)-1]
		}
		return parseHeaderAddr(v)
	}
	return netip.Addr{}, false
}

type ctxKey struct{}

// clientCtx carries the resolved client: one allocation where
// context.WithValue with a struct value would make two.
type clientCtx struct {
	context.Context
	info clientInfo
}

func (c *clientCtx) Value(key any) any {
	if _, ok := key.(ctxKey); ok {
		return c // a pointer: no allocation on lookup
	}
	return c.Context.Value(key)
}

// clientInfo is what the middleware stores in the request context.
type clientInfo struct {
	key  string
	addr netip.Addr
}

// ClientKey returns the client key the middleware resolved for the request
// carrying ctx: the KeyFunc result, or the client address (aggregated to a
// prefix for IPv6). It returns "" outside the middleware or on skipped
// requests.
func ClientKey(ctx context.Context) string {
	if c, ok := ctx.Value(ctxKey{}).(*clientCtx); ok {
		return c.info.key
	}
	return ""
}

// ClientAddr returns the client address the middleware resolved (the peer,
// or the right-most untrusted forwarded hop), before any aggregation. The
// zero Addr means none was resolved.
func ClientAddr(ctx context.Context) netip.Addr {
	if c, ok := ctx.Value(ctxKey{}).(*clientCtx); ok {
		return c.info.addr
	}
	return netip.Addr{}
}
