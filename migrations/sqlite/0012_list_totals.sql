-- Row totals for the lists whose X-Total-Count no index narrows: every order and the orders of
-- one status (GET /api/orders for staff and admin, and the orders gauge of /metrics), the
-- whole audit log and its rows of one rule type (GET /api/business-rules/audit). Counting those
-- rows read the whole table or index on every request, a cost growing with the history
-- (bench/results/growth.md); reading a total is one row. Triggers keep the totals exact for
-- every change, including edits made directly in SQL; SQLite has one writer, so these rows
-- cannot become a point of contention.

CREATE TABLE order_status_totals (
  status TEXT PRIMARY KEY,
  orders INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO order_status_totals (status, orders)
SELECT status, count(*) FROM orders GROUP BY status;

CREATE TRIGGER orders_total_insert AFTER INSERT ON orders
BEGIN
  INSERT INTO order_status_totals (status, orders) VALUES (NEW.status, 1)
  ON CONFLICT (status) DO UPDATE SET orders = orders + 1;
END;

CREATE TRIGGER orders_total_update AFTER UPDATE OF status ON orders
WHEN OLD.status IS NOT NEW.status
BEGIN
  UPDATE order_status_totals SET orders = orders - 1 WHERE status = OLD.status;
  INSERT INTO order_status_totals (status, orders) VALUES (NEW.status, 1)
  ON CONFLICT (status) DO UPDATE SET orders = orders + 1;
END;

CREATE TRIGGER orders_total_delete AFTER DELETE ON orders
BEGIN
  UPDATE order_status_totals SET orders = orders - 1 WHERE status = OLD.status;
END;

CREATE TABLE rule_audit_totals (
  rule_type  TEXT PRIMARY KEY,
  audit_rows INTEGER NOT NULL
) WITHOUT ROWID;
INSERT INTO rule_audit_totals (rule_type, audit_rows)
SELECT rule_type, count(*) FROM rule_audit_log GROUP BY rule_type;

CREATE TRIGGER rule_audit_total_insert AFTER INSERT ON rule_audit_log
BEGIN
  INSERT INTO rule_audit_totals (rule_type, audit_rows) VALUES (NEW.rule_type, 1)
  ON CONFLICT (rule_type) DO UPDATE SET audit_rows = audit_rows + 1;
END;

CREATE TRIGGER rule_audit_total_update AFTER UPDATE OF rule_type ON rule_audit_log
WHEN OLD.rule_type IS NOT NEW.rule_type
BEGIN
  UPDATE rule_audit_totals SET audit_rows = audit_rows - 1 WHERE rule_type = OLD.rule_type;
  INSERT INTO rule_audit_totals (rule_type, audit_rows) VALUES (NEW.rule_type, 1)
  ON CONFLICT (rule_type) DO UPDATE SET audit_rows = audit_rows + 1;
END;

CREATE TRIGGER rule_audit_total_delete AFTER DELETE ON rule_audit_log
BEGIN
  UPDATE rule_audit_totals SET audit_rows = audit_rows - 1 WHERE rule_type = OLD.rule_type;
END;
