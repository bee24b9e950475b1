package postgres

import "time"

func init() {
	listStatement("orders", listOrdersSQL, int64(7))
	listStatement("orders after a cursor", listOrdersAfterSQL, int64(7), time.Now(), int64(10))
}
