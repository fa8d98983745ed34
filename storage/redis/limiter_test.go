package redis

import (
	"context"
	"sync/atomic"
	"testing"

	libredis "github.com/redis/go-redis/v9"
	"github.com/ulule/limiter/v3"

	"github.com/bulwarkhq/bulwark/internal/redistest"
)

type cmdCount struct{ n atomic.Int64 }

func (h *cmdCount) DialHook(next libredis.DialHook) libredis.DialHook { return next }
func (h *cmdCount) ProcessHook(next libredis.ProcessHook) libredis.ProcessHook {
	return func(ctx context.Context, cmd libredis.Cmder) error { h.n.Add(1); return next(ctx, cmd) }
}
func (h *cmdCount) ProcessPipelineHook(next libredis.ProcessPipelineHook) libredis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []libredis.Cmder) error { h.n.Add(1); return next(ctx, cmds) }
}

// TestLimiterStoreContract drives the store through ulule/limiter's own
// Limiter, as its middlewares would.
func TestLimiterStoreContract(t *testing.T) {
	c, prefix := redistest.Client(t)
	hook := &cmdCount{}
	c.AddHook(hook)
	s, _ := New(c, Config{Prefix: prefix})
	rate, _ := limiter.NewRateFromFormatted("3-M")
	l := limiter.New(s.Limiter(), rate)
	ctx := context.Background()
	if _, err := l.Peek(ctx, "warm"); err != nil { // loads the peek script
		t.Fatal(err)
	}
	if _, err := l.Get(ctx, "warm"); err != nil { // loads the incr script
		t.Fatal(err)
	}
	cases := []struct {
		name      string
		op        func() (limiter.Context, error)
		remaining int64
		reached   bool
	}{
		{"peek empty", func() (limiter.Context, error) { return l.Peek(ctx, "k") }, 3, false},
		{"get 1", func() (limiter.Context, error) { return l.Get(ctx, "k") }, 2, false},
		{"increment 2", func() (limiter.Context, error) { return l.Increment(ctx, "k", 2) }, 0, false},
		{"get over", func() (limiter.Context, error) { return l.Get(ctx, "k") }, 0, true},
		{"peek over", func() (limiter.Context, error) { return l.Peek(ctx, "k") }, 0, true},
		{"reset", func() (limiter.Context, error) { return l.Reset(ctx, "k") }, 3, false},
		{"get after reset", func() (limiter.Context, error) { return l.Get(ctx, "k") }, 2, false},
	}
	for _, tc := range cases {
		before := hook.n.Load()
		got, err := tc.op()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got.Limit != 3 || got.Remaining != tc.remaining || got.Reached != tc.reached || got.Reset == 0 {
			t.Fatalf("%s: %+v, want remaining %d reached %v", tc.name, got, tc.remaining, tc.reached)
		}
		if n := hook.n.Load() - before; n != 1 {
			t.Fatalf("%s: %d round trips, want 1", tc.name, n)
		}
	}
}
