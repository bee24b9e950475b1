package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/hexashop/hexashop/test/apispec"
)

// hostile are the values every string the document lets a client send gets, one at a
// time: bytes Postgres text cannot hold (NUL), bytes that are not UTF-8, and a value
// longer than the field allows. A string field without maxLength gets 100,000 bytes.
func hostile(s *openapi3.Schema) map[string]string {
	n := 100_000
	if s != nil && s.MaxLength != nil {
		n = int(*s.MaxLength) + 1
	}
	return map[string]string{"NUL": "a\x00b", "invalid UTF-8": "a\xff\xfeb", "overlong": strings.Repeat("é", n)}
}

// sample is a value the schema accepts, as far as its type, length, format and bounds
// go: the baseline into which one hostile value at a time is put.
func sample(s *openapi3.Schema, n int) any {
	switch {
	case s == nil:
		return "x"
	case len(s.Enum) > 0:
		return s.Enum[0]
	case s.Type.Is("object"):
		obj := map[string]any{}
		for name, p := range s.Properties {
			obj[name] = sample(p.Value, n)
		}
		return obj
	case s.Type.Is("array"):
		if s.Items == nil {
			return []any{}
		}
		return []any{sample(s.Items.Value, n)}
	case s.Type.Is("integer"), s.Type.Is("number"):
		if s.Min != nil {
			return int64(*s.Min)
		}
		return 1
	case s.Type.Is("boolean"):
		return true
	case s.Format == "email":
		return fmt.Sprintf("garbage%d@example.com", n)
	default:
		return strings.Repeat("x", max(int(s.MinLength), 1))
	}
}

// stringFields lists the paths (property names, "0" for an array's item) of every string
// in the schema, nested ones included.
func stringFields(s *openapi3.Schema, at []string, out *[][]string) {
	switch {
	case s == nil:
	case s.Type.Is("object"):
		for name, p := range s.Properties {
			stringFields(p.Value, append(slices.Clone(at), name), out)
		}
	case s.Type.Is("array") && s.Items != nil:
		stringFields(s.Items.Value, append(slices.Clone(at), "0"), out)
	case s.Type.Is("string"):
		*out = append(*out, at)
	}
}

// schemaAt is the schema of the field at path.
func schemaAt(s *openapi3.Schema, path []string) *openapi3.Schema {
	for _, p := range path {
		if p == "0" {
			s = s.Items.Value
		} else {
			s = s.Properties[p].Value
		}
	}
	return s
}

// with returns a copy of v with the field at path set to x.
func with(v any, path []string, x any) any {
	if len(path) == 0 {
		return x
	}
	switch c := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(c))
		for k, e := range c {
			out[k] = e
		}
		out[path[0]] = with(c[path[0]], path[1:], x)
		return out
	case []any:
		return []any{with(c[0], path[1:], x)}
	}
	return v
}

// encode writes a body of the media type. JSON is written by hand where a value is not
// UTF-8, since encoding/json would replace the bytes: the server must see them raw.
func encode(mediaType string, v any) string {
	if mediaType == "application/x-www-form-urlencoded" {
		form := url.Values{}
		for k, e := range v.(map[string]any) {
			form.Set(k, fmt.Sprint(e))
		}
		return form.Encode()
	}
	b, _ := json.Marshal(v)
	return strings.ReplaceAll(string(b), `a\ufffd\ufffdb`, "a\xff\xfeb")
}

// A garbageSetup makes what one operation needs for a request to get past its
// preconditions to the code that stores its input (a live session to end, an account to
// delete, a filled cart to check out): it returns the id its path parameters take and,
// when every request needs fresh state (a checkout empties the cart it needs), what to do
// before each request. Without one, ids are "1" and nothing is prepared.
type garbageSetup func(s *server, admin account) (id string, before func())

// garbageSetups are the setups, by "METHOD /path" as in the document. Each feature
// registers its own operations' from its test file's init (garbageSetupFor).
var garbageSetups = map[string]garbageSetup{}

func garbageSetupFor(op string, setup garbageSetup) {
	if _, dup := garbageSetups[op]; dup {
		panic("garbage setup for " + op + " registered twice")
	}
	garbageSetups[op] = setup
}

// garbageQueries and garbageBodies are malformed inputs no schema describes, sent to
// every operation; features append their own (field names of their bodies).
var (
	garbageQueries = []string{"?limit=abc", "?limit=0", "?offset=-1", "?limit=1&limit=2", "?cursor=%00",
		"?cursor=AW8AAAAAAAAAAAAAAAAAAAAHH5NY7g", "?cursor=" + strings.Repeat("A", 5000)}
	garbageBodies = []string{``, `null`, `[]`, `{}`, `"x"`, `{"a":`, "\xff\xfe", "a\x00b",
		`{"email":"\ud800@x.y","name":"n","password":"12345678"}`, `{"id":9223372036854775807}`, `{"limit":1e300}`}
)

var garbageVictims atomic.Int64

func init() {
	// Accounts: /user/{id} targets a fresh customer, never the admin; a session to end
	// is a live one of the admin's.
	victim := func(s *server, _ account) (string, func()) {
		n := garbageVictims.Add(1)
		return fmt.Sprint(s.register("Victim", fmt.Sprintf("victim%d@example.com", n)).ID), nil
	}
	garbageSetupFor("GET /user/{id}", victim)
	garbageSetupFor("DELETE /user/{id}", victim)
	garbageSetupFor("DELETE /user/me/sessions/{id}", func(s *server, admin account) (string, func()) {
		s.login(admin.Email, admin.Password)
		res := s.authed(admin.Token, http.MethodGet, "/user/me/sessions", nil)
		for _, it := range res.JSON(s.t)["items"].([]any) {
			if m := it.(map[string]any); m["current"] == false {
				return fmt.Sprint(int64(m["id"].(float64))), nil
			}
		}
		s.t.Fatalf("no second session of the admin: %s", res.Body)
		return "", nil
	})
}

// TestNoServerErrorForAnyClientInput derives its inputs from docs/openapi.yaml: every
// string of every request body (nested ones too) and every parameter of every operation
// gets NUL, invalid UTF-8 and an overlong value, one field at a time, sent by an admin
// (so authorisation lets everything through to the code under test). Nothing may answer
// 5xx; the harness also checks each answer against the document. Then malformed ids,
// queries and bodies that no schema describes.
func TestNoServerErrorForAnyClientInput(t *testing.T) {
	t.Parallel()
	// No throttling: wrong current passwords sent to PUT /user/me/password must not lock
	// the admin out of the logins below.
	s := startServer(t, withEnv("LOGIN_FAILURES_PER_ACCOUNT", "1000000", "LOGIN_FAILURES_PER_ADDRESS", "1000000"))
	admin := s.admin()
	// stillAdmin logs in again when an operation ended the admin's session (DELETE
	// /user/me/sessions does), so that every operation is tried past authentication.
	stillAdmin := func() {
		if s.authed(admin.Token, http.MethodGet, "/user/me", nil).Status == http.StatusUnauthorized {
			admin.Token = s.login(admin.Email, admin.Password)
		}
	}
	doc, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	sent := 0
	before := func() {}
	send := func(method, path, query, contentType, body string, extra ...string) {
		t.Helper()
		headers := append([]string{"Content-Type: " + contentType}, extra...)
		if path != "/login" && path != "/revoke" {
			headers = append(headers, "Authorization: Bearer "+admin.Token)
		}
		before()
		res := s.request(method, path+query, body, headers...)
		sent++
		if res.Status >= 500 {
			t.Errorf("%s %s%s %q body %.80q: %d %s", method, path, query, extra, body, res.Status, res.Body)
		}
	}
	n := 0
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			stillAdmin()
			params := slices.Concat(item.Parameters, op.Parameters)
			// The baseline request: path ids that exist (the feature's setup makes what
			// the operation needs), no query, a sample body.
			pathVal := "1"
			before = func() {}
			if setup, ok := garbageSetups[method+" "+path]; ok {
				pathVal, before = setup(s, admin)
				if before == nil {
					before = func() {}
				}
			}
			concrete := path
			for _, p := range params {
				if p.Value.In == "path" {
					concrete = strings.ReplaceAll(concrete, "{"+p.Value.Name+"}", pathVal)
				}
			}
			mediaType, body := "application/json", ""
			var bodySchema *openapi3.Schema
			if op.RequestBody != nil {
				for mt, content := range op.RequestBody.Value.Content {
					mediaType, bodySchema = mt, content.Schema.Value
				}
			}
			base := any(nil)
			if bodySchema != nil {
				n++
				base = sample(bodySchema, n)
				body = encode(mediaType, base)
			}

			// Every parameter, with every hostile value.
			for _, p := range params {
				for _, bad := range hostile(p.Value.Schema.Value) {
					switch p.Value.In {
					case "path":
						target := strings.ReplaceAll(path, "{"+p.Value.Name+"}", url.PathEscape(bad))
						for _, q := range params {
							if q.Value.In == "path" && q.Value.Name != p.Value.Name {
								target = strings.ReplaceAll(target, "{"+q.Value.Name+"}", pathVal)
							}
						}
						send(method, target, "", mediaType, body)
					case "query":
						send(method, concrete, "?"+url.Values{p.Value.Name: {bad}}.Encode(), mediaType, body)
					case "header":
						// net/http refuses to send NUL or newlines in a header; the rest goes.
						if !strings.ContainsAny(bad, "\x00") {
							send(method, concrete, "", mediaType, body, p.Value.Name+": "+bad)
						}
					}
				}
			}
			// Every string field of the body, with every hostile value.
			if bodySchema != nil {
				var fields [][]string
				stringFields(bodySchema, nil, &fields)
				for _, f := range fields {
					for _, bad := range hostile(schemaAt(bodySchema, f)) {
						send(method, concrete, "", mediaType, encode(mediaType, with(base, f, bad)))
					}
				}
			}

			// What no schema describes: malformed ids, queries and bodies.
			for _, badID := range []string{"0", "-1", "abc", "1.5", "9223372036854775808", "%00", "%C3%28", "1e3"} {
				target := path
				for _, p := range params {
					if p.Value.In == "path" {
						target = strings.ReplaceAll(target, "{"+p.Value.Name+"}", badID)
					}
				}
				if target != path {
					send(method, target, "", mediaType, body)
				}
			}
			for _, q := range garbageQueries {
				send(method, concrete, q, mediaType, body)
			}
			if method == http.MethodGet || method == http.MethodDelete {
				continue
			}
			for _, raw := range garbageBodies {
				send(method, concrete, "", mediaType, raw)
			}
		}
	}
	if ops := len(doc.Paths.Map()); sent < 10*ops {
		t.Fatalf("only %d requests sent for %d paths: is the document read?", sent, ops)
	}
	t.Logf("%d requests derived from docs/openapi.yaml and sent", sent)
}
