-- Account recovery: verified email addresses, and the single-use tokens mailed for a
-- password reset or an email verification. A token is kept only as its SHA-256; an
-- account has at most one live token per purpose (a new one replaces the last), and a
-- used one is deleted. Admin accounts, made by an operator, count as verified.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;
UPDATE users SET email_verified_at = created_at WHERE role = 'admin';

CREATE TABLE account_tokens (
    token_hash bytea       PRIMARY KEY,
    user_id    bigint      NOT NULL REFERENCES users (id),
    purpose    text        NOT NULL CHECK (purpose IN ('password_reset', 'email_verification')),
    email      text        NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE UNIQUE INDEX account_tokens_one_live ON account_tokens (user_id, purpose);
CREATE INDEX account_tokens_expiry ON account_tokens (expires_at);

---- create above / drop below ----

DROP TABLE account_tokens;
ALTER TABLE users DROP COLUMN email_verified_at;
