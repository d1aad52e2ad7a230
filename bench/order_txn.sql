-- pgbench reference limit of "Place order, PostgreSQL" (BENCHMARKS.md): the rows our server
-- writes for one 2-line order with 2 applying rules, in one transaction:
-- 1 orders row, 2 order_items rows, 5 rule_audit_log rows (availability, 2 pricing_rule,
-- pricing_summary, prep_time). Run with -M prepared against a database holding the schema
-- (migrations/postgres/0001), users 1..64 and coffees 1..2 (bench/run prepares it).
-- pgbench replaces ":name" even inside string literals, so the JSON below has a space after
-- each colon (jsonb ignores it) and the strategy text is built with chr(58).
\set uid random(1, 64)
BEGIN;
INSERT INTO orders (id, user_id, status, payment_status, base_price_cents, discount_total_cents,
  total_price_cents, pricing_strategy, applied_rules, prep_work_minutes, estimated_prep_minutes,
  estimated_ready_at, loyalty_points_awarded, created_at, updated_at)
VALUES (gen_random_uuid(), :uid, 'pending', 'unpaid', 1150, 173, 977, 'best_price' || chr(58) || 'additive',
  '[{"rule_id": 1,"description": "10% off orders of 3 or more items","discount": "1.15"},{"rule_id": 3,"description": "Bench promotion: 5% off everything","discount": "0.58"}]'::jsonb,
  6, 6, now() + interval '6 minutes', 0, now(), now())
RETURNING id AS order_id \gset
INSERT INTO order_items (order_id, coffee_id, coffee_name, quantity, price_snapshot_cents,
  subtotal_cents, discount_cents, final_cents)
VALUES (:order_id, 1, 'Espresso', 2, 350, 700, 105, 595),
       (:order_id, 2, 'Cappuccino', 1, 450, 450, 68, 382);
INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)
VALUES (:order_id, 'availability', NULL, '{"checked_coffee_ids": [1,2],"unavailable": []}', 'all items available', now());
INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)
VALUES (:order_id, 'pricing_rule', 1, '{"description": "10% off orders of 3 or more items","discount": "1.15"}', 'discount 1.15', now());
INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)
VALUES (:order_id, 'pricing_rule', 3, '{"description": "Bench promotion: 5% off everything","discount": "0.58"}', 'discount 0.58', now());
INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)
VALUES (:order_id, 'pricing_summary', NULL, '{"base_price": "11.50","discount_total": "1.73","final_price": "9.77","strategy": "best_price","combination": "additive","capped": false,"rules_applied": 2,"rules_not_applied": 0}', 'final price 9.77', now());
INSERT INTO rule_audit_log (order_id, rule_type, rule_id, rule_data, effect, created_at)
VALUES (:order_id, 'prep_time', NULL, '{"work_minutes": 6,"queue_delay_minutes": 0,"baristas": 1,"estimated_prep_minutes": 6}', '6 minutes', now());
END;
