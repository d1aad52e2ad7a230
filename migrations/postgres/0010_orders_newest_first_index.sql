-- GET /api/orders for staff and admin without a filter lists every order newest first
-- (ORDER BY created_at DESC, id DESC). No index had that order, so each page scanned and sorted
-- the whole orders table (cost growing with the orders: bench/results/growth.md). With this
-- index the page is read in index order and the scan stops at the page's end.
CREATE INDEX orders_created_id_idx ON orders (created_at DESC, id DESC);
