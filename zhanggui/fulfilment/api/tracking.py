"""Tracking in the API (SHIP-4): POST /api/v1/tracking takes scans as JSON — the door for a carrier's push API."""

import datetime as dt

from ninja import Router, Schema

from zhanggui.core.access import allowed_shops
from zhanggui.core.apitools import api_route

from ..services import tracking

router = Router()


class ScanIn(Schema):
    waybill_no: str
    at: dt.datetime
    status: str = ""  # collected | in_transit | delivering | signed | problem, or the carrier's Chinese text
    text: str = ""
    location: str = ""


class ScansIn(Schema):
    events: list[ScanIn]


class TrackingOut(Schema):
    created: int
    duplicates: int
    errors: list[str]
    signed_packages: list[str]
    signed_orders: list[str]


@api_route(router.post, "/tracking", perm="fulfilment.add_trackingevent", response=TrackingOut)
def post_tracking(request, payload: ScansIn):
    """Record tracking scans; a time without zone is Beijing time. Re-sending the same scans adds nothing."""
    events = [e.dict() for e in payload.events]
    for n, e in enumerate(events, start=1):
        e["line"] = n
    result = tracking.record_tracking(request.user, events, source="api", shops=allowed_shops(request.user))
    return {
        "created": result.created,
        "duplicates": result.duplicates,
        "errors": result.errors,
        "signed_packages": result.signed_packages,
        "signed_orders": result.signed_orders,
    }
