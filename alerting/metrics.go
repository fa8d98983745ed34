package alerting

import (
	"context"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
)

const scope = "github.com/bulwarkhq/bulwark/alerting"

// registerMetrics exposes Stats as OTel observable counters, read at
// collection time so the request path only touches atomics.
func (d *Dispatcher) registerMetrics() (func() error, error) {
	mp := d.cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	m := mp.Meter(scope)
	events, err := m.Int64ObservableCounter("bulwark.alerting.events",
		metric.WithDescription("Events offered to the dispatcher, by outcome (published, dropped, overflow)."))
	if err != nil {
		return nil, err
	}
	notes, err := m.Int64ObservableCounter("bulwark.alerting.notifications",
		metric.WithDescription("Incident notifications, by outcome (produced, inhibited, silenced)."))
	if err != nil {
		return nil, err
	}
	incidents, err := m.Int64ObservableCounter("bulwark.alerting.incidents",
		metric.WithDescription("Incidents opened."))
	if err != nil {
		return nil, err
	}
	deliveries, err := m.Int64ObservableCounter("bulwark.alerting.deliveries",
		metric.WithDescription("Sink deliveries, by sink and outcome (delivered, failed, dropped, throttled, retry, duplicate, claim_error)."))
	if err != nil {
		return nil, err
	}
	outcome := func(v string) metric.ObserveOption {
		return metric.WithAttributes(attribute.String("outcome", v))
	}
	reg, err := m.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		st := d.Stats()
		o.ObserveInt64(events, int64(st.Published), outcome("published"))
		o.ObserveInt64(events, int64(st.Dropped), outcome("dropped"))
		o.ObserveInt64(events, int64(st.Overflow), outcome("overflow"))
		o.ObserveInt64(notes, int64(st.Notifications), outcome("produced"))
		o.ObserveInt64(notes, int64(st.Inhibited), outcome("inhibited"))
		o.ObserveInt64(notes, int64(st.Silenced), outcome("silenced"))
		o.ObserveInt64(notes, int64(d.routeThrottled.Load()), outcome("route_throttled"))
		o.ObserveInt64(incidents, int64(st.Incidents))
		for name, s := range st.Sinks {
			for _, kv := range []struct {
				k string
				v uint64
			}{
				{"delivered", s.Delivered}, {"failed", s.Failed}, {"dropped", s.Dropped},
				{"throttled", s.Throttled}, {"retry", s.Retries}, {"duplicate", s.Duplicates},
				{"claim_error", s.ClaimErrors},
			} {
				o.ObserveInt64(deliveries, int64(kv.v), metric.WithAttributes(
					attribute.String("sink", name), attribute.String("outcome", kv.k)))
			}
		}
		return nil
	}, events, notes, incidents, deliveries)
	if err != nil {
		return nil, err
	}
	return reg.Unregister, nil
}
