package memory

import "github.com/hexashop/hexashop/core/domain"

// pageOf cuts the window p out of all (already ordered).
func pageOf[T any](all []T, p domain.PageRequest) domain.Page[T] {
	start := min(p.Offset, len(all))
	end := min(start+p.Limit, len(all))
	items := make([]T, end-start)
	copy(items, all[start:end])
	return domain.Page[T]{Items: items, Total: len(all), PageRequest: p}
}
