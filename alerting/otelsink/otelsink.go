// Package otelsink is an alerting sink that records each alert through the
// OpenTelemetry API: a span named "bulwark.alert" carrying an "alert" span
// event with the incident's attributes, and a counter of notifications by
// level and trigger. Only the API is imported; the application's
// SDK and exporters decide where the data goes.
//
//	s, err := otelsink.New(otelsink.Config{}) // global providers
//	d, err := alerting.New(alerting.Config{Sinks: []alerting.SinkConfig{{Name: "otel", Sink: s}}})
package otelsink

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/bulwarkhq/bulwark/alerting"
	"github.com/bulwarkhq/bulwark/threat"
)

const scope = "github.com/bulwarkhq/bulwark/alerting/otelsink"

// Config configures a Sink. The zero value uses the global providers.
type Config struct {
	// TracerProvider for the spans. Default: otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
	// MeterProvider for the counters. Default: otel.GetMeterProvider().
	MeterProvider metric.MeterProvider
}

// Sink records alerts as OTel spans, span events and a counter.
type Sink struct {
	tracer trace.Tracer
	alerts metric.Int64Counter
}

var _ alerting.Sink = (*Sink)(nil)

// New returns a Sink; it fails only when the meter refuses an instrument.
func New(cfg Config) (*Sink, error) {
	tp, mp := cfg.TracerProvider, cfg.MeterProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	alerts, err := m.Int64Counter("bulwark.alerting.sink.alerts",
		metric.WithDescription("Incident notifications recorded, by level and trigger (new, update, escalated, repeat, flush)."))
	if err != nil {
		return nil, fmt.Errorf("otelsink: %w", err)
	}
	return &Sink{tracer: tp.Tracer(scope), alerts: alerts}, nil
}

// Send records a. It never fails.
func (s *Sink) Send(ctx context.Context, a alerting.Alert) error {
	sev := attribute.String("alert.level", a.Level.String())
	attrs := []attribute.KeyValue{
		attribute.String("alert.fingerprint", a.Fingerprint),
		sev,
		attribute.Int("alert.priority", a.Priority),
		attribute.Int64("alert.sequence", int64(a.Sequence)),
		attribute.String("alert.trigger", a.Trigger),
		attribute.Int64("alert.count", int64(a.Count)),
		attribute.Int64("alert.threat", int64(a.Threat)),
		attribute.Int64("alert.rate_limit", int64(a.RateLimit)),
		attribute.Int64("alert.penalty", int64(a.Penalty)),
		attribute.Float64("alert.max_score", a.MaxScore),
		attribute.String("alert.summary", a.Summary),
		attribute.StringSlice("alert.routes", a.Routes),
	}
	if c, ok := a.Labels[alerting.LabelClient]; ok {
		attrs = append(attrs, attribute.String("alert.client", c))
	}
	reasons := make([]string, len(a.Reasons))
	for i, r := range a.Reasons {
		reasons[i] = r.Reason
	}
	attrs = append(attrs, attribute.StringSlice("alert.reasons", reasons))

	_, span := s.tracer.Start(ctx, "bulwark.alert", trace.WithSpanKind(trace.SpanKindInternal),
		trace.WithAttributes(attribute.String("alert.fingerprint", a.Fingerprint), sev))
	span.AddEvent("alert", trace.WithAttributes(attrs...))
	if a.Level >= threat.LevelHigh {
		span.SetStatus(codes.Error, a.Summary)
	}
	span.End()

	s.alerts.Add(ctx, 1, metric.WithAttributes(sev, attribute.String("alert.trigger", a.Trigger)))
	return nil
}
