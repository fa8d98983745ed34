package signature_test

import "testing"

// TestCmdiBrokenWord: commix's tampers set every letter of a payload
// apart with shell no-ops ("$@", an unset "${XX}", empty quotes), which
// the shell joins back. A word split at four places or more is that
// tamper's work, whatever the word: PHP's function names as well as
// commands. Markup's doubled quotes and template expansions between words
// are not.
func TestCmdiBrokenWord(t *testing.T) {
	attacks := []familyCase{
		{"q", "$@p$@h$@p$@i$@n$@f$@o();", 0.99},
		{"q", "|| $@p$@h$@p$@i$@n$@f$@o()", 0.99},
		{"q", "${ko}p${ko}h${ko}p${ko}i${ko}n${ko}f${ko}o();", 0.99},
		{"q", "${@${vT}p${vT}r${vT}i${vT}n${vT}t(\"${vT}RC${vT}E${vT}V\")}", 0.99},
		{"q", "{% ${AK}F${AK}o${AK}r ${AK}c ${AK}i${AK}n [1,2,3]%} {{${AK}c, ${AK}c}} {% ${AK}e${AK}n${AK}d${AK}f${AK}o${AK}r%}", 0.99},
		{"q", "$@s$@y$@s$@t$@e$@m('$@w$@h$@oa$@m$@i');", 0.99},
	}
	benign := []familyCase{
		{"q", "it''s a ''nice'' day", 0},
		{"q", "''a''b''c''d''", 0},
		{"q", "Hello ${first} ${last}, your order ${id} ships ${day}", 0},
		{"q", "url: ${base}/${path}/${file}.${ext}", 0},
		{"q", "'''bold''' and ''italic'' in wiki markup", 0},
		{"q", "$@ and $* are the positional parameters", 0},
	}
	checkFamily(t, "cmdi", attacks, benign, 0.9)
}
