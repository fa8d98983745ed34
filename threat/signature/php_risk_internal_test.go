package signature

import (
	"strings"
	"testing"
)

// TestPHPRiskPairsCover checks underscoreRisk's filter against the list: every
// name with a '_', in any case, passes it (a name it dropped would go
// past the families unread), and the list's names without one are read
// only where the value has the code family's characters.
func TestPHPRiskPairsCover(t *testing.T) {
	for _, n := range phpRiskNameList {
		if !strings.Contains(n, "_") {
			continue
		}
		for _, v := range []string{n, strings.ToUpper(n), "FOO" + n, n + "_x"} {
			if !underscoreRisk(v) {
				t.Errorf("underscoreRisk(%q) = false", v)
			}
		}
	}
	for _, v := range []string{"price_asc", "user_id", "first_name", "created_at", "my_base64_decoder"} {
		if underscoreRisk(v) {
			t.Errorf("underscoreRisk(%q) = true", v)
		}
	}
}
