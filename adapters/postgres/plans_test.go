package postgres_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/hexashop/hexashop/adapters/postgres"
	"github.com/hexashop/hexashop/test/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestListsAreServedByIndexes runs EXPLAIN on every list statement with sequential scans
// and sorts priced out: if the plan still has one, no index serves the statement's filter
// and order, and its pages would cost more the bigger the table or the deeper the page.
func TestListsAreServedByIndexes(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	for _, set := range []string{"SET enable_seqscan = off", "SET enable_sort = off"} {
		if _, err := conn.Exec(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	for name, st := range postgres.ListStatements {
		rows, err := conn.Query(ctx, "EXPLAIN "+st.SQL+" LIMIT 21", st.Args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		plan := strings.Join(lines, "\n")
		if strings.Contains(plan, "Seq Scan") || strings.Contains(plan, "Sort") || !strings.Contains(plan, "Index") {
			t.Errorf("%s is not served by an index:\n%s", name, plan)
		}
	}
}
