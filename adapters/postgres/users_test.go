package postgres

func init() { listStatement("users", listUsersSQL, int64(10)) }
