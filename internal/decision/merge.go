package decision

import (
	"bytes"
	"time"
)

// Merge returns the value of one key that every region keeps whatever
// order, however often and however late it sees a and b: the last writer
// by (Stamp, Origin), a last-writer-wins register. A tombstone is a value
// like any other, so an older write arriving after a removal loses to it.
// Two different values with one (Stamp, Origin) cannot come from one
// well-behaved writer; Merge still picks one of them the same way
// everywhere (by encoding), so that merging stays commutative. Either may
// be nil.
func Merge(a, b *Value) *Value {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.Newer(b):
		return a
	case b.Newer(a):
		return b
	}
	ea, _ := a.Marshal()
	eb, _ := b.Marshal()
	if bytes.Compare(ea, eb) >= 0 {
		return a
	}
	return b
}

// Dot names one add to an AllowSet: the region that made it and its
// clock reading then. Dots are unique when each region's Clock is.
type Dot struct {
	Origin string
	Stamp  Stamp
}

// AllowSet is the allow-list as an observed-remove set (OR-Set, Shapiro et
// al., 2011) of targets. Each add is kept under its Dot; a remove
// tombstones the dots it has seen, so an add made concurrently elsewhere,
// which the remove had not seen, survives the merge. A target is allowed
// while one of its adds is neither removed nor expired. Merge is a union,
// hence commutative, associative and idempotent: duplicates, reordering
// and replays of states or operations change nothing.
//
// The zero AllowSet is empty and ready to use. It is not safe for
// concurrent use. Removed dots are kept for good: they are what makes a
// late copy of a removed add lose.
type AllowSet struct {
	adds    map[Dot]Value
	removed map[Dot]struct{}
}

// Add records v, an Allow value with its Origin and Stamp set, and
// returns its Dot.
func (s *AllowSet) Add(v Value) Dot {
	d := Dot{Origin: v.Origin, Stamp: v.Stamp}
	if s.adds == nil {
		s.adds = make(map[Dot]Value)
	}
	if _, gone := s.removed[d]; !gone {
		if old, ok := s.adds[d]; !ok || Merge(&old, &v) == &v {
			s.adds[d] = v
		}
	}
	return d
}

// Remove removes t as this replica sees it now: every dot of t it holds
// is tombstoned, and returned (a region replicates them). Adds of t that
// it has not seen are not affected.
func (s *AllowSet) Remove(t Target) []Dot {
	var ds []Dot
	for d, v := range s.adds {
		if v.Target == t {
			ds = append(ds, d)
		}
	}
	s.RemoveDots(ds...)
	return ds
}

// RemoveDots applies a remove made elsewhere: the dots it observed.
func (s *AllowSet) RemoveDots(ds ...Dot) {
	if len(ds) == 0 {
		return
	}
	if s.removed == nil {
		s.removed = make(map[Dot]struct{})
	}
	for _, d := range ds {
		s.removed[d] = struct{}{}
		delete(s.adds, d)
	}
}

// Merge folds o's state into s.
func (s *AllowSet) Merge(o *AllowSet) {
	for d := range o.removed {
		s.RemoveDots(d)
	}
	for _, v := range o.adds {
		s.Add(v)
	}
}

// Allowed reports whether t is on the allow-list at now.
func (s *AllowSet) Allowed(t Target, now time.Time) bool {
	for _, v := range s.adds {
		if v.Target == t && v.Active(now) {
			return true
		}
	}
	return false
}

// Equal reports whether s and o hold the same state.
func (s *AllowSet) Equal(o *AllowSet) bool {
	if len(s.adds) != len(o.adds) || len(s.removed) != len(o.removed) {
		return false
	}
	for d, v := range s.adds {
		w, ok := o.adds[d]
		if !ok {
			return false
		}
		ev, _ := v.Marshal()
		ew, _ := w.Marshal()
		if !bytes.Equal(ev, ew) {
			return false
		}
	}
	for d := range s.removed {
		if _, ok := o.removed[d]; !ok {
			return false
		}
	}
	return true
}

// Effective is what a region enforces on t at now, given its allow-list
// and the merged deny value of t's key (nil when none): allow beats ban
// and throttle, and an expired or removed decision is none. It returns the
// deny value in force, or nil.
func Effective(allow *AllowSet, deny *Value, t Target, now time.Time) (allowed bool, in *Value) {
	if allow != nil && allow.Allowed(t, now) {
		return true, nil
	}
	if deny != nil && deny.Active(now) {
		return false, deny
	}
	return false, nil
}
