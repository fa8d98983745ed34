package forecast

import (
	"fmt"
	"math"
	"slices"
)

// prepared is a history ready for the models: on the log scale when the
// values are non-negative, with outages and gaps as NaN.
type prepared struct {
	z       []float64 // transformed values, NaN where missing or an outage
	logged  bool
	missing int // NaN steps in the input
	outage  int // steps dropped as an outage
	notes   []string
}

func (p *prepared) back(z float64) float64 {
	if !p.logged {
		return z
	}
	return math.Max(0, math.Expm1(z))
}

func (p *prepared) forward(y float64) float64 {
	if !p.logged {
		return y
	}
	return math.Log1p(y)
}

// prepare transforms y. Counts are modelled as log(1+y): traffic varies by
// multiples, and the log keeps a forecast positive. A series with a negative
// value is modelled as is.
//
// An outage is a value under a tenth of what that hour usually sees (the
// median of the same slot of the season) where the usual is at least
// outageFloor: for a count with that median a value so low is not noise
// (a Poisson count of mean 20 falls under 2 with probability 1e-7). Outage
// steps are dropped from fitting, unless they run to the end of the
// history: then they are the present, and are kept.
func prepare(y []float64, season int) *prepared {
	p := &prepared{z: make([]float64, len(y)), logged: true}
	for _, v := range y {
		if v < 0 {
			p.logged = false
			break
		}
	}
	for i, v := range y {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			p.missing++
			p.z[i] = math.NaN()
			continue
		}
		p.z[i] = p.forward(v)
	}
	if p.missing > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d missing steps left out of fitting", p.missing))
	}
	if !p.logged || season < 1 || len(y) < 2*season {
		return p
	}
	usual := make([]float64, season)
	var buf []float64
	for s := range season {
		buf = buf[:0]
		for i := s; i < len(y); i += season {
			if !math.IsNaN(y[i]) && !math.IsInf(y[i], 0) {
				buf = append(buf, y[i])
			}
		}
		if len(buf) == 0 {
			continue
		}
		slices.Sort(buf)
		usual[s] = buf[len(buf)/2]
	}
	out := make([]bool, len(y))
	last := -1
	for i, v := range y {
		u := usual[i%season]
		if u >= outageFloor && !math.IsNaN(v) && v < 0.1*u {
			out[i] = true
			last = i
		}
	}
	// A run that reaches the end of the history is the present state.
	end := len(y)
	if last == len(y)-1 {
		for end > 0 && out[end-1] {
			end--
		}
		p.notes = append(p.notes, fmt.Sprintf("the last %d steps look like an outage and are kept: the forecast starts from them", len(y)-end))
	}
	for i := 0; i < end; i++ {
		if out[i] {
			p.z[i] = math.NaN()
			p.outage++
		}
	}
	if p.outage > 0 {
		p.notes = append(p.notes, fmt.Sprintf("%d steps of outage (under a tenth of the usual) left out of fitting", p.outage))
	}
	return p
}

const outageFloor = 20
