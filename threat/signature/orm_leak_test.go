package signature

import (
	"strings"
	"testing"
)

// TestORMLeak: filters on a secret field through an ORM's lookup syntax,
// as the ORM-leak write-ups and the CRS's 934210/934220 send them, and the
// filters on ordinary fields that django-filter APIs take every day.
func TestORMLeak(t *testing.T) {
	for name, want := range map[string]bool{
		"password__startswith": true,
		"created_by__departments__employees__user__password__regex": true,
		"reset_token__gt":            true,
		"user__password__startswith": true,
		"api_key__contains":          true,
		"balance__gte":               false,
		"username__startswith":       false,
		"price__lte":                 false,
		"password":                   false,
		"password__":                 false,
		"__startswith":               false,
		"password_hint__icontains":   false,
		"my_password__startswith":    false,
		"password__startswithx":      false,
	} {
		if _, _, got := ormLeak(name); got != want {
			t.Errorf("ormLeak(%q) = %v, want %v", name, got, want)
		}
	}
	// a path of relations longer than any model's is not read: the
	// caller lower-cases names into a buffer of ormNameMax bytes
	long := strings.Repeat("rel__", ormNameMax/5) + "password__startswith"
	if _, _, got := ormLeak(long); got {
		t.Errorf("ormLeak read a name of %d bytes, above ormNameMax", len(long))
	}
	if _, _, got := ormLeak(long[len(long)-ormNameMax:]); !got {
		t.Errorf("ormLeak missed a name of ormNameMax bytes")
	}
}

// FuzzORMLeak: ormLeak never panics and its span lies in the name.
func FuzzORMLeak(f *testing.F) {
	for _, s := range []string{"password__startswith", "a__b__password__gt", "__", "____", "password____in", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lo := strings.ToLower(s)
		if i, j, ok := ormLeak(lo); ok && (i < 0 || j > len(lo) || i >= j) {
			t.Fatalf("%q: span %d:%d", s, i, j)
		}
	})
}
