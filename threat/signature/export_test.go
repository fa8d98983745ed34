package signature

// AfterPadding exposes afterPadding to the external tests.
func AfterPadding(v string) (string, bool) {
	rest, ok, _ := afterPadding(v)
	return rest, ok
}

// TrimRuns exposes trimRuns to the external tests.
var TrimRuns = trimRuns

// PaddingOf exposes paddingOf to the external tests.
var PaddingOf = paddingOf

// FormatProbe exposes formatProbe to the external tests.
var FormatProbe = formatProbe
