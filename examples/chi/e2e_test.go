package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// start runs the example as a real server on a loopback port and returns
// its base URL. Each test gets a fresh server, so no state leaks between them.
func start(t *testing.T, cfg config) string {
	t.Helper()
	s, err := newServer(cfg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatalf("newServer: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 5 * time.Second}
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if err := s.Close(ctx); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return "http://" + ln.Addr().String()
}

func testConfig() config {
	return config{Protect: true, Rate: "600-M", LoginRate: "5-M"}
}

var client = &http.Client{Timeout: 5 * time.Second}

func do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return resp, body
}

func get(t *testing.T, u string, header ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	req.Header.Set("Accept", "application/json, text/html;q=0.9")
	req.Header.Set("Accept-Language", "en-GB,en;q=0.8")
	return do(t, req)
}

func login(t *testing.T, base, user, password string) (*http.Response, []byte) {
	t.Helper()
	form := url.Values{"user": {user}, "password": {password}}
	req, err := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("User-Agent", "python-requests/2.32.3")
	return do(t, req)
}

type problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail"`
}

func decodeProblem(t *testing.T, resp *http.Response, body []byte) problem {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type = %q, want application/problem+json (body %q)", ct, body)
	}
	var p problem
	if err := json.Unmarshal(body, &p); err != nil {
		t.Fatalf("problem body %q: %v", body, err)
	}
	if p.Status != resp.StatusCode || p.Type == "" || p.Title == "" {
		t.Fatalf("incomplete problem %+v for status %d", p, resp.StatusCode)
	}
	return p
}

func TestBenignBrowsingPassesWithHeaders(t *testing.T) {
	base := start(t, testConfig())
	paths := []string{"/", "/search?q=boots", "/api/items", "/api/items/2", "/search?q=rain+jacket", "/api/items/3", "/healthz"}
	for round := range 3 {
		for _, p := range paths {
			resp, body := get(t, base+p)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("round %d GET %s = %d %q, want 200", round, p, resp.StatusCode, body)
			}
			if p == "/healthz" {
				if resp.Header.Get("RateLimit-Limit") != "" {
					t.Errorf("skipped /healthz carries RateLimit-Limit")
				}
				continue
			}
			limit, err1 := strconv.Atoi(resp.Header.Get("RateLimit-Limit"))
			remaining, err2 := strconv.Atoi(resp.Header.Get("RateLimit-Remaining"))
			_, err3 := strconv.Atoi(resp.Header.Get("RateLimit-Reset"))
			if err1 != nil || err2 != nil || err3 != nil || limit <= 0 || remaining < 0 || remaining >= limit {
				t.Fatalf("GET %s: RateLimit headers %q/%q/%q", p,
					resp.Header.Get("RateLimit-Limit"), resp.Header.Get("RateLimit-Remaining"), resp.Header.Get("RateLimit-Reset"))
			}
		}
	}
}

func TestCredentialStuffingIsSlowedThenBoxed(t *testing.T) {
	base := start(t, testConfig())
	var statuses []int
	sawLimit, sawBox := false, false
	for i := range 40 {
		resp, body := login(t, base, "user"+strconv.Itoa(i)+"@example.com", "hunter"+strconv.Itoa(i))
		statuses = append(statuses, resp.StatusCode)
		switch resp.StatusCode {
		case http.StatusUnauthorized:
			if sawLimit {
				t.Fatalf("attempt %d reached the handler after being limited: %v", i, statuses)
			}
		case http.StatusTooManyRequests, http.StatusForbidden:
			p := decodeProblem(t, resp, body)
			ra, err := strconv.Atoi(resp.Header.Get("Retry-After"))
			if err != nil || ra <= 0 {
				t.Fatalf("attempt %d: %d without a positive Retry-After (%q)", i, resp.StatusCode, resp.Header.Get("Retry-After"))
			}
			sawLimit = true
			if strings.Contains(p.Type, "banned") || strings.Contains(p.Type, "throttled") {
				sawBox = true
			}
		default:
			t.Fatalf("attempt %d: unexpected status %d %q", i, resp.StatusCode, body)
		}
	}
	if statuses[0] != http.StatusUnauthorized {
		t.Errorf("first attempt was %d, want it to reach the handler (401): %v", statuses[0], statuses)
	}
	if !sawLimit {
		t.Fatalf("40 failed logins were never limited: %v", statuses)
	}
	if !sawBox {
		t.Errorf("the burst was limited but never put in the penalty box: %v", statuses)
	}
}

func TestSpoofedForwardedForChangesNothing(t *testing.T) {
	base := start(t, testConfig())
	for _, h := range [][]string{
		nil,
		{"X-Forwarded-For", "198.51.100.23"},
		{"X-Forwarded-For", "10.0.0.1, 198.51.100.23"},
		{"X-Real-IP", "198.51.100.23"},
		{"Forwarded", "for=198.51.100.23"},
	} {
		resp, body := get(t, base+"/api/whoami", h...)
		var who struct{ Client string }
		if err := json.Unmarshal(body, &who); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("whoami with %q: %d %q", h, resp.StatusCode, body)
		}
		if who.Client != "127.0.0.1" {
			t.Errorf("whoami with %q = %q, want 127.0.0.1", h, who.Client)
		}
	}
	// A client limited on login stays limited whatever address it claims.
	for i := range 40 {
		resp, _ := login(t, base, "u"+strconv.Itoa(i), "p")
		if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden {
			break
		}
		if i == 39 {
			t.Fatal("login burst never limited")
		}
	}
	for _, spoof := range []string{"198.51.100.1", "198.51.100.2", "2001:db8::1"} {
		form := url.Values{"user": {"x"}, "password": {"y"}}
		req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Forwarded-For", spoof)
		resp, body := do(t, req)
		if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusOK {
			t.Errorf("spoofed X-Forwarded-For %s escaped the limit: %d %q", spoof, resp.StatusCode, body)
		}
	}
}

// An injection is refused with 403 and a problem+json body that names the
// reason without leaking detector internals; shadow mode lets it through.
func TestInjectionIsBlocked(t *testing.T) {
	base := start(t, testConfig())
	for _, q := range []string{
		"' OR '1'='1",
		"<script>alert(document.cookie)</script>",
		"../../../../etc/passwd",
		"; cat /etc/passwd",
	} {
		resp, body := get(t, base+"/search?q="+url.QueryEscape(q))
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("GET /search?q=%q = %d %q, want 403", q, resp.StatusCode, body)
		}
		p := decodeProblem(t, resp, body)
		for _, internal := range []string{"libinjection", "fingerprint", "confidence", "sqli.", "xss.", "traversal."} {
			if strings.Contains(string(body), internal) {
				t.Errorf("problem body leaks %q: %+v", internal, p)
			}
		}
	}
	shadow := testConfig()
	shadow.Shadow = true
	sbase := start(t, shadow)
	resp, body := get(t, sbase+"/search?q="+url.QueryEscape("' OR '1'='1"))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("shadow mode: injection = %d %q, want 200", resp.StatusCode, body)
	}
}
