package ratelimit

import (
	"context"
	"time"

	"github.com/sony/gobreaker/v2"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark/storage"
)

type telemetry struct {
	decisions metric.Int64Counter
	latency   metric.Float64Histogram
	reg       metric.Registration
	byOutcome [numOut][]metric.AddOption // one-element slices: passing them with ... does not allocate
}

// Metrics:
//   - bulwark.ratelimit.decisions{outcome}: decisions by outcome
//   - bulwark.ratelimit.store.duration (s): shared store call latency
//   - bulwark.ratelimit.breaker.state{shard}: 0 closed, 1 half-open, 2 open,
//     -1 none; one point a breaker (shard "" is the store-wide one)
//   - bulwark.ratelimit.pending: decisions waiting to be written back
//   - bulwark.ratelimit.pending.dropped: decisions the full pending set lost
func newTelemetry(mp metric.MeterProvider, a *Adaptive) (*telemetry, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter("github.com/bulwarkhq/bulwark/ratelimit")
	t := &telemetry{}
	var err error
	if t.decisions, err = m.Int64Counter("bulwark.ratelimit.decisions",
		metric.WithDescription("Rate limit decisions by outcome.")); err != nil {
		return nil, err
	}
	if t.latency, err = m.Float64Histogram("bulwark.ratelimit.store.duration", metric.WithUnit("s"),
		metric.WithDescription("Latency of one shared store call.")); err != nil {
		return nil, err
	}
	state, err := m.Int64ObservableGauge("bulwark.ratelimit.breaker.state",
		metric.WithDescription("Store breaker state: 0 closed, 1 half-open, 2 open, -1 no shared store."))
	if err != nil {
		return nil, err
	}
	pending, err := m.Int64ObservableGauge("bulwark.ratelimit.pending",
		metric.WithDescription("Decisions made while the shared store was unreachable, waiting to be written back."))
	if err != nil {
		return nil, err
	}
	dropped, err := m.Int64ObservableCounter("bulwark.ratelimit.pending.dropped",
		metric.WithDescription("Decisions lost because the pending set was full."))
	if err != nil {
		return nil, err
	}
	if t.reg, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		if !a.shared {
			o.ObserveInt64(state, -1)
			return nil
		}
		a.breakers.each(func(shard string, cb *gobreaker.CircuitBreaker[storage.Count]) {
			o.ObserveInt64(state, int64(cb.State()), metric.WithAttributes(attribute.String("shard", shard)))
		})
		o.ObserveInt64(pending, a.pending.n.Load())
		o.ObserveInt64(dropped, a.pending.dropped.Load())
		return nil
	}, state, pending, dropped); err != nil {
		return nil, err
	}
	for o := range t.byOutcome {
		t.byOutcome[o] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", outNames[o])))}
	}
	return t, nil
}

func (t *telemetry) decision(ctx context.Context, outcome int) {
	t.decisions.Add(ctx, 1, t.byOutcome[outcome]...)
}

func (t *telemetry) storeLatency(ctx context.Context, d time.Duration) {
	t.latency.Record(ctx, d.Seconds())
}

func (t *telemetry) close() {
	if t.reg != nil {
		_ = t.reg.Unregister()
	}
}
