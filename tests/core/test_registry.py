"""Rule 6 of the house: every documented default is a registered per-shop setting with its rule ID, a type and
validation that answers in a clear error (stored values are read through zhanggui.shops.settings_store)."""

import re

import pytest

from zhanggui.core.errors import DomainError
from zhanggui.core.registry import SettingDef, all_definitions, get_definition, register

RULE_ID = re.compile(r"^[A-Z]+-\d+$")


def test_every_setting_cites_a_rule_and_its_default_passes_its_own_validation():
    definitions = all_definitions()
    assert {"opening.tmall_deposit", "opening.tmall_annual_fee", "opening.jd_review_days"} <= {
        d.key for d in definitions
    }
    for d in definitions:
        assert RULE_ID.match(d.rule), d.key
        assert str(d.label), d.key
        # The documented default must be a value the manager could have typed.
        assert d.parse(d.form_value(d.default)) == d.default, d.key


def test_documented_defaults_SHOP_3():
    assert get_definition("opening.tmall_deposit").default == 1_000_000  # 10,000 元 in fen
    assert get_definition("opening.tmall_annual_fee").default == 600_000  # 6,000 元
    assert get_definition("opening.jd_review_days").default == 14  # 1–2 weeks


def test_unknown_setting_is_a_domain_error():
    with pytest.raises(DomainError) as info:
        get_definition("no.such_setting")
    assert info.value.code == "unknown_setting"


def test_register_refuses_an_unknown_kind_and_a_conflicting_redefinition():
    with pytest.raises(ValueError):
        register("test.bad_kind", label="x", kind="float", default=1, rule="SHOP-2", group="g")
    existing = get_definition("opening.jd_review_days")
    with pytest.raises(ValueError):
        register(
            existing.key,
            label=existing.label,
            kind="int",
            default=7,
            rule=existing.rule,
            group=existing.group,
            min=existing.min,
            max=existing.max,
            platforms=existing.platforms,
            unit=existing.unit,
            help=existing.help,
        )
    # Registering the identical definition again (module re-import) is harmless.
    again = register(
        existing.key,
        label=existing.label,
        kind=existing.kind,
        default=existing.default,
        rule=existing.rule,
        group=existing.group,
        min=existing.min,
        max=existing.max,
        unit=existing.unit,
        help=existing.help,
        platforms=existing.platforms,
    )
    assert again == existing
    assert get_definition(existing.key).default == 14


def _def(kind, **options):
    return SettingDef(
        key=f"test.{kind}",
        label="测试项",
        kind=kind,
        default=options.pop("default", None),
        rule="SHOP-2",
        group="测试",
        **options,
    )


def _error(definition, raw):
    with pytest.raises(DomainError) as info:
        definition.parse(raw)
    assert info.value.field == definition.key
    return info.value


def test_int_parse_and_bounds():
    days = _def("int", min=1, max=60)
    assert days.parse("14") == 14
    assert days.parse(" 60 ") == 60
    assert _error(days, "abc").code == "invalid"
    assert _error(days, "1.5").code == "invalid"
    assert _error(days, "").code == "required"
    assert _error(days, "0").code == "too_small"
    assert _error(days, "61").code == "too_large"


def test_money_is_parsed_from_yuan_into_fen():
    deposit = _def("money", min=0)
    assert deposit.parse("10000") == 1_000_000
    assert deposit.parse("12,000.50") == 1_200_050
    assert _error(deposit, "-1").code == "too_small"
    assert _error(deposit, "1.005").code == "invalid_money"
    wrong = _error(deposit, "一万")
    assert wrong.code == "invalid_money"
    assert "测试项" in wrong.message  # the message names the setting
    assert deposit.display(1_000_000) == "¥10,000.00"
    assert deposit.form_value(1_000_000) == "10000.00"


def test_time_is_validated_and_normalised():
    start = _def("time")
    assert start.parse("16:00") == "16:00"
    assert start.parse("9:05".zfill(5)) == "09:05"
    assert start.parse("16:00:00") == "16:00"
    for bad in ("25:00", "16:60", "4pm", "1600x"):
        assert _error(start, bad).code == "invalid", bad


def test_choice_choices_bool_and_text():
    carrier = _def("choice", choices=(("sto", "申通"), ("ems", "EMS")))
    assert carrier.parse("ems") == "ems"
    assert _error(carrier, "sf").code == "invalid"
    regions = _def("choices", choices=(("xj", "新疆"), ("xz", "西藏"), ("gx", "广西")))
    assert regions.parse("gx，xj") == ["xj", "gx"]  # kept in the documented order, Chinese comma accepted
    assert regions.parse(["xz"]) == ["xz"]
    assert _error(regions, "xj,hk").code == "invalid"
    assert regions.display(["xj", "gx"]) == "新疆、广西"
    flag = _def("bool")
    assert flag.parse("on") is True
    assert flag.parse("是") is True
    assert flag.parse("") is False
    assert flag.parse(False) is False
    note = _def("text")
    assert note.parse("") == ""
    assert _error(note, "长" * 2001).code == "too_long"
