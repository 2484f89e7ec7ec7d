"""What the after-sales pages share: permissions, state colours, reading form values."""

import datetime as dt

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.money import yuan_to_fen

VIEW = "aftersales.view_case"
ADD = "aftersales.add_case"
CHANGE = "aftersales.change_case"
POLICY_VIEW = "aftersales.view_policyversion"
POLICY_EDIT = "aftersales.add_policyversion"
REASON_EDIT = "aftersales.change_reason"
TAKE_BACK = "aftersales.handle_escalation"

STATE_TONES = {
    "new": "primary",
    "waiting_buyer": "info",
    "waiting_return": "info",
    "received": "warning",
    "refunding": "warning",
    "resending": "warning",
    "claiming": "warning",
    "done": "success",
    "refused": "secondary",
    "cancelled": "secondary",
}


def staff_choice(staff) -> tuple[int, str]:
    return staff.pk, f"{staff.number} {staff.name}"


def fen_from(value, field: str):
    """Yuan typed in a form → fen (None when empty); a Chinese refusal on `field` otherwise."""
    value = str(value or "").strip()
    if not value:
        return None
    try:
        return yuan_to_fen(value)
    except DomainError as exc:
        raise DomainError(exc.code, exc.message, field) from None


def moment_from(value, field: str = "follow_up_at"):
    """A datetime-local value (2026-11-23T15:30, Beijing time) → an aware moment; None when empty."""
    value = str(value or "").strip()
    if not value:
        return None
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        raise DomainError("bad_time", "时间格式应为 YYYY-MM-DD HH:MM", field) from None
    return naive.replace(tzinfo=clock.SHANGHAI) if naive.tzinfo is None else naive
