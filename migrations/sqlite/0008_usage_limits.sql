-- Promo codes and usage limits (issue 14 item 4). A rule may need a code and may be used a
-- limited number of times, in all and per customer. The counters live in their own rows, each
-- changed by one conditional UPDATE in the order's transaction, so that concurrent orders
-- never take more uses than the limit allows.
ALTER TABLE pricing_rules ADD COLUMN promo_code TEXT;
ALTER TABLE pricing_rules ADD COLUMN max_uses INTEGER;
ALTER TABLE pricing_rules ADD COLUMN max_uses_per_customer INTEGER;

-- Discounted orders holding a use of a limited rule.
CREATE TABLE rule_usage (
  rule_id INTEGER PRIMARY KEY REFERENCES pricing_rules (rule_id) ON DELETE CASCADE,
  uses    INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0)
);

-- The same, per customer.
CREATE TABLE rule_customer_usage (
  rule_id INTEGER NOT NULL REFERENCES pricing_rules (rule_id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  uses    INTEGER NOT NULL DEFAULT 0 CHECK (uses >= 0),
  PRIMARY KEY (rule_id, user_id)
);

-- Which uses an order holds, so that cancelling it gives back exactly those.
CREATE TABLE order_rule_uses (
  order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  rule_id  INTEGER NOT NULL,
  user_id  INTEGER NOT NULL,
  PRIMARY KEY (order_id, rule_id)
);
