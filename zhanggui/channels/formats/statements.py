"""Reading the platforms' money statements (FIN-3): the Alipay business account 账务明细 CSV as downloaded, the JD
settlement (结算单/对账明细) export and the PDD 货款明细 (账户资金明细) export.

Channels owns the platforms' column names: the layout is found by the header (aliases per field, BOM, spaces and
tabs stripped). The Alipay file is GBK with `#` lines before the header (账号, 起始日期 …) and after the rows
(账务明细列表结束, 收入合计, 支出合计, 导出时间); its cells are padded with tabs and its amounts are yuan with signs
in two columns (收入金额（+元）, 支出金额（-元）). The hot path decodes the file once, drops the `#` lines and hands
the rest to the csv module. Every data row becomes a `ParsedEntry` (money in fen, signed: money in > 0) or a
`RowError` with its line and a Chinese reason. No database here: finance (services/funds.py) writes what this reads.

Kinds (KIND_WORDS, first match wins, checked on the business type, then the item and the remark):
    refund     交易退款 / 退款 / 售后
    fee        服务费 / 佣金 / 技术服务费 / 保险 / 手续费 / 扣款 / 推广
    withdrawal 提现 / 转账到银行卡
    income     交易付款 / 在线支付 / 货款 / 收入 / 交易收入 / 确认收货
    other      anything else
Taobao/Tmall orders appear in the Alipay 商户订单号 with a prefix (T200P<订单号>, T3300P…, 退款 T200P…); ORDER_REF
takes the platform order number out of it.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, field

from zhanggui.core.bounds import max_total_fen
from zhanggui.core.sheets import SheetError, clean, iter_rows, text_encoding

from .types import RowError
from .values import BadValue, parse_fen, parse_time

LAYOUTS: dict[str, dict] = {
    "alipay": {
        "label": "支付宝 账务明细",
        "platforms": ("taobao", "tmall"),
        "fields": {
            "entry_id": ["账务流水号", "支付宝流水号", "流水号"],
            "business_no": ["业务流水号", "支付宝交易号"],
            "order_ref": ["商户订单号"],
            "title": ["商品名称"],
            "time": ["发生时间", "入账时间", "创建时间"],
            "counterpart": ["对方账号", "对方名称", "对方户名"],
            "income": ["收入金额（+元）", "收入金额(+元)", "收入金额（元）", "收入金额"],
            "expense": ["支出金额（-元）", "支出金额(-元)", "支出金额（元）", "支出金额"],
            "balance": ["账户余额（元）", "账户余额(元)", "账户余额", "余额（元）"],
            "channel": ["交易渠道"],
            "business": ["业务类型", "账务类型"],
            "remark": ["备注"],
        },
        "required": ("entry_id", "time", "income", "expense"),
        "marker": ("账务流水号", "业务流水号"),
    },
    "jd-settlement": {
        "label": "京东 结算单",
        "platforms": ("jd",),
        "fields": {
            "entry_id": ["单据编号", "费用单号", "结算单号", "流水号"],
            "order_ref": ["订单编号", "订单号"],
            "business": ["费用项", "费用名称", "费用类型"],
            "amount": ["金额", "金额(元)", "结算金额", "应结金额"],
            "direction": ["收支方向"],
            "time": ["结算时间", "费用结算时间", "账单时间", "费用发生时间"],
            "title": ["商品名称", "商品编号"],
            "remark": ["备注"],
        },
        "required": ("order_ref", "business", "amount", "time"),
        "marker": ("费用项", "费用名称", "收支方向"),
    },
    "pdd-funds": {
        "label": "拼多多 货款明细",
        "platforms": ("pdd",),
        "fields": {
            "entry_id": ["流水号", "账务流水号"],
            "order_ref": ["商户订单号", "订单号", "订单编号"],
            "time": ["发生时间", "入账时间"],
            "income": ["收入金额(+元)", "收入金额（+元）", "收入金额(元)", "收入金额"],
            "expense": ["支出金额(-元)", "支出金额（-元）", "支出金额(元)", "支出金额"],
            "business": ["账务类型", "业务类型"],
            "remark": ["备注"],
            "title": ["业务描述"],
        },
        "required": ("order_ref", "time", "income", "expense", "business"),
        "marker": ("账务类型",),
    },
}
PLATFORM_NAMES = {"taobao": "淘宝", "tmall": "天猫", "jd": "京东", "pdd": "拼多多", "own": "自有渠道"}

KIND_WORDS = (
    ("refund", ("交易退款", "退款", "售后")),
    ("fee", ("服务费", "佣金", "保险", "手续费", "扣款", "推广", "平台使用费", "技术服务")),
    ("withdrawal", ("提现", "转账到银行卡", "转出")),
    ("income", ("交易付款", "在线支付", "货款", "收入", "确认收货", "交易")),
)
KINDS = ("income", "refund", "fee", "withdrawal", "other")
BALANCE_BOUND = 10**14  # an account balance is no order amount: only a sanity bound (fen)
ORDER_REF = re.compile(r"^T\d{1,5}P(\d{6,})")  # T200P4012345678901234567 → the Taobao order number
DIGITS = re.compile(r"(?<!\d)(\d{12,24})(?!\d)")


@dataclass(slots=True)
class ParsedEntry:
    """One statement line (money in fen; amount > 0 money in, < 0 money out)."""

    line: int
    entry_id: str
    occurred_at: dt.datetime
    kind: str
    amount_fen: int
    balance_fen: int | None = None
    counterpart: str = ""
    order_ref: str = ""  # 商户订单号 / 订单号 as printed
    order_no: str = ""  # the platform order number taken out of it ("" when none)
    business: str = ""  # 业务类型 / 费用项 / 账务类型 as printed
    description: str = ""


@dataclass
class StatementFile:
    name: str
    layout: str = ""
    platforms: tuple[str, ...] = ()
    entries: list[ParsedEntry] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def kind_of(*texts: str) -> str:
    for text in texts:
        text = text.replace(" ", "")
        for kind, words in KIND_WORDS:
            if text and any(w in text for w in words):
                return kind
    return "other"


def order_no_of(ref: str, remark: str = "") -> str:
    """The platform order number in a 商户订单号 (T200P… prefix dropped) or, failing that, a long number in the
    remark (淘宝客佣金代扣款{订单号}, 技术服务费 … 订单号)."""
    ref = ref.strip()
    m = ORDER_REF.match(ref)
    if m:
        return m.group(1)
    if ref.isdigit() or re.fullmatch(r"\d{6}-\d{6,}", ref):  # JD numbers, PDD 241201-123456789012345
        return ref
    m = DIGITS.search(remark)
    return m.group(1) if m else ""


def detect(header: list[str]) -> tuple[str | None, dict[str, int], list[str]]:
    stripped = [clean(str(h or "")).lstrip("\ufeff").strip() for h in header]
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


def _money(text: str, bound: int) -> int:
    """'+129.00' / '-3.87' / '1,234.5' / '¥12' → signed fen (the company's bound, rule 7)."""
    if not text:
        return 0
    sign = 1
    if text[0] in "+-":
        sign = -1 if text[0] == "-" else 1
        text = text[1:]
    whole, _, frac = text.partition(".")
    if whole.isdecimal() and len(whole) < 10 and (not frac or (frac.isdecimal() and len(frac) <= 2)):
        fen = int(whole) * 100 + (int(frac) * (10 if len(frac) == 1 else 1) if frac else 0)
    else:
        text = text.replace(",", "").replace("¥", "").replace("￥", "").strip()
        if text[:1] == "-":
            sign, text = -sign, text[1:]
        fen = parse_fen(text)
    if fen > bound:
        raise BadValue(f"金额“{text}”超出上限")
    return sign * fen


class _Rows:
    """One file's row reader: the columns of its layout resolved once, each row's cells taken by position (a
    missing column reads as the empty cell after the last), the kind of each business type remembered."""

    FIELDS = ("time", "business", "remark", "title", "amount", "direction", "income", "expense", "order_ref",
              "entry_id", "balance", "counterpart")  # fmt: skip

    def __init__(self, columns: dict[str, int], layout: str, width: int, needs_clean: bool):
        self.pad = width  # the sentinel column
        self.indexes = [columns.get(f, width) for f in self.FIELDS]
        self.signed = "amount" in columns
        self.alipay = layout == "alipay"
        self.needs_clean = needs_clean
        self.kinds: dict[str, str] = {}
        self.bound = max_total_fen()

    def parse(self, line: int, row: list[str]) -> ParsedEntry:
        if len(row) <= self.pad:
            row = row + [""] * (self.pad + 1 - len(row))
        cells = [row[i].strip() for i in self.indexes]
        if self.needs_clean:
            cells = [clean(c) if c[:1] in ("=", "'") else c for c in cells]
        (time_text, business, remark, title, amount_text, direction, income_text, expense_text, order_ref,
         entry_id, balance_text, counterpart) = cells  # fmt: skip
        if not time_text:
            raise BadValue("缺少发生时间")
        occurred = parse_time(time_text)
        if occurred is None:
            raise BadValue(f"时间“{time_text[:30]}”无法识别")
        bound = self.bound
        if self.signed:
            if not amount_text:
                raise BadValue("缺少金额")
            amount = _money(amount_text, bound)
            if direction and ("支" in direction or "出" in direction) and amount > 0:
                amount = -amount
        else:
            if not income_text and not expense_text:
                raise BadValue("收入金额和支出金额都为空")
            income = _money(income_text, bound)
            if income < 0:
                raise BadValue(f"收入金额“{income_text}”为负数")
            amount = income - abs(_money(expense_text, bound))
        order_ref = order_ref[:64]
        kind = self.kinds.get(business)
        if kind is None:
            kind = kind_of(business)
            self.kinds[business] = kind
        if kind == "other":
            kind = kind_of(remark, title)
            if kind == "other" and self.alipay and amount > 0 and order_ref:
                kind = "income"
        entry_id = entry_id[:64]
        if not entry_id:  # PDD 货款明细 has no entry number: the line's own content identifies it
            key = "|".join((order_ref, time_text, business, str(amount), remark))
            entry_id = "H" + hashlib.blake2b(key.encode(), digest_size=12).hexdigest()
        m = ORDER_REF.match(order_ref)
        order_no = m.group(1) if m else order_no_of(order_ref, remark)
        return ParsedEntry(
            line,
            entry_id,
            occurred,
            kind,
            amount,
            _money(balance_text, BALANCE_BOUND) if balance_text else None,
            counterpart[:100],
            order_ref,
            order_no[:64],
            business[:40],
            (remark or title)[:200],
        )


def _alipay_fast_rows(data) -> tuple[list[str] | None, object, int, bool]:
    """The fast path for text statements: decode once, skip the `#` preamble (line numbers kept), csv the rest.
    Returns (header, rows iterator of (line, cells), header line)."""
    raw = data if isinstance(data, bytes | bytearray) else open(data, "rb").read()  # noqa: SIM115
    text = _decode(bytes(raw))
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (lines[start].startswith("#") or not lines[start].strip()):
        start += 1
    if start >= len(lines):
        return None, iter(()), 0, False
    end = len(lines)
    while end > start and (lines[end - 1].startswith("#") or not lines[end - 1].strip()):
        end -= 1
    delimiter = "\t" if lines[start].count("\t") > lines[start].count(",") and "," not in lines[start] else ","
    reader = csv.reader(lines[start:end], delimiter=delimiter)
    header = next(reader)
    first = start + 2
    needs_clean = '="' in text or ",'" in text
    return header, ((first + i, cells) for i, cells in enumerate(reader, start=0)), start + 1, needs_clean


def _decode(raw: bytes) -> str:
    """UTF-8 (BOM or not) or GBK (gb18030) in one pass each; anything else through core.sheets' detection."""
    if raw[:3] == b"\xef\xbb\xbf":
        raw = raw[3:]
    elif b"\x00" not in raw[:4096]:
        for encoding in ("utf-8", "gb18030"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                pass
    try:
        return raw.decode(text_encoding(raw))
    except (UnicodeDecodeError, LookupError):
        raise SheetError("encoding", "文件编码无法识别：账单应为支付宝下载的 GBK 编码 CSV（或 UTF-8）") from None


def _looks_misdecoded(header: list[str]) -> bool:
    text = "".join(header)
    return bool(text) and not any("\u4e00" <= ch <= "\u9fff" for ch in text) and any(ord(ch) > 127 for ch in text)


def read_file(name: str, data, platform: str = "") -> StatementFile:
    """Every row of one statement file: entries and bad rows (lines as the user sees them). A file that cannot be
    read, whose header fits no layout, or that is another platform's statement is one error on line 1."""
    result = StatementFile(name)
    try:
        needs_clean = True
        if name.lower().endswith((".xlsx", ".xls")):
            rows = iter_rows(name, data)
            header = next(rows, None)
            numbered = ((i, r) for i, r in enumerate(rows, start=2))
            header_line = 1
        else:
            header, numbered, header_line, needs_clean = _alipay_fast_rows(data)
        if header is None:
            result.errors.append(RowError(name, 1, "", "文件是空的，没有账单明细"))
            return result
        layout, columns, missing = detect(header)
        if layout is None:
            if _looks_misdecoded(header):
                why = "文件编码不对，无法读出中文表头：请直接上传平台下载的原始文件（GBK 或 UTF-8 编码的 CSV）"
            else:
                why = (
                    "不是支付宝账务明细、京东结算单或拼多多货款明细（"
                    + ("缺少列：" + "、".join(missing) if missing else "无法识别的表头")
                    + "）"
                )
            result.errors.append(RowError(name, header_line, "", why))
            return result
        spec = LAYOUTS[layout]
        if platform and platform not in spec["platforms"]:
            shop_platform = PLATFORM_NAMES.get(platform, platform)
            result.errors.append(
                RowError(name, header_line, "", f"这是{spec['label']}，不是{shop_platform}店铺的账单，整份文件未导入")
            )
            return result
        result.layout, result.platforms = layout, spec["platforms"]
        entries, errors = result.entries, result.errors
        reader = _Rows(columns, layout, len(header), needs_clean)
        parse, append = reader.parse, entries.append
        for line, row in numbered:
            try:
                append(parse(line, row))
            except BadValue as exc:
                if any(c.strip() for c in row):
                    errors.append(RowError(name, line, "", str(exc)))
    except SheetError as exc:
        result.errors.append(RowError(name, 1, "", exc.message))
    return result
