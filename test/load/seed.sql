-- Generated data for load runs, made inside Postgres (generate_series: no round trip per
-- row, as fast as COPY). Run with psql and these variables:
--   products_to   the catalog grows to this many products (spread over 10 categories)
--   users_to      the customer table grows to this many accounts
--   orders_to     the customer with email orders@load.example gets this many orders
-- Each run only adds what is missing, so one database can grow from size to size.
--   psql "$DATABASE_URL" -v products_to=100000 -v users_to=1000 -v orders_to=100 -f test/load/seed.sql
\set ON_ERROR_STOP on

INSERT INTO categories (name)
SELECT 'Load category ' || g FROM generate_series(1, 10) g
ON CONFLICT DO NOTHING;

INSERT INTO products (name, description, price_cents, stock, category_id, created_at)
SELECT 'Product ' || g, 'Generated for load runs', 100 + g % 9900, 1000,
       (SELECT array_agg(id ORDER BY id) FROM categories WHERE name LIKE 'Load category %')[1 + g % 10],
       now()
FROM generate_series((SELECT count(*) FROM products) + 1, :products_to) g;

INSERT INTO users (name, email, role, password_hash, created_at)
SELECT 'Load user ' || g, 'load' || g || '@load.example', 'customer', '\x00'::bytea, now()
FROM generate_series((SELECT count(*) FROM users) + 1, :users_to) g;

INSERT INTO orders (user_id, status, shipping_address, created_at)
SELECT u.id, 'placed', '1 Load Street', timestamptz '2026-01-01' + g * interval '1 minute'
FROM users u, generate_series((SELECT count(*) FROM orders o JOIN users w ON w.id = o.user_id
                                WHERE w.email = 'orders@load.example') + 1, :orders_to) g
WHERE u.email = 'orders@load.example';

INSERT INTO order_items (order_id, line, product_id, name, unit_price_cents, quantity)
SELECT o.id, 1, (SELECT min(id) FROM products), 'Product 1', 100, 1
FROM orders o
WHERE NOT EXISTS (SELECT 1 FROM order_items i WHERE i.order_id = o.id);

VACUUM ANALYZE;
