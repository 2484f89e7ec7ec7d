"""Carrier claims as fulfilment sees them (SHIP-5, AS-4): what a carrier paid back for lost, damaged or confiscated
parcels is credited on the courier fee reconciliation, and the carrier's page lists its claims.

Claims are after-sales records, and fulfilment never imports aftersales (the layers): an app that keeps claims
registers a source here from its AppConfig.ready() — `register_claim_source(callable)` — and fulfilment reads
through `claims_for` / `paid_by_carrier` without knowing who answers. With no source registered there are no claims.

A source is called as source(shops, *, carrier_id=None, start=None, end=None, paid_only=False, limit=None) and
returns [ClaimLine]: the claims of `shops` (of one carrier; settled in [start, end) in UTC; paid ones only).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

_SOURCES: list[Callable] = []


@dataclass
class ClaimLine:
    carrier_id: int
    shop: str
    reference: str  # the case number (售后单号)
    url: str
    waybill_no: str
    reason: str  # 丢件 / 破损 / 被没收
    state: str
    state_label: str
    claimed_fen: int
    paid_fen: int
    filed_on: dt.date
    settled_at: dt.datetime | None
    perm: str = ""  # the permission the page at `url` needs (the link is shown only to who may open it)


def register_claim_source(source: Callable) -> None:
    """Called once by the app keeping the claims (aftersales.apps.ready); registering twice keeps one."""
    if source not in _SOURCES:
        _SOURCES.append(source)


def claims_for(shops, **filters) -> list[ClaimLine]:
    """The claims of every source (see the module docstring for `filters`)."""
    found: list[ClaimLine] = []
    for source in _SOURCES:
        found += source(shops, **filters)
    return found


def paid_by_carrier(shops, start: dt.datetime, end: dt.datetime) -> dict[int, list[ClaimLine]]:
    """SHIP-5: {carrier id: its claims paid in [start, end)} — the credits of a month's reconciliation."""
    found: dict[int, list[ClaimLine]] = {}
    for line in claims_for(shops, start=start, end=end, paid_only=True):
        found.setdefault(line.carrier_id, []).append(line)
    return found
