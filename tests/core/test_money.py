"""Rule 5 of the house: money is integer fen; yuan only at the edge, parsed strictly and formatted once."""

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhanggui.core.errors import DomainError
from zhanggui.core.money import fen_to_yuan, format_fen, yuan_to_fen

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize(
    ("raw", "fen"),
    [
        ("12.34", 1234),
        ("12.3", 1230),
        ("12", 1200),
        (" 12.00 ", 1200),
        ("1,234.5", 123450),
        ("¥12", 1200),
        ("￥12.50", 1250),
        ("10000元", 1_000_000),
        (12, 1200),
        (12.34, 1234),
        (Decimal("0.01"), 1),
        ("0", 0),
        ("-5.5", -550),
        ("-0.01", -1),
    ],
)
def test_yuan_to_fen_parses_what_people_type(raw, fen):
    """Rule 5: amounts typed as yuan (with ¥, 元, thousands separators) become exact integer fen."""
    assert yuan_to_fen(raw) == fen
    assert isinstance(yuan_to_fen(raw), int)


@pytest.mark.parametrize("raw", ["abc", "", "   ", "12.3.4", "1 2", "12块", "NaN", "Infinity", "-inf", None])
def test_yuan_to_fen_refuses_bad_input_with_a_chinese_message(raw):
    """Rule 5 / rule 7: bad input is a DomainError with a stable code and a Chinese message, never a crash."""
    with pytest.raises(DomainError) as info:
        yuan_to_fen(raw)
    assert info.value.code == "invalid_money"
    assert CJK.search(info.value.message), info.value.message


@pytest.mark.parametrize("raw", ["1.005", "0.001", "12.999", "-3.141"])
def test_yuan_to_fen_refuses_to_round_three_decimals(raw):
    """Rule 5: a third decimal is refused rather than silently rounded (money is never lost to rounding)."""
    with pytest.raises(DomainError) as info:
        yuan_to_fen(raw)
    assert info.value.code == "invalid_money"
    assert "两位小数" in info.value.message


def test_trailing_zero_decimals_are_not_rounding():
    """Rule 5: '1.000' loses nothing, so it is accepted as 100 fen."""
    assert yuan_to_fen("1.000") == 100


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "¥1,234.50"),
        (0, "¥0.00"),
        (5, "¥0.05"),
        (100, "¥1.00"),
        (1_000_000, "¥10,000.00"),
        (-1200, "-¥12.00"),
        (-5, "-¥0.05"),
        (None, "—"),
    ],
)
def test_format_fen_shows_yuan_with_two_decimals(fen, text):
    """Rule 5: the one formatting helper — ¥, thousands separators, two decimals, sign in front."""
    assert format_fen(fen) == text


def test_format_fen_takes_another_symbol():
    assert format_fen(600_000, symbol="") == "6,000.00"


@given(st.integers(min_value=-(10**13), max_value=10**13))
def test_format_then_parse_round_trips_every_amount(fen):
    """Rule 5 (property): formatting and parsing back never changes an amount."""
    assert yuan_to_fen(format_fen(fen)) == fen
    assert yuan_to_fen(fen_to_yuan(fen)) == fen
    assert yuan_to_fen(str(fen_to_yuan(fen))) == fen


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_two_decimal_yuan_always_parse_exactly(amount):
    """Rule 5 (property): any amount with at most two decimals becomes exactly amount × 100 fen."""
    fen = yuan_to_fen(str(amount))
    assert fen == int(amount * 100)
    assert fen_to_yuan(fen) == amount
