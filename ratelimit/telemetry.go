package ratelimit

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

// MeterProvider is the OpenTelemetry metric API's provider.
type MeterProvider = metric.MeterProvider

// String returns the outcome's name as used in metrics.
func (o Outcome) String() string {
	switch o {
	case OutcomeAllow:
		return "allow"
	case OutcomeLimited:
		return "limited"
	case OutcomeThrottled:
		return "throttled"
	case OutcomeBanned:
		return "banned"
	case OutcomeAllowListed:
		return "allow_listed"
	}
	return "unknown"
}

type telemetry struct {
	decisions metric.Int64Counter
	latency   metric.Float64Histogram
	reg       metric.Registration
	byOutcome [OutcomeAllowListed + 1][]metric.AddOption // one-element slices: passing them with ... does not allocate
}

// Metrics:
//   - bulwark.ratelimit.decisions{outcome}: decisions by outcome
//   - bulwark.ratelimit.store.duration (s): shared store call latency
//   - bulwark.ratelimit.breaker.state: 0 closed, 1 half-open, 2 open, -1 none
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
	if t.reg, err = m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		v := int64(-1)
		if a.breaker != nil {
			v = int64(a.breaker.State())
		}
		o.ObserveInt64(state, v)
		return nil
	}, state); err != nil {
		return nil, err
	}
	for o := range t.byOutcome {
		t.byOutcome[o] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("outcome", Outcome(o).String())))}
	}
	return t, nil
}

func (t *telemetry) decision(ctx context.Context, o Outcome) {
	if int(o) < len(t.byOutcome) {
		t.decisions.Add(ctx, 1, t.byOutcome[o]...)
	}
}

func (t *telemetry) storeLatency(ctx context.Context, d time.Duration) {
	t.latency.Record(ctx, d.Seconds())
}

func (t *telemetry) close() {
	if t.reg != nil {
		_ = t.reg.Unregister()
	}
}
