package ratelimit

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

func TestMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer mp.Shutdown(context.Background())
	a, _ := newTest(t, Config{Rate: "2-M", MeterProvider: mp, AllowList: []string{"192.0.2.1"}})
	ctx := context.Background()
	for i := 0; i < 3; i++ {
		_, _ = a.allowNow(ctx, "10.0.0.1", "api", 0)
	}
	_, _ = a.Ban(ctx, "10.0.0.2", time.Minute, "threat score", time.Now())
	_, _ = a.allowNow(ctx, "192.0.2.1", "api", 0)

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(ctx, &rm); err != nil {
		t.Fatal(err)
	}
	got := map[string]int64{}
	state := int64(99)
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				if m.Name == "bulwark.ratelimit.decisions" {
					for _, p := range d.DataPoints {
						o, _ := p.Attributes.Value(attribute.Key("outcome"))
						got[o.AsString()] += p.Value
					}
				}
			case metricdata.Gauge[int64]:
				if m.Name == "bulwark.ratelimit.breaker.state" && len(d.DataPoints) == 1 {
					state = d.DataPoints[0].Value
				}
			}
		}
	}
	want := map[string]int64{"allow": 2, "limited": 1, "banned": 1, "allow_listed": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("decisions{outcome=%s} = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	if state != -1 {
		t.Errorf("breaker state %d, want -1 (no shared store)", state)
	}
}
