package signature_test

import (
	"testing"

	"github.com/bulwarkhq/bulwark/threat/signature"
)

// TestScannerPlugin: Nessus writes the file name of the plugin that sends
// a probe into the probe's query and path (Fwaf's bad queries, which
// come from Nessus scans, hold hundreds), as it names itself in its user
// agent. A name with ".nasl" in the middle of a word, or the bare
// extension, is none; bodies are not searched for it.
func TestScannerPlugin(t *testing.T) {
	checkFamily(t, "scanner", []familyCase{
		{"path", "/core/adodb/server.php?sql='adodb_sql_sql_injection.nasl", 0.99},
		{"path", "/scripts/1332010197-ror_session_fixation.nasl", 0.99},
		{"path", "/scripts/tomcat_proxy_directory_traversal.nasl1332010400", 0.99},
		{"path", "/scripts/new_images.php?order=linpha_order_sql_injection.nasl_1331905087", 0.99},
		{"path", "/scripts/neomail-prefs.pl?sessionid=nessus-session-0.neomail_sessionid_validation.nasl&action=addfolder", 0.99},
	}, []familyCase{
		{"path", "/downloads/report.naslx", 0},
		{"path", "/search?q=" + "what+is+a+.nasl+file", 0},
		{"path", "/files/basal.nasal.txt", 0},
		{"body:application/json", `{"note":"the nasl language"}`, 0},
		{"body:application/json", `{"note":"I wrote my_check.nasl today"}`, 0},
	}, 0.9)
}

// TestScannerPluginOnce: a plugin named in the path and in a value is one
// signal, as every rule is at most one a request.
func TestScannerPluginOnce(t *testing.T) {
	d, err := signature.New(signature.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{
		"/scripts/x_sql_injection.nasl?id='x_sql_injection.nasl",
		"/scripts/x_sql_injection.nasl?id=1",
		"/search?id='x_sql_injection.nasl&b=y_xss.nasl",
	} {
		n := 0
		for _, s := range detect(t, d, build(t, "path", target)) {
			if s.Rule == "scanner.plugin" {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%s: %d scanner.plugin signals, want 1", target, n)
		}
	}
}
