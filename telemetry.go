package bulwark

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/bulwarkhq/bulwark/threat"
)

// scope is the instrumentation scope of the Guard's meter.
const scope = "github.com/bulwarkhq/bulwark"

// shadowRefused labels a refusal shadow mode let through.
const shadowRefused = "shadow_refused"

// telemetry holds the instruments, with the attribute sets precomputed so
// that recording allocates nothing.
type telemetry struct {
	requests metric.Int64Counter
	errors   metric.Int64Counter
	// uninspected counts requests that went past an inspection limit, by
	// reason and by what became of them (refused, passed).
	uninspectedN   metric.Int64Counter
	addUninspected [2][len(uninspectedReasons)][]metric.AddOption
	// Option slices are built once and passed with ..., so a call does not
	// allocate a fresh variadic slice that escapes through the interface.
	addOut  [numOutcomes + 1][]metric.AddOption // the last: shadow_refused
	addNone []metric.AddOption
}

func newTelemetry(mp metric.MeterProvider) (*telemetry, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	t := &telemetry{addNone: []metric.AddOption{metric.WithAttributeSet(attribute.NewSet())}}
	var err error
	if t.requests, err = m.Int64Counter("bulwark.requests",
		metric.WithDescription("Requests a bulwark Guard decided on, by outcome."),
		metric.WithUnit("{request}")); err != nil {
		return nil, err
	}
	if t.errors, err = m.Int64Counter("bulwark.limiter.errors",
		metric.WithDescription("Limiter store errors; the request was answered by the fallback."),
		metric.WithUnit("{error}")); err != nil {
		return nil, err
	}
	if t.uninspectedN, err = m.Int64Counter("bulwark.uninspected",
		metric.WithDescription("Requests that went past an inspection limit (part of them was not inspected), by reason and action."),
		metric.WithUnit("{request}")); err != nil {
		return nil, err
	}
	for a, action := range [2]string{"refused", "passed"} {
		for i, reason := range uninspectedReasons {
			t.addUninspected[a][i] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(
				attribute.String("bulwark.uninspected.reason", reason.String()),
				attribute.String("bulwark.uninspected.action", action)))}
		}
	}
	for o := range numOutcomes + 1 {
		name := shadowRefused
		if o < numOutcomes {
			name = o.String()
		}
		t.addOut[o] = []metric.AddOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("bulwark.outcome", name)))}
	}
	return t, nil
}

// Label returns the bulwark.outcome attribute value of v: its outcome, or
// "shadow_refused" for a refusal shadow mode let through.
func (v *Verdict) Label() string {
	if v.Shadow {
		return shadowRefused
	}
	return v.Outcome.String()
}

// record counts a decided request and adds its verdict to the active span.
func (t *telemetry) record(ctx context.Context, v *Verdict) {
	o := v.Outcome
	if v.Shadow {
		o = numOutcomes
	}
	t.requests.Add(ctx, 1, t.addOut[o]...)
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	label := v.Label()
	span.SetAttributes(
		attribute.String("bulwark.outcome", label),
		attribute.Float64("bulwark.threat.score", v.Assessment.Score),
		attribute.String("bulwark.threat.level", v.Assessment.Level.String()),
	)
	if v.Outcome.refusal() {
		span.AddEvent("bulwark.refused", trace.WithAttributes(attribute.String("bulwark.outcome", label)))
	}
}

func (t *telemetry) limiterError(ctx context.Context) { t.errors.Add(ctx, 1, t.addNone...) }

// uninspectedReasons are the reasons counted, one each, in order.
var uninspectedReasons = [...]threat.Uninspected{threat.UninspectedBody, threat.UninspectedDecoded,
	threat.UninspectedEncoding, threat.UninspectedQuery, threat.UninspectedParams, threat.UninspectedDepth,
	threat.UninspectedFailed}

// uninspected counts a request that went past the limits in u, under its
// first reason, and marks the active span.
func (t *telemetry) uninspected(ctx context.Context, u threat.Uninspected, passed bool) {
	a := 0
	if passed {
		a = 1
	}
	for i, r := range uninspectedReasons {
		if u&r != 0 {
			t.uninspectedN.Add(ctx, 1, t.addUninspected[a][i]...)
			break
		}
	}
	span := trace.SpanFromContext(ctx)
	if span.IsRecording() {
		span.AddEvent("bulwark.uninspected", trace.WithAttributes(
			attribute.String("bulwark.uninspected.reason", u.String()),
			attribute.Bool("bulwark.uninspected.passed", passed),
		))
	}
}
