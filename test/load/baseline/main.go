// Command baseline is the yardstick of test/load/cart.sh and catalog.sh: the least a Go
// service can do to answer an authenticated GET /cart safely, or a public catalog read. gin and a pgx pool: it verifies the bearer
// token's HS256 signature and expiry (golang-jwt, its own secret; -mint makes its tokens), looks the user up
// (one indexed query, so that a deleted user's token fails), then runs the same cart
// query as the Postgres adapter. No layers, no error mapping, no middleware. The ratio of
// hexashop's rate to this one is the price of everything else the service does.
//
//	DATABASE_URL=... JWT_SECRET=... go run ./test/load/baseline -addr 127.0.0.1:18100
//	JWT_SECRET=... go run ./test/load/baseline -mint 7     # a token for user 7
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/gin-gonic/gin"
	"github.com/golang-jwt/jwt/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

type line struct {
	ID       int64 `json:"id"`
	Quantity int   `json:"quantity"`
	Product  struct {
		ID         int64  `json:"id"`
		Name       string `json:"name"`
		PriceCents int64  `json:"price_cents"`
	} `json:"product"`
	LineTotalCents int64 `json:"line_total_cents"`
}

type product struct {
	ID          int64  `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
	PriceCents  int64  `json:"price_cents"`
	Stock       int    `json:"stock"`
	Category    struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"category"`
	CreatedAt time.Time `json:"created_at"`
}

func main() {
	addr := flag.String("addr", "127.0.0.1:18100", "listen address (loopback)")
	mint := flag.Int64("mint", 0, "print an HS256 token for this user id (an hour long) and exit")
	fixedFile := flag.String("fixed-file", "", "also answer GET /fixed-file with this file's bytes (the ceiling at a given answer size)")
	flag.Parse()
	secret := []byte(os.Getenv("JWT_SECRET"))
	if *mint > 0 {
		tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.RegisteredClaims{
			Subject: strconv.FormatInt(*mint, 10), ExpiresAt: jwt.NewNumericDate(time.Now().Add(time.Hour)),
		}).SignedString(secret)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := os.Stdout.WriteString(tok + "\n"); err != nil {
			log.Fatal(err)
		}
		return
	}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"HS256"}), jwt.WithExpirationRequired())
	pool, err := pgxpool.New(context.Background(), os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	gin.SetMode(gin.ReleaseMode)
	r := gin.New()
	r.GET("/cart", func(c *gin.Context) {
		var claims jwt.RegisteredClaims
		_, err := parser.ParseWithClaims(strings.TrimPrefix(c.GetHeader("Authorization"), "Bearer "), &claims,
			func(*jwt.Token) (any, error) { return secret, nil })
		user, _ := strconv.ParseInt(claims.Subject, 10, 64)
		if err != nil || user <= 0 {
			c.Status(http.StatusUnauthorized)
			return
		}
		ctx := c.Request.Context()
		if err := pool.QueryRow(ctx, `SELECT id FROM users WHERE id = $1 AND deleted_at IS NULL`, user).Scan(&user); err != nil {
			c.Status(http.StatusUnauthorized)
			return
		}
		rows, err := pool.Query(ctx, `SELECT ci.id, ci.quantity, p.id, p.name, p.price_cents
			FROM cart_items ci JOIN carts c ON c.id = ci.cart_id JOIN products p ON p.id = ci.product_id
			WHERE c.user_id = $1 ORDER BY ci.id`, user)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return
		}
		defer rows.Close()
		items, total := []line{}, int64(0)
		for rows.Next() {
			var l line
			if err := rows.Scan(&l.ID, &l.Quantity, &l.Product.ID, &l.Product.Name, &l.Product.PriceCents); err != nil {
				c.Status(http.StatusInternalServerError)
				return
			}
			l.LineTotalCents = l.Product.PriceCents * int64(l.Quantity)
			total += l.LineTotalCents
			items = append(items, l)
		}
		c.JSON(http.StatusOK, gin.H{"items": items, "total_cents": total})
	})
	// The catalog (catalog.sh): the same keyset statement as the Postgres adapter's first
	// page and product read, encoded with gin; and /fixed, the same bytes every time (the
	// HTTP ceiling of the machine: no database, no encoding).
	const productSelect = `SELECT p.id, p.name, p.description, p.price_cents, p.stock, c.id, c.name, p.created_at
		FROM products p JOIN categories c ON c.id = p.category_id`
	scanProducts := func(c *gin.Context, sql string, args ...any) ([]product, bool) {
		rows, err := pool.Query(c.Request.Context(), sql, args...)
		if err != nil {
			c.Status(http.StatusInternalServerError)
			return nil, false
		}
		defer rows.Close()
		out := []product{}
		for rows.Next() {
			var p product
			if err := rows.Scan(&p.ID, &p.Name, &p.Description, &p.PriceCents, &p.Stock, &p.Category.ID, &p.Category.Name, &p.CreatedAt); err != nil {
				c.Status(http.StatusInternalServerError)
				return nil, false
			}
			out = append(out, p)
		}
		return out, rows.Err() == nil
	}
	r.GET("/products", func(c *gin.Context) {
		items, ok := scanProducts(c, productSelect+` WHERE p.deleted_at IS NULL AND p.id > $1 ORDER BY p.id LIMIT 21`, int64(0))
		if !ok {
			return
		}
		var next *string
		if len(items) > 20 {
			items = items[:20]
			s := "next"
			next = &s
		}
		c.JSON(http.StatusOK, gin.H{"items": items, "next_cursor": next})
	})
	r.GET("/products/:id", func(c *gin.Context) {
		id, _ := strconv.ParseInt(c.Param("id"), 10, 64)
		items, ok := scanProducts(c, productSelect+` WHERE p.id = $1 AND p.deleted_at IS NULL`, id)
		if !ok || len(items) == 0 {
			c.Status(http.StatusNotFound)
			return
		}
		c.JSON(http.StatusOK, items[0])
	})
	fixed := []byte(strings.Repeat(`{"id":1,"name":"Product 1","description":"Generated for load runs","price_cents":101}`, 20))
	r.GET("/fixed", func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", fixed) })
	if *fixedFile != "" {
		same, err := os.ReadFile(*fixedFile)
		if err != nil {
			log.Fatal(err)
		}
		r.GET("/fixed-file", func(c *gin.Context) { c.Data(http.StatusOK, "application/json; charset=utf-8", same) })
	}
	log.Fatal(r.Run(*addr))
}
