-- Accounts. A deleted account keeps its row (deleted_at set) so that past orders keep their
-- owner; its email is free again because uniqueness only covers live accounts.
CREATE TABLE users (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name          text        NOT NULL,
    email         text        NOT NULL CHECK (email = lower(btrim(email))),
    password_hash bytea       NOT NULL,
    role          text        NOT NULL CHECK (role IN ('customer', 'admin')),
    created_at    timestamptz NOT NULL,
    deleted_at    timestamptz
);

CREATE UNIQUE INDEX users_email_live_key ON users (email) WHERE deleted_at IS NULL;

---- create above / drop below ----

DROP TABLE users;
