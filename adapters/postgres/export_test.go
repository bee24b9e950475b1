package postgres

import "fmt"

// ListStatement is a list statement (without its LIMIT) with sample arguments.
type ListStatement struct {
	SQL  string
	Args []any
}

// ListStatements are every registered list statement, for plans_test.go. Each feature's
// <feature>_test.go registers its own with listStatement.
var ListStatements = map[string]ListStatement{}

func listStatement(name, sql string, args ...any) {
	if _, dup := ListStatements[name]; dup {
		panic(fmt.Sprintf("list statement %q registered twice", name))
	}
	ListStatements[name] = ListStatement{SQL: sql, Args: args}
}
