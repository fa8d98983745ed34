package decision

import (
	"fmt"
	"sync"
	"time"
)

// Stamp is a hybrid logical clock reading (Kulkarni et al., 2014): the
// physical time in Unix nanoseconds, and a counter that orders events
// within one nanosecond or when a remote clock ran ahead.
type Stamp struct {
	Wall    int64  `json:"wall"`
	Logical uint32 `json:"logical"`
}

// Compare returns -1, 0 or +1 as s is before, equal to or after o.
func (s Stamp) Compare(o Stamp) int {
	switch {
	case s.Wall < o.Wall:
		return -1
	case s.Wall > o.Wall:
		return 1
	case s.Logical < o.Logical:
		return -1
	case s.Logical > o.Logical:
		return 1
	}
	return 0
}

// IsZero reports whether s was never set.
func (s Stamp) IsZero() bool { return s == Stamp{} }

func (s Stamp) String() string { return fmt.Sprintf("%d.%d", s.Wall, s.Logical) }

// Clock issues Stamps that never go backwards and that follow any Stamp
// it has been shown (Update), whatever the physical clock does. It is safe
// for concurrent use.
type Clock struct {
	mu   sync.Mutex
	now  func() time.Time
	last Stamp
}

// NewClock returns a Clock reading physical time from now (time.Now when nil).
func NewClock(now func() time.Time) *Clock {
	if now == nil {
		now = time.Now
	}
	return &Clock{now: now}
}

// Now returns a Stamp after every Stamp this Clock issued or was shown.
func (c *Clock) Now() Stamp {
	pt := c.now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	if pt > c.last.Wall {
		c.last = Stamp{Wall: pt}
	} else {
		c.last.Logical++
	}
	return c.last
}

// Update moves the clock past a remote stamp r (one read from another
// region's value), so that the next local stamp orders after it.
func (c *Clock) Update(r Stamp) Stamp {
	pt := c.now().UnixNano()
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case pt > c.last.Wall && pt > r.Wall:
		c.last = Stamp{Wall: pt}
	case r.Wall > c.last.Wall:
		c.last = Stamp{Wall: r.Wall, Logical: r.Logical + 1}
	case c.last.Wall > r.Wall:
		c.last.Logical++
	default:
		c.last.Logical = max(c.last.Logical, r.Logical) + 1
	}
	return c.last
}
