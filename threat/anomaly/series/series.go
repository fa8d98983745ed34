package series

import (
	"fmt"
	"math"
	"slices"
	"time"
)

// Kind names what moved.
type Kind uint8

// The kinds of deviation.
const (
	// None: the point is within its baseline.
	None Kind = iota
	// Spike: the point alone is far above its baseline.
	Spike
	// Dip: the point alone is far below its baseline.
	Dip
	// LevelUp and LevelDown: the points have stayed on one side of the
	// baseline, the level moved.
	LevelUp
	LevelDown
)

func (k Kind) String() string {
	switch k {
	case None:
		return "none"
	case Spike:
		return "spike"
	case Dip:
		return "dip"
	case LevelUp:
		return "level up"
	case LevelDown:
		return "level down"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// Config configures a Detector. The zero value is the configuration the
// evaluation chose.
type Config struct {
	// Threshold is the score at or above which a point is an alarm, in
	// (0, 1]: DefaultThreshold by default.
	Threshold float64
	// Window is the number of recent points whose median is the level: 16
	// by default. A level shift stops being flagged after about half of it.
	Window int
	// Warmup is the number of points scored before any alarm: 2·Window by
	// default.
	Warmup int
}

// DefaultThreshold is the threshold chosen on the Cloud Monitoring Dataset
// (see the package comment).
const DefaultThreshold = 0.6

// Reading is the detector's verdict on one point.
type Reading struct {
	Time     time.Time
	Value    float64
	Expected float64 // the baseline, on the value's scale
	// Deviation is the residual in spreads, signed.
	Deviation float64
	// Score in [0, 1] grows with the deviation and with a run of them.
	Score float64
	Alarm bool
	Kind  Kind // None unless Alarm
}

// Detector scores the points of one series, in time order. It is not safe
// for concurrent use.
type Detector struct {
	cfg Config

	n       int
	last    time.Time
	cadence float64 // seconds between points, EWMA

	ring   []float64 // recent seasonally adjusted values
	sorted []float64
	spread float64
	cusumU float64
	cusumD float64

	profile [24]float64 // hour-of-day offsets
	seen    [24]int
	first   time.Time
}

// New validates cfg and fills its defaults.
func New(cfg Config) (*Detector, error) {
	if cfg.Threshold == 0 {
		cfg.Threshold = DefaultThreshold
	}
	if !(cfg.Threshold > 0 && cfg.Threshold <= 1) {
		return nil, fmt.Errorf("series: Threshold %v outside (0, 1]", cfg.Threshold)
	}
	if cfg.Window == 0 {
		cfg.Window = 16
	}
	if cfg.Window < 3 {
		return nil, fmt.Errorf("series: Window %d < 3", cfg.Window)
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = 2 * cfg.Window
	}
	if cfg.Warmup < 0 {
		return nil, fmt.Errorf("series: Warmup %d < 0", cfg.Warmup)
	}
	return &Detector{cfg: cfg}, nil
}

const (
	spreadRate = 0.02 // EWMA weight of the spread
	clip       = 4.0  // residuals are clipped at this many spreads for learning
	cusumSlack = 1.0  // deviations under this many spreads do not accumulate
	cusumLimit = 12.0 // a run this large is a level shift
	spikeRef   = 6.0  // deviation at which a point's score is one half
	minSpread  = 0.01 // on the log scale: a 1% change is never anomalous
)

func slog(v float64) float64 {
	if v < 0 {
		return -math.Log1p(-v)
	}
	return math.Log1p(v)
}

func unslog(x float64) float64 {
	if x < 0 {
		return -math.Expm1(-x)
	}
	return math.Expm1(x)
}

// seasonal reports whether the hour-of-day profile is in use: points at
// least hourly, and two days seen.
func (d *Detector) seasonal(t time.Time) bool {
	return d.cadence > 0 && d.cadence <= 3600 && t.Sub(d.first) >= 48*time.Hour
}

// Observe scores the point (t, v) against the baseline learnt from the
// points before it, then learns from it. A NaN value is skipped (its
// Reading has Score 0); points should come in time order.
func (d *Detector) Observe(t time.Time, v float64) Reading {
	r := Reading{Time: t, Value: v, Expected: math.NaN()}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return r
	}
	x := slog(v)
	if d.n == 0 {
		d.first = t
	} else if dt := t.Sub(d.last).Seconds(); dt > 0 {
		if d.cadence == 0 {
			d.cadence = dt
		} else {
			d.cadence += 0.05 * (dt - d.cadence)
		}
	}
	d.last = t
	hour := t.UTC().Hour()
	season := 0.0
	if d.seasonal(t) {
		season = d.profile[hour]
	}
	adj := x - season
	if len(d.ring) > 0 {
		level := d.median()
		spread := math.Max(d.spread, minSpread)
		dev := (adj - level) / spread
		r.Expected = unslog(level + season)
		r.Deviation = dev
		c := math.Max(-clip, math.Min(clip, dev))
		d.cusumU = math.Max(0, d.cusumU+c-cusumSlack)
		d.cusumD = math.Max(0, d.cusumD-c-cusumSlack)
		point := math.Abs(dev) / spikeRef
		run := math.Max(d.cusumU, d.cusumD) / cusumLimit
		raw := math.Max(point, run)
		r.Score = raw / (1 + raw)
		if d.n >= d.cfg.Warmup && r.Score >= d.cfg.Threshold {
			r.Alarm = true
			switch {
			case run >= point && d.cusumU >= d.cusumD:
				r.Kind = LevelUp
			case run >= point:
				r.Kind = LevelDown
			case dev > 0:
				r.Kind = Spike
			default:
				r.Kind = Dip
			}
		}
		// Learn, with the residual clipped so one spike cannot move the spread.
		res := math.Abs(adj - level)
		if d.n < d.cfg.Window {
			d.spread += (res - d.spread) / float64(d.n+1)
		} else {
			d.spread += spreadRate * (math.Min(res, clip*spread) - d.spread)
		}
		if d.cusumU >= cusumLimit || d.cusumD >= cusumLimit {
			// The level moved: forget the old one.
			d.ring = d.ring[:0]
			d.cusumU, d.cusumD = 0, 0
		}
		if d.cadence > 0 && d.cadence <= 3600 {
			// Hour offsets learn from the clipped residual of the level,
			// with a memory of about a week.
			off := math.Max(-clip*spread, math.Min(clip*spread, x-level)) - d.profile[hour]
			w := math.Max(d.cadence/3600/7, 1/float64(d.seen[hour]+1))
			d.profile[hour] += w * off
		}
	}
	d.seen[hour]++
	d.push(adj)
	d.n++
	return r
}

func (d *Detector) push(v float64) {
	if len(d.ring) == d.cfg.Window {
		copy(d.ring, d.ring[1:])
		d.ring = d.ring[:len(d.ring)-1]
	}
	d.ring = append(d.ring, v)
}

func (d *Detector) median() float64 {
	d.sorted = append(d.sorted[:0], d.ring...)
	slices.Sort(d.sorted)
	k := len(d.sorted)
	if k%2 == 1 {
		return d.sorted[k/2]
	}
	return (d.sorted[k/2-1] + d.sorted[k/2]) / 2
}

// Warm reports whether the detector has seen its warm-up points, so that
// its next Reading may be an alarm.
func (d *Detector) Warm() bool { return d.n > d.cfg.Warmup }
