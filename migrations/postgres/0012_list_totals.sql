-- Row totals for the lists whose X-Total-Count no index narrows: every order and the orders of
-- one status (GET /api/orders for staff and admin, and the orders gauge of /metrics), the
-- whole audit log and its rows of one rule type (GET /api/business-rules/audit). Counting those
-- rows read the whole table or index on every request, a cost growing with the history
-- (bench/results/growth.md); reading a total is at most 16 rows. Triggers keep the totals
-- exact for every change, including edits made directly in SQL. As for the baristas' queue
-- (migration 0002), each total is spread over 16 shard rows, the shard of a row being that of
-- its order, so that concurrent writers rarely wait for the same row lock; a total is the sum
-- of its shards. Inserts, the hot path (an order and its audit rows), are counted once per
-- statement from its transition table, in key order, not once per row.

-- The shard of an order's rows (an audit row without an order: shard 0).
CREATE FUNCTION total_shard(order_id UUID) RETURNS INTEGER AS $$
  SELECT coalesce(abs(hashtext(order_id::text)) % 16, 0)
$$ LANGUAGE sql IMMUTABLE PARALLEL SAFE;

CREATE TABLE order_status_totals (
  status TEXT NOT NULL,
  shard  INTEGER NOT NULL CHECK (shard BETWEEN 0 AND 15),
  orders BIGINT NOT NULL,
  PRIMARY KEY (status, shard)
);
INSERT INTO order_status_totals (status, shard, orders)
SELECT status, total_shard(id), count(*) FROM orders GROUP BY 1, 2;

CREATE FUNCTION order_totals_add() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_status_totals AS t (status, shard, orders)
    SELECT status, total_shard(id), count(*) FROM inserted_orders GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders + EXCLUDED.orders;
  ELSE
    UPDATE order_status_totals AS t SET orders = t.orders - d.orders
    FROM (SELECT status, total_shard(id) AS shard, count(*) AS orders FROM deleted_orders
          GROUP BY 1, 2) AS d
    WHERE t.status = d.status AND t.shard = d.shard;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER order_totals_insert AFTER INSERT ON orders
REFERENCING NEW TABLE AS inserted_orders
FOR EACH STATEMENT EXECUTE FUNCTION order_totals_add();
CREATE TRIGGER order_totals_delete AFTER DELETE ON orders
REFERENCING OLD TABLE AS deleted_orders
FOR EACH STATEMENT EXECUTE FUNCTION order_totals_add();

-- A status change moves one order between two totals of its shard. Per row, so that the WHEN
-- clause skips the function for the order updates that leave the status alone.
CREATE FUNCTION order_totals_move() RETURNS trigger AS $$
BEGIN
  UPDATE order_status_totals SET orders = orders - 1
  WHERE status = OLD.status AND shard = total_shard(OLD.id);
  INSERT INTO order_status_totals AS t (status, shard, orders)
  VALUES (NEW.status, total_shard(NEW.id), 1)
  ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders + 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER order_totals_move AFTER UPDATE OF status, id ON orders
FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.id IS DISTINCT FROM NEW.id)
EXECUTE FUNCTION order_totals_move();

CREATE TABLE rule_audit_totals (
  rule_type  TEXT NOT NULL,
  shard      INTEGER NOT NULL CHECK (shard BETWEEN 0 AND 15),
  audit_rows BIGINT NOT NULL,
  PRIMARY KEY (rule_type, shard)
);
INSERT INTO rule_audit_totals (rule_type, shard, audit_rows)
SELECT rule_type, total_shard(order_id), count(*) FROM rule_audit_log GROUP BY 1, 2;

CREATE FUNCTION rule_audit_totals_add() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
    SELECT rule_type, total_shard(order_id), count(*) FROM inserted_audits
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows + EXCLUDED.audit_rows;
  ELSE
    UPDATE rule_audit_totals AS t SET audit_rows = t.audit_rows - d.audit_rows
    FROM (SELECT rule_type, total_shard(order_id) AS shard, count(*) AS audit_rows
          FROM deleted_audits GROUP BY 1, 2) AS d
    WHERE t.rule_type = d.rule_type AND t.shard = d.shard;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER rule_audit_totals_insert AFTER INSERT ON rule_audit_log
REFERENCING NEW TABLE AS inserted_audits
FOR EACH STATEMENT EXECUTE FUNCTION rule_audit_totals_add();
CREATE TRIGGER rule_audit_totals_delete AFTER DELETE ON rule_audit_log
REFERENCING OLD TABLE AS deleted_audits
FOR EACH STATEMENT EXECUTE FUNCTION rule_audit_totals_add();

CREATE FUNCTION rule_audit_totals_move() RETURNS trigger AS $$
BEGIN
  UPDATE rule_audit_totals SET audit_rows = audit_rows - 1
  WHERE rule_type = OLD.rule_type AND shard = total_shard(OLD.order_id);
  INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
  VALUES (NEW.rule_type, total_shard(NEW.order_id), 1)
  ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows + 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER rule_audit_totals_move AFTER UPDATE OF rule_type, order_id ON rule_audit_log
FOR EACH ROW
WHEN (OLD.rule_type IS DISTINCT FROM NEW.rule_type OR OLD.order_id IS DISTINCT FROM NEW.order_id)
EXECUTE FUNCTION rule_audit_totals_move();
