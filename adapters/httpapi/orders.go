package httpapi

import (
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// ordersAPI serves checkout and the caller's orders.
type ordersAPI struct {
	*api
	orders ports.Orders
}

// OrderRoutes are the orders feature.
func OrderRoutes(orders ports.Orders) Feature {
	return Feature{name: "orders", mount: func(base *api, r routes) {
		a := ordersAPI{api: base, orders: orders}
		r.signedIn.POST("/orders", a.placeOrder)
		r.signedIn.GET("/orders", a.listOrders)
		r.signedIn.GET("/orders/:id", a.getOrder)
	}}
}

type orderItemResponse struct {
	ProductID      int64  `json:"product_id"`
	Name           string `json:"name"`
	UnitPriceCents int64  `json:"unit_price_cents"`
	Quantity       int    `json:"quantity"`
	LineTotalCents int64  `json:"line_total_cents"`
}

type orderResponse struct {
	ID              int64               `json:"id"`
	Status          string              `json:"status"`
	CreatedAt       time.Time           `json:"created_at"`
	ShippingAddress string              `json:"shipping_address"`
	Items           []orderItemResponse `json:"items"`
	TotalCents      int64               `json:"total_cents"`
}

func toOrderResponse(o domain.Order) orderResponse {
	res := orderResponse{
		ID: o.ID, Status: string(o.Status), CreatedAt: o.CreatedAt.UTC(), ShippingAddress: o.ShippingAddress,
		Items: make([]orderItemResponse, len(o.Items)), TotalCents: int64(o.Total()),
	}
	for i, it := range o.Items {
		res.Items[i] = orderItemResponse{
			ProductID: it.ProductID, Name: it.Name, UnitPriceCents: int64(it.UnitPrice),
			Quantity: it.Quantity, LineTotalCents: int64(it.Total()),
		}
	}
	return res
}

// placeOrder is checkout. The body is optional: none, or {"shipping_address": "..."}.
func (a ordersAPI) placeOrder(c *gin.Context) {
	var req struct {
		ShippingAddress string `json:"shipping_address"`
	}
	if c.Request.ContentLength != 0 && !bindJSON(c, &req) {
		return
	}
	keys := c.Request.Header.Values("Idempotency-Key")
	if len(keys) > 1 {
		a.fail(c, domain.Invalid("Idempotency-Key", "must be given at most once"))
		return
	}
	in := ports.PlaceOrderInput{ShippingAddress: req.ShippingAddress}
	if len(keys) == 1 {
		if keys[0] == "" {
			a.fail(c, domain.Invalid("Idempotency-Key", "must not be empty"))
			return
		}
		in.IdempotencyKey = keys[0]
	}
	o, replayed, err := a.orders.Place(c.Request.Context(), currentUser(c), in)
	if err != nil {
		a.fail(c, err)
		return
	}
	if replayed {
		c.Header("Idempotent-Replayed", "true")
	}
	c.Header("Location", "/orders/"+itoa(o.ID))
	c.JSON(http.StatusCreated, toOrderResponse(o))
}

func (a ordersAPI) listOrders(c *gin.Context) {
	p, ok := pageRequest(c, domain.CursorOrders)
	if !ok {
		return
	}
	page, err := a.orders.List(c.Request.Context(), currentUser(c), p)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toPage(page, toOrderResponse))
}

func (a ordersAPI) getOrder(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	o, err := a.orders.Get(c.Request.Context(), currentUser(c), id)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toOrderResponse(o))
}
