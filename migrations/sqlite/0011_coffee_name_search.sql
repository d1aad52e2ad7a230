-- GET /api/coffees?search= is a case-insensitive substring match of the name, which no b-tree
-- index can serve: every search read every coffee (bench/results/growth.md). This FTS5 table
-- indexes the trigrams of each name, so a search of 3 or more characters finds its candidate
-- rows through the index (CoffeeRepository::List and Count; a shorter search still scans, as a
-- trigram index cannot answer it). External content: it stores only the index and reads names
-- from coffees; the triggers below keep it in step with every insert, rename and delete.
CREATE VIRTUAL TABLE coffee_name_search USING fts5(
  name, content = 'coffees', content_rowid = 'id', tokenize = 'trigram'
);

CREATE TRIGGER coffee_name_search_insert AFTER INSERT ON coffees
BEGIN
  INSERT INTO coffee_name_search (rowid, name) VALUES (new.id, new.name);
END;

CREATE TRIGGER coffee_name_search_update AFTER UPDATE OF name ON coffees
BEGIN
  INSERT INTO coffee_name_search (coffee_name_search, rowid, name)
    VALUES ('delete', old.id, old.name);
  INSERT INTO coffee_name_search (rowid, name) VALUES (new.id, new.name);
END;

CREATE TRIGGER coffee_name_search_delete AFTER DELETE ON coffees
BEGIN
  INSERT INTO coffee_name_search (coffee_name_search, rowid, name)
    VALUES ('delete', old.id, old.name);
END;

-- The coffees that exist already.
INSERT INTO coffee_name_search (coffee_name_search) VALUES ('rebuild');
