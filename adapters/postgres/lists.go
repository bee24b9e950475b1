package postgres

// The keyset list statements. Each seeks an index to the cursor and reads the page in
// index order: the cost of a page does not grow with the table or the depth. page()
// appends the row limit as a literal (LIMIT 21), not a parameter: with LIMIT $n the
// generic plan of a prepared statement looks costly on a big table (the planner assumes
// 10% of the rows), so Postgres re-plans every execution, which halved the page rate at
// 100k products (measured with pgbench and make bench-lists). plans_test.go checks with
// EXPLAIN that every one is served by an index, for its filter and its order, no sort.
const (
	listUsersSQL = `SELECT ` + userColumns + ` FROM users
		WHERE deleted_at IS NULL AND id > $1 ORDER BY id`

	listCategoriesSQL = `SELECT id, name FROM categories WHERE id > $1 ORDER BY id`

	// Two statements rather than "($1 = 0 OR category_id = $1)", so that each gets a plan
	// of its own: products_live (id), or products_category_live (category_id, id).
	listProductsSQL = productSelect + `
		WHERE p.deleted_at IS NULL AND p.id > $1 ORDER BY p.id`
	listProductsInCategorySQL = productSelect + `
		WHERE p.deleted_at IS NULL AND p.category_id = $1 AND p.id > $2 ORDER BY p.id`

	// Newest first, from sessions_user (user_id, id DESC); $2 is the cursor's id (the
	// largest bigint on the first page).
	listSessionsSQL = `SELECT ` + sessionColumns + ` FROM sessions
		WHERE user_id = $1 AND id < $2 AND idle_expires_at > $3 AND expires_at > $3 ORDER BY id DESC`

	// Newest first; the row comparison walks orders_user_newest (user_id, created_at
	// DESC, id DESC) from the cursor on.
	listOrdersSQL = orderSelect + `
		WHERE o.user_id = $1 ORDER BY o.created_at DESC, o.id DESC`
	listOrdersAfterSQL = orderSelect + `
		WHERE o.user_id = $1 AND (o.created_at, o.id) < ($2, $3) ORDER BY o.created_at DESC, o.id DESC`
)
