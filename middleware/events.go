package middleware

import (
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/storage/event"
	"github.com/bulwarkhq/bulwark/threat"
)

// Events receives one event.Event for every request the middleware
// assessed, allow-listed or refused (skipped requests have none), usually a
// *fleet.Exporter sending them to the control plane. Record must not block
// nor keep e's Features; it returns the event's id, which a refusal's
// problem body carries as "instance" (urn:bulwark:event:ID) so that a
// client can quote it and an operator find the event. The zero ID means
// none was kept.
type Events interface {
	Record(e event.Event) event.ID
}

// FeatureSource gives the behavioural feature vector of a client;
// *threat.Engine has it. It is an alias of an interface literal, so that
// an Events implementation (storage/fleet's) declares the same type
// without importing this package.
type FeatureSource = interface {
	AppendFeatures(dst []float64, client string) ([]float64, bool)
}

// featureUser is implemented by an Events that attaches feature vectors to
// scored events and was given no source of its own: New hands it the
// engine (the default one included).
type featureUser interface {
	UseFeatures(FeatureSource)
}

var _ FeatureSource = (*threat.Engine)(nil)

// instancePrefix is the URI scheme of a problem body's "instance".
const instancePrefix = "urn:bulwark:event:"

// bindEvents gives the Events the engine's features, when both can.
func (m *Middleware) bindEvents() {
	if u, ok := m.events.(featureUser); ok {
		if fs, ok := m.engine.(FeatureSource); ok {
			u.UseFeatures(fs)
		}
	}
}

// note fills ev for a request the middleware answered with o, when events
// are recorded. a is nil for answers from the decision cache.
func (m *Middleware) note(ev *event.Event, key, route, method string, o Outcome, a *threat.Assessment, lim ratelimit.Outcome) {
	if m.events == nil {
		return
	}
	ev.Client, ev.Route, ev.Method, ev.Outcome = key, route, method, o.String()
	ev.Limiter = lim.String()
	ev.Level = "none"
	if a == nil {
		return
	}
	ev.Score, ev.Level = a.Score, a.Level.String()
	for i := 0; i < len(a.Reasons) && i < event.MaxReasons; i++ {
		ev.Reasons[i] = a.Reasons[i].Rule
	}
	if len(a.Reasons) > 0 {
		ev.Family = a.Reasons[0].Detector
	}
}

// emit hands ev, if noted, to Events and returns its id. route names the
// request when ev has no route yet (the chi pattern after the handler).
func (m *Middleware) emit(ev *event.Event, route string) event.ID {
	if ev == nil || ev.Outcome == "" {
		return event.ID{}
	}
	if ev.Route == "" {
		ev.Route = route
	}
	return m.events.Record(*ev)
}
