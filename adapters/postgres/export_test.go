package postgres

import "time"

// ListStatements are the list statements with sample arguments, for plans_test.go.
var ListStatements = map[string]struct {
	SQL  string
	Args []any
}{
	"users":                  {listUsersSQL, []any{int64(10), 21}},
	"categories":             {listCategoriesSQL, []any{int64(10), 21}},
	"products":               {listProductsSQL, []any{int64(10), 21}},
	"products of a category": {listProductsInCategorySQL, []any{int64(3), int64(10), 21}},
	"orders":                 {listOrdersSQL, []any{int64(7), 21}},
	"orders after a cursor":  {listOrdersAfterSQL, []any{int64(7), time.Now(), int64(10), 21}},
}
