package threat

// NeutralModel returns the neutral combiner model named version, for the
// package's external tests.
func NeutralModel(version string) *Model {
	m := neutralModel()
	m.p.Version = version
	return m
}

// SetLevels replaces m's level thresholds (an unordered set makes m
// invalid), for the package's external tests.
func SetLevels(m *Model, levels [4]float64) { m.p.Levels = levels }
