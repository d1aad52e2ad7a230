-- Versioned rule sets (issue 14): every change of the rules configuration through the API
-- stores the whole configuration after it as a new immutable version.
CREATE TABLE rule_set_versions (
  version       INTEGER PRIMARY KEY,
  actor_id      INTEGER REFERENCES users (id) ON DELETE SET NULL,
  source        TEXT NOT NULL,
  restored_from INTEGER,
  summary       TEXT NOT NULL DEFAULT '',
  document      TEXT NOT NULL,
  created_at    TEXT NOT NULL
);
