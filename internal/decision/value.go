package decision

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"time"
)

// TargetType says how a Target names clients.
type TargetType string

// Target types.
const (
	// TypeAddr is one address ("203.0.113.7", "2001:db8::1"); the client
	// whose key is that address, or whose aggregated prefix contains it.
	TypeAddr TargetType = "addr"
	// TypePrefix is an aggregated client key ("2001:db8:1:2::/64", the form
	// the middleware gives IPv6 clients): exactly that client.
	TypePrefix TargetType = "prefix"
	// TypeCIDR is every client address inside a range ("198.51.100.0/24").
	TypeCIDR TargetType = "cidr"
	// TypeKey is a KeyFunc key ("apikey:…"), exactly.
	TypeKey TargetType = "key"
	// TypePseudonym is the pseudonym of a client key (what the control
	// plane's history and dashboard show).
	TypePseudonym TargetType = "pseudonym"
	// TypeRoute is a route group (the limiter's group, a route pattern by
	// default): a throttle of it tightens the route's rate for every
	// client, as when an operator pre-tightens a route before a predicted
	// attack window. Only throttles take it.
	TypeRoute TargetType = "route"
	// TypeSuppression is a scope of the threat engine, not of clients:
	// "<rule or family> <route>" or "<rule or family> <route> <param>"
	// (see Suppression). Only Suppress takes it.
	TypeSuppression TargetType = "suppression"
)

// Suppression is the scope a TypeSuppression target names: a rule id or
// an attack family, on one route, and optionally one parameter.
type Suppression struct{ Rule, Route, Param string }

// SuppressionTarget returns the target of scope s.
func SuppressionTarget(s Suppression) (Target, error) {
	v := s.Rule + " " + s.Route
	if s.Param != "" {
		v += " " + s.Param
	}
	return ParseTarget(string(TypeSuppression), v)
}

// Suppression reads the scope of a suppression target.
func (t Target) Suppression() (Suppression, bool) {
	if t.Type != TypeSuppression {
		return Suppression{}, false
	}
	f := strings.Split(t.Value, " ")
	if len(f) < 2 || len(f) > 3 || f[0] == "" || f[1] == "" {
		return Suppression{}, false
	}
	s := Suppression{Rule: f[0], Route: f[1]}
	if len(f) == 3 {
		s.Param = f[2]
	}
	return s, s.Param != "" || len(f) == 2
}

// Target is what a decision applies to.
type Target struct {
	Type  TargetType `json:"type"`
	Value string     `json:"value"` // canonical: masked prefixes, unmapped addresses
}

// MaxTargetLen bounds Target.Value.
const MaxTargetLen = 256

// ErrInvalid is wrapped by every validation error of this package.
var ErrInvalid = errors.New("decision: invalid")

// ParseTarget validates value for typ and returns the canonical Target.
func ParseTarget(typ, value string) (Target, error) {
	t := Target{Type: TargetType(typ)}
	value = strings.TrimSpace(value)
	if value == "" || len(value) > MaxTargetLen {
		return t, fmt.Errorf("%w: target value must be 1 to %d bytes", ErrInvalid, MaxTargetLen)
	}
	switch t.Type {
	case TypeAddr:
		a, err := netip.ParseAddr(value)
		if err != nil || a.Zone() != "" {
			return t, fmt.Errorf("%w: %q is not an address", ErrInvalid, value)
		}
		t.Value = a.Unmap().String()
	case TypePrefix, TypeCIDR:
		p, err := netip.ParsePrefix(value)
		if err != nil {
			return t, fmt.Errorf("%w: %q is not a CIDR", ErrInvalid, value)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		t.Value = p.Masked().String()
	case TypeSuppression:
		t.Value = value
		if _, ok := t.Suppression(); !ok || strings.ContainsFunc(value, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
			return t, fmt.Errorf("%w: a suppression is \"<rule or family> <route> [param]\", without control characters", ErrInvalid)
		}
	case TypeKey, TypeRoute:
		for i := 0; i < len(value); i++ {
			if value[i] < 0x20 || value[i] == 0x7f {
				return t, fmt.Errorf("%w: %s has control characters", ErrInvalid, t.Type)
			}
		}
		t.Value = value
	case TypePseudonym:
		if len(value) > 64 || strings.Trim(value, "0123456789abcdef") != "" {
			return t, fmt.Errorf("%w: %q is not a pseudonym (lower-case hex)", ErrInvalid, value)
		}
		t.Value = value
	default:
		return t, fmt.Errorf("%w: target type %q (want addr, prefix, cidr, key, pseudonym, route or suppression)", ErrInvalid, typ)
	}
	return t, nil
}

// MustTarget is ParseTarget for constants; it panics on error.
func MustTarget(typ, value string) Target {
	t, err := ParseTarget(typ, value)
	if err != nil {
		panic(err)
	}
	return t
}

// Prefix returns the address range of an addr, prefix or cidr target.
func (t Target) Prefix() (netip.Prefix, bool) {
	switch t.Type {
	case TypeAddr:
		a, err := netip.ParseAddr(t.Value)
		if err != nil {
			return netip.Prefix{}, false
		}
		return netip.PrefixFrom(a, a.BitLen()), true
	case TypePrefix, TypeCIDR:
		p, err := netip.ParsePrefix(t.Value)
		return p, err == nil
	}
	return netip.Prefix{}, false
}

func (t Target) String() string { return string(t.Type) + ":" + t.Value }

// Action is what a decision does.
type Action string

// Actions.
const (
	Ban      Action = "ban"      // refuse every request until Expires
	Throttle Action = "throttle" // multiply the client's (or the route's) rate by Factor from Starts until Expires
	Allow    Action = "allow"    // never limit nor ban (beats Ban and Throttle)
	Suppress Action = "suppress" // mute a rule or family on a route until Expires (a suppression target)
)

// Value is one decision as the bucket stores it.
type Value struct {
	Target Target  `json:"target"`
	Action Action  `json:"action"`
	Factor float64 `json:"factor,omitempty"` // Throttle: rate multiplier in (0,1)
	Reason string  `json:"reason,omitempty"`
	Actor  string  `json:"actor,omitempty"` // who decided (token subject)
	// Origin is the region that wrote the value; Stamp its hybrid logical
	// clock reading at the write. Merges order values by (Stamp, Origin).
	Origin string `json:"origin"`
	Stamp  Stamp  `json:"stamp"`
	// Starts, when set, is when the decision takes effect (a route
	// pre-tightened for a predicted attack window); zero means at once.
	Starts time.Time `json:"starts,omitzero"`
	// Expires ends the decision; zero means until removed (allow-list
	// entries only: bans and throttles always expire).
	Expires time.Time `json:"expires,omitzero"`
	// Tombstone marks a removed decision; it is kept so that an older write
	// arriving later loses to it.
	Tombstone bool `json:"tombstone,omitempty"`
}

// MaxReasonLen bounds Value.Reason and Value.Actor.
const MaxReasonLen = 256

// Validate checks v as a writer must before storing it.
func (v *Value) Validate() error {
	if _, err := ParseTarget(string(v.Target.Type), v.Target.Value); err != nil {
		return err
	}
	switch v.Action {
	case Ban, Allow, Suppress:
	case Throttle:
		if !(v.Factor > 0 && v.Factor < 1) {
			return fmt.Errorf("%w: throttle factor %v not in (0,1)", ErrInvalid, v.Factor)
		}
	default:
		return fmt.Errorf("%w: action %q (want ban, throttle, allow or suppress)", ErrInvalid, v.Action)
	}
	if len(v.Reason) > MaxReasonLen || len(v.Actor) > MaxReasonLen || len(v.Origin) > 64 {
		return fmt.Errorf("%w: reason, actor or origin too long", ErrInvalid)
	}
	if v.Origin == "" || v.Stamp.IsZero() {
		return fmt.Errorf("%w: origin and stamp are required", ErrInvalid)
	}
	if v.Action != Allow && v.Expires.IsZero() && !v.Tombstone {
		return fmt.Errorf("%w: a %s needs an expiry", ErrInvalid, v.Action)
	}
	if v.Target.Type == TypeRoute && v.Action != Throttle {
		return fmt.Errorf("%w: a route takes only a throttle, not a %s", ErrInvalid, v.Action)
	}
	if (v.Target.Type == TypeSuppression) != (v.Action == Suppress) {
		return fmt.Errorf("%w: a suppression target takes only suppress, and suppress only a suppression target", ErrInvalid)
	}
	if !v.Starts.IsZero() && !v.Expires.IsZero() && !v.Starts.Before(v.Expires) {
		return fmt.Errorf("%w: starts %v is not before expires %v", ErrInvalid, v.Starts, v.Expires)
	}
	return nil
}

// Active reports whether v is in force at now.
func (v *Value) Active(now time.Time) bool {
	return !v.Tombstone && !now.Before(v.Starts) && (v.Expires.IsZero() || now.Before(v.Expires))
}

// Pending reports whether v will be in force after now: not removed,
// and not yet expired (it may not have started).
func (v *Value) Pending(now time.Time) bool {
	return !v.Tombstone && (v.Expires.IsZero() || now.Before(v.Expires))
}

// Newer reports whether v wins over o for the same key: the later stamp,
// and on equal stamps the greater origin, so every region picks the same.
func (v *Value) Newer(o *Value) bool {
	if c := v.Stamp.Compare(o.Stamp); c != 0 {
		return c > 0
	}
	return v.Origin > o.Origin
}

// List is the half of the bucket a key lives in.
func (v *Value) List() string {
	if v.Action == Allow {
		return "allow"
	}
	return "deny"
}

// Key returns the bucket key of v: "<list>.<type>.<base64url of value>".
// Bans and throttles of one target share a key (the later replaces the
// earlier); an allow entry has its own.
func (v *Value) Key() string { return KeyOf(v.List(), v.Target) }

// KeyOf returns the bucket key of target in list ("allow" or "deny").
func KeyOf(list string, t Target) string {
	return list + "." + string(t.Type) + "." + base64.RawURLEncoding.EncodeToString([]byte(t.Value))
}

// ParseKey splits a bucket key into its list and target.
func ParseKey(key string) (list string, t Target, err error) {
	parts := strings.SplitN(key, ".", 3)
	if len(parts) != 3 || (parts[0] != "allow" && parts[0] != "deny") {
		return "", t, fmt.Errorf("%w: key %q", ErrInvalid, key)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return "", t, fmt.Errorf("%w: key %q", ErrInvalid, key)
	}
	t, err = ParseTarget(parts[1], string(raw))
	return parts[0], t, err
}

// MaxValueLen bounds an encoded Value.
const MaxValueLen = 4 << 10

// Marshal returns the bucket value of v (JSON).
func (v *Value) Marshal() ([]byte, error) { return json.Marshal(v) }

// Unmarshal parses and validates a bucket value.
func Unmarshal(b []byte) (*Value, error) {
	if len(b) > MaxValueLen {
		return nil, fmt.Errorf("%w: value of %d bytes", ErrInvalid, len(b))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var v Value
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := v.Validate(); err != nil {
		return nil, err
	}
	return &v, nil
}
