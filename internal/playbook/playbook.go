// Package playbook chooses among responses to a hostile client (throttle
// ten minutes, ban an hour, ban a day, ...) by Thompson sampling, learning
// from what followed each response which one pays.
//
// The reward of one response, in [0, 1], is stated so that the longest ban
// does not win by default:
//
//	reward = 1[the client did not recur within the window]
//	       − LengthCost · d/D
//	       − LegitCost · P(legitimate) · d/D
//
// clipped to [0, 1], where d is the response's length, D the longest arm's,
// and P(legitimate) the chance the client was a false positive, read from
// operators' false-positive labels (LegitChance). A long ban buys fewer
// recurrences at a price in blocked time, and a higher one when the client
// may have been legitimate.
//
// Each arm keeps a Beta posterior; a fractional reward updates it through a
// Bernoulli draw of that probability (Agrawal and Goyal 2012), so the
// posterior stays conjugate. Stats reports success (no recurrence) rates
// per arm and Compare the difference of two arms' success rates with
// Newcombe's score interval.
//
//	b, _ := playbook.New(playbook.Config{Arms: []playbook.Arm{{"throttle-10m", 10 * time.Minute}, {"ban-1h", time.Hour}, {"ban-24h", 24 * time.Hour}}})
//	arm := b.Choose()
//	// ... after the window:
//	b.Record(arm, playbook.Outcome{Recurred: false, Legit: playbook.LegitChance(fp, labelled)})
package playbook

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"time"

	"gonum.org/v1/gonum/stat/distuv"
)

// Arm is one response.
type Arm struct {
	Name     string
	Duration time.Duration // how long it lasts; 0 for block only (no decision)
}

// Config configures a Bandit.
type Config struct {
	Arms []Arm
	// LengthCost weighs a response's length, as a share of the longest
	// arm's: 0.3 by default (the longest ban, if it stops recurrence,
	// earns 0.7).
	LengthCost float64
	// LegitCost weighs the length again by the chance the client was
	// legitimate: 1 by default (a day's ban of a certain false positive
	// earns nothing).
	LegitCost float64
	// Seed seeds the sampling, for reproducible choices.
	Seed uint64
}

// Outcome is what followed a response.
type Outcome struct {
	// Recurred is whether the client was hostile again within the window.
	Recurred bool
	// Legit is the chance the client was legitimate, in [0, 1].
	Legit float64
}

// Bandit is a Thompson-sampling bandit over the arms. It is safe for
// concurrent use.
type Bandit struct {
	cfg     Config
	longest time.Duration

	mu    sync.Mutex
	rng   *rand.Rand
	stats []ArmStats
}

// ArmStats is what an arm has earned.
type ArmStats struct {
	Arm
	Pulls     int
	Successes int     // responses not followed by recurrence
	Reward    float64 // sum of rewards
	Alpha     float64 // the Beta posterior of the reward
	Beta      float64
}

// SuccessRate is the share of responses not followed by a recurrence.
func (s ArmStats) SuccessRate() float64 {
	if s.Pulls == 0 {
		return math.NaN()
	}
	return float64(s.Successes) / float64(s.Pulls)
}

// MeanReward is the average reward.
func (s ArmStats) MeanReward() float64 {
	if s.Pulls == 0 {
		return math.NaN()
	}
	return s.Reward / float64(s.Pulls)
}

// New validates cfg and fills its defaults.
func New(cfg Config) (*Bandit, error) {
	if len(cfg.Arms) < 2 {
		return nil, errors.New("playbook: at least two arms")
	}
	if cfg.LengthCost == 0 {
		cfg.LengthCost = 0.3
	}
	if cfg.LegitCost == 0 {
		cfg.LegitCost = 1
	}
	if cfg.LengthCost < 0 || cfg.LegitCost < 0 {
		return nil, errors.New("playbook: negative cost")
	}
	b := &Bandit{cfg: cfg, rng: rand.New(rand.NewPCG(cfg.Seed, 0xba2d17))}
	names := map[string]bool{}
	for _, a := range cfg.Arms {
		if a.Duration < 0 || a.Name == "" || names[a.Name] {
			return nil, fmt.Errorf("playbook: arm %q: a unique name and a duration of zero (block only) or more", a.Name)
		}
		names[a.Name] = true
		b.longest = max(b.longest, a.Duration)
		b.stats = append(b.stats, ArmStats{Arm: a, Alpha: 1, Beta: 1})
	}
	if b.longest == 0 {
		return nil, errors.New("playbook: every arm has zero duration")
	}
	return b, nil
}

// Restore sets the arms' records from a saved Stats (a restart keeps what
// the bandit learnt). Records of arms no longer configured are ignored;
// arms without a record start afresh.
func (b *Bandit) Restore(saved []ArmStats) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, sv := range saved {
		if sv.Pulls < 0 || sv.Successes < 0 || sv.Successes > sv.Pulls || sv.Alpha < 1 || sv.Beta < 1 || math.IsNaN(sv.Reward) {
			return fmt.Errorf("playbook: invalid saved record of arm %q", sv.Name)
		}
		for i := range b.stats {
			if b.stats[i].Name == sv.Name {
				arm := b.stats[i].Arm
				b.stats[i] = sv
				b.stats[i].Arm = arm
			}
		}
	}
	return nil
}

// Reward returns the reward of outcome o after arm, as stated in the
// package comment.
func (b *Bandit) Reward(arm int, o Outcome) float64 {
	share := float64(b.cfg.Arms[arm].Duration) / float64(b.longest)
	r := 0.0
	if !o.Recurred {
		r = 1
	}
	legit := math.Max(0, math.Min(1, o.Legit))
	r -= b.cfg.LengthCost*share + b.cfg.LegitCost*legit*share
	return math.Max(0, math.Min(1, r))
}

// Choose returns the arm to play: the one whose posterior draw is highest.
func (b *Bandit) Choose() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	best, bestV := 0, -1.0
	for i, s := range b.stats {
		v := distuv.Beta{Alpha: s.Alpha, Beta: s.Beta, Src: b.rng}.Rand()
		if v > bestV {
			best, bestV = i, v
		}
	}
	return best
}

// Record learns the outcome of a response with arm.
func (b *Bandit) Record(arm int, o Outcome) error {
	if arm < 0 || arm >= len(b.cfg.Arms) {
		return fmt.Errorf("playbook: no arm %d", arm)
	}
	r := b.Reward(arm, o)
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &b.stats[arm]
	s.Pulls++
	if !o.Recurred {
		s.Successes++
	}
	s.Reward += r
	if b.rng.Float64() < r {
		s.Alpha++
	} else {
		s.Beta++
	}
	return nil
}

// Stats returns each arm's record, in the order of Config.Arms.
func (b *Bandit) Stats() []ArmStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]ArmStats(nil), b.stats...)
}

// LegitChance is the chance a flagged client is legitimate, from operators'
// labels: falsePositives of labelled flagged clients were marked false
// positives. It is the posterior mean under a uniform prior, so no labels
// give one half and a handful of labels do not give a certainty.
func LegitChance(falsePositives, labelled int) float64 {
	return (float64(falsePositives) + 1) / (float64(labelled) + 2)
}

// Comparison is the difference of two arms' success rates, A − B, with a
// confidence interval.
type Comparison struct {
	A, B         string
	RateA, RateB float64
	Diff         float64
	Lower, Upper float64
	Level        float64
}

// Compare compares the success rates of two arms with Newcombe's hybrid
// score interval for a difference of proportions (Newcombe 1998, method
// 10), which keeps its coverage with few responses and rates near 0 or 1
// where the normal interval does not.
func Compare(a, b ArmStats, level float64) (Comparison, error) {
	if a.Pulls == 0 || b.Pulls == 0 {
		return Comparison{}, errors.New("playbook: an arm has no responses")
	}
	if !(level > 0 && level < 1) {
		return Comparison{}, fmt.Errorf("playbook: level %v outside (0, 1)", level)
	}
	z := distuv.UnitNormal.Quantile(1 - (1-level)/2)
	p1, p2 := a.SuccessRate(), b.SuccessRate()
	l1, u1 := wilson(a.Successes, a.Pulls, z)
	l2, u2 := wilson(b.Successes, b.Pulls, z)
	d := p1 - p2
	return Comparison{
		A: a.Name, B: b.Name, RateA: p1, RateB: p2, Diff: d, Level: level,
		Lower: d - math.Sqrt((p1-l1)*(p1-l1)+(u2-p2)*(u2-p2)),
		Upper: d + math.Sqrt((u1-p1)*(u1-p1)+(p2-l2)*(p2-l2)),
	}, nil
}

// wilson is the Wilson score interval of k successes in n.
func wilson(k, n int, z float64) (lo, hi float64) {
	p, nf := float64(k)/float64(n), float64(n)
	c := p + z*z/(2*nf)
	r := z * math.Sqrt(p*(1-p)/nf+z*z/(4*nf*nf))
	den := 1 + z*z/nf
	return (c - r) / den, (c + r) / den
}
