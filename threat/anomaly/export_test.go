package anomaly

// Features exposes a model's feature names to the package's external tests.
func Features(m *Model) []string { return m.f.Features }
