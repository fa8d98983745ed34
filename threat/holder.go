package threat

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
)

// ErrBadModel is returned when a model (the combiner, an isolation forest,
// a sequence model) fails validation or decoding. Every model type of the
// module wraps it.
var ErrBadModel = errors.New("threat: invalid model")

// ErrNoPrevious is returned by Holder.Rollback when no earlier model is kept.
var ErrNoPrevious = errors.New("threat: no previous model")

// Artifact is what a Holder holds: a model that can check itself.
type Artifact interface {
	comparable
	Validate() error
}

// Holder holds the models of one kind an engine scores with: the active
// one, the ones it replaced (for Rollback), and two candidates beside it:
// a challenger, scored on every request and never enforced, and a canary,
// enforced for a stable fraction of clients. Readers never lock: the
// models sit behind atomic pointers. It is safe for concurrent use; the
// zero value holds nothing.
type Holder[M Artifact] struct {
	active     atomic.Pointer[M]
	challenger atomic.Pointer[M]
	canary     atomic.Pointer[canary[M]]

	mu   sync.Mutex
	prev []M
}

type canary[M Artifact] struct {
	model M
	// cut is the fraction of the hash space that gets the canary
	cut uint64
}

// maxHistory is how many replaced models a Holder keeps for Rollback.
const maxHistory = 8

// NewHolder returns a Holder whose active model is m, validated.
func NewHolder[M Artifact](m M) (*Holder[M], error) {
	h := &Holder[M]{}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	h.active.Store(&m)
	return h, nil
}

// Active returns the active model (the zero M when none is held).
func (h *Holder[M]) Active() M {
	if p := h.active.Load(); p != nil {
		return *p
	}
	var zero M
	return zero
}

// Swap validates m and makes it the active model, atomically for requests
// in flight; the model it replaces is kept for Rollback (the last eight).
func (h *Holder[M]) Swap(m M) error {
	if err := m.Validate(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.active.Swap(&m); old != nil {
		h.prev = append(h.prev, *old)
		if len(h.prev) > maxHistory {
			h.prev = h.prev[1:]
		}
	}
	return nil
}

// Rollback makes the model the last Swap replaced active again, and
// returns it.
func (h *Holder[M]) Rollback() (M, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.prev) == 0 {
		var zero M
		return zero, ErrNoPrevious
	}
	m := h.prev[len(h.prev)-1]
	h.prev = h.prev[:len(h.prev)-1]
	h.active.Store(&m)
	return m, nil
}

// SetChallenger validates m and makes it the challenger: a model scored
// beside the active one on every request and never enforced (its score is
// Assessment.Challenger), to compare before a Swap. The zero M clears the
// slot.
func (h *Holder[M]) SetChallenger(m M) error {
	var zero M
	if m == zero {
		h.challenger.Store(nil)
		return nil
	}
	if err := m.Validate(); err != nil {
		return err
	}
	h.challenger.Store(&m)
	return nil
}

// Challenger returns the challenger, and whether there is one.
func (h *Holder[M]) Challenger() (M, bool) {
	if p := h.challenger.Load(); p != nil {
		return *p, true
	}
	var zero M
	return zero, false
}

// SetCanary validates m and makes it the canary for fraction (in (0,1])
// of clients; the zero M clears the slot. Which clients get it depends on
// a fixed hash of the client key (FNV-1a), so every instance of a fleet
// puts the same clients in the canary, and a client stays in or out of it
// as long as the fraction holds. Pass pseudonyms as client keys to choose
// by pseudonym.
func (h *Holder[M]) SetCanary(m M, fraction float64) error {
	var zero M
	if m == zero {
		h.canary.Store(nil)
		return nil
	}
	if !(fraction > 0 && fraction <= 1) {
		return fmt.Errorf("threat: canary fraction %v not in (0,1]", fraction)
	}
	if err := m.Validate(); err != nil {
		return err
	}
	c := &canary[M]{model: m, cut: uint64(fraction * (1 << 63))}
	if fraction == 1 {
		c.cut = 1 << 63
	}
	h.canary.Store(c)
	return nil
}

// Canary returns the canary model and its fraction, and whether there is
// one.
func (h *Holder[M]) Canary() (M, float64, bool) {
	if c := h.canary.Load(); c != nil {
		return c.model, float64(c.cut) / (1 << 63), true
	}
	var zero M
	return zero, 0, false
}

// For returns the model that scores client: the canary when the client
// falls in its fraction, else the active one. canaried says which.
func (h *Holder[M]) For(client string) (m M, canaried bool) {
	if c := h.canary.Load(); c != nil && fnv1a(client)>>1 < c.cut {
		return c.model, true
	}
	return h.Active(), false
}

// fnv1a is the 64-bit FNV-1a hash of s.
func fnv1a(s string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	// FNV's low bits mix poorly for short keys that differ at the end;
	// the murmur3 finaliser spreads them over the word
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	return h
}
