package threat

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwarkhq/bulwark/internal/location"
)

// Suppression mutes what one rule, or one attack family, says about one
// route, and optionally one parameter of it, until it expires: the
// immediate effect of an operator's false-positive label. It never mutes
// a whole detector, nor a rule on every route.
type Suppression struct {
	// Rule is a rule id ("sqli.comment") or an attack family, the
	// Signal.Detector of a grouped detector ("sqli"); not a whole
	// detector ("signature", "behavior").
	Rule string
	// Route is the route pattern (Request.Route) it holds on.
	Route string
	// Param is a parameter name as Signal.Location gives it after its
	// source ("q" of "query:q", "user" of "json:user"); "" for every
	// parameter of the route.
	Param   string
	Expires time.Time
}

// ErrBadSuppression is wrapped by Suppress's errors.
var ErrBadSuppression = errors.New("threat: invalid suppression")

// maxSuppressions bounds the suppressions an Engine holds.
const maxSuppressions = 10000

// suppressions are an Engine's suppressions: by id for edits, and an
// immutable index by route for requests, swapped whole on change.
type suppressions struct {
	mu    sync.Mutex
	byID  map[string]Suppression
	index atomic.Pointer[map[string][]Suppression]
}

// Suppress adds or replaces the suppression with this id (the control
// plane's key for it). It takes effect for the next request.
func (e *Engine) Suppress(id string, s Suppression) error {
	switch {
	case id == "" || len(id) > 256:
		return fmt.Errorf("%w: id of %d bytes", ErrBadSuppression, len(id))
	case s.Rule == "" || s.Route == "":
		return fmt.Errorf("%w: a rule or family and a route are required", ErrBadSuppression)
	case s.Expires.IsZero():
		return fmt.Errorf("%w: an expiry is required", ErrBadSuppression)
	}
	for _, d := range e.all {
		if d.Name() == s.Rule {
			return fmt.Errorf("%w: %q is a whole detector", ErrBadSuppression, s.Rule)
		}
	}
	sp := &e.suppress
	sp.mu.Lock()
	defer sp.mu.Unlock()
	if sp.byID == nil {
		sp.byID = map[string]Suppression{}
	}
	if _, ok := sp.byID[id]; !ok && len(sp.byID) >= maxSuppressions {
		return fmt.Errorf("%w: %d suppressions already", ErrBadSuppression, maxSuppressions)
	}
	sp.byID[id] = s
	sp.publish()
	return nil
}

// Unsuppress removes the suppression with this id; it reports whether
// there was one.
func (e *Engine) Unsuppress(id string) bool {
	sp := &e.suppress
	sp.mu.Lock()
	defer sp.mu.Unlock()
	_, ok := sp.byID[id]
	delete(sp.byID, id)
	sp.publish()
	return ok
}

// publish rebuilds the index. Caller holds mu.
func (sp *suppressions) publish() {
	if len(sp.byID) == 0 {
		sp.index.Store(nil)
		return
	}
	idx := map[string][]Suppression{}
	for _, s := range sp.byID {
		idx[s.Route] = append(idx[s.Route], s)
	}
	sp.index.Store(&idx)
}

// filter drops from sigs what the suppressions in force on req's route
// mute. It costs one atomic load while there are none.
func (sp *suppressions) filter(req *Request, sigs []Signal) []Signal {
	idx := sp.index.Load()
	if idx == nil {
		return sigs
	}
	ss := (*idx)[req.Route]
	if len(ss) == 0 {
		return sigs
	}
	out := sigs[:0]
	for _, sig := range sigs {
		if !muted(ss, &sig, req.Time) {
			out = append(out, sig)
		}
	}
	clear(sigs[len(out):])
	return out
}

func muted(ss []Suppression, sig *Signal, now time.Time) bool {
	for i := range ss {
		s := &ss[i]
		if (s.Rule == sig.Rule || s.Rule == sig.Detector) && now.Before(s.Expires) && (s.Param == "" || s.Param == location.Param(sig.Location)) {
			return true
		}
	}
	return false
}
