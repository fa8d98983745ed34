package anomaly

import "github.com/bulwarkhq/bulwark/threat/behavior"

// *behavior.Detector must be a vectorSource, or New falls back to
// AppendFeatures and its pooled buffer without a word: the assertion is
// checked when the tests compile.
var _ vectorSource = (*behavior.Detector)(nil)
