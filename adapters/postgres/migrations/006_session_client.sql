-- The OAuth2 client_id a session was started by: its access tokens carry it (RFC 9068),
-- refreshed ones too. Sessions from before have none ('').
ALTER TABLE sessions ADD COLUMN client_id text NOT NULL DEFAULT '';

---- create above / drop below ----

ALTER TABLE sessions DROP COLUMN client_id;
