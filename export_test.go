package bulwark

// StrictnessOf exposes the strictness a Guard applies on a route pattern
// ("" for the Config's) to the package's external tests.
func StrictnessOf(g *Guard, pattern string) Strictness { return g.policy(pattern).strict }
