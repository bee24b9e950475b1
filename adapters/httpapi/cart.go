package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"

	"github.com/hexashop/hexashop/core/domain"
	"github.com/hexashop/hexashop/ports"
)

// cartAPI serves the caller's own cart.
type cartAPI struct {
	*api
	carts ports.Carts
}

// CartRoutes are the cart feature.
func CartRoutes(carts ports.Carts) Feature {
	return Feature{name: "cart", mount: func(base *api, r routes) {
		a := cartAPI{api: base, carts: carts}
		r.signedIn.GET("/cart", a.getCart)
		r.signedIn.POST("/cart/items", a.addCartItem)
		r.signedIn.PATCH("/cart/items/:id", a.patchCartItem)
		r.signedIn.DELETE("/cart/items/:id", a.deleteCartItem)
	}}
}

type productRefResponse struct {
	ID         int64  `json:"id"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
}

type cartLineResponse struct {
	ID             int64              `json:"id"`
	Product        productRefResponse `json:"product"`
	Quantity       int                `json:"quantity"`
	LineTotalCents int64              `json:"line_total_cents"`
}

type cartResponse struct {
	Items      []cartLineResponse `json:"items"`
	TotalCents int64              `json:"total_cents"`
}

func toCartLineResponse(l domain.CartLine) cartLineResponse {
	return cartLineResponse{
		ID:       l.ID,
		Product:  productRefResponse{ID: l.Product.ID, Name: l.Product.Name, PriceCents: int64(l.Product.Price)},
		Quantity: l.Quantity, LineTotalCents: int64(l.Total()),
	}
}

func (a cartAPI) getCart(c *gin.Context) {
	cart, err := a.carts.Get(c.Request.Context(), currentUser(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	res := cartResponse{Items: make([]cartLineResponse, len(cart.Lines)), TotalCents: int64(cart.Total())}
	for i, l := range cart.Lines {
		res.Items[i] = toCartLineResponse(l)
	}
	c.JSON(http.StatusOK, res)
}

func (a cartAPI) addCartItem(c *gin.Context) {
	var req struct {
		ProductID int64 `json:"product_id"`
		Quantity  int64 `json:"quantity"`
	}
	if !bindJSON(c, &req) {
		return
	}
	line, err := a.carts.Add(c.Request.Context(), currentUser(c), req.ProductID, req.Quantity)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusCreated, toCartLineResponse(line))
}

func (a cartAPI) patchCartItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	var req struct {
		Quantity int64 `json:"quantity"`
	}
	if !bindJSON(c, &req) {
		return
	}
	line, err := a.carts.SetQuantity(c.Request.Context(), currentUser(c), id, req.Quantity)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, toCartLineResponse(line))
}

func (a cartAPI) deleteCartItem(c *gin.Context) {
	id, ok := pathID(c, "id")
	if !ok {
		return
	}
	if err := a.carts.Remove(c.Request.Context(), currentUser(c), id); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}
