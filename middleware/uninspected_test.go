package middleware

import (
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"

	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/threat"
)

// TestUninspectedPolicy checks what becomes of requests past the engine's
// inspection limits: refused with the right status and problem body by
// default, passed (and counted) when configured, per route.
func TestUninspectedPolicy(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	alerts := &fakeAlerts{}
	route := func(r *http.Request) string { return strings.TrimSuffix(r.URL.Path, "/") }
	m := newMW(t, bulwark.Config{MeterProvider: mp, Alerts: alerts, Routes: map[string]bulwark.Route{
		"/upload": {Limits: threat.Limits{MaxBody: 4 << 20}},
		"/bulk":   {Uninspected: bulwark.UninspectedPass},
		"/small":  {Limits: threat.Limits{MaxBody: 1024}},
	}}, Config{Pattern: route})
	var read int
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		read = len(b)
	}))
	big := strings.Repeat("word ", 300_000) // 1.5 MB of text
	tests := []struct {
		name, path, ctype, encoding, body string
		status                            int
		problem                           string
	}{
		{name: "too large", path: "/notes", ctype: "text/plain", body: big, status: 413, problem: typeTooLarge},
		{name: "too many values", path: "/form", ctype: "application/x-www-form-urlencoded", body: strings.Repeat("a=1&", 12_000), status: 400, problem: typeTooComplex},
		{name: "too deep", path: "/api", ctype: "application/json", body: strings.Repeat("[", 300) + strings.Repeat("]", 300), status: 400, problem: typeTooComplex},
		{name: "unknown coding", path: "/api", ctype: "application/json", encoding: "br", body: "\x1b\x03\x00", status: 415, problem: typeUnsupportedEncoding},
		{name: "route takes larger bodies", path: "/upload", ctype: "text/plain", body: big, status: 200},
		{name: "route passes", path: "/bulk", ctype: "text/plain", body: big, status: 200},
		{name: "route takes smaller bodies", path: "/small", ctype: "text/plain", body: strings.Repeat("word ", 300), status: 413, problem: typeTooLarge},
		{name: "within limits", path: "/notes", ctype: "text/plain", body: "a short note", status: 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			read = -1
			r := httptest.NewRequest("POST", tt.path, strings.NewReader(tt.body))
			r.Header.Set("Content-Type", tt.ctype)
			if tt.encoding != "" {
				r.Header.Set("Content-Encoding", tt.encoding)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tt.status, w.Body)
			}
			if tt.problem == "" {
				if read != len(tt.body) {
					t.Errorf("the handler read %d bytes, want %d", read, len(tt.body))
				}
				return
			}
			if read != -1 {
				t.Error("a refused request reached the handler")
			}
			var p struct {
				Type   string `json:"type"`
				Status int    `json:"status"`
			}
			if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || p.Type != tt.problem || p.Status != tt.status ||
				w.Header().Get("Content-Type") != problemContentType {
				t.Errorf("problem %+v (%v), content type %q", p, err, w.Header().Get("Content-Type"))
			}
		})
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			if d, ok := md.Data.(metricdata.Sum[int64]); ok && md.Name == "bulwark.uninspected" {
				for _, dp := range d.DataPoints {
					reason, _ := dp.Attributes.Value("bulwark.uninspected.reason")
					action, _ := dp.Attributes.Value("bulwark.uninspected.action")
					counts[reason.AsString()+"/"+action.AsString()] += dp.Value
				}
			}
		}
	}
	want := map[string]int64{"body/refused": 2, "params/refused": 1, "depth/refused": 1, "encoding/refused": 1, "body/passed": 1}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("bulwark.uninspected %s = %d, want %d (all: %v)", k, counts[k], v, counts)
		}
	}
	uninspectedAlerts := 0
	for _, e := range alerts.events {
		if len(e.Reasons) == 1 && strings.HasPrefix(e.Reasons[0], "uninspected.") {
			uninspectedAlerts++
		}
	}
	if uninspectedAlerts != 6 {
		t.Errorf("%d uninspected alerts, want 6", uninspectedAlerts)
	}
}

// TestMultipartLoginBlocked is the curl reproduction of project issue 12:
// an SQL injection in a multipart form field is refused.
func TestMultipartLoginBlocked(t *testing.T) {
	m := newMW(t, bulwark.Config{}, Config{})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	var b strings.Builder
	mw := multipart.NewWriter(&b)
	mw.WriteField("user", "1' UNION SELECT password FROM users--")
	mw.WriteField("password", "x")
	mw.Close()
	r := httptest.NewRequest("POST", "/login", strings.NewReader(b.String()))
	r.Header.Set("Content-Type", mw.FormDataContentType())
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusForbidden {
		t.Fatalf("status %d, want 403", w.Code)
	}
}

// TestRefusalStatus checks the status and problem of each refusal for
// the assessments an engine gives, per route policy.
func TestRefusalStatus(t *testing.T) {
	eng := &fakeEngine{}
	m := newMW(t, bulwark.Config{Engine: eng, Limiter: &fakeLimiter{allow: allowed(5, 4)},
		Routes: map[string]bulwark.Route{"/bulk": {Uninspected: bulwark.UninspectedPass}, "/shadow": {Shadow: true}}},
		Config{Pattern: func(r *http.Request) string { return r.URL.Path }})
	h := m.Handler(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	for _, tt := range []struct {
		a       threat.Assessment
		path    string
		want    int
		problem string
	}{
		{threat.Assessment{Score: 0.95}, "/x", 403, typeBlocked},
		{threat.Assessment{Uninspected: threat.UninspectedBody}, "/x", 413, typeTooLarge},
		{threat.Assessment{Uninspected: threat.UninspectedDecoded | threat.UninspectedDepth}, "/x", 413, typeTooLarge},
		{threat.Assessment{Uninspected: threat.UninspectedEncoding}, "/x", 415, typeUnsupportedEncoding},
		{threat.Assessment{Uninspected: threat.UninspectedParams}, "/x", 400, typeTooComplex},
		{threat.Assessment{Uninspected: threat.UninspectedParams}, "/bulk", 200, ""},
		{threat.Assessment{Uninspected: threat.UninspectedFailed}, "/x", 400, typeUninspectable},
		{threat.Assessment{Uninspected: threat.UninspectedFailed | threat.UninspectedParams}, "/x", 400, typeTooComplex},
		{threat.Assessment{Uninspected: threat.UninspectedFailed | threat.UninspectedBody}, "/x", 413, typeTooLarge},
		{threat.Assessment{Uninspected: threat.UninspectedFailed}, "/bulk", 200, ""},
		{threat.Assessment{Score: 0.95}, "/shadow", 200, ""},
		{threat.Assessment{}, "/x", 200, ""},
	} {
		eng.a = tt.a
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		var p struct{ Type string }
		_ = json.Unmarshal(rec.Body.Bytes(), &p)
		if rec.Code != tt.want || p.Type != tt.problem {
			t.Errorf("%+v on %s: %d %q, want %d %q", tt.a, tt.path, rec.Code, p.Type, tt.want, tt.problem)
		}
	}
}
