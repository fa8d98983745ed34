package signature

import (
	"embed"
	"strings"
)

// crsData holds word lists of the OWASP Core Rule Set (Apache-2.0, see
// crs/README.md and crs/LICENSE): unix and Windows commands, PHP functions,
// Java classes, restricted files, AI assistants' folders, LFI targets and
// SSRF targets.
//
//go:embed crs/*.data
var crsData embed.FS

// crsList returns the entries of one CRS data file (its name without
// folder and extension): one per line, comments and blank lines left out.
// The files are embedded and tested, so a missing one is a build defect
// and panics at package initialisation.
func crsList(name string) []string {
	b, err := crsData.ReadFile("crs/" + name + ".data")
	if err != nil {
		panic("signature: embedded CRS list: " + err.Error())
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		out = append(out, line)
	}
	return out
}
