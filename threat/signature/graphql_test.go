package signature_test

import (
	"net/url"
	"testing"
)

// TestGraphQLIntrospection: a GraphQL document that selects the schema
// or a type by name, in the "query" value of a GET or a JSON body or in
// any other value
// (gotestwaf's owasp-api cases, GraphiQL's and InQL's introspection
// query), is a scanner mapping the API; __typename in an ordinary query,
// a sentence about __schema are not. It is looked for in every value.
func TestGraphQLIntrospection(t *testing.T) {
	get := func(q string) string { return "/graphql?query=" + url.QueryEscape(q) }
	js := "body:application/json"
	checkFamily(t, "scanner", []familyCase{
		{"path", get("{__schema{types{name}}}"), 0.99},
		{"path", get("query IntrospectionQuery { __schema { queryType { name } mutationType { name } } }"), 0.99},
		{"path", get(`{ __type(name: "User") { name fields { name type { name } } } }`), 0.99},
		{"path", get("{\n  __schema {\n    types { name }\n  }\n}"), 0.99},
		{js, `{"query": "IntrospectionQuery{__schema {queryType { name }}"}`, 0.99},
		{js, `{"operationName":"IntrospectionQuery","query":"query IntrospectionQuery { __schema { types { ...FullType } } } fragment FullType on __Type { kind name }"}`, 0.99},
		// the whole JSON request in a parameter of another name, and a
		// form's '+' for spaces in a multipart field no form decodes
		// (gotestwaf's owasp-api/graphql in URL parameters and forms)
		{"path", "/?d8a9=" + url.QueryEscape(`{"query": "IntrospectionQuery{__schema {queryType { name }}"}`), 0.99},
		{"body:multipart/form-data; boundary=b", "--b\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\n%7B%22query%22%3A+%22IntrospectionQuery%7B__schema+%7BqueryType+%7B+name+%7D%7D%22%7D\r\n--b--\r\n", 0.99},
	}, []familyCase{
		{"path", get("{ user(id: 1) { __typename name } }"), 0},
		{"path", get("query { products { id name } }"), 0},
		{"path", "/search?query=" + url.QueryEscape("how do I read __schema { types } in GraphQL"), 0},
		{"path", get("{ my__schema { x } }"), 0},
		{"path", "/graphql?q=" + url.QueryEscape("{ my__schema{types} __schemas { x } }"), 0},
		{"path", "/docs?topic=" + url.QueryEscape("the __schema field answers { types }"), 0},
		{js, `{"query":"{ order(id: 7) { __typename total } }","variables":{}}`, 0},
	}, 0.9)
}
