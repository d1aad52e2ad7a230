-- Promo codes and usage limits (issue 14 item 4). A rule may need a code and may be used a
-- limited number of times, in all and per customer. The counters live in their own rows, each
-- changed by one conditional UPDATE in the order's transaction (the row lock makes concurrent
-- orders re-check the condition on the committed count), so that they never take more uses
-- than the limit allows.
ALTER TABLE pricing_rules ADD COLUMN promo_code TEXT;
ALTER TABLE pricing_rules ADD COLUMN max_uses BIGINT;
ALTER TABLE pricing_rules ADD COLUMN max_uses_per_customer BIGINT;

-- Discounted orders holding a use of a limited rule.
CREATE TABLE rule_usage (
  rule_id BIGINT PRIMARY KEY REFERENCES pricing_rules (rule_id) ON DELETE CASCADE,
  uses    BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0)
);

-- The same, per customer.
CREATE TABLE rule_customer_usage (
  rule_id BIGINT NOT NULL REFERENCES pricing_rules (rule_id) ON DELETE CASCADE,
  user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  uses    BIGINT NOT NULL DEFAULT 0 CHECK (uses >= 0),
  PRIMARY KEY (rule_id, user_id)
);

-- Which uses an order holds, so that cancelling it gives back exactly those.
CREATE TABLE order_rule_uses (
  order_id UUID NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  rule_id  BIGINT NOT NULL,
  user_id  BIGINT NOT NULL,
  PRIMARY KEY (order_id, rule_id)
);
