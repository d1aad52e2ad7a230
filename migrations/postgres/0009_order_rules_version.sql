-- The rule-set version that priced an order, on the order itself (issue 14: simulation on
-- history). Until now only the order's pricing_summary audit row held it, and replaying a period
-- looked each order's audit row up by order id: random reads in a large index, half of the
-- cost of a 100 000-order simulation. NULL: not recorded (orders priced before versions
-- existed, generated histories, or written by an older binary during a rolling upgrade).
ALTER TABLE orders ADD COLUMN rules_version BIGINT;

-- Orders placed since migration 0006 recorded the version in their audit row.
UPDATE orders o SET rules_version = (a.rule_data ->> 'rules_version')::bigint
FROM rule_audit_log a
WHERE a.order_id = o.id AND a.rule_type = 'pricing_summary' AND a.rule_data ? 'rules_version';
