"""Waybill numbers (SHIP-1): the pool of numbers a carrier account hands out, loaded by the user as ranges or files,
and the provider interface a real electronic-waybill API (Cainiao, PDD, JD) plugs into later by name.

Taking numbers is ONE set-based step: the free numbers are read with SELECT … FOR UPDATE SKIP LOCKED on PostgreSQL
(two batches at once each get their own numbers, neither waits for the other), on SQLite the write lock serialises
them; the unique (carrier, number) and the one-to-one package link back it up in the database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Q

from zhanggui.core import clock, sheets, uploads
from zhanggui.core.errors import DomainError
from zhanggui.core.events import record_event, register_event_kinds

from ..models import WaybillAccount, WaybillNumber
from ..models.waybills import FREE
from .tables import TABLE_FILES

MAX_LOAD = 100_000  # numbers per range or file: a bigger pool is loaded in parts
LOW_POOL = 200  # SHIP-1: an account with fewer free numbers is flagged on the waybill page
SIZES = ("76x130", "100x180")

register_event_kinds({"waybill_load": "导入运单号", "waybill_print": "打印快递单", "waybill_reprint": "补打快递单"})


# ---- providers -----------------------------------------------------------------------------------------------


class WaybillProvider:
    """Where an account's waybill numbers come from. `take` returns one number per package, in order; fewer when
    the source has run dry (the packages without one are refused by the caller)."""

    name = ""

    def take(self, account: WaybillAccount, packages: list) -> list[str]:  # pragma: no cover - interface
        raise NotImplementedError


class PoolProvider(WaybillProvider):
    """The numbers the user loaded (load_range / load_file)."""

    name = "pool"

    def take(self, account: WaybillAccount, packages: list) -> list[str]:
        return take_numbers(account, packages)


PROVIDERS: dict[str, WaybillProvider] = {"pool": PoolProvider()}


def register_provider(provider: WaybillProvider) -> None:
    """A real waybill API (cainiao / pdd / jd) registers itself here; accounts name it in `provider`."""
    PROVIDERS[provider.name] = provider


def provider_for(account: WaybillAccount) -> WaybillProvider:
    found = PROVIDERS.get(account.provider)
    if found is None:
        raise DomainError("no_provider", f"运单号来源“{account.provider}”尚未接入，请改用号段（pool）", "provider")
    return found


def take_numbers(account: WaybillAccount, packages: list) -> list[str]:
    """SHIP-1: give each package (in order) a free number of `account`; one SELECT … FOR UPDATE SKIP LOCKED and one
    UPDATE for the whole batch. Call inside the caller's transaction. Returns the numbers taken (maybe fewer)."""
    if not packages:
        return []
    with transaction.atomic():
        free = list(
            WaybillNumber.objects.filter(FREE, account=account)
            .order_by("id")
            .select_for_update(skip_locked=True)
            .only("id", "number")[: len(packages)]
        )
        now = clock.now()
        for number, package in zip(free, packages, strict=False):
            number.package_id, number.taken_at = package.pk, now
        WaybillNumber.objects.bulk_update(free, ["package", "taken_at"])
    return [n.number for n in free]


def account_for(carrier_id: int, shop_id: int) -> WaybillAccount | None:
    """The carrier's active account for the shop, else its all-shops account."""
    accounts = WaybillAccount.objects.filter(carrier_id=carrier_id, active=True).filter(
        Q(shop_id=shop_id) | Q(shop__isnull=True)
    )
    return min(accounts, key=lambda a: (a.shop_id is None, a.pk), default=None)


def with_counts(accounts):
    """Accounts annotated with free / used numbers (one query)."""
    return accounts.annotate(
        free_count=Count("numbers", filter=Q(numbers__package__isnull=True, numbers__voided=False)),
        used_count=Count("numbers", filter=Q(numbers__package__isnull=False)),
        voided_count=Count("numbers", filter=Q(numbers__voided=True)),
    )


# ---- loading -------------------------------------------------------------------------------------------------


@dataclass
class LoadResult:
    added: int = 0
    duplicates: int = 0
    errors: list[str] = field(default_factory=list)  # 第 n 行：… (Chinese, one per bad line)

    @property
    def summary(self) -> str:
        text = f"导入 {self.added} 个运单号"
        if self.duplicates:
            text += f"，跳过重复 {self.duplicates} 个"
        if self.errors:
            text += f"，{len(self.errors)} 行有误"
        return text


def _pattern(account: WaybillAccount):
    text = account.carrier.tracking_pattern
    return re.compile(text) if text else None


def _store(actor, account: WaybillAccount, rows: list[tuple[int, str]], result: LoadResult, how: str) -> LoadResult:
    """Validate (tracking_pattern) and insert `rows` [(line number, number)]; duplicates — in the input or already in
    the carrier's pool — are skipped, bad lines reported, good lines kept."""
    pattern = _pattern(account)
    carrier = account.carrier
    seen: set[str] = set()
    good: list[str] = []
    for line_no, number in rows:
        if not number:
            continue
        if len(number) > 40 or (pattern and not pattern.fullmatch(number)):
            result.errors.append(f"第 {line_no} 行：{number[:40]} 不是{carrier}的运单号格式")
            continue
        if number in seen:
            result.duplicates += 1
            continue
        seen.add(number)
        good.append(number)
    if len(good) > MAX_LOAD:
        raise DomainError("too_many", f"一次最多导入 {MAX_LOAD} 个运单号，请分批导入", "count")
    existing: set[str] = set()
    for start in range(0, len(good), 5000):
        chunk = good[start : start + 5000]
        existing.update(
            WaybillNumber.objects.filter(carrier=carrier, number__in=chunk).values_list("number", flat=True)
        )
    new = [n for n in good if n not in existing]
    result.duplicates += len(good) - len(new)
    with transaction.atomic():
        WaybillNumber.objects.bulk_create(
            [WaybillNumber(account=account, carrier=carrier, number=n) for n in new],
            batch_size=2000,
            ignore_conflicts=True,  # a concurrent load of the same numbers: the database keeps one
        )
        result.added = len(new)
        record_event(actor, account, "waybill_load", note=f"{how}：{result.summary}", shop=account.shop)
    return result


def load_range(actor, account: WaybillAccount, start: str, count: int | None = None, end: str | None = None,
               prefix: str = "") -> LoadResult:  # fmt: skip
    """SHIP-1: numbers start … end (or start + count − 1), zero-padded to the width of `start`, after `prefix`."""
    start = (start or "").strip()
    prefix = (prefix or "").strip()
    if not start.isdigit():
        raise DomainError("bad_start", "起始号必须是数字", "start")
    first = int(start)
    if end not in (None, ""):
        end = str(end).strip()
        if not end.isdigit() or int(end) < first:
            raise DomainError("bad_end", "结束号必须是不小于起始号的数字", "end")
        count = int(end) - first + 1
    if not count or int(count) < 1:
        raise DomainError("bad_count", "请填写数量或结束号", "count")
    count = int(count)
    if count > MAX_LOAD:
        raise DomainError("too_many", f"一次最多导入 {MAX_LOAD} 个运单号，请分批导入", "count")
    width = len(start)
    rows = [(i + 1, f"{prefix}{first + i:0{width}d}") for i in range(count)]
    return _store(actor, account, rows, LoadResult(), f"号段 {rows[0][1]}–{rows[-1][1]}")


def _file_rows(name: str, data: bytes) -> list[tuple[int, str]]:
    """(line, first cell) of a txt / csv / xlsx file, read by core.sheets."""
    return [(n, row[0].strip() if row else "") for n, row in sheets.read_rows(name, data)]


def load_file(actor, account: WaybillAccount, uploaded) -> LoadResult:
    """SHIP-1: a txt / csv / xlsx file, one number per line (first column); a header line that is not a number of
    this carrier is reported like any other bad line."""
    name = uploads.check_upload(uploaded, "shipping_table", TABLE_FILES).name
    rows = _file_rows(name, uploaded.read())
    if not any(number for _, number in rows):
        raise DomainError("empty_file", "文件中没有运单号", "file")
    return _store(actor, account, rows, LoadResult(), f"文件 {name}")


SENDER_FIELDS = (("sender_name", 40), ("sender_phone", 40), ("sender_address", 200))  # with their lengths


def create_account(actor, carrier, shop, name: str, **sender) -> WaybillAccount:
    """A carrier account (no shop = usable by every shop) whose pool the user then loads."""
    name = (name or "").strip()
    if carrier is None or not name:
        raise DomainError("account_incomplete", "请选择快递公司并填写账号名称", "name")
    account = WaybillAccount.objects.create(
        carrier=carrier,
        shop=shop,
        name=name[:60],
        **{
            k: (sender.get(k) or "").strip()[:n]
            for k, n in (("sender_name", 40), ("sender_phone", 40), ("sender_address", 200))
        },
    )
    record_event(actor, account, "created", note=f"{carrier} {name}", shop=shop)
    return account
