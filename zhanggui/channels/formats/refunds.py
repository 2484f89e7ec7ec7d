"""Reading the marketplaces' refund-list exports (AS-2, AS-5; the refund-list import of after-sales): the
Taobao/Tmall 退款管理 export, the JD 售后服务单 export, the PDD 售后 export as they are, and our own XLSX template.

Channels owns the platforms' column names: this module detects the layout by its headers (aliases per field, header
variants tolerated, BOM and spaces stripped), decodes GBK/UTF-8 (with or without BOM) CSV and XLSX through
core.sheets, and turns every data row into a plain `ParsedRefund` (money in fen) or a `RowError` with its line and a
Chinese reason. No database here: after-sales (services/refund_import.py) writes what this reads.

The status texts map to one of a few outcomes (STATUS_WORDS, first match wins, in order):
    closed   退款关闭 / 已撤销 / 取消 / 售后关闭       the buyer withdrew or the platform closed it
    refused  拒绝 / 审核不通过                          the seller refused
    success  退款成功 / 已完成 / 完成 / 已退款           money went back
    returned 买家已退货 / 等待卖家确认收货 / 待商家收货   the goods are on their way back
    waiting_return 等待买家退货 / 待买家退货 / 审核通过 the seller agreed, the buyer is to send the goods
    open     anything else (申请中, 等待卖家同意, 待商家处理 …)
and the kind of refund to one of refund (仅退款), return (退货退款), exchange (换货) — from a 服务类型 / 售后类型
column, or Taobao's 是否需要退货 / 货物状态.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhanggui.core.sheets import SheetError, iter_rows

from .types import RowError
from .values import BadValue, parse_fen, parse_qty, parse_time

# field → header aliases (the first is the name shown when it is missing)
LAYOUTS: dict[str, dict] = {
    "taobao-refunds": {
        "label": "淘宝/天猫 退款管理导出",
        "platforms": ("taobao", "tmall"),
        "fields": {
            "refund_id": ["退款编号", "退款单号", "退款ID"],
            "order_no": ["订单编号", "订单号", "主订单编号"],
            "amount": ["买家退款金额", "退款金额", "申请退款金额", "买家申请退款金额"],
            "paid": ["买家实际支付金额", "实付金额", "订单金额"],
            "status": ["退款状态"],
            "needs_return": ["是否需要退货", "是否退货"],
            "goods_status": ["货物状态"],
            "outer_code": ["商家编码", "商品编码"],
            "title": ["宝贝标题", "商品标题"],
            "reason": ["买家退款原因", "退款原因"],
            "note": ["买家退款说明", "退款说明"],
            "applied_at": ["退款的申请时间", "申请时间", "退款申请时间"],
            "return_tracking": ["退货物流单号", "退货运单号"],
            "phase": ["售中或售后", "退款阶段"],
        },
        "required": ("refund_id", "order_no", "amount", "status"),
        "marker": ("退款状态",),
    },
    "jd-refunds": {
        "label": "京东 售后服务单导出",
        "platforms": ("jd",),
        "fields": {
            "refund_id": ["服务单号", "售后服务单号", "退款单号"],
            "order_no": ["订单号", "订单编号"],
            "amount": ["退款金额", "应退金额", "实际退款金额"],
            "paid": ["订单金额", "实付金额"],
            "status": ["服务单状态", "审核状态", "处理状态"],
            "service": ["服务类型", "售后类型", "客户期望"],
            "outer_code": ["商家SKU编码", "商家编码", "商品编号"],
            "title": ["商品名称"],
            "quantity": ["申请数量", "数量"],
            "reason": ["问题描述", "申请原因", "售后原因"],
            "applied_at": ["申请时间", "提交时间"],
            "return_tracking": ["运单号", "退货运单号"],
        },
        "required": ("refund_id", "order_no", "status", "service"),
        "marker": ("服务单号", "售后服务单号"),
    },
    "pdd-refunds": {
        "label": "拼多多 售后导出",
        "platforms": ("pdd",),
        "fields": {
            "refund_id": ["售后编号", "售后单号", "售后ID"],
            "order_no": ["订单号", "订单编号"],
            "amount": ["退款金额(元)", "申请退款金额(元)", "退款金额", "申请退款金额"],
            "paid": ["用户实付金额(元)", "订单金额(元)", "实付金额(元)", "用户实付金额"],
            "status": ["售后状态"],
            "service": ["售后类型"],
            "outer_code": ["商家编码-规格维度", "商家编码-SKU维度", "商家编码"],
            "title": ["商品名称", "商品"],
            "quantity": ["申请数量", "商品数量(件)", "售后数量"],
            "reason": ["售后原因", "申请原因"],
            "applied_at": ["申请时间", "售后申请时间"],
            "return_tracking": ["退货快递单号", "退货运单号"],
        },
        "required": ("refund_id", "order_no", "amount", "status", "service"),
        "marker": ("售后编号", "售后单号", "售后ID"),
    },
    "template": {  # our own XLSX template (TEMPLATE_HEADERS), any platform
        "label": "掌柜退款导入模板",
        "platforms": ("taobao", "tmall", "jd", "pdd", "own"),
        "fields": {
            "refund_id": ["平台退款编号"],
            "order_no": ["订单号"],
            "amount": ["退款金额(元)"],
            "status": ["退款状态"],
            "service": ["售后类型"],
            "outer_code": ["商家编码"],
            "quantity": ["数量"],
            "reason": ["原因"],
            "applied_at": ["申请时间"],
            "return_tracking": ["退货运单号"],
        },
        "required": ("refund_id", "order_no", "amount", "status"),
        "marker": ("平台退款编号",),
    },
}
TEMPLATE_HEADERS = ["平台退款编号", "订单号", "退款金额(元)", "退款状态", "售后类型", "商家编码", "数量", "原因",
                    "申请时间", "退货运单号"]  # fmt: skip
TEMPLATE_EXAMPLE = ["TK20261201001", "4012345678901234567", "99.00", "退款成功", "仅退款", "D-黑-M", "1", "拍错了",
                    "2026-12-01 10:00:00", ""]  # fmt: skip
PLATFORM_NAMES = {"taobao": "淘宝", "tmall": "天猫", "jd": "京东", "pdd": "拼多多", "own": "自有渠道"}

# outcome → words, checked in this order (the first outcome whose word appears in the status wins)
STATUS_WORDS = (
    ("closed", ("退款关闭", "售后关闭", "撤销", "取消", "关闭", "已驳回申请")),
    ("refused", ("拒绝", "不通过", "驳回")),
    ("success", ("退款成功", "已退款", "已完成", "完成", "成功")),
    ("returned", ("买家已退货", "已经退货", "等待卖家确认收货", "待商家收货", "待卖家收货", "商家待收货")),
    ("waiting_return", ("等待买家退货", "待买家退货", "同意退货", "审核通过", "待用户退货")),
)
OUTCOMES = ("open", "waiting_return", "returned", "success", "closed", "refused")
SERVICE_WORDS = (("exchange", ("换货",)), ("return", ("退货",)), ("refund", ("退款", "仅退")))


@dataclass
class ParsedRefund:
    """One refund of a platform's list (money in fen)."""

    line: int
    refund_id: str
    order_no: str
    amount_fen: int
    outcome: str  # OUTCOMES
    service: str  # refund | return | exchange
    status: str = ""  # the platform's status text as it is
    paid_fen: int | None = None
    outer_code: str = ""
    title: str = ""
    quantity: int | None = None
    reason: str = ""
    applied_at: dt.datetime | None = None
    return_tracking: str = ""


@dataclass
class RefundFile:
    """What one file gave: its layout, its refunds and its bad rows."""

    name: str
    layout: str = ""
    platforms: tuple[str, ...] = ()
    refunds: list[ParsedRefund] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def outcome_of(status: str) -> str:
    text = status.replace(" ", "")
    for outcome, words in STATUS_WORDS:
        if any(w in text for w in words):
            return outcome
    return "open"


def service_of(text: str) -> str:
    for service, words in SERVICE_WORDS:
        if any(w in text for w in words):
            return service
    return "refund"


def detect(header: list[str]) -> tuple[str | None, dict[str, int], list[str]]:
    """(layout name, {field: column}, required headers missing of the nearest layout) for a header row."""
    stripped = [str(h or "").strip().lstrip("\ufeff").strip() for h in header]
    positions: dict[str, int] = {}
    for i, h in enumerate(stripped):
        positions.setdefault(h, i)
    best, near = None, None
    for name, spec in LAYOUTS.items():
        columns = {}
        for fld, aliases in spec["fields"].items():
            found = next((a for a in aliases if a in positions), None)
            if found is not None:
                columns[fld] = positions[found]
        missing = [spec["fields"][f][0] for f in spec["required"] if f not in columns]
        marked = any(m in positions for m in spec["marker"])
        score = (marked, len(columns))
        if not missing and marked and (best is None or score > best[0]):
            best = (score, name, columns)
        if near is None or score > near[0]:
            near = (score, name, missing)
    if best:
        return best[1], best[2], []
    return None, {}, near[2] if near else []


def _text(row: list[str], columns: dict[str, int], fld: str) -> str:
    i = columns.get(fld)
    if i is None or i >= len(row):
        return ""
    value = str(row[i] or "").strip().strip("\t").strip()
    if value.startswith('="') and value.endswith('"'):  # ="…" formula cells
        value = value[2:-1]
    return value.lstrip("'").strip()


def _row(line: int, row: list[str], columns: dict[str, int], layout: str) -> ParsedRefund:
    """One data row → ParsedRefund; a missing or malformed value raises BadValue (its Chinese reason)."""
    get = lambda f: _text(row, columns, f)  # noqa: E731
    refund_id, order_no, status = get("refund_id"), get("order_no"), get("status")
    missing = [
        name for name, value in (("退款编号", refund_id), ("订单号", order_no), ("退款状态", status)) if not value
    ]
    amount_text = get("amount")
    if not amount_text and "amount" in LAYOUTS[layout]["required"]:
        missing.append("退款金额")
    if missing:
        raise BadValue("缺少" + "、".join(missing) + "（半空行）")
    if len(refund_id) > 64 or len(order_no) > 64:
        raise BadValue("退款编号或订单号过长")
    amount = parse_fen(amount_text.replace(",", "").replace("¥", "").replace("￥", ""))
    paid_text = get("paid").replace(",", "").replace("¥", "").replace("￥", "")
    service_text = get("service")
    if layout == "taobao-refunds":
        needs = get("needs_return")
        service = "return" if needs in ("是", "需要", "Y", "y") or "退货" in get("goods_status") else "refund"
    else:
        service = service_of(service_text) if service_text else "refund"
    quantity_text = get("quantity")
    return ParsedRefund(
        line=line,
        refund_id=refund_id,
        order_no=order_no,
        amount_fen=amount,
        outcome=outcome_of(status),
        service=service,
        status=status[:40],
        paid_fen=parse_fen(paid_text) if paid_text else None,
        outer_code=get("outer_code")[:64],
        title=get("title")[:200],
        quantity=parse_qty(quantity_text) if quantity_text else None,
        reason=(get("reason") or get("note"))[:200],
        applied_at=parse_time(get("applied_at")),
        return_tracking=get("return_tracking")[:40],
    )


def read_file(name: str, data) -> RefundFile:
    """Every row of one refund-list file: refunds and bad rows (line numbers as the user sees them). A file that
    cannot be read, or whose headers fit no layout, is one error on line 1."""
    result = RefundFile(name)
    try:
        rows = iter_rows(name, data)
        header = next(rows, None)
        if header is None:
            result.errors.append(RowError(name, 1, "", "文件是空的"))
            return result
        layout, columns, missing = detect(header)
        if layout is None:
            why = "缺少列：" + "、".join(missing) if missing else "无法识别的表头"
            result.errors.append(RowError(name, 1, "", f"不是退款/售后导出文件（{why}）"))
            return result
        result.layout, result.platforms = layout, LAYOUTS[layout]["platforms"]
        for line, row in enumerate(rows, start=2):
            if not any(str(c or "").strip() for c in row):
                continue
            try:
                result.refunds.append(_row(line, row, columns, layout))
            except BadValue as exc:
                order_no = _text(row, columns, "order_no")
                result.errors.append(RowError(name, line, "", str(exc), order_no))
    except SheetError as exc:
        result.errors.append(RowError(name, 1, "", exc.message))
    return result


def template_xlsx() -> bytes:
    """Our refund-import template: the headers and one example row (an XLSX)."""
    import io

    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "退款导入"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(TEMPLATE_EXAMPLE)
    for column in "ABCDEFGHIJ":
        sheet.column_dimensions[column].width = 18
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
