"""Courier fees (SHIP-5): the carrier's monthly bill (运单号, 重量kg, 费用元) is imported per carrier; each parcel
gets its billed fee (Package.courier_fee_fen) and weight (CourierCharge), and finance reconciles billed against
the expected fee from the rate table (Package.expected_fee_fen), per carrier and month of shipping."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q

from zhanggui.core import clock, uploads
from zhanggui.core.bounds import check_fen, check_grams
from zhanggui.core.company_settings import get_company_setting
from zhanggui.core.errors import DomainError
from zhanggui.core.export_cells import money_columns, safe_row, yuan
from zhanggui.core.money import yuan_to_fen

from ..models import CourierCharge, Package
from .tables import TABLE_FILES, pick, read_rows

BILLABLE = (Package.State.SHIPPED, Package.State.SIGNED)
HEADERS = ["店铺", "包裹号", "订单号", "运单号", "发货时间", "计费重量kg", "预估运费", "账单运费", "差额", "异常"]


@dataclass
class BillResult:
    updated: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"记录运费 {self.updated} 个包裹，错误 {len(self.errors)} 行"


def _weight_g(value) -> int | None:
    text = str(value or "").strip().lower().replace("kg", "").replace("公斤", "")
    if not text:
        return None
    try:
        grams = int((Decimal(text[:30]) * 1000).to_integral_value())
    except (InvalidOperation, OverflowError, ValueError):  # "abc", "1e400", "nan"
        raise DomainError("invalid_weight", f"重量格式不正确：“{str(value)[:20]}”") from None
    return check_grams(grams, "计费重量", "weight")  # rule 7: the company's bound


def import_carrier_bill(actor, carrier, upload, shops=None) -> BillResult:
    """SHIP-5: record the carrier's bill per parcel. Unknown waybills (not a package of this carrier, or of a shop
    out of view) and unreadable figures are reported with their line number; good rows are kept. Importing a
    corrected bill again overwrites the figures."""
    result = BillResult()
    uploads.check_upload(upload, "shipping_table", TABLE_FILES)
    rows = read_rows(upload)
    numbers = {str(pick(row, "运单号", "快递单号", "单号")) for _, row in rows}
    packages = Package.objects.filter(carrier=carrier, waybill_no__in=numbers - {""})
    if shops is not None:
        packages = packages.filter(shop__in=shops)
    by_number = {p.waybill_no: p for p in packages}
    source = (getattr(upload, "name", "") or "")[:120]
    by_id = {p.pk: p for p in by_number.values()}
    charges: dict[int, CourierCharge] = {}  # a parcel billed twice in one file: the later line wins
    with transaction.atomic():
        for line, row in rows:
            number = str(pick(row, "运单号", "快递单号", "单号"))
            package = by_number.get(number)
            if package is None:
                result.errors.append(f"第 {line} 行：运单号 {number or '（空）'} 不是{carrier.name}的包裹")
                continue
            try:
                fee = check_fen(yuan_to_fen(pick(row, "费用元", "费用", "运费", "金额") or ""), "费用", "fee")
                weight = _weight_g(pick(row, "重量kg", "重量", "计费重量"))
            except DomainError as exc:  # rule 7: unreadable or out of the company's bounds, this row only
                result.errors.append(f"第 {line} 行：{exc.message}")
                continue
            charges[package.pk] = CourierCharge(
                package=package, carrier=carrier, waybill_no=number, weight_g=weight, fee_fen=fee, source=source,
                imported_by=actor if getattr(actor, "is_authenticated", False) else None,
            )  # fmt: skip
            package.courier_fee_fen = fee  # SHIP-5: courier fee per parcel
            result.updated += 1
        _save_charges(charges, [by_id[pk] for pk in charges])
    return result


def _save_charges(charges: dict[int, CourierCharge], packages: list[Package]) -> None:
    """Set-based: the bill's charges replace earlier ones of the same parcels (a corrected bill), in a few queries."""
    existing = dict(CourierCharge.objects.filter(package_id__in=charges).values_list("package_id", "pk"))
    now = clock.now()  # bulk_update does not run auto_now
    for package_id, charge in charges.items():
        charge.pk, charge.imported_at = existing.get(package_id), now
    fields = ["carrier", "waybill_no", "weight_g", "fee_fen", "source", "imported_by", "imported_at"]
    CourierCharge.objects.bulk_update([c for c in charges.values() if c.pk], fields, batch_size=1000)
    CourierCharge.objects.bulk_create([c for c in charges.values() if not c.pk], batch_size=1000)
    Package.objects.bulk_update(packages, ["courier_fee_fen"], batch_size=1000)


# ---- reconciliation ---------------------------------------------------------------------------------------------


def month_bounds(month: str) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) in UTC of a Beijing calendar month "2026-11"."""
    try:
        year, mon = (int(x) for x in month.split("-"))
        start_day = dt.date(year, mon, 1)
    except ValueError:
        raise DomainError("bad_month", f"月份格式不正确：“{month}”，应为 2026-11", "month") from None
    end_day = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return clock.at_local(start_day, dt.time.min), clock.at_local(end_day, dt.time.min)


@dataclass
class ReconRow:
    package: Package
    expected_fen: int | None
    billed_fen: int | None
    weight_g: int | None
    difference_fen: int | None
    flagged: bool

    @property
    def weight_kg(self) -> str:
        return "—" if self.weight_g is None else f"{self.weight_g / 1000:.2f}"


@dataclass
class Reconciliation:
    carrier: object
    month: str
    rows: list[ReconRow]
    parcels: int = 0
    billed: int = 0
    expected_total: int = 0
    billed_total: int = 0
    flagged: int = 0
    unbilled: list[Package] = field(default_factory=list)
    claims: list = field(default_factory=list)  # AS-4: the carrier's claims paid this month (services/claims.py)

    @property
    def difference_total(self) -> int:
        return self.billed_total - self.expected_total

    @property
    def claims_paid_total(self) -> int:
        return sum(c.paid_fen for c in self.claims)

    @property
    def payable_total(self) -> int:
        """SHIP-5: what the company owes the carrier for the month: the bill less the claims it paid back."""
        return self.billed_total - self.claims_paid_total


def flagged_q(threshold: int) -> Q:
    """SHIP-5: a parcel whose billed fee differs from the expected one by more than `threshold` fen — the ONE
    condition behind the reconciliation's flags and the finance home page's count."""
    known = Q(courier_fee_fen__isnull=False, expected_fee_fen__isnull=False)
    return known & (
        Q(courier_fee_fen__gt=F("expected_fee_fen") + threshold)
        | Q(courier_fee_fen__lt=F("expected_fee_fen") - threshold)
    )


def fee_threshold() -> int:
    """fulfilment.fee_difference_alert: company-wide (the carrier bills the company)."""
    return int(get_company_setting("fulfilment.fee_difference_alert"))


def _shipped_in(shops, month: str):
    start, end = month_bounds(month)
    return Package.objects.filter(shop__in=shops, state__in=BILLABLE, shipped_at__gte=start, shipped_at__lt=end)


def reconcile(shops, carrier, month: str) -> Reconciliation:
    """SHIP-5: the carrier's parcels shipped in `month` (Beijing): billed vs expected, the differences above the
    company's threshold (fulfilment.fee_difference_alert, company-wide: the carrier bills the company) flagged,
    and the parcels shipped but not billed."""
    threshold = fee_threshold()
    packages = (
        _shipped_in(shops, month)
        .filter(carrier=carrier)
        .annotate(fee_flagged=ExpressionWrapper(flagged_q(threshold), output_field=BooleanField()))
        .select_related("shop", "order", "courier_charge")
        .order_by("shipped_at", "id")
    )
    recon = Reconciliation(carrier=carrier, month=month, rows=[])
    for p in packages:
        charge = getattr(p, "courier_charge", None)
        billed = p.courier_fee_fen
        diff = billed - p.expected_fee_fen if billed is not None and p.expected_fee_fen is not None else None
        flagged = bool(p.fee_flagged)
        recon.rows.append(ReconRow(p, p.expected_fee_fen, billed, charge.weight_g if charge else None, diff, flagged))
        recon.parcels += 1
        if billed is None:
            recon.unbilled.append(p)
            continue
        recon.billed += 1
        recon.billed_total += billed
        recon.expected_total += p.expected_fee_fen or 0
        recon.flagged += flagged
    return recon


def differences(shops, months: list[str]) -> list[dict]:
    """SHIP-5 for the finance home page: per month and carrier, the parcels over the threshold (`flagged_q`) and
    those shipped but not billed — one grouped query per month, only carriers with something to look at."""
    threshold = fee_threshold()
    found = []
    for month in months:
        rows = (
            _shipped_in(shops, month)
            .values("carrier_id", "carrier__name")
            .annotate(
                flagged=Count("pk", filter=flagged_q(threshold)),
                unbilled=Count("pk", filter=Q(courier_fee_fen__isnull=True)),
            )
            .order_by("carrier_id")
        )
        found += [
            {"month": month, "carrier_id": r["carrier_id"], "carrier": r["carrier__name"],
             "flagged": r["flagged"], "unbilled": r["unbilled"]}
            for r in rows
            if r["flagged"] or r["unbilled"]
        ]  # fmt: skip
    return found


def export_xlsx(recon: Reconciliation) -> bytes:
    """The reconciliation as a workbook (one row per parcel, flagged differences marked)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = f"{recon.month} {recon.carrier}"  # the carrier's name, as the page shows it
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    red = PatternFill("solid", fgColor="F8D7DA")
    for r in recon.rows:
        p = r.package
        sheet.append(
            safe_row(
                [
                    p.shop.name,
                    p.package_no,
                    p.order.platform_order_no,
                    p.waybill_no,
                    clock.local(p.shipped_at).strftime("%Y-%m-%d %H:%M") if p.shipped_at else "",
                    r.weight_g / 1000 if r.weight_g is not None else None,
                    yuan(r.expected_fen),
                    yuan(r.billed_fen),
                    yuan(r.difference_fen),
                    "未出账" if r.billed_fen is None else ("差额超限" if r.flagged else ""),
                ]
            )
        )
        if r.flagged or r.billed_fen is None:
            for cell in sheet[sheet.max_row]:
                cell.fill = red
    sheet.append([])
    sheet.append(["合计", f"{recon.parcels} 个包裹", f"已出账 {recon.billed}", "", "", "",
                  yuan(recon.expected_total), yuan(recon.billed_total), yuan(recon.difference_total),
                  f"超限 {recon.flagged}，未出账 {len(recon.unbilled)}"])  # fmt: skip
    money_columns(sheet, "GHI")
    for column, width in zip("ABCDEFGHIJ", (14, 18, 22, 20, 17, 11, 10, 10, 10, 12), strict=True):
        sheet.column_dimensions[column].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
