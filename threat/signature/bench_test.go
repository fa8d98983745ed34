package signature_test

import (
	"net/http/httptest"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
	"github.com/bulwarkhq/bulwark/threat/signature"
)

// benchRequest is a typical browser GET with five parameters and a
// session cookie.
func benchRequest(query string) *threat.Request {
	r := httptest.NewRequest("GET", "http://shop.example/products/search?"+query, nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
	r.Header.Set("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8")
	r.Header.Set("Accept-Language", "en-GB,en;q=0.9")
	r.Header.Set("Accept-Encoding", "gzip, deflate, br")
	r.Header.Set("Referer", "https://shop.example/")
	r.Header.Set("Cookie", "session=6f1c2d9a0b7e4c1f8a2b3c4d5e6f7a8b; theme=dark")
	return threat.NewRequest(r, "192.0.2.1", "", threat.Limits{})
}

func BenchmarkViewOnly(b *testing.B) {
	// Baseline: building the request view, which every detector shares.
	r := httptest.NewRequest("GET", "http://shop.example/products/search?q=running+shoes&size=42&color=blue&sort=price&page=2", nil)
	r.Header.Set("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36")
	b.ReportAllocs()
	for b.Loop() {
		threat.NewRequest(r, "192.0.2.1", "", threat.Limits{})
	}
}

func BenchmarkDetectBenign(b *testing.B) {
	d, _ := signature.New(signature.Config{})
	req := benchRequest("q=running+shoes&size=42&color=blue&sort=price&page=2")
	var sigs []threat.Signal
	b.ReportAllocs()
	for b.Loop() {
		sigs = d.Detect(req, sigs[:0])
	}
	if len(sigs) != 0 {
		b.Fatalf("benign request flagged: %v", rulesOf(sigs))
	}
}

func BenchmarkDetectAttack(b *testing.B) {
	d, _ := signature.New(signature.Config{})
	req := benchRequest("q=1%27+UNION+ALL+SELECT+username%2Cpassword+FROM+users--+-&size=42&color=%3Cscript%3Ealert(1)%3C%2Fscript%3E&sort=price&page=..%2F..%2Fetc%2Fpasswd")
	var sigs []threat.Signal
	b.ReportAllocs()
	for b.Loop() {
		sigs = d.Detect(req, sigs[:0])
	}
	if !hasFamily(sigs, "sqli") || !hasFamily(sigs, "xss") || !hasFamily(sigs, "traversal") {
		b.Fatalf("attack not found: %v", rulesOf(sigs))
	}
}
