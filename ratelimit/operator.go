package ratelimit

import (
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bulwarkhq/bulwark/internal/backend"
	"github.com/bulwarkhq/bulwark/storage"
)

// OperatorRule is a decision an operator made elsewhere (the control
// plane's decision bucket, through storage/fleet's Watcher) and that this
// limiter enforces beside its own: a ban, a throttle or an allow-list entry
// for one client key or for every client address in a range, or a
// throttle of one route group for every client.
//
// An allow rule beats every ban and throttle, the limiter's own included;
// an operator ban is answered by Cached, before any scoring, like a ban of
// the penalty box.
type OperatorRule struct {
	// Key is the exact client key ("203.0.113.7", "2001:db8:1:2::/64",
	// "apikey:…"). Exactly one of Key, Prefix and Route is set.
	Key string
	// Prefix matches every client whose address, or aggregated prefix,
	// overlaps it.
	Prefix netip.Prefix
	// Route is a route group (as AllowAt's route): a throttle of it
	// multiplies the group's rate by Factor for every client, as when an
	// operator pre-tightens a route before a predicted attack window. A
	// route takes only throttles.
	Route string
	// Allow makes the rule an allow-list entry; otherwise Action says what
	// it does.
	Allow  bool
	Action storage.Action // storage.ActionBan or storage.ActionThrottle
	Factor float64        // ActionThrottle: rate multiplier in (0,1)
	Reason string
	// Starts, when set, is when the rule takes effect; zero means at once.
	Starts time.Time
	// Expires ends the rule; zero means until removed (allow rules only).
	Expires time.Time
}

// ErrBadRule is wrapped by SetOperatorRule's errors.
var ErrBadRule = errors.New("ratelimit: invalid operator rule")

func (r *OperatorRule) active(now time.Time) bool {
	return !now.Before(r.Starts) && (r.Expires.IsZero() || now.Before(r.Expires))
}

// expired reports whether the rule is over for good at now.
func (r *OperatorRule) expired(now time.Time) bool {
	return !r.Expires.IsZero() && !now.Before(r.Expires)
}

// operatorSet is an immutable index of the rules, swapped whole on change:
// rules change seldom, requests read them always.
type operatorSet struct {
	allowKeys map[string]*OperatorRule
	denyKeys  map[string][]*OperatorRule
	allowNets []*OperatorRule
	denyNets  []*OperatorRule
	routes    map[string][]*OperatorRule // route throttles
}

// operators holds the rules by id and the published index.
type operators struct {
	mu    sync.Mutex
	rules map[string]OperatorRule
	set   atomic.Pointer[operatorSet]
}

// SetOperatorRule adds or replaces the rule with this id (the watcher uses
// the bucket key). It takes effect for the next request.
func (a *Adaptive) SetOperatorRule(id string, r OperatorRule) error {
	switch {
	case id == "":
		return fmt.Errorf("%w: empty id", ErrBadRule)
	case btoi(r.Key != "")+btoi(r.Prefix.IsValid())+btoi(r.Route != "") != 1:
		return fmt.Errorf("%w: set exactly one of Key, Prefix and Route", ErrBadRule)
	case r.Route != "" && (r.Allow || r.Action != storage.ActionThrottle):
		return fmt.Errorf("%w: a route takes only a throttle", ErrBadRule)
	case !r.Starts.IsZero() && !r.Expires.IsZero() && !r.Starts.Before(r.Expires):
		return fmt.Errorf("%w: Starts is not before Expires", ErrBadRule)
	case !r.Allow && r.Action != storage.ActionBan && r.Action != storage.ActionThrottle:
		return fmt.Errorf("%w: kind %v", ErrBadRule, r.Action)
	case !r.Allow && r.Action == storage.ActionThrottle && !(r.Factor > 0 && r.Factor < 1):
		return fmt.Errorf("%w: throttle factor %v not in (0,1)", ErrBadRule, r.Factor)
	case !r.Allow && r.Expires.IsZero():
		return fmt.Errorf("%w: a ban or throttle needs Expires", ErrBadRule)
	}
	if r.Prefix.IsValid() {
		p := r.Prefix
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		r.Prefix = p.Masked()
	}
	o := &a.ops
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.rules == nil {
		o.rules = make(map[string]OperatorRule)
	}
	o.rules[id] = r
	o.publish(a.clock())
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// RemoveOperatorRule removes the rule with this id; it reports whether
// there was one. Removing a ban or throttle of one Key also forgets the
// decision this instance cached for that key from the shared store, so
// that its next request reads the store again: a control plane that
// writes its bans through to the store clears them there on removal, and
// the instance would otherwise keep refusing the client until the cached
// copy expired.
func (a *Adaptive) RemoveOperatorRule(id string) bool {
	o := &a.ops
	o.mu.Lock()
	r, ok := o.rules[id]
	delete(o.rules, id)
	o.publish(a.clock())
	o.mu.Unlock()
	if ok && r.Key != "" && !r.Allow {
		a.cache.delete(backend.BoundKey(r.Key))
	}
	return ok
}

// operatorRules returns a copy of the rules in force, by id.
func (a *Adaptive) operatorRules() map[string]OperatorRule {
	o := &a.ops
	o.mu.Lock()
	defer o.mu.Unlock()
	out := make(map[string]OperatorRule, len(o.rules))
	for id, r := range o.rules {
		out[id] = r
	}
	return out
}

// publish rebuilds the index, dropping expired rules. Caller holds mu.
func (o *operators) publish(now time.Time) {
	if len(o.rules) == 0 {
		o.set.Store(nil)
		return
	}
	s := &operatorSet{allowKeys: map[string]*OperatorRule{}, denyKeys: map[string][]*OperatorRule{}}
	for id, r := range o.rules {
		if r.expired(now) {
			delete(o.rules, id)
			continue
		}
		r := r
		switch {
		case r.Route != "":
			if s.routes == nil {
				s.routes = map[string][]*OperatorRule{}
			}
			s.routes[r.Route] = append(s.routes[r.Route], &r)
		case r.Allow && r.Key != "":
			s.allowKeys[r.Key] = &r
		case r.Allow:
			s.allowNets = append(s.allowNets, &r)
		case r.Key != "":
			s.denyKeys[r.Key] = append(s.denyKeys[r.Key], &r)
		default:
			s.denyNets = append(s.denyNets, &r)
		}
	}
	o.set.Store(s)
}

// operatorMatch is what the operator rules say about one client.
type operatorMatch struct {
	allow    *OperatorRule
	ban      *OperatorRule
	throttle *OperatorRule
}

// operatorLookup matches key against the rules. It costs one atomic load
// while there are none.
func (a *Adaptive) operatorLookup(key string, now time.Time) (m operatorMatch) {
	s := a.ops.set.Load()
	if s == nil {
		return m
	}
	if r := s.allowKeys[key]; r != nil && r.active(now) {
		m.allow = r
		return m
	}
	for _, r := range s.denyKeys[key] {
		m.add(r, now)
	}
	if len(s.allowNets) == 0 && len(s.denyNets) == 0 {
		return m
	}
	p, ok := keyPrefix(key)
	if !ok {
		return m
	}
	for _, r := range s.allowNets {
		if r.active(now) && r.Prefix.Overlaps(p) {
			m.allow = r
			return m
		}
	}
	for _, r := range s.denyNets {
		if r.Prefix.Overlaps(p) {
			m.add(r, now)
		}
	}
	return m
}

func (m *operatorMatch) add(r *OperatorRule, now time.Time) {
	if !r.active(now) {
		return
	}
	switch r.Action {
	case storage.ActionBan:
		if m.ban == nil || r.Expires.After(m.ban.Expires) {
			m.ban = r
		}
	case storage.ActionThrottle:
		if m.throttle == nil || r.Factor < m.throttle.Factor {
			m.throttle = r
		}
	}
}

// routeThrottle returns the tightest operator throttle of route in force
// at now, or nil. It costs one atomic load while there are no rules.
func (a *Adaptive) routeThrottle(route string, now time.Time) *OperatorRule {
	s := a.ops.set.Load()
	if s == nil || len(s.routes) == 0 {
		return nil
	}
	var m operatorMatch
	for _, r := range s.routes[route] {
		m.add(r, now)
	}
	return m.throttle
}

// keyPrefix reads a client key as an address or an aggregated prefix.
func keyPrefix(key string) (netip.Prefix, bool) {
	if len(key) > 64 {
		return netip.Prefix{}, false
	}
	if a, err := netip.ParseAddr(key); err == nil {
		a = a.Unmap()
		return netip.PrefixFrom(a, a.BitLen()), true
	}
	if p, err := netip.ParsePrefix(key); err == nil {
		return p, true
	}
	return netip.Prefix{}, false
}

// answer returns the result that settles the request without counting
// it: allow-listed, or banned.
func (m operatorMatch) answer(now time.Time) (Result, bool) {
	switch {
	case m.allow != nil:
		return Result{Allowed: true, AllowListed: true, Reason: "allow-list (operator)"}, true
	case m.ban != nil:
		return banned(storage.Decision{Action: storage.ActionBan, Reason: "operator: " + m.ban.Reason, Expires: m.ban.Expires}, now), true
	}
	return Result{}, false
}

// factor is the rate multiplier of an operator throttle, 1 without one.
func (m operatorMatch) factor() float64 {
	if m.throttle == nil {
		return 1
	}
	return m.throttle.Factor
}

// relabel names a refusal under an operator throttle as a throttle.
func (m *operatorMatch) relabel(res *Result) {
	if m.throttle != nil && !res.Allowed && res.Penalty == storage.ActionNone {
		res.Penalty = storage.ActionThrottle
		res.Reason = "operator: " + m.throttle.Reason
	}
}
