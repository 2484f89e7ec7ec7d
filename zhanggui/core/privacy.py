"""TEAM-5: buyer phones and addresses are masked for roles without the right to see them.

Masking happens at the edge (pages, API, exports) through these helpers and in every log line
through MaskPIIFilter, so a phone number never leaks through a traceback or a debug message.
"""

import logging
import re

PII_VIEW_PERMISSION = "crm.view_buyer_pii"
PII_EXPORT_PERMISSION = "crm.export_buyer_pii"

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")


def mask_phone(phone: str | None) -> str:
    """138****1234 for mobiles; landlines keep area code and last four digits."""
    if not phone:
        return ""
    digits = phone.strip()
    if _MOBILE.fullmatch(digits):
        return _MOBILE.sub(r"\1****\3", digits)
    if len(digits) > 4:
        return digits[:3] + "*" * max(len(digits) - 7, 4) + digits[-4:]
    return "****"


def mask_address(province: str, city: str, district: str) -> str:
    """Address down to the district only: 广东省深圳市南山区****."""
    parts = "".join(p for p in (province, city, district) if p)
    return f"{parts}****" if parts else "****"


def mask_name(name: str | None) -> str:
    """张三丰 → 张**; keeps the family name only."""
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1 if len(name) > 1 else 1)


def mask_text(text: str) -> str:
    """Mask every phone number that appears in free text (remarks, log lines)."""
    return _LANDLINE.sub(r"\1****\3", _MOBILE.sub(r"\1****\3", text))


def can_see_pii(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(PII_VIEW_PERMISSION))


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken log call must not break the request (nor leak its arguments)
            record.msg, record.args = mask_text(f"{record.msg} {record.args!r}"), None
        else:
            masked = mask_text(message)
            if masked != message:
                record.msg, record.args = masked, None
        # Tracebacks carry exception messages (e.g. a bad import row): mask them too.
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info)
        return True
