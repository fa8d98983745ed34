package anomaly

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"sync"
	"sync/atomic"

	"github.com/bulwarkhq/bulwark/internal/feature"
	"github.com/bulwarkhq/bulwark/internal/forest"
	"github.com/bulwarkhq/bulwark/threat"
)

// errBadModel is threat.ErrBadModel, which every invalid or truncated
// model wraps.
var errBadModel = threat.ErrBadModel

// FeatureSource gives a client's behavioural feature vector; ok is false
// while the client has too little history. *behavior.Detector implements it.
type FeatureSource interface {
	AppendFeatures(dst []float64, client string) ([]float64, bool)
}

// vectorSource is a FeatureSource that also returns the vector by value,
// as *behavior.Detector does: Detect reads it so, into its own stack,
// where appending took a buffer from a pool and gave it back on every
// request.
type vectorSource interface {
	FeatureVector(client string) ([feature.Num]float64, bool)
}

// Config configures a Detector.
type Config struct {
	Source FeatureSource // required
	// Models holds the model to score with; nil means a holder of the
	// embedded default model.
	Models *threat.Holder[*Model]
	// RobustZ is the robust z-score over the online baseline above which a
	// client is an outlier; default 10. Negative disables the baseline.
	RobustZ float64
	// Warmup is how many established-client vectors the baseline needs
	// before it scores; default 256.
	Warmup int
	// Refresh is how often a client is scored in full: on its first
	// request with enough history and then on every Refresh-th one; the
	// requests in between carry the signals of its last full scoring, and
	// only full scorings feed the baseline. A client's behaviour moves little
	// from one request to the next, and a full scoring (100 trees) is most
	// of the detector's time. Default 16; 1 scores every request; at most
	// 255 (larger values are taken as 255).
	Refresh int
}

// cacheSlots is the size of the per-client score cache (a power of two).
const cacheSlots = 1 << 14

// Detector scores a client's feature vector with the current model of its
// Holder and with an online robust baseline. It implements threat.Detector.
type Detector struct {
	src    FeatureSource
	vsrc   vectorSource // src, when it is one
	models *threat.Holder[*Model]
	base   *baseline
	z      float64
	warmup int
	names  []string
	bufs   sync.Pool

	refresh uint64
	seed    maphash.Seed
	cache   atomic.Pointer[scoreCache]
}

// scoreCache remembers the outcome of each client's last full scoring under
// one model. A slot packs a 32-bit client tag, the requests served from it
// since, the quantised confidences of both signals and the feature the
// baseline flagged, so readers and writers never lock: a lost update costs
// one extra scoring, and a tag collision a full scoring, never a wrong
// client's signals.
type scoreCache struct {
	model *Model
	slots [cacheSlots]atomic.Uint64
}

func packSlot(tag uint32, count uint64, forest, robust float64, feature int) uint64 {
	return uint64(tag)<<32 | min(count, 255)<<24 | quant(forest)<<16 | quant(robust)<<8 | uint64(uint8(feature))
}

// quant maps a confidence in (0,1] to 1..255 and no signal to 0.
func quant(conf float64) uint64 {
	if conf <= 0 {
		return 0
	}
	return uint64(max(1, min(255, int(conf*255+0.5))))
}

var _ threat.Detector = (*Detector)(nil)

// New returns a Detector.
func New(cfg Config) (*Detector, error) {
	if cfg.Source == nil {
		return nil, errors.New("anomaly: Config.Source is required")
	}
	if cfg.Models == nil {
		m, err := DefaultModel()
		if err != nil {
			return nil, err
		}
		if cfg.Models, err = threat.NewHolder(m); err != nil {
			return nil, err
		}
	}
	if cfg.RobustZ == 0 {
		cfg.RobustZ = 10
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = 256
	}
	if cfg.Refresh < 0 {
		return nil, errors.New("anomaly: Config.Refresh is negative")
	}
	if cfg.Refresh == 0 {
		cfg.Refresh = 16
	}
	d := &Detector{src: cfg.Source, models: cfg.Models, z: cfg.RobustZ, warmup: cfg.Warmup,
		refresh: uint64(min(cfg.Refresh, 255)), seed: maphash.MakeSeed()}
	if m := cfg.Models.Active(); m != nil && cfg.RobustZ > 0 {
		d.names = m.f.Features
		d.base = newBaseline(len(m.f.Features), 256, 0.01)
	}
	d.vsrc, _ = cfg.Source.(vectorSource)
	d.bufs.New = func() any { b := make([]float64, 0, forest.MaxFeatures); return &b }
	return d, nil
}

// Name implements threat.Detector.
func (d *Detector) Name() string { return "anomaly" }

// Models returns the holder of the models the Detector scores with, for
// Swap and Rollback.
func (d *Detector) Models() *threat.Holder[*Model] { return d.models }

// Detect appends an anomaly signal when the client's feature vector is an
// outlier for the current model or the online baseline. Clients without
// enough history are not scored; the others are scored in full every
// Refresh requests (see Config.Refresh).
func (d *Detector) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	if req == nil {
		return dst
	}
	if d.vsrc != nil {
		fv, ok := d.vsrc.FeatureVector(req.Client)
		if !ok {
			return dst
		}
		return d.score(req.Client, fv[:], dst)
	}
	bp := d.bufs.Get().(*[]float64)
	defer d.bufs.Put(bp)
	v, ok := d.src.AppendFeatures((*bp)[:0], req.Client)
	*bp = v[:0]
	if !ok {
		return dst
	}
	return d.score(req.Client, v, dst)
}

// score appends the signals of the client's feature vector v.
func (d *Detector) score(client string, v []float64, dst []threat.Signal) []threat.Signal {
	m := d.models.Active()
	c := d.cache.Load()
	if c == nil || c.model != m {
		// a swapped model starts from an empty cache: its first verdict on
		// every client is its own
		nc := &scoreCache{model: m}
		if d.cache.CompareAndSwap(c, nc) {
			c = nc
		} else if c = d.cache.Load(); c.model != m {
			c = nc
		}
	}
	h := maphash.String(d.seed, client)
	slot := &c.slots[h&(cacheSlots-1)]
	tag := uint32(h>>32) | 1
	if e := slot.Load(); uint32(e>>32) == tag && (e>>24)&0xff+1 < d.refresh {
		slot.Store(e + 1<<24)
		return d.emit(dst, m, float64((e>>16)&0xff)/255, float64((e>>8)&0xff)/255, int(e&0xff))
	}
	var iforest, robust float64
	feature := 0
	if m != nil && len(v) == len(m.f.Features) {
		if s, th := m.f.Score(v), m.f.Threshold; s > th {
			iforest = clamp(0.3+(s-th)/(1-th+1e-9)*0.5, 0.3, 0.7)
		}
	}
	if d.base != nil && len(v) == d.base.nf {
		if d.base.count() >= d.warmup {
			if z, f := d.base.maxZ(v); z > d.z {
				robust, feature = clamp(0.2+0.01*(z-d.z), 0.2, 0.5), f
			}
		}
		d.base.update(v)
	}
	slot.Store(packSlot(tag, 0, iforest, robust, feature))
	return d.emit(dst, m, iforest, robust, feature)
}

func (d *Detector) emit(dst []threat.Signal, m *Model, iforest, robust float64, feature int) []threat.Signal {
	if iforest > 0 && m != nil {
		dst = append(dst, threat.Signal{Detector: "anomaly", Family: "anomaly", Rule: "anomaly.iforest", Confidence: iforest, Location: "client", Evidence: m.f.Version})
	}
	if robust > 0 && feature < len(d.names) {
		dst = append(dst, threat.Signal{Detector: "anomaly", Family: "anomaly", Rule: "anomaly.robust-z", Confidence: robust, Location: "client", Evidence: d.names[feature]})
	}
	return dst
}

func clamp(x, lo, hi float64) float64 { return max(lo, min(hi, x)) }

//go:embed default_model.json.gz
var defaultModel []byte

// DefaultModel decodes the embedded default model (a fresh copy each call).
func DefaultModel() (*Model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(defaultModel))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadModel, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, forest.MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errBadModel, err)
	}
	return ParseModel(b)
}
