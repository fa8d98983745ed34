package signature_test

import (
	"strings"
	"testing"
)

// Public payloads: OWASP's NoSQL injection testing guide, PortSwigger's
// NoSQL injection labs, HackTricks, and the MongoDB $where examples of
// published advisories.
var nosqlAttacks = []familyCase{
	{"body:application/json", `{"username":{"$ne":null},"password":{"$ne":null}}`, 0.99},
	{"body:application/json", `{"username":"admin","password":{"$gt":""}}`, 0.99},
	{"body:application/json", `{"username":{"$regex":"^adm"},"password":{"$exists":true}}`, 0.99},
	{"body:application/json", `{"$where":"sleep(5000) || true"}`, 0.99},
	{"body:application/json", `{"user":{"$in":["admin","root"]}}`, 0.99},
	{"body:application/x-www-form-urlencoded", "user=admin&password[$ne]=x", 0.99},
	{"body:application/x-www-form-urlencoded", "user[$regex]=.*&password[$gt]=", 0.99},
	{"q", `{"$gt": ""}`, 0.99},
	{"q", "{$gt: ''}", 0.99},
	{"q", "{ $ne: 1 }", 0.99},
	{"q", "', $or: [ {}, { 'a':'a", 0.99},
	{"q", "true, $where: '1 == 1'", 0.99},
	{"q", "$where: '1 == 1'", 0.99},
	{"q", "[$ne]=1", 0.99},
	{"q", "admin' && this.password.match(/.*/)//", 0.99},
	{"q", "' || 'a'=='a", 0.99},
	{"q", "'; return true; var foo='", 0.99},
	{"q", "\";return(true);var xyz='a", 0.99},
	{"q", "0;return true", 0.99},
	{"q", "';sleep(5000);'", 0.99},
	{"q", "';it=new Date();do{pt=new Date();}while(pt-it<5000);", 0.99},
	// a busy wait after a numeric id or at the value's start, where the
	// $where concatenates the value unquoted (gotestwaf's NoSQL cases,
	// PayloadsAllTheThings' time-based probes)
	{"q", "0;var date=new Date(); do{curDate = new Date();}while(curDate-date<10000)", 0.99},
	{"q", ";var date = new Date(); do{curDate = new Date();}while(curDate-date<10000)", 0.99},
	{"q", "1; let d = new Date(); while (new Date() - d < 3000);", 0.99},
	// ... or at a path segment's start (gotestwaf's urlpath cases, with a
	// '+' for each space, as a decoder that treats the path as a form's
	// value reads them)
	{"path", "/%3Bvar+date+%3D+new+Date%28%29%3B+do%7BcurDate+%3D+new+Date%28%29%3B%7Dwhile%28curDate-date%3C10000%29", 0.99},
	{"path", "/api/items/0%3Bvar%20date%3Dnew%20Date%28%29%3B%20do%7BcurDate%20%3D%20new%20Date%28%29%3B%7Dwhile%28curDate-date%3C10000%29", 0.99},
	{"q", "|| 1==1", 0.99},
	{"q", "db.users.find()", 0.99},
	{"q", "db.getCollectionNames()", 0.99},
	{"q", "1; db.dropDatabase()", 0.99},
	// a function expression after a break-out: server-side JavaScript
	// timing probes (Burp's, the CRS's 942150), '+' as a form decodes it
	{"q", `test"+(function(){if(typeof gs78r==='undefined'){var a=new Date();do{var b=new Date();}while(b-a<20000);gs78r=1;}}())+"`, 0.99},
	{"body:application/x-www-form-urlencoded", "email=a%40b.example%27+%28function%28%29%7Bvar+a%3Dnew+Date%28%29%3Bdo%7B%7Dwhile%28new+Date%28%29-a%3C9000%29%7D%28%29%29%2B%27", 0.99},
	{"q", "x';(function f () {while(1){}})()//", 0.99},
	// a numeric id the $where compares with, then a condition: in a value
	// or in a path segment (OWASP Juice Shop's product reviews)
	{"q", "1||true", 0.99},
	{"q", "42 || this.product", 0.99},
	{"path", "/rest/products/2499999||this.product/reviews", 0.99},
	{"path", "/rest/products/1||true/reviews", 0.99},
	// the segment is read back a bounded way, so a long path before it
	// does not hide it
	{"path", "/api/" + strings.Repeat("catalogue/", 40) + "products/7||true/reviews", 0.99},
}

// Dollar amounts, PHP variables, JSON Schema and Extended JSON, code in
// notes.
var nosqlBenign = []familyCase{
	{"q", "$5 off, $10 max: today", 0},
	{"q", "price in $: 12", 0},
	{"q", "$where = 'x'; // PHP", 0},
	{"body:application/json", `{"$schema":"https://json-schema.org/draft/2020-12/schema","$id":"x","$ref":"#/a"}`, 0},
	{"body:application/json", `{"_id":{"$oid":"5f2b9c0000000000000000aa"},"at":{"$date":"2024-05-01T00:00:00Z"}}`, 0},
	{"q", "var s = 'x'; return true;", 0},
	{"q", "He said 'no'; return it tomorrow", 0},
	{"q", "rock && roll || jazz", 0},
	{"q", "if (a == b && c) return;", 0},
	{"q", "the db.example.com host", 0},
	{"body:application/json", `{"note":"if (this.tasks.length > 0) { run(); }"}`, 0},
	{"q", "Tom & Jerry; the 1==1 joke", 0},
	{"q", "Wrap it in an IIFE: (function () { init(); })();", 0},
	{"q", "It's (functionally) the same", 0},
	{"body:application/json", `{"note":"call it with 'x' then (function(){ done(); })() runs"}`, 0},
	{"q", "She said \"hi\" (function() {}) twice", 0},
	{"q", "pick 1||2 of them", 0},
	{"q", "size 10||true love", 0},
	{"path", "/docs/1||2/x", 0},
	{"path", "/a/true||false", 0},
	// a Date with no loop after it, or a loop word that is not a loop
	{"q", ";var start = new Date(); console.log(start)", 0},
	{"q", "; var d = new Date(); // a while later", 0},
	{"q", "meet at 10; new date is Friday, while (maybe) later", 0},
}

func TestNoSQL(t *testing.T) { checkFamily(t, "nosql", nosqlAttacks, nosqlBenign, 0.9) }
