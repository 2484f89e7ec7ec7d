"""The carrier list (SHIP-3, SHIP-5), kept as data in data/carriers.json and loaded on migrate: a carrier that is
not in the database yet arrives with its unreachable areas and freight rates; carriers already there keep what the
manager edited (only their platform codes are refreshed from the data)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import transaction

from ..models import Carrier, CarrierArea, FreightRate

DATA = Path(__file__).resolve().parent.parent / "data" / "carriers.json"


def carrier_facts() -> list[dict]:
    return json.loads(DATA.read_text(encoding="utf-8"))["carriers"]


@transaction.atomic
def load_carriers() -> int:
    """Create the carriers of the data file that are missing; returns how many were created."""
    existing = {c.code: c for c in Carrier.objects.all()}
    created = 0
    for fact in carrier_facts():
        carrier = existing.get(fact["code"])
        if carrier is not None:
            if carrier.platform_codes != fact["platform_codes"]:
                carrier.platform_codes = fact["platform_codes"]
                carrier.save(update_fields=["platform_codes"])
            continue
        carrier = Carrier.objects.create(
            code=fact["code"],
            name=fact["name"],
            short_name=fact["short_name"],
            platform_codes=fact["platform_codes"],
            waybill_service=fact["waybill_service"],
            tracking_pattern=fact["tracking_pattern"],
            sort=fact["sort"],
        )
        CarrierArea.objects.bulk_create(
            [CarrierArea(carrier=carrier, adcode=code, name=name) for code, name in fact["unreachable"]]
        )
        FreightRate.objects.bulk_create(
            [
                FreightRate(carrier=carrier, province_code=province, first_fen=first, step_fen=step)
                for province, first, step in fact["rates"]
            ]
        )
        created += 1
    return created


def by_code(code: str) -> Carrier | None:
    return Carrier.objects.filter(code=code, active=True).first()
