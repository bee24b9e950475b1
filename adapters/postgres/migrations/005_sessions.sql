-- Sessions: one per password login, extended by refreshes. A session ends by deletion
-- (sign-out, revocation, password change, reuse of a spent refresh token, expiry swept by
-- housekeeping); its refresh tokens go with it.
CREATE TABLE sessions (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id         bigint      NOT NULL REFERENCES users (id),
    created_at      timestamptz NOT NULL,
    last_used_at    timestamptz NOT NULL,
    idle_expires_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL,
    user_agent      text        NOT NULL DEFAULT '',
    -- the token spent by the latest rotation: the only one a retry within the grace may present
    previous_token_hash bytea
);
CREATE INDEX sessions_user ON sessions (user_id, id DESC);
CREATE INDEX sessions_idle_expiry ON sessions (idle_expires_at);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- Refresh tokens, by SHA-256 only. Spent ones stay while their session lives, so that
-- presenting one again is recognised as reuse and ends the session.
CREATE TABLE refresh_tokens (
    token_hash bytea       PRIMARY KEY,
    session_id bigint      NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    issued_at  timestamptz NOT NULL,
    spent_at   timestamptz
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);

-- Housekeeping expires delivered mail after 7 days,
-- shop:begin
-- and Idempotency-Keys after 24 hours.
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
-- shop:end
CREATE INDEX outbox_finished ON outbox (coalesce(sent_at, failed_at)) WHERE sent_at IS NOT NULL OR failed_at IS NOT NULL;

---- create above / drop below ----

DROP INDEX outbox_finished;
-- shop:begin
DROP INDEX idempotency_keys_created;
-- shop:end
DROP TABLE refresh_tokens, sessions;
