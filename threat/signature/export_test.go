package signature

// AfterPadding exposes afterPadding to the external tests.
var AfterPadding = afterPadding
