// The keyset list statements live in their features' files (listUsersSQL in users.go,
// ...). Each seeks an index to the cursor and reads the page in index order: the cost of
// a page does not grow with the table or the depth. page() appends the row limit as a
// literal (LIMIT 21), not a parameter: with LIMIT $n the generic plan of a prepared
// statement looks costly on a big table (the planner assumes 10% of the rows), so
// Postgres re-plans every execution, which halved the page rate at 100k products
// (measured with pgbench and make bench-lists). plans_test.go checks with EXPLAIN that
// every statement a feature's <feature>_test.go registers is served by an index, for its
// filter and its order, no sort.

package postgres
