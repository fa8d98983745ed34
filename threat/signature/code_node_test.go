package signature_test

import "testing"

// Server-side JavaScript payloads: node-serialize's and funcster's
// function markers, Node's process reached outside a sandbox, and a
// value that is only an infinite loop. Public samples: the OWASP CRS
// regression tests of its rules 934100 and 934160 (Apache-2.0).
var nodeAttacks = []placedCase{
	{"_$$ND_FUNC$$_", nil},
	{"__js_function", nil},
	{`_$$ND_FUNC$$_function(){require('child_process').exec('id')}()`, nil},
	{"this.constructor.constructor", nil},
	{`process["env"]`, nil},
	{"process[mainModule", nil},
	{"#{require.main.constructor._load(foo).readdirSync(foo2)}", nil},
	{"while(!false)", nil},
	{"while(!-0);", nil},
	{"while(true);", nil},
	{"while(Infinity);", nil},
	{"while(new Date);", nil},
	{"while(!!{});", nil},
	{"while(!'');", nil},
	{"while((true)))", nil},
	{"while(1)", nil},
}

// nodeBenign are JavaScript quoted in notes, and sentences: a loop with a
// body or a variable condition, the constructor of a class, an
// environment variable read.
var nodeBenign = []placedCase{
	{"do { : } while (!HELL_FROZEN_OVER);", nil},
	{"while (true) { work(); }", nil},
	{"while (x) {}", nil},
	{"while(0);", nil},
	{"while(!done)", nil},
	{"the constructor of this class", nil},
	{"read process.env.PORT at startup", nil},
	{"the js function keyword", nil},
}

func TestNodeAndLoops(t *testing.T) {
	checkPlaced(t, "code", nodeAttacks, 0.99, nodeBenign, 0.75)
}
