package middleware

import (
	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/event"
	"github.com/bulwarkhq/bulwark/ratelimit"
	"github.com/bulwarkhq/bulwark/threat"
)

// Events receives one event.Event for every request the Core answered
// (skipped requests have none), usually a *fleet.Exporter sending them to
// the control plane. Record must not block nor keep e's Features; it
// returns the event's id, which a refusal's problem body carries as
// "instance" (urn:bulwark:event:ID) so that a client can quote it and an
// operator find the event. The zero ID means none was kept.
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
// Core's engine when the Core has one (a *bulwark.Guard does).
type featureUser interface {
	UseFeatures(FeatureSource)
}

var _ FeatureSource = (*threat.Engine)(nil)

// instancePrefix is the URI scheme of a problem body's "instance".
const instancePrefix = "urn:bulwark:event:"

// bindEvents gives the Events the engine's features, when both can.
func (m *Middleware) bindEvents() {
	u, ok := m.cfg.Events.(featureUser)
	if !ok {
		return
	}
	if g, ok := m.core.(interface{ Engine() bulwark.Engine }); ok {
		if fs, ok := g.Engine().(FeatureSource); ok {
			u.UseFeatures(fs)
		}
	}
}

// record hands the event of verdict v to Events and returns its id.
// pattern names the route when known before the handler; otherwise the
// verdict's route (the group, or the pattern found after the handler).
func (m *Middleware) record(v *bulwark.Verdict, pattern string) event.ID {
	if m.cfg.Events == nil || v.Outcome == bulwark.Skipped {
		return event.ID{}
	}
	e := event.Event{Time: v.Time, Client: v.Client, Route: pattern, Method: v.Method, Outcome: v.Outcome.String(),
		Score: v.Assessment.Score, Level: v.Assessment.Level.String()}
	if e.Route == "" {
		e.Route = v.Route
	}
	if v.Shadow {
		e.Outcome = event.OutcomeShadowRefused
	}
	if v.Limit != (ratelimit.Result{}) {
		e.Limiter = v.Limit.Outcome.String()
	}
	rs := v.Assessment.Reasons
	for i := 0; i < len(rs) && i < event.MaxReasons; i++ {
		e.Reasons[i] = rs[i].Rule
	}
	if len(rs) > 0 {
		e.Family = rs[0].Detector
	}
	return m.cfg.Events.Record(e)
}
