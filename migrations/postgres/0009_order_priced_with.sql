-- What priced an order, on the order itself (issue 14: simulation on history): the rule-set
-- version and the promo code it presented. Until now only the order's pricing_summary audit
-- row held them, and replaying a period looked each order's audit row up by order id: random
-- reads in a large index, half of the cost of a 100 000-order simulation. NULL: not recorded
-- (orders priced before versions existed, generated histories, or written by an older binary
-- during a rolling upgrade) or, for the code, none presented.
ALTER TABLE orders ADD COLUMN rules_version BIGINT;
ALTER TABLE orders ADD COLUMN promo_code TEXT;

-- Orders placed since migrations 0006 (versions) and 0008 (codes) recorded them in their audit row.
UPDATE orders o
SET rules_version = (a.rule_data ->> 'rules_version')::bigint,
    promo_code = a.rule_data ->> 'promo_code'
FROM rule_audit_log a
WHERE a.order_id = o.id AND a.rule_type = 'pricing_summary'
  AND (a.rule_data ? 'rules_version' OR a.rule_data ? 'promo_code');
