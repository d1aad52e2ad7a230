-- The baristas' queue as a running total, so placing an order reads 16 rows instead of summing
-- every queued order. A trigger keeps it exact for every change to orders, including edits made
-- directly in SQL. The total is spread over 16 shard rows (each change adds its delta to the
-- shard of its order) so that concurrent orders rarely wait for the same row lock; the queue
-- is the sum of the shards.

CREATE TABLE prep_queue_shards (
  shard               INTEGER PRIMARY KEY CHECK (shard BETWEEN 0 AND 15),
  queued_work_minutes BIGINT NOT NULL DEFAULT 0
);
INSERT INTO prep_queue_shards (shard) SELECT g FROM generate_series(0, 15) AS g;
UPDATE prep_queue_shards
SET queued_work_minutes = (SELECT coalesce(sum(prep_work_minutes), 0) FROM orders
                           WHERE status IN ('pending', 'confirmed', 'preparing'))
WHERE shard = 0;

CREATE FUNCTION orders_queue_track() RETURNS trigger AS $$
DECLARE
  delta BIGINT := 0;
  order_id UUID;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('pending', 'confirmed', 'preparing') THEN
    delta := delta - OLD.prep_work_minutes;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('pending', 'confirmed', 'preparing') THEN
    delta := delta + NEW.prep_work_minutes;
  END IF;
  IF delta <> 0 THEN
    IF TG_OP = 'DELETE' THEN order_id := OLD.id; ELSE order_id := NEW.id; END IF;
    UPDATE prep_queue_shards SET queued_work_minutes = queued_work_minutes + delta
    WHERE shard = abs(hashtext(order_id::text)) % 16;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER orders_queue_track
AFTER INSERT OR DELETE OR UPDATE OF status, prep_work_minutes ON orders
FOR EACH ROW EXECUTE FUNCTION orders_queue_track();
