package fleet

// Clients exposes the reverse lookup to the package's external tests.
func Clients(p *Pseudonyms, pseudonym string) []string { return p.clients(pseudonym) }
