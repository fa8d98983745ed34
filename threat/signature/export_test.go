package signature

// AfterPadding exposes afterPadding to the external tests.
func AfterPadding(v string) (string, bool) {
	rest, ok, _ := afterPadding(v)
	return rest, ok
}
