package postgres

import "time"

// ListStatements are the list statements (without their LIMIT) with sample arguments,
// for plans_test.go.
var ListStatements = map[string]struct {
	SQL  string
	Args []any
}{
	"users":                  {listUsersSQL, []any{int64(10)}},
	"categories":             {listCategoriesSQL, []any{int64(10)}},
	"products":               {listProductsSQL, []any{int64(10)}},
	"products of a category": {listProductsInCategorySQL, []any{int64(3), int64(10)}},
	"orders":                 {listOrdersSQL, []any{int64(7)}},
	"sessions":               {listSessionsSQL, []any{int64(7), int64(1 << 40), time.Now()}},
	"orders after a cursor":  {listOrdersAfterSQL, []any{int64(7), time.Now(), int64(10)}},
}
