package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
)

func TestBasic(t *testing.T) {
	h, closeAll, err := newServer(config{Protect: true, Rate: "600-M", LoginRate: "5-M"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := closeAll(); err != nil {
			t.Error(err)
		}
	})
	tests := []struct {
		name, method, path, body string
		want                     int
		problem                  bool
	}{
		{"health", "GET", "/healthz", "", 200, false},
		{"search", "GET", "/search?q=" + url.QueryEscape("rain jacket"), "", 200, false},
		{"item", "GET", "/api/items/3", "", 200, false},
		{"bad login", "POST", "/login", "user=a&password=b", 401, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want {
				t.Fatalf("%s %s = %d %q, want %d", tt.method, tt.path, resp.StatusCode, body, tt.want)
			}
			if got := resp.Header.Get("Content-Type") == "application/problem+json"; got != tt.problem {
				t.Errorf("problem+json = %v, want %v", got, tt.problem)
			}
		})
	}
}

func TestBasicBlocksInjection(t *testing.T) {
	h, closeAll, err := newServer(config{Protect: true, Rate: "600-M", LoginRate: "5-M"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		if err := closeAll(); err != nil {
			t.Error(err)
		}
	})
	req, _ := http.NewRequest("GET", srv.URL+"/search?q="+url.QueryEscape("1 UNION SELECT username, password FROM users--"), nil)
	req.Header.Set("User-Agent", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("injection = %d %s %q, want 403 problem+json", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
}
