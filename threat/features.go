package threat

// AppendFeatures appends the behavioural feature vector of client (as of
// its latest request) from the first detector that keeps one (the
// standard engine's behaviour detector), so that an event exporter can
// send the vector with a scored event without holding the detector
// itself. ok is false when no detector keeps features or the client has
// too little history.
func (e *Engine) AppendFeatures(dst []float64, client string) ([]float64, bool) {
	for i := range e.detectors {
		if f, ok := e.detectors[i].Detector.(interface {
			AppendFeatures(dst []float64, client string) ([]float64, bool)
		}); ok {
			return f.AppendFeatures(dst, client)
		}
	}
	return dst, false
}
