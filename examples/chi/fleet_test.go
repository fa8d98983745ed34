package main

import (
	"bytes"
	"path/filepath"
	"sync"
	"testing"
)

// Instances started together from one directory (the README's tour starts
// two at once) must all read the one key the first of them wrote, never a
// file another has created and not yet filled.
func TestPseudonymKeySharedByInstancesStartedTogether(t *testing.T) {
	t.Setenv("BULWARK_PSEUDONYM_KEY", "")
	for round := 0; round < 20; round++ {
		cfg := config{KeyFile: filepath.Join(t.TempDir(), "keys", "pseudonym.key")}
		const n = 8
		keys := make([][]byte, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				keys[i], errs[i] = pseudonymKey(cfg)
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatalf("round %d, instance %d: %v", round, i, errs[i])
			}
			if len(keys[i]) != 32 || !bytes.Equal(keys[i], keys[0]) {
				t.Fatalf("round %d: instance %d read a %d-byte key %x, instance 0 %x", round, i, len(keys[i]), keys[i], keys[0])
			}
		}
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(cfg.KeyFile), ".pseudonym-key-*"))
		if len(matches) != 0 {
			t.Fatalf("temporary files left: %v", matches)
		}
	}
}
