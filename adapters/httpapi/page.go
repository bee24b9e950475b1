package httpapi

import (
	"strconv"

	"github.com/hexashop/hexashop/core/domain"
)

// pageResponse is the body of every list endpoint. NextCursor is null on the last page.
type pageResponse[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

// toPage converts a domain page item by item; Items is never null.
func toPage[D, T any](p domain.Page[D], conv func(D) T) pageResponse[T] {
	items := make([]T, len(p.Items))
	for i, d := range p.Items {
		items[i] = conv(d)
	}
	res := pageResponse[T]{Items: items}
	if !p.Next.IsZero() {
		next := p.Next.String()
		res.NextCursor = &next
	}
	return res
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
