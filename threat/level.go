package threat

import "fmt"

// MarshalText encodes the level as its name, so JSON reads "critical"
// rather than 4.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText decodes a level name ("none" … "critical").
func (l *Level) UnmarshalText(b []byte) error {
	v, err := parseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// parseLevel returns the level named name ("none", "low", "medium", "high",
// "critical").
func parseLevel(name string) (Level, error) {
	for l := LevelNone; l <= LevelCritical; l++ {
		if l.String() == name {
			return l, nil
		}
	}
	return 0, fmt.Errorf("threat: unknown level %q", name)
}
