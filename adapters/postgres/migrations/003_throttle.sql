-- Attempt counters for throttling (failed logins per account, per client address, ...).
-- Keys are opaque strings made by the core; a row is dead once expires_at has passed and is
-- deleted by the housekeeping sweep.
CREATE TABLE attempts (
    key        text        PRIMARY KEY,
    count      integer     NOT NULL CHECK (count > 0),
    last_at    timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE INDEX attempts_expires_at_idx ON attempts (expires_at);

-- Emails are now normalised in the application (Unicode NFKC and case folding, see
-- ports.EmailNormalizer). Postgres' lower() depends on the database's locale and can
-- disagree with Unicode case folding (Cherokee folds to upper case), so the old
-- `email = lower(btrim(email))` check would turn some valid addresses into errors.
ALTER TABLE users DROP CONSTRAINT users_email_check;
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email <> '' AND email = btrim(email));

---- create above / drop below ----

ALTER TABLE users DROP CONSTRAINT users_email_check;
ALTER TABLE users ADD CONSTRAINT users_email_check CHECK (email = lower(btrim(email)));
DROP TABLE attempts;
