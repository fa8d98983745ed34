package anomaly

import (
	"math"
	"sync"

	"github.com/bulwarkhq/bulwark/internal/forest"
)

// baseline is an online robust baseline of a population of feature
// vectors: per feature an exponentially weighted mean and variance, and the
// median and MAD of the last Window vectors (recomputed every Window
// updates with gonum/stat). It is safe for concurrent use.
type baseline struct {
	mu       sync.Mutex
	nf       int
	alpha    float64
	mean     []float64
	variance []float64
	ring     [][]float64 // per feature, last len(ring[f]) values
	pos, n   int
	since    int
	median   []float64
	mad      []float64
	scratch  []float64
}

// newBaseline returns a baseline over nf features, with an EWMA weight
// alpha (default 0.01) and a median/MAD window of window vectors (default 256).
func newBaseline(nf, window int, alpha float64) *baseline {
	if window <= 0 {
		window = 256
	}
	if alpha <= 0 || alpha >= 1 {
		alpha = 0.01
	}
	b := &baseline{nf: nf, alpha: alpha, mean: make([]float64, nf), variance: make([]float64, nf),
		ring: make([][]float64, nf), median: make([]float64, nf), mad: make([]float64, nf), scratch: make([]float64, window)}
	for f := range b.ring {
		b.ring[f] = make([]float64, window)
	}
	return b
}

// update adds x (len nf; other lengths are ignored) to the baseline.
func (b *baseline) update(x []float64) {
	if len(x) != b.nf {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	w := len(b.scratch)
	for f, v := range x {
		if b.n == 0 {
			b.mean[f] = v
		}
		d := v - b.mean[f]
		b.mean[f] += b.alpha * d
		b.variance[f] = (1 - b.alpha) * (b.variance[f] + b.alpha*d*d)
		b.ring[f][b.pos] = v
	}
	b.pos = (b.pos + 1) % w
	if b.n < w {
		b.n++
	}
	b.since++
	if b.since >= w || b.n < 32 {
		b.since = 0
		for f := 0; f < b.nf; f++ {
			s := b.scratch[:b.n]
			copy(s, b.ring[f][:b.n])
			b.median[f], b.mad[f] = forest.MedianMAD(s)
		}
	}
}

// count returns how many vectors the median/MAD window holds.
func (b *baseline) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.n
}

// maxZ returns the largest robust z-score |x-median| / (1.4826·MAD) over
// the features of x, and its feature index. A feature whose MAD is zero uses
// the EWMA standard deviation instead (and is skipped when that is zero too).
func (b *baseline) maxZ(x []float64) (float64, int) {
	if len(x) != b.nf {
		return 0, -1
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	best, at := 0.0, -1
	for f, v := range x {
		scale := 1.4826 * b.mad[f]
		if scale == 0 {
			scale = math.Sqrt(b.variance[f])
		}
		if scale == 0 {
			continue
		}
		if z := math.Abs(v-b.median[f]) / scale; z > best {
			best, at = z, f
		}
	}
	return best, at
}
