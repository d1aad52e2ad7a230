-- The whole Coffee API schema (SQLite).
-- Money and other decimals are scaled integers: *_cents (1/100 of the currency unit),
-- *_hundredths (percent or currency × 100), *_ten_thousandths (× 10 000). Money is never
-- REAL; only the display rating of a coffee is.
-- Timestamps are RFC 3339 UTC text with microseconds ("2026-02-28T10:30:00.000000Z"),
-- which sorts in time order. JSON columns hold JSON text.

CREATE TABLE users (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  email         TEXT NOT NULL COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role          TEXT NOT NULL DEFAULT 'user' CHECK (role IN ('user', 'staff', 'admin')),
  created_at    TEXT NOT NULL,
  updated_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email COLLATE NOCASE);

CREATE TABLE refresh_tokens (
  id         INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  family_id  TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  expires_at TEXT NOT NULL,
  used       INTEGER NOT NULL DEFAULT 0 CHECK (used IN (0, 1)),
  revoked    INTEGER NOT NULL DEFAULT 0 CHECK (revoked IN (0, 1)),
  created_at TEXT NOT NULL
);
CREATE INDEX refresh_tokens_family_idx ON refresh_tokens (family_id);
CREATE INDEX refresh_tokens_user_idx ON refresh_tokens (user_id);

CREATE TABLE coffees (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  name        TEXT NOT NULL COLLATE NOCASE,
  coffee_type TEXT NOT NULL,
  price_cents INTEGER NOT NULL CHECK (price_cents > 0),
  rating      REAL NOT NULL DEFAULT 0 CHECK (rating >= 0 AND rating <= 5),
  image_url   TEXT NOT NULL DEFAULT '',
  created_at  TEXT NOT NULL,
  updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX coffees_name_key ON coffees (name COLLATE NOCASE);

CREATE TABLE coffee_availability (
  coffee_id       INTEGER PRIMARY KEY REFERENCES coffees (id) ON DELETE CASCADE,
  status          TEXT NOT NULL DEFAULT 'available',
  reason          TEXT,
  available_from  TEXT,
  available_until TEXT,
  updated_at      TEXT NOT NULL
);

CREATE TABLE pricing_rules (
  rule_id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  rule_type                 TEXT NOT NULL,
  description               TEXT NOT NULL DEFAULT '',
  discount_type             TEXT NOT NULL,
  discount_value_hundredths INTEGER NOT NULL,
  priority                  INTEGER NOT NULL DEFAULT 0,
  is_active                 INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  valid_from                TEXT NOT NULL,
  valid_until               TEXT,
  coffee_ids                TEXT,           -- JSON array of coffee ids, NULL = all coffees
  time_ranges               TEXT NOT NULL DEFAULT '[]',  -- JSON [{"start":"HH:MM","end":"HH:MM"}]
  days_of_week              TEXT NOT NULL DEFAULT '[]',  -- JSON [1..7], ISO weekdays
  min_quantity              INTEGER,
  created_at                TEXT NOT NULL,
  updated_at                TEXT NOT NULL
);
CREATE INDEX pricing_rules_active_idx ON pricing_rules (is_active, priority DESC);

CREATE TABLE pricing_settings (
  id                              INTEGER PRIMARY KEY CHECK (id = 1),
  combination_strategy            TEXT NOT NULL DEFAULT 'best_price',
  max_discount_percent_hundredths INTEGER NOT NULL DEFAULT 10000,
  updated_at                      TEXT NOT NULL
);
INSERT INTO pricing_settings (id, combination_strategy, max_discount_percent_hundredths, updated_at)
VALUES (1, 'best_price', 10000, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'));

CREATE TABLE prep_time_config (
  coffee_id           INTEGER PRIMARY KEY REFERENCES coffees (id) ON DELETE CASCADE,
  base_minutes        INTEGER NOT NULL,
  per_additional_item INTEGER NOT NULL,
  updated_at          TEXT NOT NULL
);

CREATE TABLE prep_time_settings (
  id                          INTEGER PRIMARY KEY CHECK (id = 1),
  default_base_minutes        INTEGER NOT NULL DEFAULT 3,
  default_per_additional_item INTEGER NOT NULL DEFAULT 1,
  baristas                    INTEGER NOT NULL DEFAULT 1,
  updated_at                  TEXT NOT NULL
);
INSERT INTO prep_time_settings (id, default_base_minutes, default_per_additional_item, baristas, updated_at)
VALUES (1, 3, 1, 1, strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'));

CREATE TABLE loyalty_config (
  id                                INTEGER PRIMARY KEY CHECK (id = 1),
  points_per_dollar_ten_thousandths INTEGER NOT NULL DEFAULT 10000,
  bonus_multipliers                 TEXT NOT NULL DEFAULT '{}',  -- JSON {"<coffee_id>": "1.5"}
  updated_at                        TEXT NOT NULL
);
INSERT INTO loyalty_config (id, points_per_dollar_ten_thousandths, bonus_multipliers, updated_at)
VALUES (1, 10000, '{}', strftime('%Y-%m-%dT%H:%M:%S.000000Z', 'now'));

CREATE TABLE orders (
  id                     TEXT PRIMARY KEY,  -- UUID
  user_id                INTEGER NOT NULL REFERENCES users (id),
  status                 TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'confirmed', 'preparing', 'ready', 'completed', 'cancelled')),
  payment_status         TEXT NOT NULL DEFAULT 'unpaid'
    CHECK (payment_status IN ('unpaid', 'paid', 'refunded')),
  base_price_cents       INTEGER NOT NULL,
  discount_total_cents   INTEGER NOT NULL,
  total_price_cents      INTEGER NOT NULL,
  pricing_strategy       TEXT NOT NULL,
  applied_rules          TEXT NOT NULL DEFAULT '[]',  -- JSON [{"rule_id","description","discount"}]
  prep_work_minutes      INTEGER NOT NULL,            -- this order's own work, for the queue
  estimated_prep_minutes INTEGER NOT NULL,
  estimated_ready_at     TEXT NOT NULL,
  loyalty_points_awarded INTEGER NOT NULL DEFAULT 0,
  created_at             TEXT NOT NULL,
  updated_at             TEXT NOT NULL
);
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at DESC);
CREATE INDEX orders_status_created_idx ON orders (status, created_at);
CREATE INDEX orders_queue_idx ON orders (created_at)
  WHERE status IN ('pending', 'confirmed', 'preparing');

CREATE TABLE order_items (
  id                   INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id             TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  coffee_id            INTEGER NOT NULL REFERENCES coffees (id) ON DELETE RESTRICT,
  coffee_name          TEXT NOT NULL,
  quantity             INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 99),
  price_snapshot_cents INTEGER NOT NULL,
  subtotal_cents       INTEGER NOT NULL,
  discount_cents       INTEGER NOT NULL,
  final_cents          INTEGER NOT NULL
);
CREATE INDEX order_items_order_idx ON order_items (order_id);
CREATE INDEX order_items_coffee_idx ON order_items (coffee_id);

CREATE TABLE customer_loyalty (
  user_id         INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
  points_balance  INTEGER NOT NULL DEFAULT 0 CHECK (points_balance >= 0),
  lifetime_points INTEGER NOT NULL DEFAULT 0,
  updated_at      TEXT NOT NULL
);

CREATE TABLE loyalty_transactions (
  id                 INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id            INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  order_id           TEXT REFERENCES orders (id),
  kind               TEXT NOT NULL CHECK (kind IN ('award', 'reversal')),
  points             INTEGER NOT NULL,            -- signed: + award, - reversal
  unrecovered_points INTEGER NOT NULL DEFAULT 0,  -- reversal part the balance could not cover
  created_at         TEXT NOT NULL
);
CREATE UNIQUE INDEX loyalty_transactions_order_kind_key ON loyalty_transactions (order_id, kind);
CREATE INDEX loyalty_transactions_user_idx ON loyalty_transactions (user_id, created_at DESC);

CREATE TABLE rule_audit_log (
  audit_id   INTEGER PRIMARY KEY AUTOINCREMENT,
  order_id   TEXT REFERENCES orders (id) ON DELETE CASCADE,
  rule_type  TEXT NOT NULL,
  rule_id    INTEGER,
  rule_data  TEXT NOT NULL DEFAULT '{}',  -- JSON
  effect     TEXT NOT NULL DEFAULT '',
  created_at TEXT NOT NULL
);
CREATE INDEX rule_audit_log_order_idx ON rule_audit_log (order_id);
CREATE INDEX rule_audit_log_created_idx ON rule_audit_log (created_at);
CREATE INDEX rule_audit_log_type_idx ON rule_audit_log (rule_type);

CREATE TABLE config_change_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  actor_id    INTEGER REFERENCES users (id) ON DELETE SET NULL,
  entity      TEXT NOT NULL,
  entity_id   TEXT NOT NULL DEFAULT '',
  action      TEXT NOT NULL,
  before_json TEXT,
  after_json  TEXT,
  created_at  TEXT NOT NULL
);
CREATE INDEX config_change_log_created_idx ON config_change_log (created_at DESC);

CREATE TABLE idempotency_keys (
  user_id         INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  idempotency_key TEXT NOT NULL,
  request_hash    TEXT NOT NULL,
  status_code     INTEGER NOT NULL,
  response_body   TEXT NOT NULL,
  order_id        TEXT REFERENCES orders (id) ON DELETE CASCADE,
  created_at      TEXT NOT NULL,
  expires_at      TEXT NOT NULL,
  PRIMARY KEY (user_id, idempotency_key)
);
CREATE INDEX idempotency_keys_expires_idx ON idempotency_keys (expires_at);
