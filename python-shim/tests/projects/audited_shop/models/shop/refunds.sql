-- Refund 1 is booked as a negative amount: the non-blocking audit only warns.
MODEL (
  name shop.refunds,
  kind FULL,
  audits (no_negative_amounts)
);
SELECT refund_id, order_id, amount
FROM (VALUES (1, 1, -3.0), (2, 3, 1.0)) AS t(refund_id, order_id, amount)
