package signature_test

import "testing"

// TestSSTIFileCall: a template expression that calls a function, of any
// name, on a system file's absolute path (PayloadsAllTheThings' command
// list: "{{ get_user_file("/etc/passwd") }}"); the application's helper
// has its own name, the file is the payload. A template's ordinary calls,
// a relative path and a file that only starts like a system one are not.
func TestSSTIFileCall(t *testing.T) {
	attacks := []familyCase{
		{"q", `{{ get_user_file("/etc/passwd") }}`, 0.99},
		{"q", `{{ get_user_file("C:\boot.ini") }}`, 0.99},
		{"q", "{{ read_file('/etc/shadow') }}", 0.99},
		{"q", "${readFile('/proc/self/environ')}", 0.99},
		{"q", "<%= File.read(\"/etc/passwd\") %>", 0.99},
	}
	benign := []familyCase{
		{"q", "{{ url_for('static', filename='app.css') }}", 0},
		{"q", "{{ load('/home/me/notes.txt') }}", 0},
		{"q", "{{ t('etc/passwd') }}", 0.8},
		{"q", `{{ img("/etc/passwd.png") }}`, 0.8},
		{"q", "Hello {{ name('x') }}, see /etc/passwd(5)", 0.9},
	}
	checkFamily(t, "ssti", attacks, benign, 0.9)
}
