package signature_test

import "testing"

// Fork bombs (the CRS's 932390 tests) and Perl's @{[ ]} interpolation
// (934140), with code and text that look like them.
func TestForkBombAndPerlCart(t *testing.T) {
	form := "body:application/x-www-form-urlencoded"
	checkFamily(t, "cmdi", []familyCase{
		{form, "cmd=:(){ :|:& };:", 0.99},
		{form, "cmd=f(){ f|f& };f", 0.99},
		{form, "cmd=test() { test | test & } test", 0.99},
		{form, "cmd=.(){ .|.& };.", 0.99},
		{form, "cmd=:(){:|:&};:", 0.99},
		{"header:Referer", ":(){ :|:& };:", 0.99},
		{"ua", "f(){ f|f& };f", 0.99},
		{form, "cmd=f(){ f & f; };f", 0.99},
		{form, "cmd=f(){ f() | f(); }; f", 0.99},
	}, []familyCase{
		{"q", "function f(){ return f(x) || y }", 0},
		{"q", "a() { b | c }", 0},
		{"q", "Use :(){ in bash", 0},
		{"q", "main() { run(); } // a | b", 0},
	}, 0.9)
	checkFamily(t, "code", []familyCase{
		{"q", "x=@{[system 'whoami']}", 0.99},
		{"q", "@{[getpwuid($>)]}", 0.99},
		{"q", "@{   [   uc   'hello'   ]   }", 0.99},
		{"q", "@{[ &system 'id' ]}", 0.99},
		{"body:application/json", `{"name": "@{[ ` + "`id`" + ` ]}"}`, 0.99},
	}, []familyCase{
		{"q", "my array @{$ref} is [1]", 0},
		{"q", "@{[]}", 0},
		{"q", "ping me @{team} [urgent]", 0},
	}, 0.9)
}
