package signature_test

import (
	"net/url"
	"testing"
)

// TestGraphQLIntrospection: a GraphQL document that selects the schema
// or a type by name, in the "query" value of a GET or a JSON body
// (gotestwaf's owasp-api cases, GraphiQL's and InQL's introspection
// query), is a scanner mapping the API; __typename in an ordinary query,
// a sentence about __schema, and other parameters are not.
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
	}, []familyCase{
		{"path", get("{ user(id: 1) { __typename name } }"), 0},
		{"path", get("query { products { id name } }"), 0},
		{"path", "/search?query=" + url.QueryEscape("how do I read __schema { types } in GraphQL"), 0},
		{"path", get("{ my__schema { x } }"), 0},
		{"path", "/graphql?q=" + url.QueryEscape("{__schema{types{name}}}"), 0},
		{js, `{"query":"{ order(id: 7) { __typename total } }","variables":{}}`, 0},
	}, 0.9)
}
