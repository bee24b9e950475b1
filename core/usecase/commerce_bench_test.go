package usecase_test

import (
	"testing"

	"github.com/hexashop/hexashop/ports"
)

// BenchmarkPlaceOrder measures checkout of a two-line cart on the memory store (the use
// case and the memory adapter, no I/O): go test -bench PlaceOrder -benchmem ./core/usecase
func BenchmarkPlaceOrder(b *testing.B) {
	t := &testing.T{}
	s := newShop(t)
	stock := int64(1_000_000)
	pen := s.product(t, "Bulk pen", 199, stock, s.pen.Category.ID)
	ink := s.product(t, "Bulk ink", 1250, stock, s.pen.Category.ID)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.carts.Add(ctx, s.ann, pen.ID, 1); err != nil {
			b.Fatal(err)
		}
		if _, err := s.carts.Add(ctx, s.ann, ink.ID, 2); err != nil {
			b.Fatal(err)
		}
		if _, _, err := s.orders.Place(ctx, s.ann, ports.PlaceOrderInput{ShippingAddress: "1 Main St"}); err != nil {
			b.Fatal(err)
		}
	}
}
