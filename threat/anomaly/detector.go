package anomaly

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/bulwarkhq/bulwark/threat"
)

// FeatureSource gives a client's behavioural feature vector; ok is false
// while the client has too little history. *behavior.Detector implements it.
type FeatureSource interface {
	AppendFeatures(dst []float64, client string) ([]float64, bool)
}

// Config configures a Detector.
type Config struct {
	Source FeatureSource // required
	// Models holds the model to score with; nil means a Holder with the
	// embedded default model.
	Models *Holder
	// RobustZ is the robust z-score over the online baseline above which a
	// client is an outlier; default 10. Negative disables the baseline.
	RobustZ float64
	// Warmup is how many established-client vectors the baseline needs
	// before it scores; default 256.
	Warmup int
}

// Detector scores a client's feature vector with the current model of its
// Holder and with an online robust baseline. It implements threat.Detector.
type Detector struct {
	src    FeatureSource
	models *Holder
	base   *Baseline
	z      float64
	warmup int
	names  []string
	bufs   sync.Pool
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
		if cfg.Models, err = NewHolder(m); err != nil {
			return nil, err
		}
	}
	if cfg.RobustZ == 0 {
		cfg.RobustZ = 10
	}
	if cfg.Warmup <= 0 {
		cfg.Warmup = 256
	}
	d := &Detector{src: cfg.Source, models: cfg.Models, z: cfg.RobustZ, warmup: cfg.Warmup}
	if m := cfg.Models.Current(); m != nil && cfg.RobustZ > 0 {
		d.names = m.Features
		d.base = NewBaseline(len(m.Features), 256, 0.01)
	}
	d.bufs.New = func() any { b := make([]float64, 0, MaxFeatures); return &b }
	return d, nil
}

// Name implements threat.Detector.
func (d *Detector) Name() string { return "anomaly" }

// Models returns the Holder the Detector scores with, for Swap and Rollback.
func (d *Detector) Models() *Holder { return d.models }

// Detect appends an anomaly signal when the client's feature vector is an
// outlier for the current model or the online baseline. Clients without
// enough history are not scored.
func (d *Detector) Detect(req *threat.Request, dst []threat.Signal) []threat.Signal {
	if req == nil {
		return dst
	}
	bp := d.bufs.Get().(*[]float64)
	defer d.bufs.Put(bp)
	v, ok := d.src.AppendFeatures((*bp)[:0], req.Client)
	*bp = v[:0]
	if !ok {
		return dst
	}
	if m := d.models.Current(); m != nil && len(v) == len(m.Features) {
		if s := m.Score(v); s > m.Threshold {
			conf := clamp(0.3+(s-m.Threshold)/(1-m.Threshold+1e-9)*0.5, 0.3, 0.7)
			dst = append(dst, threat.Signal{Detector: "anomaly", Family: "anomaly", Rule: "anomaly.iforest", Confidence: conf, Location: "client", Evidence: m.Version})
		}
	}
	if d.base != nil && len(v) == d.base.nf {
		if d.base.Count() >= d.warmup {
			if z, f := d.base.MaxZ(v); z > d.z {
				dst = append(dst, threat.Signal{Detector: "anomaly", Family: "anomaly", Rule: "anomaly.robust-z", Confidence: clamp(0.2+0.01*(z-d.z), 0.2, 0.5), Location: "client", Evidence: d.names[f]})
			}
		}
		d.base.Update(v)
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
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrBadModel, err)
	}
	m := new(Model)
	if err := m.UnmarshalBinary(b); err != nil {
		return nil, err
	}
	return m, nil
}
