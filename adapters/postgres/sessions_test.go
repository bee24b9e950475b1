package postgres

import "time"

func init() { listStatement("sessions", listSessionsSQL, int64(7), int64(1<<40), time.Now()) }
