package middleware

import (
	"github.com/bulwarkhq/bulwark"
	"github.com/bulwarkhq/bulwark/internal/event"
)

// Events receives the verdict of every request the Core answered (skipped
// requests have none), usually a *fleet.Exporter sending them to the
// control plane. route is the request's route pattern when known before
// the handler, else "" (the verdict's Route then names it). Record must
// not block nor keep v; it returns the event's id (the 16 bytes of a
// ULID), which a refusal's problem body carries as "instance"
// (urn:bulwark:event:ID) so that a client can quote it and an operator
// find the event. The zero id means none was kept.
type Events interface {
	Record(v *bulwark.Verdict, route string) [16]byte
}

// instancePrefix is the URI scheme of a problem body's "instance".
const instancePrefix = "urn:bulwark:event:"

// record hands verdict v to Events and returns its event's id. pattern
// names the route when known before the handler.
func (m *Middleware) record(v *bulwark.Verdict, pattern string) event.ID {
	if m.cfg.Events == nil || v.Outcome == bulwark.Skipped {
		return event.ID{}
	}
	return m.cfg.Events.Record(v, pattern)
}
