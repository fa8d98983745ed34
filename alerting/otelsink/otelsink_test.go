package otelsink_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.uber.org/goleak"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/alerting/otelsink"
	"github.com/bulwarkhq/bulwark/threat"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestSendRecordsSpanEventAndCounter(t *testing.T) {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	ctx := context.Background()
	defer func() { _ = tp.Shutdown(ctx); _ = mp.Shutdown(ctx) }()

	s, err := otelsink.New(otelsink.Config{TracerProvider: tp, MeterProvider: mp})
	if err != nil {
		t.Fatal(err)
	}
	alerts := []alerting.Alert{
		{Fingerprint: "fp1", Level: threat.LevelCritical, Trigger: "new", Count: 120, Priority: 90,
			Labels: map[string]string{alerting.LabelClient: "c_1"}, Reasons: []alerting.ReasonCount{{Reason: "sqli", Count: 100}},
			Summary: "critical incident"},
		{Fingerprint: "fp1", Level: threat.LevelCritical, Trigger: "repeat", Count: 150},
		{Fingerprint: "fp2", Level: threat.LevelLow, Trigger: "new", Count: 3},
	}
	for _, a := range alerts {
		if err := s.Send(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	spans := rec.Ended()
	if len(spans) != len(alerts) {
		t.Fatalf("%d spans, want %d", len(spans), len(alerts))
	}
	first := spans[0]
	if first.Name() != "bulwark.alert" || len(first.Events()) != 1 || first.Events()[0].Name != "alert" || first.Status().Code != codes.Error {
		t.Fatalf("span %q events %v status %v", first.Name(), first.Events(), first.Status())
	}
	got := attribute.NewSet(first.Events()[0].Attributes...)
	for k, want := range map[attribute.Key]attribute.Value{
		"alert.fingerprint": attribute.StringValue("fp1"),
		"alert.level":       attribute.StringValue("critical"),
		"alert.count":       attribute.Int64Value(120),
		"alert.client":      attribute.StringValue("c_1"),
		"alert.reasons":     attribute.StringSliceValue([]string{"sqli"}),
	} {
		if v, ok := got.Value(k); !ok || v.String() != want.String() {
			t.Errorf("event attribute %s = %v, want %v", k, v.String(), want.String())
		}
	}
	if spans[2].Status().Code == codes.Error {
		t.Error("a low alert marked the span as an error")
	}

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int64{}
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != "bulwark.alerting.sink.alerts" {
				continue
			}
			for _, p := range m.Data.(metricdata.Sum[int64]).DataPoints {
				sev, _ := p.Attributes.Value("alert.level")
				reason, _ := p.Attributes.Value("alert.trigger")
				counts[sev.AsString()+"/"+reason.AsString()] += p.Value
			}
		}
	}
	want := map[string]int64{"critical/new": 1, "critical/repeat": 1, "low/new": 1}
	if len(counts) != len(want) {
		t.Fatalf("counter points %v, want %v", counts, want)
	}
	for k, v := range want {
		if counts[k] != v {
			t.Fatalf("counter points %v, want %v", counts, want)
		}
	}
}

func TestZeroConfigUsesGlobalProviders(t *testing.T) {
	s, err := otelsink.New(otelsink.Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), alerting.Alert{Fingerprint: "x"}); err != nil {
		t.Fatal(err)
	}
}
