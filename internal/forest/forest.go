// Package forest is the isolation forest of threat/anomaly (Liu, Ting and
// Zhou, 2008) in the form it is trained and stored in: the trees, the
// robust statistics of the training data, Train, and the compiled form
// Score walks. threat/anomaly wraps a Model; the training command
// (threat/anomaly/cmd/train) builds one.
package forest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"time"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/stat"

	"github.com/bulwarkhq/bulwark/threat"
)

// Limits of a Model, checked on load.
const (
	MaxFeatures   = 64
	MaxTrees      = 1000
	MaxSampleSize = 4096
	MaxModelBytes = 32 << 20
)

// errBadModel is threat.ErrBadModel, which every invalid or truncated
// model wraps.
var errBadModel = threat.ErrBadModel

// Tree is one isolation tree in flat form: node i is a leaf when
// Feature[i] < 0 (Size[i] training points reached it), else it sends x to
// Left[i] when x[Feature[i]] < Split[i] and to Right[i] otherwise.
type Tree struct {
	Feature []int16   `json:"f"`
	Split   []float64 `json:"s"`
	Left    []int32   `json:"l"`
	Right   []int32   `json:"r"`
	Size    []int32   `json:"n"`
}

// Model is a trained isolation forest with the robust statistics of its
// training data: a versioned, immutable artefact.
type Model struct {
	Version    string    `json:"version"`
	Features   []string  `json:"features"`
	TrainedAt  time.Time `json:"trained_at"`
	SampleSize int       `json:"sample_size"`
	// Threshold is the anomaly score above which a vector is an outlier
	// (a high quantile of the training scores).
	Threshold float64   `json:"threshold"`
	Median    []float64 `json:"median"` // per feature, of the training vectors
	MAD       []float64 `json:"mad"`    // per feature median absolute deviation
	Trees     []Tree    `json:"trees"`

	flat  []node  // every tree's nodes, for cache-friendly scoring
	roots []int32 // index of each tree's root in flat
	// walk is set when every tree is a proper tree (no node with two
	// parents): flat then holds leaves that point to themselves with their
	// whole path length, and every tree is walked exactly depth steps.
	walk  bool
	depth int
}

// node is a compact isolation-tree node. In a walkable model a leaf has
// feature len(Features) (a slot that compares as +Inf), points to itself
// and holds its path length (depth + c(size)) in split; otherwise a leaf
// has feature < 0 and split holds c(size).
type node struct {
	split       float64
	left, right int32
	feature     int16
}

// compile builds the flat node array of a valid model.
func (m *Model) compile() {
	m.flat, m.roots = nil, make([]int32, len(m.Trees))
	for t := range m.Trees {
		tr := &m.Trees[t]
		base := int32(len(m.flat))
		m.roots[t] = base
		for i := range tr.Feature {
			n := node{feature: tr.Feature[i], split: tr.Split[i], left: tr.Left[i] + base, right: tr.Right[i] + base}
			if n.feature < 0 {
				n.split = cTable[tr.Size[i]]
			}
			m.flat = append(m.flat, n)
		}
	}
	m.walk, m.depth = false, 0
	// Validate has put children after their parents: one forward pass gives
	// every reachable node its depth, and finds a node with two parents.
	depth := make([]int32, len(m.flat))
	for i := range depth {
		depth[i] = -1
	}
	for _, r := range m.roots {
		depth[r] = 0
	}
	for i := range m.flat {
		n := &m.flat[i]
		if n.feature < 0 || depth[i] < 0 {
			continue
		}
		for _, c := range [2]int32{n.left, n.right} {
			if depth[c] >= 0 || n.left == n.right {
				return // shared child: walk each tree to its leaf instead
			}
			depth[c] = depth[i] + 1
		}
	}
	leaf := int16(len(m.Features))
	for i := range m.flat {
		n := &m.flat[i]
		if n.feature >= 0 || depth[i] < 0 {
			continue
		}
		n.feature, n.left, n.right = leaf, int32(i), int32(i)
		n.split += float64(depth[i]) // depth + c(size), as the walk adds them
		m.depth = max(m.depth, int(depth[i]))
	}
	m.walk = true
}

// TrainConfig tunes Train. Its zero value follows Liu et al.
type TrainConfig struct {
	Version    string   // default "if-" + training time
	Features   []string // feature names; default f0, f1, ...
	Trees      int      // default 100
	SampleSize int      // default 256
	Quantile   float64  // threshold quantile of training scores; default 0.99
	Seed       uint64   // random seed; training is deterministic for a seed
}

// c is the average path length of an unsuccessful search in a binary search
// tree of n points: the normalisation of Liu et al.
func c(n float64) float64 {
	switch {
	case n > 2:
		return 2*(math.Log(n-1)+0.5772156649015329) - 2*(n-1)/n
	case n == 2:
		return 1
	}
	return 0
}

// cTable caches c(n) for every leaf size a valid model can hold.
var cTable = func() []float64 {
	t := make([]float64, MaxSampleSize+1)
	for n := range t {
		t[n] = c(float64(n))
	}
	return t
}()

// Train builds an isolation forest from vectors of equal length.
func Train(vectors [][]float64, cfg TrainConfig) (*Model, error) {
	if len(vectors) < 2 {
		return nil, errors.New("forest: need at least 2 vectors")
	}
	nf := len(vectors[0])
	if nf == 0 || nf > MaxFeatures {
		return nil, fmt.Errorf("forest: %d features", nf)
	}
	for _, v := range vectors {
		if len(v) != nf {
			return nil, errors.New("forest: vectors of unequal length")
		}
		for _, x := range v {
			if math.IsNaN(x) || math.IsInf(x, 0) {
				return nil, errors.New("forest: non-finite feature value")
			}
		}
	}
	if cfg.Trees <= 0 {
		cfg.Trees = 100
	}
	if cfg.SampleSize <= 0 {
		cfg.SampleSize = 256
	}
	cfg.Trees = min(cfg.Trees, MaxTrees)
	cfg.SampleSize = min(cfg.SampleSize, MaxSampleSize, len(vectors))
	if cfg.Quantile <= 0 || cfg.Quantile >= 1 {
		cfg.Quantile = 0.99
	}
	if cfg.Features == nil {
		for i := 0; i < nf; i++ {
			cfg.Features = append(cfg.Features, fmt.Sprintf("f%d", i))
		}
	}
	if len(cfg.Features) != nf {
		return nil, errors.New("forest: feature names do not match vectors")
	}
	now := time.Now().UTC()
	m := &Model{Version: cfg.Version, Features: cfg.Features, TrainedAt: now, SampleSize: cfg.SampleSize}
	if m.Version == "" {
		m.Version = "if-" + now.Format("20060102T150405Z")
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x9e3779b97f4a7c15))
	limit := int(math.Ceil(math.Log2(float64(cfg.SampleSize))))
	idx := make([]int, len(vectors))
	for i := range idx {
		idx[i] = i
	}
	for t := 0; t < cfg.Trees; t++ {
		rng.Shuffle(len(idx), func(i, j int) { idx[i], idx[j] = idx[j], idx[i] })
		sample := append([]int(nil), idx[:cfg.SampleSize]...)
		var tr Tree
		grow(&tr, vectors, sample, 0, limit, rng)
		m.Trees = append(m.Trees, tr)
	}
	m.compile()
	col := make([]float64, len(vectors))
	m.Median = make([]float64, nf)
	m.MAD = make([]float64, nf)
	for f := 0; f < nf; f++ {
		for i, v := range vectors {
			col[i] = v[f]
		}
		m.Median[f], m.MAD[f] = MedianMAD(col)
	}
	scores := make([]float64, len(vectors))
	for i, v := range vectors {
		scores[i] = m.Score(v)
	}
	sort.Float64s(scores)
	m.Threshold = stat.Quantile(cfg.Quantile, stat.Empirical, scores, nil)
	return m, nil
}

// MedianMAD returns the median and the median absolute deviation of x,
// which it sorts in place.
func MedianMAD(x []float64) (float64, float64) {
	sort.Float64s(x)
	med := stat.Quantile(0.5, stat.Empirical, x, nil)
	floats.AddConst(-med, x)
	for i := range x {
		x[i] = math.Abs(x[i])
	}
	sort.Float64s(x)
	mad := stat.Quantile(0.5, stat.Empirical, x, nil)
	return med, mad
}

func grow(tr *Tree, vs [][]float64, sample []int, depth, limit int, rng *rand.Rand) int32 {
	id := int32(len(tr.Feature))
	tr.Feature = append(tr.Feature, -1)
	tr.Split = append(tr.Split, 0)
	tr.Left = append(tr.Left, -1)
	tr.Right = append(tr.Right, -1)
	tr.Size = append(tr.Size, int32(len(sample)))
	if depth >= limit || len(sample) <= 1 {
		return id
	}
	nf := len(vs[0])
	start := rng.IntN(nf)
	for k := 0; k < nf; k++ {
		f := (start + k) % nf
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, i := range sample {
			lo, hi = math.Min(lo, vs[i][f]), math.Max(hi, vs[i][f])
		}
		if hi <= lo {
			continue
		}
		split := lo + rng.Float64()*(hi-lo)
		if split <= lo {
			split = math.Nextafter(lo, hi)
		}
		var left, right []int
		for _, i := range sample {
			if vs[i][f] < split {
				left = append(left, i)
			} else {
				right = append(right, i)
			}
		}
		tr.Feature[id] = int16(f)
		tr.Split[id] = split
		l := grow(tr, vs, left, depth+1, limit, rng)
		r := grow(tr, vs, right, depth+1, limit, rng)
		tr.Left[id], tr.Right[id] = l, r
		return id
	}
	return id // all features constant: a leaf
}

// pathLength returns the path length of x in tr with the c(n) correction.
func (tr *Tree) pathLength(x []float64) float64 {
	i, depth := int32(0), 0.0
	for steps := 0; steps < len(tr.Feature); steps++ {
		f := tr.Feature[i]
		if f < 0 {
			return depth + cTable[tr.Size[i]]
		}
		if x[f] < tr.Split[i] {
			i = tr.Left[i]
		} else {
			i = tr.Right[i]
		}
		depth++
	}
	return depth
}

// Score returns the isolation-forest anomaly score of x in (0,1]: close to 1
// for outliers, well under 0.5 for inliers. x must have len(m.Features)
// entries; Score returns 0 otherwise. It allocates nothing.
func (m *Model) Score(x []float64) float64 {
	if len(x) != len(m.Features) || len(m.Trees) == 0 {
		return 0
	}
	sum := 0.0
	if len(m.roots) == len(m.Trees) {
		sum = m.flatSum(x)
		return math.Exp2(-sum / float64(len(m.Trees)) / cTable[m.SampleSize])
	}
	for i := range m.Trees {
		sum += m.Trees[i].pathLength(x)
	}
	mean := sum / float64(len(m.Trees))
	return math.Exp2(-mean / cTable[m.SampleSize])
}

// flatSum returns the sum of x's path lengths over the compiled trees, in
// tree order. A walk down a tree is a chain of dependent loads and
// unpredictable branches. In a walkable model every walk takes exactly
// m.depth branch-free steps (a leaf steps to itself), and four trees are
// walked side by side so that their chains overlap.
func (m *Model) flatSum(x []float64) float64 {
	flat, roots := m.flat, m.roots
	sum := 0.0
	if !m.walk {
		for _, i := range roots {
			depth := 0.0
			for {
				n := &flat[i]
				if n.feature < 0 {
					sum += depth + n.split
					break
				}
				if x[n.feature] < n.split {
					i = n.left
				} else {
					i = n.right
				}
				depth++
			}
		}
		return sum
	}
	var xe [MaxFeatures + 1]float64
	copy(xe[:], x)
	xe[len(x)] = math.Inf(1) // a leaf's feature: never below its split
	step := func(i int32) int32 {
		n := &flat[i]
		next := n.right
		if xe[n.feature] < n.split {
			next = n.left
		}
		return next
	}
	t := 0
	for ; t+4 <= len(roots); t += 4 {
		i0, i1, i2, i3 := roots[t], roots[t+1], roots[t+2], roots[t+3]
		for range m.depth {
			i0, i1, i2, i3 = step(i0), step(i1), step(i2), step(i3)
		}
		sum += flat[i0].split
		sum += flat[i1].split
		sum += flat[i2].split
		sum += flat[i3].split
	}
	for ; t < len(roots); t++ {
		i := roots[t]
		for range m.depth {
			i = step(i)
		}
		sum += flat[i].split
	}
	return sum
}

// Parse decodes a model from its JSON encoding (json.Marshal of a Model)
// and validates it; errors wrap threat.ErrBadModel.
func Parse(b []byte) (*Model, error) {
	if len(b) > MaxModelBytes {
		return nil, fmt.Errorf("%w: %d bytes", errBadModel, len(b))
	}
	m := new(Model)
	if err := json.Unmarshal(b, m); err != nil {
		return nil, fmt.Errorf("%w: %v", errBadModel, err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	m.compile()
	return m, nil
}

// Hash returns the SHA-256 of the model's JSON encoding, hex-encoded: the
// name of its content, whatever its Version says.
func (m *Model) Hash() string {
	b, _ := json.Marshal(m) // a Model always encodes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Validate checks the structure of m: every tree index in range, acyclic
// (children after their parent), finite values.
func (m *Model) Validate() error {
	nf := len(m.Features)
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: "+format, append([]any{errBadModel}, a...)...)
	}
	switch {
	case m.Version == "":
		return bad("no version")
	case nf == 0 || nf > MaxFeatures:
		return bad("%d features", nf)
	case len(m.Trees) == 0 || len(m.Trees) > MaxTrees:
		return bad("%d trees", len(m.Trees))
	case m.SampleSize < 2 || m.SampleSize > MaxSampleSize:
		return bad("sample size %d", m.SampleSize)
	case !(m.Threshold > 0 && m.Threshold <= 1):
		return bad("threshold %v", m.Threshold)
	case len(m.Median) != nf || len(m.MAD) != nf:
		return bad("robust statistics for %d features", nf)
	}
	for _, x := range append(append([]float64(nil), m.Median...), m.MAD...) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return bad("non-finite statistic")
		}
	}
	for t := range m.Trees {
		tr := &m.Trees[t]
		n := len(tr.Feature)
		if n == 0 || n > 2*MaxSampleSize || len(tr.Split) != n || len(tr.Left) != n || len(tr.Right) != n || len(tr.Size) != n {
			return bad("tree %d shape", t)
		}
		for i := 0; i < n; i++ {
			if tr.Size[i] < 0 || int(tr.Size[i]) > m.SampleSize {
				return bad("tree %d node %d size", t, i)
			}
			if tr.Feature[i] < 0 {
				continue
			}
			if int(tr.Feature[i]) >= nf || math.IsNaN(tr.Split[i]) ||
				tr.Left[i] <= int32(i) || int(tr.Left[i]) >= n || tr.Right[i] <= int32(i) || int(tr.Right[i]) >= n {
				return bad("tree %d node %d", t, i)
			}
		}
	}
	return nil
}
