package middleware

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/bulwarkhq/bulwark/threat"
)

// scope is the instrumentation scope of the middleware's meter.
const scope = "github.com/bulwarkhq/bulwark/middleware"

// Outcome is what the middleware did with one request; it is the value of
// the bulwark.outcome attribute on metrics and spans.
type Outcome uint8

// Outcomes.
const (
	OutcomeAllowed       Outcome = iota // passed to the handler
	OutcomeAllowListed                  // on the allow-list: passed without scoring
	OutcomeSkipped                      // on a skip list: passed without scoring
	OutcomeBlocked                      // 403: the threat engine's verdict
	OutcomeLimited                      // 429: over the rate limit
	OutcomeThrottled                    // 429: over the reduced rate of the penalty box
	OutcomeBanned                       // 403: in the penalty box
	OutcomeShadowRefused                // would have been refused; passed in shadow mode
	OutcomeUninspected                  // 413, 415 or 400: past an inspection limit (see UninspectedPolicy)
	numOutcomes
)

var outcomeNames = [numOutcomes]string{
	"allowed", "allow_listed", "skipped", "blocked", "limited", "throttled", "banned", "shadow_refused", "uninspected",
}

func (o Outcome) String() string {
	if o < numOutcomes {
		return outcomeNames[o]
	}
	return "unknown"
}

// telemetry holds the instruments, with the attribute sets precomputed so
// that recording allocates nothing.
type telemetry struct {
	requests metric.Int64Counter
	overhead metric.Float64Histogram
	errors   metric.Int64Counter
	// uninspected counts requests that went past an inspection limit, by
	// reason and by what became of them (refused, passed).
	uninspected    metric.Int64Counter
	addUninspected [2][len(uninspectedReasons)][]metric.AddOption
	// Option slices are built once and passed with ..., so a call does not
	// allocate a fresh variadic slice that escapes through the interface.
	addOut    [numOutcomes][]metric.AddOption
	recordOut [numOutcomes][]metric.RecordOption
	addNone   []metric.AddOption
}

func newTelemetry(mp metric.MeterProvider) (*telemetry, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	none := metric.WithAttributeSet(attribute.NewSet())
	t := &telemetry{addNone: []metric.AddOption{none}}
	var err error
	if t.requests, err = m.Int64Counter("bulwark.requests",
		metric.WithDescription("Requests seen by the bulwark middleware, by outcome."),
		metric.WithUnit("{request}")); err != nil {
		return nil, err
	}
	if t.overhead, err = m.Float64Histogram("bulwark.overhead",
		metric.WithDescription("Time the middleware adds to a request, handler excluded."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2)); err != nil {
		return nil, err
	}
	if t.errors, err = m.Int64Counter("bulwark.limiter.errors",
		metric.WithDescription("Limiter store errors; the request was answered by the fallback."),
		metric.WithUnit("{error}")); err != nil {
		return nil, err
	}
	if t.uninspected, err = m.Int64Counter("bulwark.uninspected",
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
	for o := range numOutcomes {
		opt := metric.WithAttributeSet(attribute.NewSet(attribute.String("bulwark.outcome", o.String())))
		t.addOut[o] = []metric.AddOption{opt}
		t.recordOut[o] = []metric.RecordOption{opt}
	}
	return t, nil
}

func (t *telemetry) record(ctx context.Context, o Outcome, overhead time.Duration) {
	t.requests.Add(ctx, 1, t.addOut[o]...)
	t.overhead.Record(ctx, overhead.Seconds(), t.recordOut[o]...)
}

// uninspectedReasons are the reasons counted, one each, in order.
var uninspectedReasons = [...]threat.Uninspected{threat.UninspectedBody, threat.UninspectedDecoded,
	threat.UninspectedEncoding, threat.UninspectedQuery, threat.UninspectedParams, threat.UninspectedDepth}

// recordUninspected counts a request that went past the limits in u, under
// its first reason, and marks the active span.
func (t *telemetry) recordUninspected(ctx context.Context, u threat.Uninspected, passed bool) {
	a := 0
	if passed {
		a = 1
	}
	for i, r := range uninspectedReasons {
		if u&r != 0 {
			t.uninspected.Add(ctx, 1, t.addUninspected[a][i]...)
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

// annotate adds the verdict to the active span, if it records.
func annotate(ctx context.Context, o Outcome, score float64, level string) {
	span := trace.SpanFromContext(ctx)
	if !span.IsRecording() {
		return
	}
	span.SetAttributes(
		attribute.String("bulwark.outcome", o.String()),
		attribute.Float64("bulwark.threat.score", score),
		attribute.String("bulwark.threat.level", level),
	)
	switch o {
	case OutcomeBlocked, OutcomeLimited, OutcomeThrottled, OutcomeBanned, OutcomeShadowRefused, OutcomeUninspected:
		span.AddEvent("bulwark.refused", trace.WithAttributes(
			attribute.String("bulwark.outcome", o.String()),
		))
	}
}
