package middleware

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/bulwarkhq/bulwark"
)

func TestTelemetry(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))

	m := newMW(t, bulwark.Config{MeterProvider: mp}, Config{MeterProvider: mp, Skip: []string{"/healthz"}})
	h := m.Handler(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	for _, p := range []string{"/a", "/b", "/healthz"} {
		ctx, span := tp.Tracer("test").Start(context.Background(), p)
		r := httptest.NewRequest(http.MethodGet, p, nil).WithContext(ctx)
		h.ServeHTTP(httptest.NewRecorder(), r)
		span.End()
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	var overheadCount, scoreCount uint64
	scopes := map[string]int{}
	for _, sm := range rm.ScopeMetrics {
		for _, md := range sm.Metrics {
			scopes[md.Name]++
			switch d := md.Data.(type) {
			case metricdata.Sum[int64]:
				if md.Name == "bulwark.requests" {
					for _, dp := range d.DataPoints {
						o, _ := dp.Attributes.Value("bulwark.outcome")
						counts[o.AsString()] += dp.Value
					}
				}
			case metricdata.Histogram[float64]:
				for _, dp := range d.DataPoints {
					switch md.Name {
					case "bulwark.overhead":
						overheadCount += dp.Count
					case "bulwark.threat.score":
						scoreCount += dp.Count
					}
				}
			}
		}
	}
	// the Guard counts what reaches it; a path the middleware skips shows
	// in the overhead histogram only
	if counts["allowed"] != 2 || len(counts) != 1 {
		t.Errorf("bulwark.requests by outcome = %v, want allowed:2", counts)
	}
	if overheadCount != 3 {
		t.Errorf("bulwark.overhead recorded %d times, want 3", overheadCount)
	}
	if scoreCount != 2 {
		t.Errorf("bulwark.threat.score recorded %d times, want 2 (skipped requests are not scored)", scoreCount)
	}
	// The engine and limiter standard.New made report to its provider,
	// and each metric comes from one scope only.
	for _, name := range []string{"bulwark.requests", "bulwark.overhead", "bulwark.threat.score", "bulwark.ratelimit.decisions"} {
		if scopes[name] != 1 {
			t.Errorf("metric %s reported by %d scopes, want 1", name, scopes[name])
		}
	}

	ended := spans.Ended()
	if len(ended) != 3 {
		t.Fatalf("%d spans, want 3", len(ended))
	}
	for _, s := range ended {
		var outcome attribute.Value
		for _, kv := range s.Attributes() {
			if kv.Key == "bulwark.outcome" {
				outcome = kv.Value
			}
		}
		want := "allowed"
		if s.Name() == "/healthz" {
			want = ""
		}
		if outcome.AsString() != want {
			t.Errorf("span %s: bulwark.outcome = %q, want %q", s.Name(), outcome.AsString(), want)
		}
	}
}
