package privacy

import (
	"context"
	"errors"
	"fmt"
	"math/big"
	"sync"
)

// ErrBudgetSpent is returned for a query whose ε would take its tenant past
// the budget. Nothing is charged and nothing released.
var ErrBudgetSpent = errors.New("privacy: privacy budget spent")

// Store keeps the ε each tenant has spent. The control plane implements it
// over its database and audit log; MemoryStore serves one process.
type Store interface {
	// Charge adds eps to tenant's spent total if the total stays at or
	// under budget, atomically, and reports whether it did.
	Charge(ctx context.Context, tenant string, eps, budget *big.Rat) (bool, error)
	// Spent returns tenant's spent total.
	Spent(ctx context.Context, tenant string) (*big.Rat, error)
}

// Ledger charges queries to per-tenant budgets of ε.
type Ledger struct {
	store  Store
	budget *big.Rat
}

// NewLedger returns a ledger giving every tenant the budget ε.
func NewLedger(store Store, budget *big.Rat) (*Ledger, error) {
	if store == nil {
		return nil, errors.New("privacy: nil Store")
	}
	if budget == nil || budget.Sign() <= 0 {
		return nil, fmt.Errorf("%w: budget", ErrParam)
	}
	return &Ledger{store: store, budget: new(big.Rat).Set(budget)}, nil
}

// Spend charges eps to tenant, or returns ErrBudgetSpent if that would
// exceed the budget.
func (l *Ledger) Spend(ctx context.Context, tenant string, eps *big.Rat) error {
	if eps == nil || eps.Sign() <= 0 {
		return fmt.Errorf("%w: epsilon", ErrParam)
	}
	ok, err := l.store.Charge(ctx, tenant, eps, l.budget)
	if err != nil {
		return fmt.Errorf("privacy: charging %s: %w", tenant, err)
	}
	if !ok {
		return fmt.Errorf("%w: tenant %s, query ε %s", ErrBudgetSpent, tenant, eps.RatString())
	}
	return nil
}

// Remaining returns what tenant has left.
func (l *Ledger) Remaining(ctx context.Context, tenant string) (*big.Rat, error) {
	spent, err := l.store.Spent(ctx, tenant)
	if err != nil {
		return nil, err
	}
	r := new(big.Rat).Sub(l.budget, spent)
	if r.Sign() < 0 {
		r.SetInt64(0)
	}
	return r, nil
}

// Count releases the sum of the clients' contributions, each clamped to
// [0, bound], plus discrete Laplace noise at eps, after charging eps to
// tenant. A refused charge releases nothing.
func Count(ctx context.Context, l *Ledger, tenant string, perClient map[string]int64, bound int64, eps *big.Rat) (int64, error) {
	return count(ctx, l, NewSampler(), tenant, perClient, bound, eps)
}

func count(ctx context.Context, l *Ledger, s *Sampler, tenant string, perClient map[string]int64, bound int64, eps *big.Rat) (int64, error) {
	if bound <= 0 || eps == nil || eps.Sign() <= 0 {
		return 0, ErrParam
	}
	if err := l.Spend(ctx, tenant, eps); err != nil {
		return 0, err
	}
	noise, err := s.Noise(eps, bound)
	if err != nil {
		return 0, err
	}
	return Clamp(perClient, bound) + noise, nil
}

// MemoryStore is a Store in memory, for one process and for tests.
type MemoryStore struct {
	mu    sync.Mutex
	spent map[string]*big.Rat
}

var _ Store = (*MemoryStore)(nil)

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{spent: map[string]*big.Rat{}} }

// Charge implements Store.
func (m *MemoryStore) Charge(_ context.Context, tenant string, eps, budget *big.Rat) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cur, ok := m.spent[tenant]
	if !ok {
		cur = new(big.Rat)
	}
	next := new(big.Rat).Add(cur, eps)
	if next.Cmp(budget) > 0 {
		return false, nil
	}
	m.spent[tenant] = next
	return true, nil
}

// Spent implements Store.
func (m *MemoryStore) Spent(_ context.Context, tenant string) (*big.Rat, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if s, ok := m.spent[tenant]; ok {
		return new(big.Rat).Set(s), nil
	}
	return new(big.Rat), nil
}
