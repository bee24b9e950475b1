// Command cursor prints the list cursor that starts a page after a given item, so that
// load scripts can ask for a page deep in a list without walking to it:
//
//	go run ./test/load/cursor -list products -id 900000
//	go run ./test/load/cursor -list orders -id 9000 -at 2026-01-01T00:00:00Z
//	go run ./test/load/cursor -list products -id 1 -n 1000 -step 100   # 1000 cursors, one per line
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/hexashop/hexashop/core/domain"
)

func main() {
	list := flag.String("list", "", "users, categories, products or orders")
	id := flag.Int64("id", 0, "the id of the item the page starts after")
	at := flag.String("at", "", "orders: the item's created_at (RFC 3339)")
	n := flag.Int("n", 1, "how many cursors (not for orders): after id, id+step, ...")
	step := flag.Int64("step", 1, "with -n: the distance between their ids")
	flag.Parse()
	kinds := map[string]domain.CursorKind{
		"users": domain.CursorUsers, "categories": domain.CursorCategories,
		"products": domain.CursorProducts, "orders": domain.CursorOrders,
	}
	kind, ok := kinds[*list]
	if !ok || *id <= 0 {
		fmt.Fprintln(os.Stderr, "usage: cursor -list users|categories|products|orders -id N [-at TIME]")
		os.Exit(2)
	}
	if kind != domain.CursorOrders {
		for i := range int64(max(*n, 1)) {
			fmt.Println(domain.AfterID(kind, *id+i**step))
		}
		return
	}
	t, err := time.Parse(time.RFC3339Nano, *at)
	if err != nil {
		fmt.Fprintln(os.Stderr, "cursor: -at:", err)
		os.Exit(2)
	}
	fmt.Println(domain.AfterTimeID(kind, t, *id))
}
