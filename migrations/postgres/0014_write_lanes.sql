-- Write lanes (issue 15). The group commit of an instance runs several batches of writes at
-- once, each in a lane. A batch takes a free lane with take_write_lane(): it holds that lane's
-- advisory lock until its transaction ends (so the lanes of every instance on the database are
-- told apart) and names the lane in the transaction-local setting coffee.write_shard. Every
-- change the batch makes to a running total (prep_queue_shards, order_status_totals,
-- rule_audit_totals) then lands in the shard of its lane, whatever the order: two batches never
-- update the same total row, so they neither wait for each other on it nor deadlock on rows
-- taken in opposite orders. A total is the sum of its shards, so any shard may take any change.
-- Writes that lose a lock conflict on other rows run again in a batch that takes every lane.
-- Writers without a lane (SQL edits, migrations) still use the shard of the order. A change that
-- subtracts from a total (a status change, a delete) now adds a negative count to the shard it
-- lands in, creating that row if needed, as that shard may hold no row for the key yet.

-- The shard a change to a total lands in: the writer's lane, else the shard of the order (an
-- audit row without an order: shard 0).
CREATE FUNCTION change_shard(order_id UUID) RETURNS INTEGER AS $$
  SELECT coalesce(nullif(current_setting('coffee.write_shard', true), '')::integer,
                  abs(hashtext(order_id::text)) % 16, 0)
$$ LANGUAGE sql STABLE;

-- Takes the first free lane of 16 (advisory lock class 0x636F6677, "cofw", the one the single
-- batch lock used, so that lane 0 is also the lane of a batch of an earlier release), or waits
-- for a random one when all are taken. Then bounds every later lock wait of the transaction to
-- 200 ms (lock_timeout): a batch that waits that long for a row another batch holds gives up
-- that write (lock_not_available) instead of waiting for deadlock_timeout (1 s) or holding its
-- own rows meanwhile; the group commit runs it again alone. Returns the lane.
CREATE FUNCTION take_write_lane() RETURNS INTEGER AS $$
DECLARE
  lane INTEGER := 0;
BEGIN
  -- Not a FOR loop: its variable would be a new one, unset after the loop.
  LOOP
    EXIT WHEN pg_try_advisory_xact_lock(x'636F6677'::int, lane);
    lane := lane + 1;
    IF lane = 16 THEN
      lane := floor(random() * 16)::integer;
      PERFORM pg_advisory_xact_lock(x'636F6677'::int, lane);
      EXIT;
    END IF;
  END LOOP;
  PERFORM set_config('coffee.write_shard', lane::text, true);
  PERFORM set_config('lock_timeout', '200ms', true);
  RETURN lane;
END
$$ LANGUAGE plpgsql;

-- Takes every lane, in order (so that two callers cannot deadlock), for a batch that must run
-- while no other batch does: the writes that lost a lock conflict in a lane. Its changes land in
-- shard 0; its lock waits are bounded by the statement timeout alone. Returns 0.
CREATE FUNCTION take_every_write_lane() RETURNS INTEGER AS $$
BEGIN
  FOR lane IN 0..15 LOOP
    PERFORM pg_advisory_xact_lock(x'636F6677'::int, lane);
  END LOOP;
  PERFORM set_config('coffee.write_shard', '0', true);
  RETURN 0;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION orders_queue_track() RETURNS trigger AS $$
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
    WHERE shard = change_shard(order_id);
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION order_totals_add() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO order_status_totals AS t (status, shard, orders)
    SELECT status, change_shard(id), count(*) FROM inserted_orders GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders + EXCLUDED.orders;
  ELSE
    INSERT INTO order_status_totals AS t (status, shard, orders)
    SELECT status, change_shard(id), -count(*) FROM deleted_orders GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders + EXCLUDED.orders;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION order_totals_move() RETURNS trigger AS $$
BEGIN
  -- Two statements: with an id change alone both land on one row, which one INSERT cannot
  -- update twice.
  INSERT INTO order_status_totals AS t (status, shard, orders)
  VALUES (OLD.status, change_shard(OLD.id), -1)
  ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders - 1;
  INSERT INTO order_status_totals AS t (status, shard, orders)
  VALUES (NEW.status, change_shard(NEW.id), 1)
  ON CONFLICT (status, shard) DO UPDATE SET orders = t.orders + 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION rule_audit_totals_add() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
    SELECT rule_type, change_shard(order_id), count(*) FROM inserted_audits
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows + EXCLUDED.audit_rows;
  ELSE
    INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
    SELECT rule_type, change_shard(order_id), -count(*) FROM deleted_audits
    GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows + EXCLUDED.audit_rows;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION rule_audit_totals_move() RETURNS trigger AS $$
BEGIN
  INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
  VALUES (OLD.rule_type, change_shard(OLD.order_id), -1)
  ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows - 1;
  INSERT INTO rule_audit_totals AS t (rule_type, shard, audit_rows)
  VALUES (NEW.rule_type, change_shard(NEW.order_id), 1)
  ON CONFLICT (rule_type, shard) DO UPDATE SET audit_rows = t.audit_rows + 1;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;
