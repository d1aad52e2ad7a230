-- The number of coffees, for the X-Total-Count of the unfiltered catalog list (GET /api/coffees
-- without search, type or price filters). Counting read every row of the catalog on each
-- uncached list: 3× the time of a 12-coffee catalog at 100k coffees (bench/results/growth.md).
-- One row kept by triggers, exact for every change, including edits made directly in SQL.

CREATE TABLE coffee_total (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  coffees INTEGER NOT NULL
);
INSERT INTO coffee_total (id, coffees) SELECT 1, count(*) FROM coffees;

CREATE TRIGGER coffees_total_insert AFTER INSERT ON coffees
BEGIN
  UPDATE coffee_total SET coffees = coffees + 1 WHERE id = 1;
END;

CREATE TRIGGER coffees_total_delete AFTER DELETE ON coffees
BEGIN
  UPDATE coffee_total SET coffees = coffees - 1 WHERE id = 1;
END;
