package signature

import (
	"math/rand/v2"
	"net/http"
	"reflect"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// Forwarding headers that hold only addresses are not scanned. That is a
// shortcut, not a rule: every such value must get the signals, none, that
// the full scan gives it.
func TestAddressHeadersSkipOnlyWhatFindsNothing(t *testing.T) {
	fast, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	full, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	full.scanAddrs = true

	values := []string{
		"203.0.113.7", "203.0.113.9, 10.0.0.5", "127.0.0.1", "169.254.169.254", "0.0.0.0",
		"::1", "[::1]", "[2001:db8::1]:443, 10.1.2.3", "::ffff:10.0.0.1", "fd00:ec2::254",
		"0x7f000001", "2130706433", "0177.0.0.1", "1.1.1.1,,, ,", "aced0005", "ACED0005deadbeef",
		"1.2.3.4, aced0005", "1,1", "1 , 1", "1e1", "0xdeadbeef", "dead:beef::cafe",
		"1.2.3.4:80, 5.6.7.8:443", "[]", ":", "", "a", "fade, bead, face, dead, add, bad",
	}
	rng := rand.New(rand.NewPCG(7, 11))
	const alphabet = "0123456789abcdefABCDEF.:,[] \t"
	for range 200000 {
		b := make([]byte, 1+rng.IntN(64))
		for i := range b {
			b[i] = alphabet[rng.IntN(len(alphabet))]
		}
		values = append(values, string(b))
	}
	// address lists with hex words between the hops, where a magic number
	// could hide
	words := []string{"aced0005", "ACED0005", "deadbeef", "cafe", "0x7f000001", "1e5", "0b", "ff", "::", "[::1]:80"}
	for range 5000 {
		v := ""
		for j := range 1 + rng.IntN(4) {
			if j > 0 {
				v += ", "
			}
			if rng.IntN(2) == 0 {
				v += words[rng.IntN(len(words))]
			} else {
				v += "198.51.100." + string(alphabet[rng.IntN(10)])
			}
		}
		values = append(values, v)
	}
	skipped := 0
	for _, v := range values {
		if addressList(v) {
			skipped++
		}
		for _, name := range []string{"X-Forwarded-For", "X-Real-Ip"} {
			req := &threat.Request{Method: http.MethodGet, Path: "/api/items", RawPath: "/api/items",
				Proto: "HTTP/1.1", Host: "example.com", Header: http.Header{name: {v}}}
			got := fast.Detect(req, nil)
			want := full.Detect(req, nil)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %q: skipped scan gives %v, full scan %v", name, v, got, want)
			}
		}
	}
	if skipped < len(values)*9/10 {
		t.Fatalf("only %d of %d address values took the shortcut", skipped, len(values))
	}
}

func TestAddressList(t *testing.T) {
	for v, want := range map[string]bool{
		"203.0.113.7, 10.0.0.1":    true,
		"[2001:db8::1]:443":        true,
		"1.2.3.4, union select":    false,
		"1.2.3.4;id":               false,
		"1.2.3.4\r\nX-Injected: 1": false,
		"${jndi:ldap://x/a}":       false,
		"aced0005737200":           false, // serialised Java in hex
		"fe80::1%eth0":             false, // zones go to the full scan
		"1.2.3.4' or '1'='1":       false,
		string(make([]byte, 600)):  false,
	} {
		if got := addressList(v); got != want {
			t.Errorf("addressList(%q) = %v, want %v", v, got, want)
		}
	}
}
