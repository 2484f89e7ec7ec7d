"""Rule 6 of the house: every default from the reference documents is a setting, per shop or company-wide.

Each app declares its settings in `<app>/shop_settings.py` with `register(...)`: a key, a type,
the default taken from the seeds and the rule ID it comes from. A setting is per shop (scope "shop": values
stored by the shops app in ShopSettingValue, read with `shops.settings_store.get_setting`) or, when it is not
about one shop (stock, stocktake, purchasing, the packing station), company-wide (scope "company": one value
for every shop, stored in CompanySettingValue, read with `core.company_settings`); this registry knows no app.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .bounds import max_fen
from .errors import DomainError
from .money import format_fen, yuan_to_fen

KINDS = ("int", "money", "bool", "time", "text", "choice", "choices", "percent")
SCOPES = ("shop", "company")


@dataclass(frozen=True)
class SettingDef:
    key: str
    label: str
    kind: str
    default: Any
    rule: str
    group: str
    help: str = ""
    min: int | None = None
    max: int | None = None
    choices: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # Platforms the setting applies to (e.g. the Tmall deposit only to Tmall shops); empty = every shop.
    platforms: tuple[str, ...] = ()
    unit: str = ""
    # "shop": each shop has its own value; "company": one value for the whole company (rule 6).
    scope: str = "shop"
    # Where a default NOT taken from the operating manuals comes from (an assumption, a platform's public page);
    # empty = the manuals give it. Pages say so beside the default.
    not_in_manuals: str = ""

    def parse(self, raw: Any) -> Any:
        """Turn what a form or the API sent into the stored value, or raise a Chinese DomainError."""
        label = str(self.label)
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            return str(raw).strip().lower() in {"1", "true", "on", "yes", "是"}
        text = raw if isinstance(raw, list) else str(raw if raw is not None else "").strip()
        if self.kind != "text" and text in ("", []):
            raise DomainError("required", _("%(label)s: this field is required") % {"label": label}, self.key)
        if self.kind in ("int", "percent"):
            try:
                value = int(text)
            except ValueError:
                raise DomainError(
                    "invalid", _("%(label)s: enter a whole number") % {"label": label}, self.key
                ) from None
            return self._bounded(value)
        if self.kind == "money":
            try:
                fen = yuan_to_fen(text)
            except DomainError as exc:  # name the setting, like every other kind does
                raise DomainError(exc.code, f"{label}：{exc.message}", self.key) from None
            return self._bounded(fen, money=True)
        if self.kind == "time":
            try:
                return dt.time.fromisoformat(text).strftime("%H:%M")
            except ValueError:
                raise DomainError(
                    "invalid", _("%(label)s: enter a time like 16:00") % {"label": label}, self.key
                ) from None
        if self.kind == "choice":
            if text not in {c for c, _n in self.choices}:
                raise DomainError("invalid", _("%(label)s: choose one of the options") % {"label": label}, self.key)
            return text
        if self.kind == "choices":
            values = text if isinstance(text, list) else [v for v in text.replace("，", ",").split(",") if v]
            allowed = {c for c, _n in self.choices}
            unknown = [v for v in values if v not in allowed]
            if unknown:
                raise DomainError(
                    "invalid",
                    _("%(label)s: unknown option %(value)s") % {"label": label, "value": unknown[0]},
                    self.key,
                )
            return [c for c, _n in self.choices if c in values]
        if len(text) > 2000:
            raise DomainError("too_long", _("%(label)s: at most 2000 characters") % {"label": label}, self.key)
        return text

    def _bounded(self, value: int, money: bool = False) -> int:
        show = format_fen if money else str
        low, high = self.min, self.max
        if money:  # rule 7: an amount is never negative nor past the company's money bound (core.bounds)
            low = 0 if low is None else low
            high = max_fen() if high is None else min(high, max_fen())
        if low is not None and value < low:
            raise DomainError(
                "too_small",
                _("%(label)s: must be at least %(min)s") % {"label": self.label, "min": show(low)},
                self.key,
            )
        if high is not None and value > high:
            raise DomainError(
                "too_large",
                _("%(label)s: must be at most %(max)s") % {"label": self.label, "max": show(high)},
                self.key,
            )
        return value

    def display(self, value: Any) -> str:
        if self.kind == "money":
            return format_fen(value)
        if self.kind == "bool":
            return _("Yes") if value else _("No")
        if self.kind == "percent":
            return f"{value}%"
        if self.kind in ("choice", "choices"):
            names = dict(self.choices)
            values = value if isinstance(value, list) else [value]
            return "、".join(str(names.get(v, v)) for v in values)
        return f"{value}{self.unit}" if self.unit else str(value)

    def form_value(self, value: Any) -> str:
        """The value as the settings form shows it (money in yuan)."""
        if self.kind == "money":
            return f"{value / 100:.2f}"
        if self.kind == "choices":
            return ",".join(value)
        return "" if value is None else str(value)


_REGISTRY: dict[str, SettingDef] = {}


def register(key: str, *, label, kind: str, default: Any, rule: str, group, **options) -> SettingDef:
    if kind not in KINDS:
        raise ValueError(f"unknown setting kind {kind!r}")
    if options.get("scope", "shop") not in SCOPES:
        raise ValueError(f"unknown setting scope {options['scope']!r}")
    if options.get("scope") == "company" and options.get("platforms"):
        raise ValueError(f"company setting {key!r} cannot be limited to platforms")
    definition = SettingDef(key=key, label=label, kind=kind, default=default, rule=rule, group=group, **options)
    existing = _REGISTRY.get(key)
    if existing and existing != definition:
        raise ValueError(f"setting {key!r} registered twice with different definitions")
    _REGISTRY[key] = definition
    return definition


def register_all(group, rows) -> None:
    """Register a group of settings given as rows: (key, label, kind, default, rule ID, {options})."""
    for key, label, kind, default, rule, options in rows:
        register(key, label=label, kind=kind, default=default, rule=rule, group=group, **options)


def get_definition(key: str) -> SettingDef:
    try:
        return _REGISTRY[key]
    except KeyError:
        raise DomainError("unknown_setting", _("Unknown setting %(key)s") % {"key": key}, "key") from None


def definitions_for(platform: str) -> list[SettingDef]:
    """The per-shop settings a shop on this platform has (what its settings page and API show)."""
    return [d for d in shop_definitions() if not d.platforms or platform in d.platforms]


def shop_definitions() -> list[SettingDef]:
    return [d for d in all_definitions() if d.scope == "shop"]


def company_definitions() -> list[SettingDef]:
    """The company-wide settings (设置 → 公司设置), grouped like all_definitions."""
    return [d for d in all_definitions() if d.scope == "company"]


def all_definitions() -> list[SettingDef]:
    """Grouped; within a group in the order the app registered them (start before end, not alphabetical)."""
    return sorted(_REGISTRY.values(), key=lambda d: str(d.group))


def parse_submitted(raw: dict[str, Any], definition_of) -> dict[str, Any]:
    """Rule 6: every submitted value parsed by its definition (`definition_of(key)` may itself refuse the key with
    a DomainError), all bad fields reported at once — DomainError "invalid_settings" whose ``errors`` attribute is
    {key: message} — so a settings page or API call writes all or nothing. The shop and company stores share it."""
    parsed, errors = {}, {}
    for key, value in raw.items():
        try:
            parsed[key] = definition_of(key).parse(value)
        except DomainError as exc:
            errors[key] = exc.message
    if errors:
        error = DomainError("invalid_settings", _("Some settings are not valid: %(n)d") % {"n": len(errors)})
        error.errors = errors
        raise error
    return parsed
