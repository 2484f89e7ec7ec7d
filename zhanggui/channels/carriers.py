"""Carrier codes per platform (SHIP-1, SHIP-3; platform-formats.md §3): how each platform names and codes a carrier
in its batch-ship upload and API, kept as data (data/carrier_codes.json, by our carrier code). The carriers
themselves (rates, areas, accounts) belong to fulfilment, which copies these codes onto them on migrate; the copy on
the carrier is what a batch-ship file uses (the manager may correct it on the carrier page)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "carrier_codes.json"


@functools.cache
def _codes() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))["carriers"]


def platform_codes(carrier_code: str) -> dict:
    """{platform: {"code", "name"}} of one of our carriers; {} for a carrier the data does not know."""
    return {platform: dict(entry) for platform, entry in _codes().get(carrier_code, {}).items()}


def carrier_for_platform(codes: dict | None, name: str, code: str, platform: str) -> tuple[str, str]:
    """(name, code) of a carrier as `platform` expects it: its entry in `codes` (the carrier's platform codes),
    else our own name and code."""
    entry = (codes or {}).get(platform) or {}
    return entry.get("name") or name, entry.get("code") or code
