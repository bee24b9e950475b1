-- Catalog, carts, orders, idempotency keys and the mail outbox. (The shop's parts are
-- marked: make strip removes them.)

-- shop:begin
CREATE TABLE categories (
    id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL
);
CREATE UNIQUE INDEX categories_name_key ON categories (lower(name));

-- A deleted product leaves the catalog but keeps its row, so order lines can point at it.
-- Only a deleted product may lose its category (when the category is deleted after it).
CREATE TABLE products (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL,
    description text        NOT NULL DEFAULT '',
    price_cents bigint      NOT NULL CHECK (price_cents BETWEEN 1 AND 1000000000),
    stock       integer     NOT NULL CHECK (stock >= 0),
    category_id bigint      REFERENCES categories (id),
    created_at  timestamptz NOT NULL,
    deleted_at  timestamptz,
    CHECK (category_id IS NOT NULL OR deleted_at IS NOT NULL)
);
CREATE INDEX products_category_live ON products (category_id, id) WHERE deleted_at IS NULL;

-- One cart per user, by the UNIQUE constraint; one line per product in a cart.
CREATE TABLE carts (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id bigint NOT NULL UNIQUE REFERENCES users (id)
);
CREATE TABLE cart_items (
    id         bigint  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cart_id    bigint  NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id bigint  NOT NULL REFERENCES products (id),
    quantity   integer NOT NULL CHECK (quantity BETWEEN 1 AND 1000),
    UNIQUE (cart_id, product_id)
);
CREATE INDEX cart_items_product ON cart_items (product_id);

CREATE TABLE orders (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id          bigint      NOT NULL REFERENCES users (id),
    status           text        NOT NULL CHECK (status IN ('placed')),
    shipping_address text        NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX orders_user_newest ON orders (user_id, created_at DESC, id DESC);

-- Name and unit price are copied at checkout: catalog changes never rewrite an order.
CREATE TABLE order_items (
    order_id         bigint  NOT NULL REFERENCES orders (id),
    line             integer NOT NULL,
    product_id       bigint  NOT NULL REFERENCES products (id),
    name             text    NOT NULL,
    unit_price_cents bigint  NOT NULL CHECK (unit_price_cents > 0),
    quantity         integer NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (order_id, line)
);

CREATE TABLE idempotency_keys (
    user_id     bigint      NOT NULL REFERENCES users (id),
    key         text        NOT NULL,
    fingerprint text        NOT NULL,
    order_id    bigint      REFERENCES orders (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);
-- shop:end

CREATE TABLE outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    recipient       text        NOT NULL,
    subject         text        NOT NULL,
    body            text        NOT NULL,
    created_at      timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    attempts        integer     NOT NULL DEFAULT 0,
    last_error      text,
    sent_at         timestamptz,
    failed_at       timestamptz
);
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE sent_at IS NULL AND failed_at IS NULL;

---- create above / drop below ----

DROP TABLE outbox;
-- shop:begin
DROP TABLE idempotency_keys, order_items, orders, cart_items, carts, products, categories;
-- shop:end
