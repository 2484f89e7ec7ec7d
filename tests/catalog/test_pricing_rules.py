"""Pure pricing rules (PROD-9): the floor (7折), exempt named events, the cost-plus warning, group-buy tiers."""

import datetime as dt

import pytest

from zhanggui.catalog.rules_pricing import check_price, floor_fen, parse_events, parse_group_tiers, validate_tiers


def test_prod9_floor_at_70_percent_ok_and_69_99_refused():
    assert floor_fen(10000, 70) == 7000
    ok = check_price(10000, 7000, 0, 70, 10, "", "双11")
    assert ok.ok and ok.floor_fen == 7000
    refused = check_price(10000, 6999, 0, 70, 10, "", "双11")  # 69.99%
    assert refused.refused and refused.code == "below_floor"
    assert "低于底价" in refused.message and "¥70.00" in refused.message


def test_prod9_floor_rounds_up_to_the_fen():
    assert floor_fen(9999, 70) == 7000  # 6999.3 rounded up: ¥69.99 would be below 7折
    assert check_price(9999, 6999, 0, 70, 10).refused
    assert check_price(9999, 7000, 0, 70, 10).ok


def test_prod9_exempt_named_event_allows_below_floor():
    result = check_price(10000, 5000, 0, 70, 10, "双11", "双11,双12，618", on=dt.date(2026, 11, 11))
    assert result.ok and result.exempt_event == "双11"
    assert any("双11" in w for w in result.warnings)
    other = check_price(10000, 5000, 0, 70, 10, "周年庆", "双11,双12")
    assert other.refused and "周年庆" in other.message


def test_prod9_margin_warning_not_refusal():
    thin = check_price(10000, 10500, 10000, 70, 10)  # 5% over cost
    assert thin.ok and thin.margin_percent == 5.0
    assert any("买家不会为成本买单" in w for w in thin.warnings)
    fine = check_price(10000, 11000, 10000, 70, 10)  # exactly 10%
    assert fine.ok and not fine.warnings
    loss = check_price(20000, 14000, 15000, 70, 10)
    assert loss.ok and any("低于成本" in w for w in loss.warnings)


def test_prod9_non_positive_price_refused():
    assert check_price(10000, 0, 0).refused
    assert check_price(10000, -5, 0).code == "invalid_price"


def test_prod9_parse_events():
    assert parse_events("双11,双12，618、年货节") == ["双11", "双12", "618", "年货节"]
    assert parse_events("双11 店庆:09-01~09-07") == ["双11", "店庆"]
    assert parse_events("") == []


@pytest.mark.parametrize(
    ("event", "day", "allowed"),
    [
        ("双11", dt.date(2026, 11, 11), True),
        ("双11", dt.date(2026, 10, 20), True),  # the presale
        ("双11", dt.date(2026, 12, 7), False),  # a sale price "for 双11" in December
        ("双11", dt.date(2026, 11, 12), False),
        ("双12", dt.date(2026, 12, 12), True),
        ("双12", dt.date(2026, 12, 13), False),
        ("618", dt.date(2026, 6, 18), True),
        ("618", dt.date(2026, 3, 1), False),
        ("国庆", dt.date(2026, 10, 3), True),  # the official holiday (chinese-calendar)
        ("国庆", dt.date(2026, 10, 9), False),  # a 调休 working day after it
        ("年货节", dt.date(2026, 2, 1), True),  # within 30 days before 春节 (17 February 2026)
        ("年货节", dt.date(2026, 4, 1), False),
        ("店庆", dt.date(2026, 9, 3), True),  # the shop's own window in the setting
        ("店庆", dt.date(2026, 9, 8), False),
        ("周年庆", dt.date(2026, 9, 3), False),  # named in the setting, no window anywhere: never open
    ],
)
def test_prod9_exemption_holds_only_while_its_event_runs(event, day, allowed):
    setting = "双11,双12,618,国庆,年货节,店庆:09-01~09-07,周年庆"
    result = check_price(10000, 5000, 0, 70, 10, event, setting, on=day)
    assert result.ok is allowed
    if not allowed:
        assert result.code == "below_floor" and f"“{event}”只在活动期内" in result.message
        assert f"{day.month}月{day.day}日不在活动期内" in result.message


def test_prod9_group_tiers_from_setting():
    assert parse_group_tiers("10-20,20+") == [(10, 19), (20, None)]
    assert parse_group_tiers("5-9, 10-19, 20+") == [(5, 9), (10, 19), (20, None)]
    with pytest.raises(ValueError, match="格式不正确"):
        parse_group_tiers("ten+")


def test_prod9_validate_tiers():
    assert validate_tiers([(10, 19, 900), (20, None, 800)]) == []
    assert validate_tiers([(10, None, 900), (20, None, 800)])  # open tier not last → overlap
    assert validate_tiers([(10, 25, 900), (20, None, 800)])
    assert validate_tiers([(10, 19, 0)])
