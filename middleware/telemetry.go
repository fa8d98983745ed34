package middleware

import (
	"context"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/bulwarkhq/bulwark"
)

// scope is the instrumentation scope of the middleware's meter.
const scope = "github.com/bulwarkhq/bulwark/middleware"

// maxOutcomes bounds bulwark's outcomes; the slot after the last outcome
// labels shadowed refusals.
const maxOutcomes = 16

// telemetry holds the overhead histogram, with the attribute sets
// precomputed so that recording allocates nothing. The Core counts the
// requests and marks the span.
type telemetry struct {
	overhead metric.Float64Histogram
	// Option slices are built once and passed with ..., so a call does not
	// allocate a fresh variadic slice that escapes through the interface.
	recordOut [maxOutcomes + 1][]metric.RecordOption
}

func newTelemetry(mp metric.MeterProvider) (*telemetry, error) {
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	t := &telemetry{}
	var err error
	if t.overhead, err = m.Float64Histogram("bulwark.overhead",
		metric.WithDescription("Time the middleware adds to a request, handler excluded."),
		metric.WithUnit("s"),
		metric.WithExplicitBucketBoundaries(5e-6, 1e-5, 2.5e-5, 5e-5, 1e-4, 2.5e-4, 5e-4, 1e-3, 2.5e-3, 5e-3, 1e-2)); err != nil {
		return nil, err
	}
	for o := range maxOutcomes + 1 {
		v := bulwark.Verdict{Outcome: bulwark.Outcome(o), Shadow: o == maxOutcomes}
		t.recordOut[o] = []metric.RecordOption{metric.WithAttributeSet(attribute.NewSet(attribute.String("bulwark.outcome", v.Label())))}
	}
	return t, nil
}

// overheadOf records the time the middleware took for a request with this
// outcome.
func (t *telemetry) overheadOf(ctx context.Context, o bulwark.Outcome, shadow bool, d time.Duration) {
	i := int(o)
	if shadow || i >= maxOutcomes {
		i = maxOutcomes
	}
	t.overhead.Record(ctx, d.Seconds(), t.recordOut[i]...)
}
