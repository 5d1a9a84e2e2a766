-- A warning only: refunds are sometimes booked as negative amounts and fixed later by hand.
AUDIT (name no_negative_amounts, blocking false);
SELECT * FROM @this_model WHERE amount < 0
