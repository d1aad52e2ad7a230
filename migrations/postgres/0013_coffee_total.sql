-- The number of coffees, for the X-Total-Count of the unfiltered catalog list (GET /api/coffees
-- without search, type or price filters). Counting read every row of the catalog on each
-- uncached list: 3× the time of a 12-coffee catalog at 100k coffees (bench/results/growth.md).
-- One row kept by statement-level triggers, exact for every change, including edits made
-- directly in SQL. Catalog writes are rare admin actions, so one row is no point of contention.

CREATE TABLE coffee_total (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  coffees BIGINT NOT NULL
);
INSERT INTO coffee_total (id, coffees) SELECT 1, count(*) FROM coffees;

CREATE FUNCTION coffee_total_add() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    UPDATE coffee_total SET coffees = coffees + (SELECT count(*) FROM inserted_coffees)
    WHERE id = 1;
  ELSE
    UPDATE coffee_total SET coffees = coffees - (SELECT count(*) FROM deleted_coffees)
    WHERE id = 1;
  END IF;
  RETURN NULL;
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER coffee_total_insert AFTER INSERT ON coffees
  REFERENCING NEW TABLE AS inserted_coffees
  FOR EACH STATEMENT EXECUTE FUNCTION coffee_total_add();
CREATE TRIGGER coffee_total_delete AFTER DELETE ON coffees
  REFERENCING OLD TABLE AS deleted_coffees
  FOR EACH STATEMENT EXECUTE FUNCTION coffee_total_add();
