package behavior

import (
	"net/http"
	"strings"
	"testing"

	"github.com/bulwarkhq/bulwark/threat"
)

// TestHeaderSet checks that the set is of the names, whatever their
// values and their order, and that sets that differ in a name differ.
func TestHeaderSet(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	one := http.Header{"Accept": {"*/*"}, "Host": {"a"}, "User-Agent": {"x"}, "Accept-Language": {"en"}}
	other := http.Header{}
	for k := range one {
		other[k] = []string{"other"}
	}
	if a, b := d.headerSet(&threat.Request{Header: one}), d.headerSet(&threat.Request{Header: other}); a != b {
		t.Errorf("same names, other values: %x, %x", a, b)
	}
	sets := map[uint32]int{}
	for i, h := range []http.Header{
		{"Accept": nil, "Host": nil}, {"Accept": nil, "Hosts": nil}, {"Accept": nil}, {"Host": nil}, {},
		{"Accept": nil, "Host": nil, "Accept-Language": nil, "Accept-Encoding": nil},
	} {
		set := d.headerSet(&threat.Request{Header: h})
		if j, ok := sets[set]; ok {
			t.Errorf("header sets %d and %d hash alike", j, i)
		}
		sets[set] = i
	}
}

// TestNameHash checks that nameHash reads every byte of names of every
// length up to 40, the ones that end in a partial word included: a name
// that differs from another in any one byte hashes differently.
func TestNameHash(t *testing.T) {
	seen := map[uint64]string{}
	for n := 0; n <= 40; n++ {
		base := strings.Repeat("x", n)
		names := []string{base}
		for i := range n {
			names = append(names, base[:i]+"y"+base[i+1:])
		}
		for _, name := range names {
			h := nameHash(12345, name)
			if prev, ok := seen[h]; ok {
				t.Fatalf("%q and %q hash alike", prev, name)
			}
			seen[h] = name
		}
	}
	if nameHash(1, "Accept") == nameHash(2, "Accept") {
		t.Error("the seed changes nothing")
	}
}
