package body

import (
	"strings"
	"testing"
)

// checkArena decodes each of docs in turn into one arena and, once all
// are decoded, compares every string with jsonStringPlain's: a string
// written over by a later one, or moved with a chunk, shows.
func checkArena(t *testing.T, docs []string) {
	t.Helper()
	var a arena
	type result struct {
		s    string
		n    int
		good bool
	}
	got := make([]result, len(docs))
	for k, d := range docs {
		s, n, good := a.jsonString(d)
		got[k] = result{s, n, good}
	}
	for k, d := range docs {
		s, n, good := jsonStringPlain(d)
		if g := got[k]; g.s != s || g.n != n || g.good != good {
			t.Fatalf("arena jsonString(%q) = %q, %d, %v; plain %q, %d, %v", d, g.s, g.n, g.good, s, n, good)
		}
	}
}

// FuzzJSONArena holds the arena's jsonString to jsonStringPlain on a run
// of strings decoded into one arena: b split at each 0xff, each piece
// opened by a quote, and repeated times over so that the arena fills its
// chunks and moves the string being decoded.
func FuzzJSONArena(f *testing.F) {
	for _, s := range jsonStringSeeds() {
		f.Add(s, uint8(3))
	}
	f.Add(strings.Repeat(`ab\"`, 200)+"\xff"+strings.Repeat("x", 300)+`\n"`, uint8(40))
	f.Fuzz(func(t *testing.T, b string, times uint8) {
		var docs []string
		for range int(times%64) + 1 {
			for _, p := range strings.Split(b, "\xff") {
				docs = append(docs, `"`+p, `'`+p)
			}
		}
		checkArena(t, docs)
	})
}

// TestJSONArenaChunks decodes escaped strings of every length about the
// chunk sizes into one arena.
func TestJSONArenaChunks(t *testing.T) {
	var docs []string
	for n := 0; n < 3*arenaMin; n += 7 {
		docs = append(docs, `"`+strings.Repeat("y", n)+`\t`+strings.Repeat("z", n%13)+`"`)
	}
	docs = append(docs, `"`+strings.Repeat(`\u00e9`, arenaMax/3)+`"`, `"a\"b"`, `"`+strings.Repeat("q", arenaMax)+`\\`)
	checkArena(t, docs)
	checkArena(t, append(docs, docs...))
}

// TestJSONLongStringGrowsByDoubling decodes strings of escapes far longer
// than a chunk. The string being decoded moves to a chunk twice its
// length, so a string of n bytes costs about log2(n/arenaMax) chunks; a
// chunk of just the room asked for moved it at every escape (one
// allocation, and a copy of the whole string, each: a 400 KB string took
// 4 s, 1 MiB minutes).
func TestJSONLongStringGrowsByDoubling(t *testing.T) {
	for _, n := range []int{arenaMax, 4 * arenaMax, 16 * arenaMax} {
		doc := `"` + strings.Repeat(`\n`, n/2) + strings.Repeat(`a\u00e9`, n/7) + `"`
		var s string
		allocs := testing.AllocsPerRun(3, func() {
			var a arena
			s, _, _ = a.jsonString(doc)
		})
		if want := n/2 + 3*(n/7); len(s) != want {
			t.Fatalf("%d: decoded %d bytes, want %d", n, len(s), want)
		}
		if allocs > 12 {
			t.Errorf("a string of %d escaped bytes: %v allocations, want about log2 of its chunks", len(doc), allocs)
		}
	}
}
