package signature_test

import "testing"

// PHP functions that only payloads call, in a token: a value or a
// parameter's name. Public samples: the OWASP CRS regression tests of its
// rule 933150 (Apache-2.0).
var phpRiskAttacks = []placedCase{
	{"base64_deCOde", nil},
	{"FOOcall_user_func", nil},
	{"call_user_func_array", nil},
	{"shell_exec", nil},
	{"ZlIb_DeCoDe", nil},
	{"get_defined_functions()[0]", nil},
	{"curl_iNit()", nil},
	{"posix_getegid()", nil},
}

// phpRiskBenign are identifiers and file names that hold or resemble
// them, and everyday PHP functions.
var phpRiskBenign = []placedCase{
	{"my_base64_decoder", nil},
	{"json_encode", nil},
	{"str_replace", nil},
	{"user_name_passthrough", nil},
	{"safe.phpinfo", nil},
	{"user_id", nil},
}

func TestPHPRiskNames(t *testing.T) {
	checkPlaced(t, "code", phpRiskAttacks, 0.99, phpRiskBenign, 0.75)
}
