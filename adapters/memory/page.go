package memory

import "github.com/hexashop/hexashop/core/domain"

// pageOf returns the page of all (sorted in the list's order) that starts after p.After.
// The memory store sorts and scans the whole list per page: fine for a demo; the
// Postgres adapter seeks an index instead.
func pageOf[T any](all []T, p domain.PageRequest, key func(T) domain.Cursor) domain.Page[T] {
	var fetched []T
	for _, item := range all {
		if key(item).Follows(p.After) {
			fetched = append(fetched, item)
			if len(fetched) > p.Limit {
				break
			}
		}
	}
	return domain.PageOf(fetched, p.Limit, key)
}
