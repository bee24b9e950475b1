-- shop:begin
-- Keyset pages of the catalog walk live products by id. The primary key would do, but it
-- also walks every deleted product on the way, and deleted products pile up over a shop's
-- life; this index holds only the live ones. (A category filter uses
-- products_category_live; users are rarely deleted, so their list uses the primary key.)
CREATE INDEX products_live ON products (id) WHERE deleted_at IS NULL;

-- shop:end
---- create above / drop below ----
-- shop:begin

DROP INDEX products_live;
-- shop:end
