package e2e_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hexashop/hexashop/test/apispec"
)

// TestNoServerErrorForAnyClientInput sends malformed input to every operation of the
// document, as an admin, and expects a 4xx or 2xx: never a 500. (Every response is also
// checked against the document by the harness.)
func TestNoServerErrorForAnyClientInput(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	admin := s.admin()
	cat := s.category(admin, "C")
	s.product(admin, "P", 100, 5, cat)
	doc, err := apispec.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"1", "0", "-1", "abc", "1.5", "9223372036854775807", "9223372036854775808", "%00", "%C3%28", "1e3"}
	bodies := []string{
		``, `null`, `[]`, `{}`, `"x"`, `{"a":`, `{"name":null}`, `{"name":"\u0000"}`, `{"name":"` + strings.Repeat("x", 5000) + `"}`,
		`{"product_id":9223372036854775807,"quantity":1}`, `{"product_id":1,"quantity":99999999999999999999}`,
		`{"price_cents":-9223372036854775808,"stock":1e300,"category_id":0,"name":"x"}`, `{"quantity":"1"}`,
		`{"shipping_address":"\u0000"}`, `{"email":"\ud800@x.y","name":"n","password":"12345678"}`,
		"a\x00b@example.com", "\xff\xfe", // raw NUL and invalid UTF-8: Postgres text can hold neither
	}
	queries := []string{"", "?limit=abc", "?offset=-1", "?limit=0&offset=99999999999999999999", "?category_id=%00", "?limit=1&limit=2",
		"?cursor=%00", "?cursor=AW8AAAAAAAAAAAAAAAAAAAAHH5NY7g", "?cursor=" + strings.Repeat("A", 5000)}
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			for _, id := range ids {
				p := strings.NewReplacer("{id}", id, "{asset}", id).Replace(path)
				for _, q := range queries {
					for _, body := range bodies {
						if method == http.MethodGet || method == http.MethodDelete {
							if body != "" {
								continue
							}
						}
						var res response
						if path == "/login" {
							res = s.request(method, p+q, "username="+url.QueryEscape(body)+"&password=x", "Content-Type: application/x-www-form-urlencoded")
						} else {
							res = s.request(method, p+q, body, "Authorization: Bearer "+admin.Token, "Content-Type: application/json")
						}
						if res.Status >= 500 {
							t.Errorf("%s %s%s body %.60q: %d %s", method, p, q, body, res.Status, res.Body)
						}
					}
				}
			}
		}
	}
}
