"""TEAM-5: buyer phones and addresses are masked for roles without the right to see them.

One rule: `mask_receiver` for a person's name, phone and address (pages, API, exports, labels) and `mask_text`
for free text and, through MaskPIIFilter, every log line, so a phone number never leaks through a traceback or a
debug message.
"""

import logging
import re
from dataclasses import dataclass

PII_VIEW_PERMISSION = "crm.view_buyer_pii"
PII_EXPORT_PERMISSION = "crm.export_buyer_pii"

_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")
# The region at the start of a one-line address: province, city, district (each optional).
_REGION = re.compile(
    r"^(.{2,9}?(?:省|自治区|特别行政区))?\s*(.{1,12}?(?:市|自治州|地区|盟))?\s*(.{1,12}?(?:区|县|旗|市))?"
)


# An address inside free text: a city and a district (a province before them optional), then the street.
_ANY_REGION = re.compile(r"[市州区盟县旗]")
_FREE_ADDRESS = re.compile(
    r"((?:[\u4e00-\u9fff]{2,9}?(?:省|自治区|特别行政区))?[\u4e00-\u9fff]{1,12}?(?:市|自治州|地区|盟)"
    r"[\u4e00-\u9fff]{1,12}?(?:区|县|旗|市))[ \t]*([^\s，,。；;！!？?、）)]{2,}(?:[ \t]+[^\s，,。；;！!？?、）)]+)*)"
)


@dataclass(frozen=True)
class MaskedReceiver:
    name: str
    phone: str
    address: str


def mask_receiver(name: str | None = "", phone: str | None = "", *, region=None, address: str | None = None):
    """TEAM-5, the one masking rule for a person's receiving data (order receivers, customers, dropship receivers)
    wherever it is shown: pages, API, exports and labels.

    - name: the family name only, 张三丰 → 张**;
    - phone: 138****1234 for mobiles; landlines keep the area code and the last four digits;
    - address: down to the district, then ****. From `region` = (province, city, district) when the address is
      stored split (nothing known → ****), else from the region at the start of the one-line `address`
      (广东省深圳市南山区科技园南路 1 号 → 广东省深圳市南山区****; an empty address stays empty).

    Free text that may carry a phone number (remarks, notes, log lines) goes through `mask_text`, same phone rule.
    """
    masked_address = _mask_region(*region) if region is not None else _mask_address_line(address)
    return MaskedReceiver(name=_mask_name(name), phone=_mask_phone(phone), address=masked_address)


def _mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    digits = phone.strip()
    if _MOBILE.fullmatch(digits):
        return _MOBILE.sub(r"\1****\3", digits)
    if len(digits) > 4:
        return digits[:3] + "*" * max(len(digits) - 7, 4) + digits[-4:]
    return "****"


def _mask_region(province: str, city: str, district: str) -> str:
    parts = "".join(p for p in (province, city, district) if p)
    return f"{parts}****" if parts else "****"


def _mask_address_line(address: str | None) -> str:
    address = (address or "").strip()
    if not address:
        return ""
    match = _REGION.match(address)
    head = match.group(0).strip() if match else ""
    if not head or len(head) >= len(address):
        head = address[: min(6, max(len(address) // 3, 1))]
    return f"{head}****"


def _mask_name(name: str | None) -> str:
    if not name:
        return ""
    return name[0] + "*" * (len(name) - 1 if len(name) > 1 else 1)


def mask_text(text: str) -> str:
    """Mask every phone number and every street address that appears in free text (remarks, log lines): the
    address keeps its region down to the district, as mask_receiver does (…南山区科技园南路 1 号 → …南山区****)."""
    text = _LANDLINE.sub(r"\1****\3", _MOBILE.sub(r"\1****\3", text))
    return _FREE_ADDRESS.sub(r"\1****", text) if _ANY_REGION.search(text) else text


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


# The loggers that write one line per request with its query string (runserver, gunicorn); they do not pass
# through the console handler of settings.LOGGING, so the filter sits on the loggers themselves.
ACCESS_LOGGERS = ("django.server", "gunicorn.access", "gunicorn.error", "uvicorn.access")


def mask_server_logs() -> None:
    """TEAM-5: every access-log line is masked like every other log line (phones in `?q=138…`)."""
    for name in ACCESS_LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, MaskPIIFilter) for f in logger.filters):
            logger.addFilter(MaskPIIFilter())
