-- Reviews (SPEC §9) and the rollups behind sales analytics (SPEC §10), SQLite.
--
-- Reviews: one per (user, coffee), enforced by a unique index. The catalog's aggregate
-- (average_rating = rating_sum / review_count over visible reviews) lives in two columns of
-- coffees that triggers on reviews keep exact, in the transaction of the review change.
--
-- Analytics: only completed orders whose payment is not refunded count as sales. Rollup tables
-- hold their sums per UTC bucket of created_at at five levels (rollup_levels): quarter hours
-- (every IANA offset is a whole number of quarter hours, so local hours and days are unions of
-- them), hours, days, 16-day and 64-day blocks. A report adds whole buckets of the coarsest level that
-- fits and reads raw rows only for the partial quarter hours at its edges. coffee_id 0 is the
-- whole order. Triggers keep the rollups exact in the transaction that makes an order count or
-- stop counting (completion, refund by cancellation, payment refunded) and when a counted order
-- is edited or deleted; `coffee-api analytics rebuild` recomputes them from the raw rows after
-- bulk loads or edits of order lines and audit rows made directly in SQL.

-- ---------------------------------------------------------------- reviews

ALTER TABLE coffees ADD COLUMN rating_sum INTEGER NOT NULL DEFAULT 0;    -- visible reviews
ALTER TABLE coffees ADD COLUMN review_count INTEGER NOT NULL DEFAULT 0;  -- visible reviews

CREATE TABLE reviews (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  coffee_id     INTEGER NOT NULL REFERENCES coffees (id) ON DELETE CASCADE,
  rating        INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
  comment       TEXT,
  hidden        INTEGER NOT NULL DEFAULT 0 CHECK (hidden IN (0, 1)),
  hidden_reason TEXT,
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX reviews_user_coffee_key ON reviews (user_id, coffee_id);
CREATE INDEX reviews_coffee_visible_idx ON reviews (coffee_id, created_at DESC, id DESC)
  WHERE hidden = 0;
CREATE INDEX reviews_created_visible_idx ON reviews (created_at, coffee_id, rating)
  WHERE hidden = 0;

-- ---------------------------------------------------------------- orders

-- The instant the order became `ready` (prep-time accuracy); NULL for orders older than this
-- migration and for orders that never were ready.
ALTER TABLE orders ADD COLUMN ready_at TEXT;

-- ---------------------------------------------------------------- rollups

CREATE TABLE rollup_levels (
  level   INTEGER PRIMARY KEY,
  seconds INTEGER NOT NULL
);
INSERT INTO rollup_levels (level, seconds) VALUES (0, 900), (1, 3600), (2, 86400), (3, 1382400),
  (4, 5529600);

-- Sales per bucket; coffee_id 0 = whole orders (quantity = items of the order), else the lines
-- of that coffee. timed_orders counts the orders with a ready_at; quoted_minutes and
-- actual_seconds (ready_at − created_at, whole seconds) are summed over those.
CREATE TABLE sales_rollup (
  level          INTEGER NOT NULL,
  coffee_id      INTEGER NOT NULL,
  bucket         INTEGER NOT NULL,
  orders         INTEGER NOT NULL,
  quantity       INTEGER NOT NULL,
  gross_cents    INTEGER NOT NULL,
  discount_cents INTEGER NOT NULL,
  net_cents      INTEGER NOT NULL,
  timed_orders   INTEGER NOT NULL,
  quoted_minutes INTEGER NOT NULL,
  actual_seconds INTEGER NOT NULL,
  PRIMARY KEY (level, coffee_id, bucket)
) WITHOUT ROWID;

-- Discount granted per pricing rule (from the pricing_rule audit rows of counted orders), and
-- how many of those orders had their discount clipped by max_discount_percent.
CREATE TABLE rule_rollup (
  level          INTEGER NOT NULL,
  bucket         INTEGER NOT NULL,
  rule_id        INTEGER NOT NULL,
  orders         INTEGER NOT NULL,
  discount_cents INTEGER NOT NULL,
  capped_orders  INTEGER NOT NULL,
  PRIMARY KEY (level, bucket, rule_id)
) WITHOUT ROWID;

-- Orders by lateness (ceil((actual − quoted) / 1 min), whole minutes), for percentiles; only
-- orders with a ready_at. coffee_id 0 = all orders.
CREATE TABLE prep_rollup (
  level        INTEGER NOT NULL,
  coffee_id    INTEGER NOT NULL,
  bucket       INTEGER NOT NULL,
  late_minutes INTEGER NOT NULL,
  orders       INTEGER NOT NULL,
  PRIMARY KEY (level, coffee_id, bucket, late_minutes)
) WITHOUT ROWID;

-- Visible reviews by rating (r1 … r5), bucketed by the review's created_at; coffee_id 0 = all
-- coffees. One row per bucket, so a report over a year reads a fifth of the rows.
CREATE TABLE review_rollup (
  level     INTEGER NOT NULL,
  coffee_id INTEGER NOT NULL,
  bucket    INTEGER NOT NULL,
  r1        INTEGER NOT NULL,
  r2        INTEGER NOT NULL,
  r3        INTEGER NOT NULL,
  r4        INTEGER NOT NULL,
  r5        INTEGER NOT NULL,
  PRIMARY KEY (level, coffee_id, bucket)
) WITHOUT ROWID;

-- ---------------------------------------------------------------- review triggers

CREATE TRIGGER reviews_track_insert AFTER INSERT ON reviews
WHEN NEW.hidden = 0
BEGIN
  UPDATE coffees SET rating_sum = rating_sum + NEW.rating, review_count = review_count + 1
  WHERE id = NEW.coffee_id;
  INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)
  SELECT l.level, c.coffee_id, unixepoch(NEW.created_at) / l.seconds,
         NEW.rating = 1, NEW.rating = 2, NEW.rating = 3,
         NEW.rating = 4, NEW.rating = 5
  FROM rollup_levels l, (SELECT 0 AS coffee_id UNION ALL SELECT NEW.coffee_id) c
  WHERE true
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4,
    r5 = r5 + excluded.r5;
END;

CREATE TRIGGER reviews_track_update AFTER UPDATE OF coffee_id, rating, hidden, created_at ON reviews
WHEN OLD.hidden = 0 OR NEW.hidden = 0
BEGIN
  UPDATE coffees SET rating_sum = rating_sum - OLD.rating, review_count = review_count - 1
  WHERE id = OLD.coffee_id AND OLD.hidden = 0;
  UPDATE coffees SET rating_sum = rating_sum + NEW.rating, review_count = review_count + 1
  WHERE id = NEW.coffee_id AND NEW.hidden = 0;
  INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)
  SELECT l.level, CASE WHEN c.whole = 1 THEN 0 ELSE x.coffee_id END, x.t / l.seconds,
         x.sign * (x.rating = 1), x.sign * (x.rating = 2), x.sign * (x.rating = 3),
         x.sign * (x.rating = 4), x.sign * (x.rating = 5)
  FROM (SELECT -1 AS sign, OLD.coffee_id AS coffee_id, OLD.rating AS rating,
               unixepoch(OLD.created_at) AS t WHERE OLD.hidden = 0
        UNION ALL
        SELECT 1, NEW.coffee_id, NEW.rating, unixepoch(NEW.created_at) WHERE NEW.hidden = 0) x,
       rollup_levels l, (SELECT 1 AS whole UNION ALL SELECT 0) c
  WHERE true
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4,
    r5 = r5 + excluded.r5;
END;

CREATE TRIGGER reviews_track_delete AFTER DELETE ON reviews
WHEN OLD.hidden = 0
BEGIN
  UPDATE coffees SET rating_sum = rating_sum - OLD.rating, review_count = review_count - 1
  WHERE id = OLD.coffee_id;
  INSERT INTO review_rollup (level, coffee_id, bucket, r1, r2, r3, r4, r5)
  SELECT l.level, c.coffee_id, unixepoch(OLD.created_at) / l.seconds,
         -(OLD.rating = 1), -(OLD.rating = 2), -(OLD.rating = 3),
         -(OLD.rating = 4), -(OLD.rating = 5)
  FROM rollup_levels l, (SELECT 0 AS coffee_id UNION ALL SELECT OLD.coffee_id) c
  WHERE true
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    r1 = r1 + excluded.r1, r2 = r2 + excluded.r2, r3 = r3 + excluded.r3, r4 = r4 + excluded.r4,
    r5 = r5 + excluded.r5;
END;

-- ---------------------------------------------------------------- order triggers

-- What an order adds to the rollups while it counts, as rows of a derived table `x` with a
-- sign: −1 for the old version of the row, +1 for the new one. Each statement below is written
-- once per trigger; the two triggers differ only in which versions they see. `+a.rule_type`
-- keeps SQLite on the audit log's order_id index: without statistics it would otherwise pick
-- the rule_type index and read every audit row of that type for each order.

CREATE TRIGGER orders_rollup_update
AFTER UPDATE OF status, payment_status, created_at, ready_at, estimated_prep_minutes,
                base_price_cents, discount_total_cents, total_price_cents ON orders
WHEN (OLD.status = 'completed' AND OLD.payment_status <> 'refunded')
  OR (NEW.status = 'completed' AND NEW.payment_status <> 'refunded')
BEGIN
  INSERT INTO sales_rollup (level, coffee_id, bucket, orders, quantity, gross_cents,
                            discount_cents, net_cents, timed_orders, quoted_minutes,
                            actual_seconds)
  SELECT l.level, 0, x.t / l.seconds, x.sign,
         x.sign * (SELECT coalesce(sum(quantity), 0) FROM order_items WHERE order_id = x.id),
         x.sign * x.base, x.sign * x.discount, x.sign * x.total,
         x.sign * (x.actual IS NOT NULL),
         x.sign * (CASE WHEN x.actual IS NULL THEN 0 ELSE x.quoted END),
         x.sign * coalesce(x.actual, 0)
  FROM (SELECT -1 AS sign, OLD.id AS id, unixepoch(OLD.created_at) AS t,
               OLD.base_price_cents AS base, OLD.discount_total_cents AS discount,
               OLD.total_price_cents AS total, OLD.estimated_prep_minutes AS quoted,
               unixepoch(OLD.ready_at) - unixepoch(OLD.created_at) AS actual
        WHERE OLD.status = 'completed' AND OLD.payment_status <> 'refunded'
        UNION ALL
        SELECT 1, NEW.id, unixepoch(NEW.created_at), NEW.base_price_cents,
               NEW.discount_total_cents, NEW.total_price_cents, NEW.estimated_prep_minutes,
               unixepoch(NEW.ready_at) - unixepoch(NEW.created_at)
        WHERE NEW.status = 'completed' AND NEW.payment_status <> 'refunded') x,
       rollup_levels l
  WHERE true
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    orders = orders + excluded.orders, quantity = quantity + excluded.quantity,
    gross_cents = gross_cents + excluded.gross_cents,
    discount_cents = discount_cents + excluded.discount_cents,
    net_cents = net_cents + excluded.net_cents,
    timed_orders = timed_orders + excluded.timed_orders,
    quoted_minutes = quoted_minutes + excluded.quoted_minutes,
    actual_seconds = actual_seconds + excluded.actual_seconds;

  INSERT INTO sales_rollup (level, coffee_id, bucket, orders, quantity, gross_cents,
                            discount_cents, net_cents, timed_orders, quoted_minutes,
                            actual_seconds)
  SELECT l.level, i.coffee_id, x.t / l.seconds, x.sign, x.sign * i.quantity,
         x.sign * i.subtotal_cents, x.sign * i.discount_cents, x.sign * i.final_cents,
         x.sign * (x.actual IS NOT NULL),
         x.sign * (CASE WHEN x.actual IS NULL THEN 0 ELSE x.quoted END),
         x.sign * coalesce(x.actual, 0)
  FROM (SELECT -1 AS sign, OLD.id AS id, unixepoch(OLD.created_at) AS t,
               OLD.estimated_prep_minutes AS quoted,
               unixepoch(OLD.ready_at) - unixepoch(OLD.created_at) AS actual
        WHERE OLD.status = 'completed' AND OLD.payment_status <> 'refunded'
        UNION ALL
        SELECT 1, NEW.id, unixepoch(NEW.created_at), NEW.estimated_prep_minutes,
               unixepoch(NEW.ready_at) - unixepoch(NEW.created_at)
        WHERE NEW.status = 'completed' AND NEW.payment_status <> 'refunded') x,
       order_items i, rollup_levels l
  WHERE i.order_id = x.id
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    orders = orders + excluded.orders, quantity = quantity + excluded.quantity,
    gross_cents = gross_cents + excluded.gross_cents,
    discount_cents = discount_cents + excluded.discount_cents,
    net_cents = net_cents + excluded.net_cents,
    timed_orders = timed_orders + excluded.timed_orders,
    quoted_minutes = quoted_minutes + excluded.quoted_minutes,
    actual_seconds = actual_seconds + excluded.actual_seconds;

  INSERT INTO rule_rollup (level, bucket, rule_id, orders, discount_cents, capped_orders)
  SELECT l.level, x.t / l.seconds, a.rule_id, x.sign,
         x.sign * coalesce(json_extract(a.rule_data, '$.discount_cents'),
                           CAST(replace(json_extract(a.rule_data, '$.discount'), '.', '')
                                AS INTEGER)),
         x.sign * coalesce((SELECT coalesce(json_extract(s.rule_data, '$.max_discount_capped'),
                                            json_extract(s.rule_data, '$.capped'))
                            FROM rule_audit_log s
                            WHERE s.order_id = x.id AND +s.rule_type = 'pricing_summary'
                            LIMIT 1), 0)
  FROM (SELECT -1 AS sign, OLD.id AS id, unixepoch(OLD.created_at) AS t
        WHERE OLD.status = 'completed' AND OLD.payment_status <> 'refunded'
        UNION ALL
        SELECT 1, NEW.id, unixepoch(NEW.created_at)
        WHERE NEW.status = 'completed' AND NEW.payment_status <> 'refunded') x,
       rule_audit_log a, rollup_levels l
  WHERE a.order_id = x.id AND +a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL
  ON CONFLICT (level, bucket, rule_id) DO UPDATE SET
    orders = orders + excluded.orders, discount_cents = discount_cents + excluded.discount_cents,
    capped_orders = capped_orders + excluded.capped_orders;

  INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)
  SELECT l.level, c.coffee_id, x.t / l.seconds,
         CASE WHEN x.late > 0 THEN (x.late + 59) / 60 ELSE x.late / 60 END, x.sign
  FROM (SELECT -1 AS sign, OLD.id AS id, unixepoch(OLD.created_at) AS t,
               unixepoch(OLD.ready_at) - unixepoch(OLD.created_at)
                 - 60 * OLD.estimated_prep_minutes AS late
        WHERE OLD.status = 'completed' AND OLD.payment_status <> 'refunded'
          AND OLD.ready_at IS NOT NULL
        UNION ALL
        SELECT 1, NEW.id, unixepoch(NEW.created_at),
               unixepoch(NEW.ready_at) - unixepoch(NEW.created_at) - 60 * NEW.estimated_prep_minutes
        WHERE NEW.status = 'completed' AND NEW.payment_status <> 'refunded'
          AND NEW.ready_at IS NOT NULL) x,
       (SELECT 0 AS order_id, 0 AS coffee_id
        UNION ALL SELECT order_id, coffee_id FROM order_items
        WHERE order_id IN (OLD.id, NEW.id)) c,
       rollup_levels l
  WHERE c.coffee_id = 0 OR c.order_id = x.id
  ON CONFLICT (level, coffee_id, bucket, late_minutes) DO UPDATE SET
    orders = orders + excluded.orders;
END;

CREATE TRIGGER orders_rollup_delete BEFORE DELETE ON orders
WHEN OLD.status = 'completed' AND OLD.payment_status <> 'refunded'
BEGIN
  INSERT INTO sales_rollup (level, coffee_id, bucket, orders, quantity, gross_cents,
                            discount_cents, net_cents, timed_orders, quoted_minutes,
                            actual_seconds)
  SELECT l.level, 0, unixepoch(OLD.created_at) / l.seconds, -1,
         -(SELECT coalesce(sum(quantity), 0) FROM order_items WHERE order_id = OLD.id),
         -OLD.base_price_cents, -OLD.discount_total_cents, -OLD.total_price_cents,
         -(OLD.ready_at IS NOT NULL),
         -(CASE WHEN OLD.ready_at IS NULL THEN 0 ELSE OLD.estimated_prep_minutes END),
         -coalesce(unixepoch(OLD.ready_at) - unixepoch(OLD.created_at), 0)
  FROM rollup_levels l
  WHERE true
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    orders = orders + excluded.orders, quantity = quantity + excluded.quantity,
    gross_cents = gross_cents + excluded.gross_cents,
    discount_cents = discount_cents + excluded.discount_cents,
    net_cents = net_cents + excluded.net_cents,
    timed_orders = timed_orders + excluded.timed_orders,
    quoted_minutes = quoted_minutes + excluded.quoted_minutes,
    actual_seconds = actual_seconds + excluded.actual_seconds;

  INSERT INTO sales_rollup (level, coffee_id, bucket, orders, quantity, gross_cents,
                            discount_cents, net_cents, timed_orders, quoted_minutes,
                            actual_seconds)
  SELECT l.level, i.coffee_id, unixepoch(OLD.created_at) / l.seconds, -1, -i.quantity,
         -i.subtotal_cents, -i.discount_cents, -i.final_cents, -(OLD.ready_at IS NOT NULL),
         -(CASE WHEN OLD.ready_at IS NULL THEN 0 ELSE OLD.estimated_prep_minutes END),
         -coalesce(unixepoch(OLD.ready_at) - unixepoch(OLD.created_at), 0)
  FROM order_items i, rollup_levels l
  WHERE i.order_id = OLD.id
  ON CONFLICT (level, coffee_id, bucket) DO UPDATE SET
    orders = orders + excluded.orders, quantity = quantity + excluded.quantity,
    gross_cents = gross_cents + excluded.gross_cents,
    discount_cents = discount_cents + excluded.discount_cents,
    net_cents = net_cents + excluded.net_cents,
    timed_orders = timed_orders + excluded.timed_orders,
    quoted_minutes = quoted_minutes + excluded.quoted_minutes,
    actual_seconds = actual_seconds + excluded.actual_seconds;

  INSERT INTO rule_rollup (level, bucket, rule_id, orders, discount_cents, capped_orders)
  SELECT l.level, unixepoch(OLD.created_at) / l.seconds, a.rule_id, -1,
         -coalesce(json_extract(a.rule_data, '$.discount_cents'),
                   CAST(replace(json_extract(a.rule_data, '$.discount'), '.', '') AS INTEGER)),
         -coalesce((SELECT coalesce(json_extract(s.rule_data, '$.max_discount_capped'),
                                    json_extract(s.rule_data, '$.capped'))
                    FROM rule_audit_log s
                    WHERE s.order_id = OLD.id AND +s.rule_type = 'pricing_summary'
                    LIMIT 1), 0)
  FROM rule_audit_log a, rollup_levels l
  WHERE a.order_id = OLD.id AND +a.rule_type = 'pricing_rule' AND a.rule_id IS NOT NULL
  ON CONFLICT (level, bucket, rule_id) DO UPDATE SET
    orders = orders + excluded.orders, discount_cents = discount_cents + excluded.discount_cents,
    capped_orders = capped_orders + excluded.capped_orders;

  INSERT INTO prep_rollup (level, coffee_id, bucket, late_minutes, orders)
  SELECT l.level, c.coffee_id, unixepoch(OLD.created_at) / l.seconds,
         CASE WHEN x.late > 0 THEN (x.late + 59) / 60 ELSE x.late / 60 END, -1
  FROM (SELECT unixepoch(OLD.ready_at) - unixepoch(OLD.created_at)
                 - 60 * OLD.estimated_prep_minutes AS late
        WHERE OLD.ready_at IS NOT NULL) x,
       (SELECT 0 AS coffee_id
        UNION ALL SELECT coffee_id FROM order_items WHERE order_id = OLD.id) c,
       rollup_levels l
  WHERE true
  ON CONFLICT (level, coffee_id, bucket, late_minutes) DO UPDATE SET
    orders = orders + excluded.orders;
END;
