-- The baristas' queue as a running total, so placing an order reads one row instead of summing
-- every queued order. Triggers keep it exact for every change to orders, including edits made
-- directly in SQL. SQLite has one writer, so one row cannot become a point of contention.

CREATE TABLE prep_queue (
  id                  INTEGER PRIMARY KEY CHECK (id = 1),
  queued_work_minutes INTEGER NOT NULL
);
INSERT INTO prep_queue (id, queued_work_minutes)
SELECT 1, coalesce(sum(prep_work_minutes), 0) FROM orders
WHERE status IN ('pending', 'confirmed', 'preparing');

CREATE TRIGGER orders_queue_insert AFTER INSERT ON orders
WHEN NEW.status IN ('pending', 'confirmed', 'preparing')
BEGIN
  UPDATE prep_queue SET queued_work_minutes = queued_work_minutes + NEW.prep_work_minutes
  WHERE id = 1;
END;

CREATE TRIGGER orders_queue_update AFTER UPDATE OF status, prep_work_minutes ON orders
BEGIN
  UPDATE prep_queue SET queued_work_minutes = queued_work_minutes
    - (CASE WHEN OLD.status IN ('pending', 'confirmed', 'preparing')
            THEN OLD.prep_work_minutes ELSE 0 END)
    + (CASE WHEN NEW.status IN ('pending', 'confirmed', 'preparing')
            THEN NEW.prep_work_minutes ELSE 0 END)
  WHERE id = 1;
END;

CREATE TRIGGER orders_queue_delete AFTER DELETE ON orders
WHEN OLD.status IN ('pending', 'confirmed', 'preparing')
BEGIN
  UPDATE prep_queue SET queued_work_minutes = queued_work_minutes - OLD.prep_work_minutes
  WHERE id = 1;
END;
