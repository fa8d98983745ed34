package alerting

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bulwarkhq/bulwark/threat"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
)

// sum returns the value of the int64 sum name at the point whose
// attributes include every key=value of want.
func sum(t *testing.T, rm metricdata.ResourceMetrics, name string, want map[string]string) int64 {
	t.Helper()
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if m.Name != name {
				continue
			}
			s, ok := m.Data.(metricdata.Sum[int64])
			if !ok {
				t.Fatalf("%s is %T", name, m.Data)
			}
		points:
			for _, p := range s.DataPoints {
				for k, v := range want {
					if got, ok := p.Attributes.Value(attributeKey(k)); !ok || got.AsString() != v {
						continue points
					}
				}
				return p.Value
			}
		}
	}
	t.Fatalf("no %s point with %v", name, want)
	return 0
}

// TestMetricsCountDrops: events refused by a full queue and alerts refused
// by a full sink queue show in the OTel counters, as in Stats.
func TestMetricsCountDrops(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	defer func() { _ = mp.Shutdown(context.Background()) }()

	g := &gateClock{entered: make(chan struct{}), release: make(chan struct{})}
	block := make(chan struct{})
	slow := SinkFunc(func(ctx context.Context, a Alert) error {
		select {
		case <-block:
		case <-ctx.Done():
		}
		return nil
	})
	d, err := New(Config{
		Secret: []byte("k"), now: g.Now, TickInterval: -1, QueueSize: 4, MeterProvider: mp,
		Sinks: []SinkConfig{{Name: "slow", Sink: slow, QueueSize: 1}},
	})
	if err != nil {
		t.Fatal(err)
	}
	d.Publish(Event{Client: "first"})
	<-g.entered // the worker holds one event and waits
	for i := range 10 {
		d.Publish(Event{Client: string(rune('a' + i))})
	}
	close(g.release)
	// Five incidents flushed into a sink queue of one behind a blocked
	// delivery: at least three alerts are refused by the sink queue.
	if err := d.flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	close(block)
	defer closeOK(t, d)
	// Collect while the dispatcher is open (Close unregisters the
	// callback), once every notification is delivered or dropped.
	var st Stats
	deadline := time.Now().Add(20 * time.Second) // liveness guard only
	for {
		st = d.Stats()
		if totals(st).Delivered+totals(st).Dropped == st.Notifications && st.Notifications > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries not settled: %+v", st)
		}
		time.Sleep(5 * time.Millisecond)
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	if st.Dropped != 6 || totals(st).Dropped < 3 {
		t.Fatalf("stats %+v", st)
	}
	if got := sum(t, rm, "bulwark.alerting.events", map[string]string{"outcome": "dropped"}); got != int64(st.Dropped) {
		t.Fatalf("events{dropped} = %d, stats %d", got, st.Dropped)
	}
	if got := sum(t, rm, "bulwark.alerting.events", map[string]string{"outcome": "published"}); got != int64(st.Published) || got != 5 {
		t.Fatalf("events{published} = %d, stats %d", got, st.Published)
	}
	if got := sum(t, rm, "bulwark.alerting.deliveries", map[string]string{"sink": "slow", "outcome": "dropped"}); got != int64(totals(st).Dropped) {
		t.Fatalf("deliveries{slow,dropped} = %d, stats %d", got, totals(st).Dropped)
	}
	if got := sum(t, rm, "bulwark.alerting.deliveries", map[string]string{"sink": "slow", "outcome": "delivered"}); got != int64(totals(st).Delivered) || totals(st).Delivered+totals(st).Dropped != st.Notifications {
		t.Fatalf("deliveries{slow,delivered} = %d, stats %+v", got, st)
	}
}

func TestLevelJSONRoundTrip(t *testing.T) {
	for s := threat.LevelNone; s <= threat.LevelCritical; s++ {
		b, err := json.Marshal(Alert{Level: s})
		if err != nil {
			t.Fatal(err)
		}
		var back Alert
		if err := json.Unmarshal(b, &back); err != nil || back.Level != s {
			t.Fatalf("%s: %s decoded to %v (%v)", s, b, back.Level, err)
		}
	}
	var a Alert
	if err := json.Unmarshal([]byte(`{"level":"apocalyptic"}`), &a); err == nil {
		t.Fatal("unknown level accepted")
	}
}

func attributeKey(k string) attribute.Key { return attribute.Key(k) }
