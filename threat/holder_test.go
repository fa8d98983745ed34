package threat_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

func model(v string) *threat.Model { return threat.NeutralModel(v) }

func TestHolderSwapRollback(t *testing.T) {
	v1, v2 := model("v1"), model("v2")
	h, err := threat.NewHolder(v1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Rollback(); !errors.Is(err, threat.ErrNoPrevious) {
		t.Fatalf("rollback with no history: %v", err)
	}
	bad := model("bad")
	threat.SetLevels(bad, [4]float64{0.9, 0.5, 0.8, 0.95})
	if err := h.Swap(bad); !errors.Is(err, threat.ErrBadModel) || h.Active() != v1 {
		t.Fatalf("an invalid model was swapped in: %v", err)
	}
	if _, err := threat.NewHolder(bad); !errors.Is(err, threat.ErrBadModel) {
		t.Fatalf("NewHolder took an invalid model: %v", err)
	}
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				if v := h.Active().Version(); v != "v1" && v != "v2" {
					t.Error("torn model", v)
					return
				}
			}
		}()
	}
	for i := 0; i < 200; i++ {
		if err := h.Swap(v2); err != nil {
			t.Fatal(err)
		}
		if h.Active() != v2 {
			t.Fatal("swap not visible")
		}
		if m, err := h.Rollback(); err != nil || m != v1 || h.Active() != v1 {
			t.Fatalf("rollback: %v %v", m, err)
		}
	}
	close(stop)
	wg.Wait()
	// the history is bounded: after many swaps only the last eight come back
	for i := 0; i < 20; i++ {
		_ = h.Swap(model(fmt.Sprint("s", i)))
	}
	n := 0
	for {
		if _, err := h.Rollback(); err != nil {
			break
		}
		n++
	}
	if n != 8 {
		t.Fatalf("%d models kept for rollback, want 8", n)
	}
}

func TestHolderShadowAndCanary(t *testing.T) {
	active, cand := model("active"), model("candidate")
	h, _ := threat.NewHolder(active)
	if _, ok := h.Challenger(); ok {
		t.Fatal("a challenger before one was set")
	}
	if err := h.SetChallenger(cand); err != nil {
		t.Fatal(err)
	}
	if s, ok := h.Challenger(); !ok || s != cand || h.Active() != active {
		t.Fatal("the challenger took the active slot")
	}
	_ = h.SetChallenger(nil)
	if _, ok := h.Challenger(); ok {
		t.Fatal("the challenger was not cleared")
	}
	for _, f := range []float64{0, -0.1, 1.5} {
		if err := h.SetCanary(cand, f); err == nil {
			t.Fatalf("canary fraction %v accepted", f)
		}
	}
	if err := h.SetCanary(cand, 0.25); err != nil {
		t.Fatal(err)
	}
	in := 0
	const n = 20000
	for i := 0; i < n; i++ {
		client := fmt.Sprintf("198.51.%d.%d", i/256, i%256)
		m, canaried := h.For(client)
		if canaried != (m == cand) {
			t.Fatal("For's flag disagrees with its model")
		}
		if again, _ := h.For(client); again != m {
			t.Fatal("a client moved in or out of the canary")
		}
		if canaried {
			in++
		}
	}
	if frac := float64(in) / n; frac < 0.22 || frac > 0.28 {
		t.Fatalf("canary fraction %.3f, want about 0.25", frac)
	}
	if _, f, ok := h.Canary(); !ok || f < 0.2499 || f > 0.2501 {
		t.Fatalf("Canary() fraction %v %v", f, ok)
	}
	_ = h.SetCanary(nil, 0)
	if m, canaried := h.For("anyone"); canaried || m != active {
		t.Fatal("the canary was not cleared")
	}
}
