package layering

import (
	"os/exec"
	"strings"
	"testing"
)

const module = "github.com/bulwarkhq/bulwark/"

// rules: what a package may not depend on, directly or through another
// package (`go list -deps`; test files excluded). A path ending in "/..."
// forbids the package and everything under it.
var rules = []struct {
	pkg       string
	forbidden []string
}{
	{pkg: "ratelimit", forbidden: []string{"storage/memory", "storage/redis", "threat/...", "middleware", "github.com/go-chi/chi/v5/..."}},
	{pkg: "threat", forbidden: []string{"storage/memory", "storage/redis", "threat/standard", "ratelimit/...", "middleware", "github.com/go-chi/chi/v5/..."}},
	{pkg: "storage", forbidden: []string{"storage/memory", "storage/redis", "ratelimit/...", "threat/...", "middleware"}},
	{pkg: "storage/memory", forbidden: []string{"storage/redis", "ratelimit/...", "threat/...", "middleware"}},
	{pkg: "storage/redis", forbidden: []string{"storage/memory", "ratelimit/...", "threat/...", "middleware"}},
	{pkg: "middleware", forbidden: []string{"threat/standard", "ratelimit/standard", "standard", "storage/memory", "storage/redis", "github.com/go-chi/chi/v5/..."}},
	// the decision core links no defaults: a program that brings its own
	// engine and limiter does not link the standard ones
	{pkg: "", forbidden: []string{"threat/standard", "ratelimit/standard", "standard", "storage/memory", "storage/redis", "middleware/...", "threat/signature", "threat/behavior", "threat/anomaly/...", "github.com/go-chi/chi/v5/..."}},
}

func TestImportsPointOneWay(t *testing.T) {
	for _, r := range rules {
		name := r.pkg
		if name == "" {
			name = "bulwark"
		}
		t.Run(name+" not "+strings.Join(r.forbidden, ","), func(t *testing.T) {
			out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", strings.TrimSuffix(module+r.pkg, "/")).CombinedOutput()
			if err != nil {
				t.Fatalf("go list: %v\n%s", err, out)
			}
			for _, dep := range strings.Fields(string(out)) {
				for _, f := range r.forbidden {
					if matches(dep, f) {
						t.Errorf("%s imports %s (DESIGN.md: imports point one way)", r.pkg, dep)
					}
				}
			}
		})
	}
}

func matches(dep, pattern string) bool {
	full := pattern
	if !strings.HasPrefix(pattern, "github.com/") {
		full = module + pattern
	}
	if base, ok := strings.CutSuffix(full, "/..."); ok {
		return dep == base || strings.HasPrefix(dep, base+"/")
	}
	return dep == full
}

// The rule itself must catch a wrong-way import.
func TestMatches(t *testing.T) {
	cases := []struct {
		dep, pattern string
		want         bool
	}{
		{module + "storage/memory", "storage/memory", true},
		{module + "storage/memorystore", "storage/memory", false},
		{module + "threat/standard", "threat/...", true},
		{module + "threat", "threat/...", true},
		{module + "threatx", "threat/...", false},
		{"github.com/go-chi/chi/v5/middleware", "github.com/go-chi/chi/v5/...", true},
	}
	for _, tc := range cases {
		if got := matches(tc.dep, tc.pattern); got != tc.want {
			t.Errorf("matches(%q, %q) = %v", tc.dep, tc.pattern, got)
		}
	}
}
