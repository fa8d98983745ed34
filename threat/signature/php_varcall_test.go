package signature_test

import "testing"

// PHP calls whose function is a variable, as webshells and obfuscated
// payloads write them. Public samples: the OWASP CRS regression tests of
// its rule 933180 (Apache-2.0).
var phpVarCallAttacks = []placedCase{
	{"$a(1)", nil},
	{"$$b(2)", nil},
	{"@$__[o](4)", nil},
	{"$__['o'](5)", nil},
	{"$__[$_[1]](7)", nil},
	{"${@a}(10)", nil},
	{"${'a'}(11)", nil},
	{"$OOO000000{0}(15)", nil},
	{"$OOO0000O0 (16)", nil},
	{"$_aB_4c[5]['d'] /*lol*/ (17)", nil},
	{"${_.__}(30);", nil},
	{"$f(101).$f(120)", nil},
	{"${$foo->bar}(200)", nil},
	{"$foo->$funcname()", nil},
	{"Foo::$variable()", nil},
	{"$b374k=@$s_func(22)", nil},
	{"<?php $f=$_GET['f'];$f($_GET['c']); ?>", nil},
}

// phpVarCallBenign are prices, shell and jQuery code and PHP programs'
// own method calls.
var phpVarCallBenign = []placedCase{
	{"costs $5(approx)", nil},
	{"The price is $a (1 each).", nil},
	{"$US (the dollar).", nil},
	{"${HOME}/bin", nil},
	{"$('#id').hide();", nil},
	{"$this->load->view('welcome');", nil},
	{"echo $HOME(x)", nil},
	{"total: $12 (incl. tax)", nil},
}

func TestPHPVariableCalls(t *testing.T) {
	checkPlaced(t, "code", phpVarCallAttacks, 0.99, phpVarCallBenign, 0.75)
}

// Calls whose function's name PHP assembles from brackets, strings and
// concatenations, spaces and comments between. Public samples: the OWASP
// CRS regression tests of its rule 933210 (Apache-2.0).
var phpGroupCallAttacks = []placedCase{
	{"(sy.(st).em)('uname');", nil},
	{`( string ) "sys"."t"."em" ('uname');`, nil},
	{"(string) {[system][0]} ('uname');", nil},
	{"(/* comment */system)(ls/* comment */);", nil},
	{"[system][0](ls);", nil},
	{"[ system ] [ 0 ] ( ls );", nil},
	{"(['system'])[0]('uname');", nil},
	{"(  [  system  ][  0  ])  {/* comment */0}  (  ls  );", nil},
	{"(sy.(st).em)(@id)", nil},
	{"define('x', 'sys' . 'tem');(x)/* comment */('uname');", nil},
	{"$y = 'sys'.'tem';($y)('uname');", nil},
	{"define('z', [['sys' .'tem']]);(z)[0][0]('uname');", nil},
	{`$f = "ex"."ec"; ($f)("id");`, nil},
	{`$a=['as'.'sert'];$a[0]($_POST[1]);`, nil},
}

// phpGroupCallBenign are links and notes in brackets.
var phpGroupCallBenign = []placedCase{
	{"[system](https://example.com/docs)", nil},
	{"see [eval](link) here", nil},
	{"the (system) of (the world)", nil},
	{"[exec][0](x) and more", nil},
	{"(a)(b)(c)", nil},
	{"the words 'sys'.'tem' (split) are odd", nil},
	{`echo 'sys'.'tem'; print("x")`, nil},
	{`$s = 'ev'.'il'; ($s)(1);`, nil},
}

func TestPHPGroupCalls(t *testing.T) {
	checkPlaced(t, "code", phpGroupCallAttacks, 0.99, phpGroupCallBenign, 0.75)
}

// PHP's variable variables named by an expression: the CRS's 933135
// tests (Apache-2.0). Templates, shell expansions and prices before a
// placeholder hold words in their braces.
var phpVarVarAttacks = []placedCase{
	{"${'ff'}", nil},
	{"$ {'fdf'}", nil},
	{"$              {$a}", nil},
	{"$ {'_VAR'.'IABLE_NAME'}", nil},
	{`${"sys"."tem"}`, nil},
}

var phpVarVarBenign = []placedCase{
	{"Hello ${name}, welcome", nil},
	{"costs $ {amount} total", nil},
	{"price $ {10}", nil},
	{"`${a ? 'x' : 'y'}`", nil},
	{"${HOME}/bin", nil},
	{"it's ${'", nil},
}

func TestPHPVariableVariables(t *testing.T) {
	checkPlaced(t, "code", phpVarVarAttacks, 0.99, phpVarVarBenign, 0.75)
}
