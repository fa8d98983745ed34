package middleware

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark"
)

func newID(t *testing.T, cfg Config) *identifier {
	t.Helper()
	id, err := cfg.build()
	if err != nil {
		t.Fatalf("build: %v", err)
	}
	return id
}

// TestClientKeySpoofing throws the usual spoofing attempts at the identity
// resolver. None may give the attacker a key other than the one its
// connection (or the hop our proxy appended) proves.
func TestClientKeySpoofing(t *testing.T) {
	proxied := Config{TrustedProxies: []string{"10.0.0.0/8", "fd00::/8"}}
	tests := []struct {
		name   string
		cfg    Config
		remote string
		header map[string][]string
		want   string
	}{
		{"no proxy: peer is the client", Config{}, "203.0.113.7:5555", nil, "203.0.113.7"},
		{"no proxy: XFF ignored", Config{}, "203.0.113.7:5555",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1"}}, "203.0.113.7"},
		{"no proxy: X-Real-IP ignored", Config{}, "203.0.113.7:5555",
			map[string][]string{"X-Real-Ip": {"198.51.100.1"}}, "203.0.113.7"},
		{"no proxy: Forwarded ignored", Config{}, "203.0.113.7:5555",
			map[string][]string{"Forwarded": {"for=198.51.100.1"}}, "203.0.113.7"},
		{"untrusted peer sends XFF", proxied, "203.0.113.7:5555",
			map[string][]string{"X-Forwarded-For": {"10.0.0.1, 198.51.100.1"}}, "203.0.113.7"},
		{"untrusted peer claims a trusted XFF", proxied, "203.0.113.7:5555",
			map[string][]string{"X-Forwarded-For": {"10.1.2.3"}}, "203.0.113.7"},
		{"trusted proxy: right-most untrusted hop", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"198.51.100.1, 203.0.113.7"}}, "203.0.113.7"},
		{"trusted proxy: left-most spoof is ignored", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, 2.2.2.2, 203.0.113.7, 10.0.0.9"}}, "203.0.113.7"},
		{"trusted proxy: duplicate XFF headers merged in order", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1", "203.0.113.7"}}, "203.0.113.7"},
		{"trusted proxy: garbage right of client fails to last trusted hop", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"1.1.1.1, nonsense, 10.0.0.9"}}, "10.0.0.9"},
		{"trusted proxy: mapped trusted alias cannot hide the client", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"6.6.6.6, ::ffff:10.0.0.5, 203.0.113.7"}}, "203.0.113.7"},
		{"trusted proxy: client written as mapped v6 is unmapped", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"::ffff:203.0.113.7"}}, "203.0.113.7"},
		{"trusted proxy: zoned trusted hop is still trusted", proxied, "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"6.6.6.6, fd00::1%eth0"}}, "6.6.6.6"},
		{"trusted proxy: Forwarded header not configured is ignored", proxied, "10.0.0.2:80",
			map[string][]string{"Forwarded": {"for=6.6.6.6"}, "X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"trusted proxy: X-Real-IP not configured is ignored", proxied, "10.0.0.2:80",
			map[string][]string{"X-Real-Ip": {"6.6.6.6"}}, "10.0.0.2"},
		{"trusted proxy without header: peer", proxied, "10.0.0.2:80", nil, "10.0.0.2"},
		{"Forwarded configured: right-most untrusted for=", withHeader(proxied, headerForwarded), "10.0.0.2:80",
			map[string][]string{"Forwarded": {`for=6.6.6.6, for="[2001:db8:cafe::17]:4711";proto=https, for=10.0.0.3`}},
			"2001:db8:cafe::/64"},
		{"Forwarded configured: obfuscated node stops the walk", withHeader(proxied, headerForwarded), "10.0.0.2:80",
			map[string][]string{"Forwarded": {`for=6.6.6.6, for=_hidden, for=10.0.0.3`}}, "10.0.0.3"},
		{"Forwarded configured: XFF ignored", withHeader(proxied, headerForwarded), "10.0.0.2:80",
			map[string][]string{"X-Forwarded-For": {"6.6.6.6"}, "Forwarded": {"for=203.0.113.7"}}, "203.0.113.7"},
		{"X-Real-IP configured: last value wins", withHeader(proxied, headerXRealIP), "10.0.0.2:80",
			map[string][]string{"X-Real-Ip": {"6.6.6.6", "203.0.113.7"}}, "203.0.113.7"},
		{"X-Real-IP configured: garbage falls back to peer", withHeader(proxied, headerXRealIP), "10.0.0.2:80",
			map[string][]string{"X-Real-Ip": {"not-an-ip"}}, "10.0.0.2"},
		{"v4-mapped peer is unmapped", Config{}, "[::ffff:203.0.113.7]:5555", nil, "203.0.113.7"},
		{"v4-mapped peer of a trusted proxy is trusted", proxied, "[::ffff:10.0.0.2]:80",
			map[string][]string{"X-Forwarded-For": {"203.0.113.7"}}, "203.0.113.7"},
		{"IPv6 aggregated to /64", Config{}, "[2001:db8:1:2:aaaa:bbbb:cccc:dddd]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6 rotation inside /64 is one client", Config{}, "[2001:db8:1:2::ffff]:443", nil, "2001:db8:1:2::/64"},
		{"IPv6 /128 configured", Config{IPv6Prefix: 128}, "[2001:db8::1]:443", nil, "2001:db8::1"},
		{"IPv4 /24 configured", Config{IPv4Prefix: 24}, "203.0.113.7:1", nil, "203.0.113.0/24"},
		{"zoned link-local peer", Config{}, "[fe80::1%eth0]:80", nil, "fe80::/64"},
		{"unparsable peer shares one key", Config{}, "garbage", nil, "unknown"},
	}
	// Identifiers remember peers: every case runs on an identifier shared
	// with the other cases of its Config, forwards and then backwards, so a
	// remembered peer that leaked into another case's answer would show.
	ids := map[string]*identifier{}
	for pass := range 2 {
		for i := range tests {
			tt := tests[i]
			if pass == 1 {
				tt = tests[len(tests)-1-i]
			}
			t.Run(tt.name, func(t *testing.T) {
				cfgKey := fmt.Sprintf("%+v", tt.cfg)
				id := ids[cfgKey]
				if id == nil {
					id = newID(t, tt.cfg)
					ids[cfgKey] = id
				}
				r := httptest.NewRequest(http.MethodGet, "/", nil)
				r.RemoteAddr = tt.remote
				for k, vs := range tt.header {
					r.Header[k] = vs
				}
				got, _ := id.key(r)
				if got != tt.want {
					t.Errorf("pass %d: key = %q, want %q", pass, got, tt.want)
				}
			})
		}
	}
}

// A remembered peer answers only for its own host: another port of it is
// the same client, a malformed RemoteAddr with its host is not, and a trusted
// proxy's host never stands for the clients it forwards.
func TestClientKeyPeerMemory(t *testing.T) {
	id := newID(t, Config{TrustedProxies: []string{"10.0.0.0/8"}})
	key := func(remote, xff string) string {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = remote
		if xff != "" {
			r.Header.Set("X-Forwarded-For", xff)
		}
		k, _ := id.key(r)
		return k
	}
	for _, tc := range []struct{ remote, xff, want string }{
		{"203.0.113.7:5555", "", "203.0.113.7"},
		{"203.0.113.7:6666", "", "203.0.113.7"},
		{"203.0.113.7:x", "", "unknown"},
		{"203.0.113.7:123456", "", "unknown"},
		{"10.0.0.2:80", "198.51.100.1", "198.51.100.1"},
		{"10.0.0.2:80", "198.51.100.2", "198.51.100.2"},
		{"10.0.0.2:81", "", "10.0.0.2"},
		{"10.0.0.2:80", "198.51.100.3", "198.51.100.3"},
		{"10.0.0.3:80", "198.51.100.3", "198.51.100.3"},
		{"10.0.0.2:80", "nonsense", "10.0.0.2"},
		{"10.0.0.3:80", "nonsense", "10.0.0.3"},
		{"10.0.0.2:80", "10.0.0.9", "10.0.0.9"},
		{"10.0.0.3:80", "10.0.0.9", "10.0.0.9"},
		{"203.0.113.7:5555", "198.51.100.3", "203.0.113.7"},
		{"[2001:db8::1]:443", "", "2001:db8::/64"},
		{"[2001:db8::1]:443", "", "2001:db8::/64"},
	} {
		if got := key(tc.remote, tc.xff); got != tc.want {
			t.Errorf("%s XFF %q: key %q, want %q", tc.remote, tc.xff, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"1.2.3.4:80", "1.2.3.4"}, {"[::1]:80", "[::1]"}, {"[fe80::1%eth0]:8080", "[fe80::1%eth0]"},
		{"::1", ""}, {"1.2.3.4", ""}, {"1.2.3.4:", ""}, {"[::1]", ""}, {"[::1]80", ""}, {"a:b:c", ""}, {"", ""},
	} {
		if got := peerHost(tc.in); got != tc.want {
			t.Errorf("peerHost(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func withHeader(c Config, h string) Config {
	c.ClientIPHeader = h
	return c
}

func TestConfigErrorsNameTheField(t *testing.T) {
	tests := []struct {
		name  string
		cfg   Config
		field string
	}{
		{"bad CIDR", Config{TrustedProxies: []string{"10.0.0.0/8", "10.0.0/8"}}, "Config.TrustedProxies[1]"},
		{"unknown header", Config{TrustedProxies: []string{"10.0.0.0/8"}, ClientIPHeader: "X-Client"}, "Config.ClientIPHeader"},
		{"header without proxies", Config{ClientIPHeader: headerXRealIP}, "Config.ClientIPHeader"},
		{"IPv6 prefix too long", Config{IPv6Prefix: 129}, "Config.IPv6Prefix"},
		{"IPv4 prefix too short", Config{IPv4Prefix: 4}, "Config.IPv4Prefix"},
		{"relative skip", Config{Skip: []string{"healthz"}}, "Config.Skip[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(&bulwark.Guard{}, tt.cfg)
			if err == nil {
				t.Fatal("New accepted an invalid Config")
			}
			if !errors.Is(err, bulwark.ErrInvalidConfig) {
				t.Errorf("error %v does not wrap bulwark.ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.field+":") {
				t.Errorf("error %q does not name %s", err, tt.field)
			}
		})
	}
}

func FuzzClientKey(f *testing.F) {
	f.Add("10.0.0.2:80", "198.51.100.1, 203.0.113.7", `for=6.6.6.6, for="[2001:db8::1]:80"`)
	f.Add("[::ffff:10.0.0.2]:80", "::ffff:1.2.3.4,,, ,", "for=_x;by=y")
	f.Add("garbage", "[2001:db8::1]:443", `for="`)
	cfgs := []Config{
		{TrustedProxies: []string{"10.0.0.0/8", "::ffff:10.0.0.0/104"}},
		{TrustedProxies: []string{"10.0.0.0/8"}, ClientIPHeader: headerForwarded},
		{TrustedProxies: []string{"10.0.0.0/8"}, ClientIPHeader: headerXRealIP},
	}
	var ids []*identifier
	for _, c := range cfgs {
		id, err := c.build()
		if err != nil {
			f.Fatal(err)
		}
		ids = append(ids, id)
	}
	f.Fuzz(func(t *testing.T, remote, xff, fwd string) {
		r := &http.Request{RemoteAddr: remote, Header: http.Header{
			"X-Forwarded-For": {xff}, "Forwarded": {fwd}, "X-Real-Ip": {xff},
		}}
		for _, id := range ids {
			key, addr := id.key(r)
			// The caches answer as the uncached walk does, on the first
			// request (filling them) and on a repeat (reading them).
			if k, a := id.resolve(r); k != key || a != addr {
				t.Fatalf("key = %q %v, uncached %q %v for %q %q %q", key, addr, k, a, remote, xff, fwd)
			}
			if k, a := id.key(r); k != key || a != addr {
				t.Fatalf("repeat key = %q %v, first %q %v for %q %q %q", k, a, key, addr, remote, xff, fwd)
			}
			if key == "" {
				t.Fatalf("empty key for %q %q %q", remote, xff, fwd)
			}
			if addr.IsValid() && (addr.Is4In6() || addr.Zone() != "") {
				t.Fatalf("address %v not normalised", addr)
			}
			// An untrusted peer is always its own client.
			if peer, ok := parseRemoteAddr(remote); ok && !id.isTrusted(peer) && addr != peer {
				t.Fatalf("untrusted peer %v became %v", peer, addr)
			}
		}
	})
}
