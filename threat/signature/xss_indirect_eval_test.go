package signature_test

import "testing"

// TestXSSIndirectEval covers eval and the timers called through call and
// apply, whose code is the argument after call's this ("eval.call(this,
// unescape.call(this,location))", from the XSS cheat sheets): a string, or
// a decoded or page-sourced argument, is the payload, as it is for eval
// itself. A method of another object named eval, bind (which runs
// nothing), a page's own arguments and prose are not.
func TestXSSIndirectEval(t *testing.T) {
	attacks := []familyCase{
		{"q", "eval.call(this,unescape.call(this,location))", 0.99},
		{"q", `eval.call(null,atob("YWxlcnQoMSk="))`, 0.99},
		{"q", "window.eval.apply(null,[name])", 0.99},
		{"q", "top.eval.call(top, 'ale'+'rt(1)')", 0.99},
		{"q", "setTimeout.call(window, location.hash.slice(1))", 0.99},
		{"q", "setInterval.apply(self, [decodeURIComponent(location.hash)])", 0.99},
	}
	benign := []familyCase{
		{"q", "foo.eval.call(x, name)", 0},
		{"q", "we eval.call the numbers, then apply", 0},
		{"q", "eval.bind(null, name)", 0},
		{"q", "eval.apply(this, arguments)", 0},
		{"q", "model.eval.call(ctx, data)", 0},
	}
	checkFamily(t, "xss", attacks, benign, 0.9)
}
