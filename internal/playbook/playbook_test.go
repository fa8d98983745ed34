package playbook

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

var arms = []Arm{{"throttle-10m", 10 * time.Minute}, {"ban-1h", time.Hour}, {"ban-24h", 24 * time.Hour}}

func TestReward(t *testing.T) {
	b, err := New(Config{Arms: arms})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		arm  int
		o    Outcome
		want float64
	}{
		{"longest ban, no recurrence, surely hostile", 2, Outcome{Legit: 0}, 0.7},
		{"longest ban of a sure false positive", 2, Outcome{Legit: 1}, 0},
		{"recurrence earns nothing", 0, Outcome{Recurred: true}, 0},
		{"short throttle that worked", 0, Outcome{Legit: 0}, 1 - 0.3*10.0/1440},
		{"hour ban, even odds of legit", 1, Outcome{Legit: 0.5}, 1 - (0.3+0.5)/24},
	}
	for _, c := range cases {
		if got := b.Reward(c.arm, c.o); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("%s: reward %v, want %v", c.name, got, c.want)
		}
	}
}

// TestLongestBanDoesNotWinByDefault simulates clients whose recurrence
// falls with the ban's length: the day ban stops most recurrence but costs
// most, and the bandit settles on the hour ban, whose expected reward is the
// highest (0.775 against 0.596 and 0.35 with three in ten clients
// legitimate).
func TestLongestBanDoesNotWinByDefault(t *testing.T) {
	b, _ := New(Config{Arms: arms, Seed: 1})
	recur := []float64{0.4, 0.2, 0.05}
	rng := rand.New(rand.NewPCG(2, 3))
	for range 3000 {
		a := b.Choose()
		if err := b.Record(a, Outcome{Recurred: rng.Float64() < recur[a], Legit: 0.3}); err != nil {
			t.Fatal(err)
		}
	}
	st := b.Stats()
	if st[1].Pulls < st[0].Pulls || st[1].Pulls < st[2].Pulls {
		t.Errorf("pulls %d/%d/%d: the hour ban should be played most", st[0].Pulls, st[1].Pulls, st[2].Pulls)
	}
	if r := st[2].SuccessRate(); st[2].Pulls > 20 && math.Abs(r-0.95) > 0.1 {
		t.Errorf("day ban success rate %v, want about 0.95", r)
	}
}

func TestCompareNewcombe(t *testing.T) {
	// Newcombe (1998), table II, example (a): 56/70 against 48/80, method
	// 10 gives 0.0524 to 0.3339.
	a := ArmStats{Arm: Arm{Name: "a"}, Pulls: 70, Successes: 56}
	b := ArmStats{Arm: Arm{Name: "b"}, Pulls: 80, Successes: 48}
	c, err := Compare(a, b, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(c.Diff-0.2) > 1e-12 || math.Abs(c.Lower-0.0524) > 5e-4 || math.Abs(c.Upper-0.3339) > 5e-4 {
		t.Errorf("Compare = %+v, want 0.2 in (0.0524, 0.3339)", c)
	}
	if _, err := Compare(a, ArmStats{}, 0.95); err == nil {
		t.Error("an arm without responses compared")
	}
}

func TestLegitChance(t *testing.T) {
	for _, c := range []struct {
		fp, n int
		want  float64
	}{{0, 0, 0.5}, {0, 8, 0.1}, {9, 10, 10.0 / 12}} {
		if got := LegitChance(c.fp, c.n); math.Abs(got-c.want) > 1e-12 {
			t.Errorf("LegitChance(%d, %d) = %v, want %v", c.fp, c.n, got, c.want)
		}
	}
}

func TestNewRejects(t *testing.T) {
	for _, cfg := range []Config{
		{Arms: arms[:1]},
		{Arms: []Arm{{"a", -time.Second}, {"b", time.Hour}}}, // block only is 0, never negative
		{Arms: arms, LengthCost: -1},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg)
		}
	}
}

func TestBlockOnlyArmAndRestore(t *testing.T) {
	arms := []Arm{{"block-only", 0}, {"ban-1h", time.Hour}}
	b, err := New(Config{Arms: arms, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r := b.Reward(0, Outcome{Legit: 1}); r != 1 {
		t.Errorf("block only, no recurrence, certainly legitimate: reward %v, want 1 (it costs nothing)", r)
	}
	for range 5 {
		if err := b.Record(0, Outcome{}); err != nil {
			t.Fatal(err)
		}
	}
	saved := b.Stats()
	c, _ := New(Config{Arms: arms, Seed: 2})
	if err := c.Restore(saved); err != nil {
		t.Fatal(err)
	}
	if got := c.Stats(); got[0] != saved[0] || got[1] != saved[1] {
		t.Errorf("restored %+v, saved %+v", got, saved)
	}
	bad := append([]ArmStats(nil), saved...)
	bad[0].Successes = bad[0].Pulls + 1
	if err := c.Restore(bad); err == nil {
		t.Error("a record with more successes than pulls was restored")
	}
	for _, cfg := range []Config{{Arms: []Arm{{"a", 0}, {"b", 0}}}, {Arms: []Arm{{"a", time.Hour}, {"a", time.Minute}}}, {Arms: []Arm{{"a", -1}, {"b", time.Hour}}}} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) accepted", cfg.Arms)
		}
	}
}
