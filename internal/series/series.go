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
const DefaultThreshold = 0.275

// Reading is the detector's verdict on one point.
type Reading struct {
	Time     time.Time
	Value    float64
	Expected float64 // the baseline, on the value's scale
	// Deviation is the residual in spreads, signed.
	Deviation float64
	// Score in [0, 1] is the rarity of the deviation, or of the run of
	// deviations on one side, among the series' recent ones: −log10 of its
	// estimated probability (times the points an hour, when more than one),
	// over 8.
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
	devs   tail // of |deviation|
	runs   tail // of the CUSUM

	profile     [24]float64 // offsets at each full hour of the day
	day         []stamped   // the last day's profile-adjusted values
	daySum      float64
	dayMean     float64
	seen        [24]int
	first       time.Time
	wasSeasonal bool
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
	// scoreDecades maps rarity to the score: a point as rare as 10^-8 or
	// rarer scores 1, one of 10^-4 scores 0.5.
	scoreDecades = 8.0
	minSpread    = 0.01 // on the log scale: a 1% change is never anomalous
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

type stamped struct {
	t time.Time
	v float64
}

// hours returns the hours of the day whose profile values t lies between,
// and the weight of the second: the profile is linear between full hours,
// so it does not step at each of them, and an hourly point falls on one.
func hours(t time.Time) (h0, h1 int, w1 float64) {
	t = t.UTC()
	h0 = t.Hour()
	return h0, (h0 + 1) % 24, (float64(t.Minute()) + float64(t.Second())/60) / 60
}

// settled reports whether the baseline is formed: the warm-up is over and,
// for points at least hourly, the hour profile is in use.
func (d *Detector) settled(t time.Time) bool {
	return d.n >= d.cfg.Warmup && (d.cadence > 3600 || d.seasonal(t))
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
	h0, h1, w1 := hours(t)
	hour := h0
	seasonal := d.seasonal(t)
	if seasonal && !d.wasSeasonal {
		// The deviations so far were from a baseline without the profile:
		// start their tails afresh (the old fits serve until new ones).
		d.devs.restart()
		d.runs.restart()
	}
	d.wasSeasonal = seasonal
	season := 0.0
	if seasonal {
		season = (1-w1)*d.profile[h0] + w1*d.profile[h1]
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
		run := math.Max(d.cusumU, d.cusumD)
		pPoint := d.devs.p(math.Abs(dev))
		if math.IsNaN(pPoint) {
			// Before the tail is fitted: a normal tail, the spread being
			// about 0.8 standard deviations.
			pPoint = math.Erfc(math.Abs(dev) / 1.25 / math.Sqrt2)
		}
		pRun := d.runs.p(run)
		if math.IsNaN(pRun) || run == 0 {
			pRun = 1
		}
		// Rarity per hour, not per point: a series sampled every minute has
		// sixty chances an hour to turn up a one-in-a-thousand deviation.
		perHour := 1.0
		if d.cadence > 0 && d.cadence < 3600 {
			perHour = 3600 / d.cadence
		}
		p := math.Min(1, math.Min(pPoint, pRun)*perHour)
		r.Score = math.Min(1, -math.Log10(math.Max(p, 1e-300))/scoreDecades)
		if d.n >= d.cfg.Warmup && d.devs.n > 0 && r.Score >= d.cfg.Threshold {
			r.Alarm = true
			switch {
			case pRun < pPoint && d.cusumU >= d.cusumD:
				r.Kind = LevelUp
			case pRun < pPoint:
				r.Kind = LevelDown
			case dev > 0:
				r.Kind = Spike
			default:
				r.Kind = Dip
			}
		}
		if d.settled(t) {
			// Deviations from a baseline still forming would make every
			// later one look ordinary.
			d.devs.add(math.Abs(dev))
			d.runs.add(run)
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
			// Hour offsets learn from the clipped residual of the day's
			// mean, with a memory of about a week. The day's mean, not the
			// level: a median of the last hours sits on one part of the
			// cycle.
			res := x - d.dayMean
			for _, s := range [2]struct {
				h int
				w float64
			}{{h0, 1 - w1}, {h1, w1}} {
				// The step is clipped, not the residual: a spike moves the
				// profile little, a real profile is learnt whole.
				step := math.Max(-clip*spread, math.Min(clip*spread, res-d.profile[s.h]))
				if d.seen[s.h] < 2 {
					step = res - d.profile[s.h]
				}
				w := math.Max(d.cadence/3600/7, 1/float64(d.seen[s.h]+1))
				d.profile[s.h] += s.w * w * step
			}
		}
	}
	// The mean over the last day of the values adjusted by the profile as
	// it stands: a whole cycle, so the cycle cancels out of it.
	full := x - ((1-w1)*d.profile[h0] + w1*d.profile[h1])
	d.day = append(d.day, stamped{t, full})
	d.daySum += full
	for len(d.day) > 1 && t.Sub(d.day[0].t) >= 24*time.Hour {
		d.daySum -= d.day[0].v
		d.day = d.day[1:]
	}
	d.dayMean = d.daySum / float64(len(d.day))
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
