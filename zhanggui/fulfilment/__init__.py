"""Fulfilment (SHIP-1..5, ORD-2, ORD-7): carriers and their rules, packages, waybills, picking,
scan-verify, weighing, shipping, SLA and tracking."""
