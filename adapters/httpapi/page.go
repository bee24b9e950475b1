package httpapi

import (
	"strconv"

	"github.com/hexashop/hexashop/core/domain"
)

// pageResponse is the body of every list endpoint.
type pageResponse[T any] struct {
	Items  []T `json:"items"`
	Total  int `json:"total"`
	Limit  int `json:"limit"`
	Offset int `json:"offset"`
}

// toPage converts a domain page item by item; Items is never null.
func toPage[D, T any](p domain.Page[D], conv func(D) T) pageResponse[T] {
	items := make([]T, len(p.Items))
	for i, d := range p.Items {
		items[i] = conv(d)
	}
	return pageResponse[T]{Items: items, Total: p.Total, Limit: p.Limit, Offset: p.Offset}
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
