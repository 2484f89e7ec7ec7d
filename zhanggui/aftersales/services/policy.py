"""The shop's return/exchange/repair policy (AS-1, AS-3): written for buyers AND applied by the system.

- `ensure_policy(shop)`: the shop's current version, version 1 with the documented defaults when it has none
  (7 days; 吊牌完好 / 未洗涤 / 不影响二次销售; returns: the buyer pays the postage; exchanges: half each — AS-3).
- `save_policy(actor, shop, …, version=…)`: the manager's change (the page checks the role): a NEW version row, the
  old one stays for the cases judged under it; on the shop's timeline with before/after and the 工号. `version` is
  the number the form showed: a change based on an older one is refused (someone else saved in between).
- `check(case)`: the policy clauses the case breaks — outside the return window (days from signing, else from
  shipping, to the day the case was opened) or a clause ticked as not met on the case. The case page shows them in
  red with the clause text. Only returns and exchanges are judged against the window and the clauses.
- `postage_payer(case)`: who pays the postage under the case's policy (returns / exchanges), None for other types.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from zhanggui.core import clock
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds
from zhanggui.fulfilment.models import Package

from ..models import Case, PolicyVersion

Kind = Case.Kind
Payer = PolicyVersion.Payer

# The case types judged against the return window and the conditions (goods come back).
JUDGED_KINDS = {Kind.RETURN_REFUND, Kind.EXCHANGE}
WINDOW_MAX_DAYS = 365
CLAUSES_MAX = 20
TEXT_MAX = 4000

DEFAULT_CLAUSES = [
    {"name": "吊牌完好", "text": "吊牌、包装齐全完好，未剪吊牌"},
    {"name": "未洗涤", "text": "未洗涤、未穿着外出"},
    {"name": "不影响二次销售", "text": "无污渍、无异味、无人为损坏，不影响二次销售"},
]
DEFAULT_TEXT = (
    "本店支持签收后 7 天内无理由退换货（定制商品除外）。\n"
    "退换商品须吊牌完好、未洗涤，不影响二次销售。\n"
    "无理由退货的运费由买家承担；换货运费由买卖双方各承担一半。\n"
    "质量问题请拍照联系客服，核实后由本店处理。"
)
PAYER_NAMES = {Payer.BUYER: "买家承担", Payer.SELLER: "卖家承担", Payer.SPLIT: "买卖双方各半"}

register_event_kinds({"policy_changed": "售后政策修改"})


@dataclass(frozen=True)
class Broken:
    """A policy clause a case breaks: its name, the clause text, and why (in words)."""

    name: str
    text: str
    why: str


def defaults(shop=None) -> dict:
    """The documented defaults of a new policy (AS-1, AS-3; postage: the shop's settings when a shop is given)."""
    postage = {}
    if shop is not None:
        from zhanggui.shops.settings_store import get_setting

        payers = set(Payer.values)
        postage = {
            name: value
            for name in ("return_postage", "exchange_postage")
            if (value := get_setting(shop, f"aftersales.{name}")) in payers
        }
    return {
        "text": DEFAULT_TEXT,
        "return_window_days": 7,
        "clauses": [dict(c) for c in DEFAULT_CLAUSES],
        "return_postage": Payer.BUYER,
        "exchange_postage": Payer.SPLIT,
        "repair_terms": "非人为损坏的质量问题，请拍照联系客服，核实后免费维修或更换。",
    } | postage


def current_policy(shop) -> PolicyVersion | None:
    """The shop's newest policy version, or None before the first one."""
    return PolicyVersion.objects.filter(shop=shop).order_by("-number").first()


def ensure_policy(shop) -> PolicyVersion:
    """The shop's current policy version; version 1 with the defaults when the shop has none yet."""
    found = current_policy(shop)
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return PolicyVersion.objects.create(shop=shop, number=1, note="默认政策", **defaults(shop))
    except IntegrityError:  # two first cases of a shop at once: the other one wrote version 1
        return current_policy(shop)


def parse_clauses(text: str) -> list[dict]:
    """Clauses typed one per line as “名称：说明” (or just the name) → [{"name", "text"}]; names unique."""
    clauses, seen = [], set()
    for number, raw in enumerate(str(text or "").splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        name, _sep, body = line.replace(":", "：").partition("：")
        name, body = name.strip(), body.strip()
        if not name or len(name) > 20:
            raise DomainError(
                "bad_clause", f"第 {number} 行：条件名称应为 1–20 个字（如“吊牌完好：吊牌未剪”）", "clauses"
            )
        if name in seen:
            raise DomainError("bad_clause", f"第 {number} 行：条件“{name}”重复了", "clauses")
        seen.add(name)
        clauses.append({"name": name, "text": body[:200]})
    if len(clauses) > CLAUSES_MAX:
        raise DomainError("bad_clause", f"条件最多 {CLAUSES_MAX} 条", "clauses")
    return clauses


def clauses_text(clauses: list[dict]) -> str:
    """The clauses as the form shows them: one “名称：说明” per line."""
    return "\n".join(f"{c['name']}：{c['text']}" if c.get("text") else c["name"] for c in clauses)


def summary(policy: PolicyVersion) -> str:
    """One line for the timeline: window, clauses, postage."""
    names = "、".join(c["name"] for c in policy.clauses) or "无"
    return (
        f"{policy.return_window_days} 天；条件：{names}；退货运费{PAYER_NAMES[policy.return_postage]}；"
        f"换货运费{PAYER_NAMES[policy.exchange_postage]}"
    )


def _payer(value, field: str) -> str:
    if value not in Payer.values:
        raise DomainError("bad_payer", "请选择运费由谁承担", field)
    return value


def save_policy(
    actor,
    shop,
    *,
    text: str,
    return_window_days,
    clauses,
    return_postage: str,
    exchange_postage: str,
    repair_terms: str = "",
    note: str = "",
    version=None,
) -> PolicyVersion:
    """AS-1: the next version of the shop's policy (the manager's change; the old version stays). `clauses`: a list
    of {"name", "text"} or the form's text (one “名称：说明” per line). `version`: the number the form showed."""
    try:
        days = int(str(return_window_days).strip())
    except (TypeError, ValueError):
        raise DomainError("bad_window", "退货期限必须是整数天数", "return_window_days") from None
    if not 0 <= days <= WINDOW_MAX_DAYS:
        raise DomainError("bad_window", f"退货期限应在 0 到 {WINDOW_MAX_DAYS} 天之间", "return_window_days")
    if isinstance(clauses, str):
        clauses = parse_clauses(clauses)
    else:
        clauses = parse_clauses(clauses_text([{"name": c["name"], "text": c.get("text", "")} for c in clauses]))
    text = str(text or "").strip()
    if not text:
        raise DomainError("required", "请填写给买家看的政策说明", "text")
    if len(text) > TEXT_MAX or len(str(repair_terms or "")) > TEXT_MAX:
        raise DomainError("too_long", f"政策说明最多 {TEXT_MAX} 个字", "text")
    fields = {
        "text": text,
        "return_window_days": days,
        "clauses": clauses,
        "return_postage": _payer(return_postage, "return_postage"),
        "exchange_postage": _payer(exchange_postage, "exchange_postage"),
        "repair_terms": str(repair_terms or "").strip(),
    }
    with transaction.atomic():
        before = PolicyVersion.objects.select_for_update().filter(shop=shop).order_by("-number").first()
        number = before.number if before else 0
        if version not in (None, "") and str(version).strip() != str(number):  # a malformed one is stale too
            raise DomainError("stale_version", f"售后政策已被他人修改（现为第 {number} 版），请刷新后再保存", "version")
        if before is not None and all(getattr(before, k) == v for k, v in fields.items()):
            raise DomainError("unchanged", "政策没有改动", "text")
        policy = PolicyVersion.objects.create(
            shop=shop,
            number=number + 1,
            note=str(note or "").strip()[:200],
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
            **fields,
        )
        record_event(
            actor,
            shop,
            "policy_changed",
            from_state=summary(before) if before else "",
            to_state=f"第 {policy.number} 版：{summary(policy)}",
            note=policy.note,
            data={"policy_version": policy.pk, "rule": "AS-1"},
        )
    return policy


# ---- applying the policy to a case ---------------------------------------------------------------------------


def received_at(order):
    """When the buyer got the goods: the latest signing of the order's packages, else when it was shipped, else when
    the buyer confirmed receipt (交易成功; an export without a ship time). Returns (moment, "签收" | "发货" |
    "确认收货"), or (None, "") when nothing is known."""
    signed = (
        Package.objects.filter(package_orders__order=order, signed_at__isnull=False)
        .order_by("-signed_at")
        .values_list("signed_at", flat=True)
        .first()
    )
    if signed:
        return signed, "签收"
    if order.shipped_at:
        return order.shipped_at, "发货"
    if order.completed_at:
        return order.completed_at, "确认收货"
    return None, ""


def check(case: Case, policy: PolicyVersion | None = None) -> list[Broken]:
    """AS-1: the clauses of the case's policy (or `policy`) that the case breaks, for returns and exchanges: the
    return window (Beijing days from signing — else shipping — to the day the case was opened) and every clause
    ticked as not met on the case."""
    policy = policy or case.policy
    if policy is None or case.kind not in JUDGED_KINDS:
        return []
    broken = []
    since, event = received_at(case.order)
    opened = case.created_at or clock.now()
    if since is not None:
        days = (clock.local(opened).date() - clock.local(since).date()).days
        if days > policy.return_window_days:
            basis = "" if event == "签收" else f"（未记录签收时间，按{event}时间计）"
            broken.append(
                Broken(
                    f"{policy.return_window_days} 天退换",
                    f"签收后 {policy.return_window_days} 天内可申请退换货",
                    f"{event}后第 {days} 天才申请{basis}",
                )
            )
    by_name = {c["name"]: c for c in policy.clauses}
    for name in case.unmet_clauses or []:
        clause = by_name.get(name, {"name": name, "text": ""})
        broken.append(Broken(clause["name"], clause.get("text", ""), "验货/照片显示不符合"))
    return broken


def postage_payer(case: Case, policy: PolicyVersion | None = None) -> str | None:
    """AS-3: who pays the postage of a return or an exchange: as recorded on the case when it was opened, else
    under the case's policy (a Payer value)."""
    if case.postage_payer and case.kind in JUDGED_KINDS:
        return case.postage_payer
    policy = policy or case.policy
    if policy is None:
        return None
    if case.kind == Kind.RETURN_REFUND:
        return policy.return_postage
    if case.kind == Kind.EXCHANGE:
        return policy.exchange_postage
    return None
