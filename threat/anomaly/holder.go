package anomaly

import (
	"errors"
	"sync"
	"sync/atomic"
)

// ErrNoPrevious is returned by Rollback when there is no earlier model.
var ErrNoPrevious = errors.New("anomaly: no previous model")

// maxHistory bounds how many previous models a Holder keeps for rollback.
const maxHistory = 8

// Holder holds the current Model behind an atomic pointer: readers never
// lock, Swap and Rollback replace it atomically. The zero value holds no
// model.
type Holder struct {
	cur  atomic.Pointer[Model]
	mu   sync.Mutex // serialises Swap and Rollback
	prev []*Model
}

// NewHolder returns a Holder whose current model is m (which may be nil).
func NewHolder(m *Model) (*Holder, error) {
	h := new(Holder)
	if m != nil {
		if err := h.Swap(m); err != nil {
			return nil, err
		}
	}
	return h, nil
}

// Current returns the current model, or nil.
func (h *Holder) Current() *Model { return h.cur.Load() }

// Swap validates m and makes it current; the model it replaces can be
// restored with Rollback.
func (h *Holder) Swap(m *Model) error {
	if m == nil {
		return ErrBadModel
	}
	if err := m.Validate(); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if old := h.cur.Swap(m); old != nil {
		if len(h.prev) == maxHistory {
			copy(h.prev, h.prev[1:])
			h.prev = h.prev[:maxHistory-1]
		}
		h.prev = append(h.prev, old)
	}
	return nil
}

// Rollback makes the previous model current again and returns it.
func (h *Holder) Rollback() (*Model, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.prev) == 0 {
		return nil, ErrNoPrevious
	}
	m := h.prev[len(h.prev)-1]
	h.prev = h.prev[:len(h.prev)-1]
	h.cur.Store(m)
	return m, nil
}
