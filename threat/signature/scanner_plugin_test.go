package signature_test

import "testing"

// TestScannerPlugin: Nessus writes the file name of the plugin that sends
// a probe into the probe's values and paths (Fwaf's bad queries, which
// come from Nessus scans, hold hundreds), as it names itself in its user
// agent. A name with ".nasl" in the middle of a word, or the bare
// extension, is none.
func TestScannerPlugin(t *testing.T) {
	checkFamily(t, "scanner", []familyCase{
		{"path", "/core/adodb/server.php?sql='adodb_sql_sql_injection.nasl", 0.99},
		{"path", "/scripts/1332010197-ror_session_fixation.nasl", 0.99},
		{"path", "/scripts/tomcat_proxy_directory_traversal.nasl1332010400", 0.99},
		{"path", "/scripts/new_images.php?order=linpha_order_sql_injection.nasl_1331905087", 0.99},
		{"body:application/x-www-form-urlencoded", "item_id=%27webstores_browseitemdetails_sql_injection.nasl&x=1", 0.99},
		{"body:application/json", `{"sessionid":"nessus-session-0.neomail_sessionid_validation.nasl"}`, 0.99},
	}, []familyCase{
		{"path", "/downloads/report.naslx", 0},
		{"path", "/search?q=" + "what+is+a+.nasl+file", 0},
		{"path", "/files/basal.nasal.txt", 0},
		{"body:application/json", `{"note":"the nasl language"}`, 0},
	}, 0.9)
}
