"""TEAM-5: buyer phones and addresses are masked for roles that do not need them — in text and in every log line."""

import logging

import pytest

from zhanggui.core.privacy import MaskPIIFilter, can_see_pii, mask_receiver, mask_text

PHONE = "13812341234"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [
        ("13812341234", "138****1234"),
        (" 19987654321 ", "199****4321"),
        ("", ""),
        (None, ""),
        ("123", "****"),
    ],
)
def test_mask_phone_TEAM_5(phone, masked):
    assert mask_receiver(phone=phone).phone == masked


def test_mask_phone_keeps_only_the_ends_of_a_landline_TEAM_5():
    masked = mask_receiver(phone="0571-88886666").phone
    assert masked.startswith("057")
    assert masked.endswith("6666")
    assert "8888" not in masked


def test_mask_address_stops_at_the_district_TEAM_5():
    assert mask_receiver(region=("广东省", "深圳市", "南山区")).address == "广东省深圳市南山区****"
    assert mask_receiver(region=("上海市", "", "浦东新区")).address == "上海市浦东新区****"
    assert mask_receiver(region=("", "", "")).address == "****"


def test_a_one_line_address_is_masked_to_its_district_too_TEAM_5():
    """Dropship receivers and other addresses kept on one line: the same rule, the region read from the text."""
    assert mask_receiver(address="广东省深圳市南山区科技园南路 1 号").address == "广东省深圳市南山区****"
    assert mask_receiver(address="北京市朝阳区建国路 8 号").address == "北京市朝阳区****"
    assert mask_receiver(address="内蒙古自治区呼和浩特市新城区某路").address == "内蒙古自治区呼和浩特市新城区****"
    masked = mask_receiver(address="科技园南路 1 号 3 栋").address
    assert masked.endswith("****") and "3 栋" not in masked
    assert mask_receiver(address="").address == mask_receiver().address == ""


def test_mask_name_keeps_the_family_name_TEAM_5():
    assert mask_receiver("张三丰").name == "张**"
    assert mask_receiver("李").name == "李*"
    assert mask_receiver("").name == ""


def test_one_call_masks_the_whole_receiver_TEAM_5():
    masked = mask_receiver("张三丰", PHONE, region=("广东省", "深圳市", "南山区"))
    assert (masked.name, masked.phone, masked.address) == ("张**", "138****1234", "广东省深圳市南山区****")


def test_mask_text_masks_every_phone_in_free_text_TEAM_5():
    text = f"买家张三丰 电话{PHONE}，备用 0571-88886666，收件人手机 13987654321。"
    masked = mask_text(text)
    assert "138****1234" in masked
    assert "139****4321" in masked
    for secret in (PHONE, "13987654321", "88886666"):
        assert secret not in masked
    assert masked.startswith("买家张三丰 电话")


def test_mask_text_leaves_order_numbers_and_amounts_alone_TEAM_5():
    """Only phone-shaped numbers are masked: a 19-digit order number or an amount stays readable."""
    text = "订单 2611231381234123456 实付 138.50 元，共 12 件"
    assert mask_text(text) == text


def _record(msg, *args, level=logging.INFO):
    return logging.LogRecord("zhanggui.test", level, __file__, 1, msg, args or None, None)


def test_log_filter_masks_phones_in_the_message_and_its_arguments_TEAM_5():
    pii_filter = MaskPIIFilter()
    plain = _record(f"calling buyer {PHONE}")
    assert pii_filter.filter(plain)
    assert plain.getMessage() == "calling buyer 138****1234"
    formatted = _record("buyer %s phone %s", "buyer_a", PHONE)
    assert pii_filter.filter(formatted)
    assert formatted.getMessage() == "buyer buyer_a phone 138****1234"


def test_log_filter_never_breaks_a_broken_log_call_nor_leaks_its_arguments_TEAM_5():
    broken = _record("two placeholders %s %s", PHONE)
    assert MaskPIIFilter().filter(broken) is True
    message = broken.getMessage()  # no longer raises: the handler will not print the raw arguments
    assert "138****1234" in message
    assert PHONE not in message


def test_log_filter_masks_phones_in_tracebacks_TEAM_5():
    """log.exception(...) of an error whose text names a buyer's phone (e.g. a bad import row)."""
    try:
        raise ValueError(f"第 3 行：手机号 {PHONE} 与收货人不符")
    except ValueError:
        import sys

        record = logging.LogRecord("zhanggui.test", logging.ERROR, __file__, 1, "job failed", None, sys.exc_info())
    assert MaskPIIFilter().filter(record)
    line = logging.Formatter("%(message)s").format(record)
    assert "job failed" in line
    assert "ValueError" in line
    assert "138****1234" in line
    assert PHONE not in line


def test_log_lines_through_a_filtered_handler_never_carry_a_phone_TEAM_5(caplog):
    """A handler with the filter writes masked lines, whatever the logger."""
    lines = []

    class ListHandler(logging.Handler):
        def emit(self, record):
            lines.append(self.format(record))

    handler = ListHandler()
    handler.addFilter(MaskPIIFilter())
    logger = logging.getLogger("zhanggui.tests.privacy")
    logger.addHandler(handler)
    try:
        with caplog.at_level(logging.INFO, logger="zhanggui.tests.privacy"):
            logger.info("order for %s at %s", "张三丰", PHONE)
            logger.warning(f"address check failed for {PHONE}")
    finally:
        logger.removeHandler(handler)
    assert lines == ["order for 张三丰 at 138****1234", "address check failed for 138****1234"]


def test_configured_log_handlers_mask_phones_TEAM_5():
    """settings.LOGGING puts the filter on the root handler, so every app's log line is masked."""
    handlers = [h for h in logging.getLogger().handlers if any(isinstance(f, MaskPIIFilter) for f in h.filters)]
    assert handlers, "no root log handler masks phone numbers"
    record = _record("paid by %s", PHONE)
    assert handlers[0].filter(record)
    assert PHONE not in record.getMessage()


def test_can_see_pii_follows_the_role_TEAM_5(world):
    assert can_see_pii(world.people["manager"])
    assert can_see_pii(world.people["cs"])
    for role in ("warehouse", "finance", "marketing", "designer", "editor"):
        assert not can_see_pii(world.people[role]), role
    assert not can_see_pii(None)
