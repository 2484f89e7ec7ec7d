"""Drawing of waybill labels and packing slips (SHIP-1): plain data in, PDF bytes out — no database here, so the
benchmark times the renderer alone and the builders in services/documents.py stay testable without reportlab.

Layout follows the standard 电子面单 (docs platform-formats.md §3): carrier + product title → routing → Code128 of
the waybill number with the human-readable number → 收 block → 寄 block → custom area (items, order numbers,
package number; on 76 × 130 the WeChat/Cainiao custom area starts 90 mm from the top, about 30 mm high) → 签收 /
print time. The 100 × 180 two-part label adds a 收件联 stub below a tear line with the same waybill and items.

Drawing is done straight on one canvas (no platypus) with the project's subset-embedded CJK font (core/pdf.py), so
1,000 labels render well above 500 pages/s: widths are cached per character, the font is registered once and its
subset is written once per document.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from functools import lru_cache

from reportlab.graphics.barcode import code128
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas as rl_canvas

from zhanggui.core.pdf import register_font

SIZES = {"76x130": (76 * mm, 130 * mm), "100x180": (100 * mm, 180 * mm)}
SLIP_SIZE = (100 * mm, 150 * mm)

# Code128 bar (module) widths, widest first. A 203 dpi thermal head prints dots of 25.4/203 = 0.125 mm, so a module
# of exactly 3 dots (0.375 mm) or 2 dots (0.25 mm) prints without rounding distortion; 0.25 mm is the smallest module
# handheld scanners read reliably on thermal paper. A 13–15 digit waybill (Code set C, two digits per symbol) is
# ~50 mm at 0.375 mm — it fits 76 mm with the 10-module quiet zones; longer or alphanumeric numbers drop to 0.25 mm.
BAR_WIDTHS_MM = (0.375, 0.25)
QUIET_MODULES = 10


@dataclass
class LabelData:
    waybill_no: str
    carrier_name: str  # 申通快递
    product_title: str  # 标准快递 / 代收货款
    routing: str  # destination city + district (we have no carrier API: never an invented 三段码)
    receiver_name: str  # already masked when the platform prints privacy waybills
    receiver_phone: str
    receiver_address: str
    sender_name: str
    sender_phone: str
    sender_address: str
    items: list[tuple[str, int]] = field(default_factory=list)  # (SKU code, quantity)
    order_nos: list[str] = field(default_factory=list)
    package_no: str = ""
    printed_at: str = ""
    urgent: bool = False
    cod_text: str = ""  # 代收 ¥128.00 for cash on delivery
    note: str = ""  # carrier note (默认申通不到，改发EMS) — printed small in the custom area


@dataclass
class SlipLine:
    code: str
    title: str
    properties: str
    quantity: int


@dataclass
class SlipData:
    shop_name: str
    package_no: str
    order_nos: list[str]
    receiver: str  # masked per platform, like the label
    buyer_nick: str
    buyer_message: str
    seller_remark: str
    lines: list[SlipLine]
    carrier_name: str = ""
    waybill_no: str = ""
    printed_at: str = ""
    printed_by: str = ""


# ---------------------------------------------------------------------------------------------------------------
# text helpers


_NO_LINE_START = set("，。、：；！？）)」】,.;:!?")  # hang closing punctuation rather than start a line with it


@lru_cache(maxsize=8192)
def _char_width(ch: str, font: str) -> float:
    return pdfmetrics.stringWidth(ch, font, 1000) / 1000


def text_width(text: str, font: str, size: float) -> float:
    return sum(_char_width(ch, font) for ch in text) * size


def wrap(text: str, font: str, size: float, width_mm: float, max_lines: int) -> list[str]:
    """Greedy wrap by character (Chinese has no spaces); the last kept line ends in … when text was cut."""
    width = width_mm * mm
    lines: list[str] = []
    current, used = "", 0.0
    for ch in text:
        if ch == "\n":
            lines.append(current)
            current, used = "", 0.0
            continue
        w = _char_width(ch, font) * size
        if used + w > width and current and ch not in _NO_LINE_START:
            lines.append(current)
            current, used = "", 0.0
        current += ch
        used += w
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and text_width(last + "…", font, size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return lines


def wrap_tokens(tokens: list[str], font: str, size: float, width_mm: float, max_lines: int) -> list[str]:
    """Lines of whole tokens (SKU×qty never breaks inside); a token wider than the line is wrapped by character."""
    lines: list[str] = []
    for token in tokens:
        if lines and text_width(lines[-1] + "  " + token, font, size) <= width_mm * mm:
            lines[-1] += "  " + token
        else:
            lines += wrap(token, font, size, width_mm, 99)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], "…"]
    return lines


def fit_size(text: str, font: str, size: float, width_mm: float, smallest: float) -> float:
    """The largest font size ≤ size at which text fits the width (not below smallest)."""
    width = width_mm * mm
    w = text_width(text, font, size)
    if w <= width:
        return size
    return max(smallest, size * width / w)


class Pen:
    """A canvas with the house font and top-left millimetre coordinates inside one page."""

    def __init__(self, c, page_height: float):
        self.c = c
        self.h = page_height
        self.font = register_font()
        self.t = None  # one text object per page (BT … ET): far cheaper than one per string
        self._size = self._fill = self._stroke = self._width = None
        self.forms: set[str] = set()

    def y(self, top_mm: float) -> float:
        return self.h - top_mm * mm

    def text(self, x_mm, top_mm, text, size, bold=False, align="left", grey=False, white=False):
        x = x_mm * mm
        if align != "left":
            w = text_width(text, self.font, size)
            x -= w if align == "right" else w / 2
        t = self.t
        if t is None:
            t = self.t = self.c.beginText()
            self._size = self._fill = self._stroke = self._width = None
        t.setTextOrigin(x, self.y(top_mm))
        if size != self._size:
            t.setFont(self.font, size)
            self._size = size
        fill = 1 if white else 0.35 if grey else 0
        if fill != self._fill:
            t.setFillGray(fill)
            self._fill = fill
        if bold:  # the CJK font has no bold face: fill + stroke the glyph outlines (what thermal templates do)
            stroke = 1 if white else 0
            if stroke != self._stroke:
                t.setStrokeGray(stroke)
                self._stroke = stroke
            width = round(size * 0.035, 2)
            if width != self._width:  # the line width operator is allowed inside a text object
                t._code.append(f"{width} w")
                self._width = width
        t.setTextRenderMode(2 if bold else 0)  # the text object emits Tr only when the mode changes
        t.textOut(text)

    def form(self, key: str, draw) -> None:
        """Draw what never changes between labels (frame, rules, 收/寄 tags, 签收 line) once per document as a
        Form XObject and place it on each page by reference."""
        if key not in self.forms:
            self.c.beginForm(key)
            draw()
            if self.t is not None:
                self.c.drawText(self.t)
                self.t = None
            self.c.endForm()
            self.forms.add(key)
        self.c.doForm(key)

    def show_page(self) -> None:
        """Draw the page's text (on top of lines, boxes and bars) and start a new page."""
        if self.t is not None:
            self.c.drawText(self.t)
            self.t = None
        self.c.showPage()

    def hline(self, top_mm, x1_mm, x2_mm, width=0.8, dash=None):
        c = self.c
        c.setLineWidth(width)
        if dash:
            c.setDash(*dash)
        c.line(x1_mm * mm, self.y(top_mm), x2_mm * mm, self.y(top_mm))
        if dash:
            c.setDash()

    def vline(self, x_mm, top1_mm, top2_mm, width=0.8):
        self.c.setLineWidth(width)
        self.c.line(x_mm * mm, self.y(top1_mm), x_mm * mm, self.y(top2_mm))

    def box(self, x_mm, top_mm, w_mm, h_mm, width=0.8, fill=False):
        self.c.setLineWidth(width)
        self.c.rect(x_mm * mm, self.y(top_mm + h_mm), w_mm * mm, h_mm * mm, stroke=1, fill=1 if fill else 0)

    def tag(self, x_mm, top_mm, char, size_mm=6.0):
        """A black square with a white character: the 收 / 寄 markers of a waybill."""
        self.c.setFillGray(0)
        self.box(x_mm, top_mm, size_mm, size_mm, width=0.5, fill=True)
        x, top = x_mm + size_mm / 2, top_mm + size_mm * 0.75
        self.text(x, top, char, size_mm * 2.0, bold=True, align="center", white=True)

    def barcode(self, value: str, x_mm: float, top_mm: float, width_mm: float, height_mm: float) -> None:
        """Code128 of value, centred in width_mm, with the widest module that fits (BAR_WIDTHS_MM): all bars as
        one filled path."""
        total, bars = _bars(value, width_mm)
        x0 = (x_mm + (width_mm - total / mm) / 2) * mm
        y0 = self.y(top_mm + height_mm)
        h = height_mm * mm
        path = self.c.beginPath()
        for left, w in bars:
            path.rect(x0 + left, y0, w, h)
        self.c.setFillGray(0)
        self.c.drawPath(path, stroke=0, fill=1)


@lru_cache(maxsize=4096)
def _bars(value: str, width_mm: float) -> tuple[float, tuple[tuple[float, float], ...]]:
    """(total width, ((left, width) of each bar)) in points, from reportlab's Code128 encoding."""
    bar = _barcode(value, width_mm, 10.0)
    bar._calculate()
    unit = bar.barWidth
    left, out = 0.0, []
    for ch in bar.decomposed:  # lowercase = space, uppercase = bar, a/A = one module (reportlab MultiWidthBarcode)
        if "a" <= ch <= "z":
            left += (ord(ch) - ord("a") + 1) * unit
        else:
            w = (ord(ch) - ord("A") + 1) * unit
            out.append((left, w))
            left += w
    return left, tuple(out)


@lru_cache(maxsize=2048)
def _barcode(value: str, width_mm: float, height_mm: float):
    """The Code128 widget with the widest module of BAR_WIDTHS_MM that fits width_mm with its quiet zones."""
    for bar_mm in BAR_WIDTHS_MM:
        bar = _code128(value, bar_mm * mm, height_mm * mm)
        if bar.width + 2 * QUIET_MODULES * bar_mm * mm <= width_mm * mm:
            return bar
    # Too long even at 2 dots (a very long alphanumeric number): squeeze to the width rather than overflow.
    modules = bar.width / (BAR_WIDTHS_MM[-1] * mm)
    return _code128(value, width_mm * mm / (modules + 2 * QUIET_MODULES), height_mm * mm)


def _code128(value: str, bar_width: float, bar_height: float):
    return code128.Code128(value, barWidth=bar_width, barHeight=bar_height, quiet=0, humanReadable=False)


def _spaced(number: str) -> str:
    """7730 1234 5678 901: the human-readable number in groups of four, as carriers print it."""
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


# ---------------------------------------------------------------------------------------------------------------
# waybill label


def _draw_main(p: Pen, d: LabelData, w: float, bands: tuple[float, ...], info: bool = True) -> float:
    """The main part of a label, bands = heights (mm) of: head, routing, barcode, 收, 寄, custom area, footer.
    Returns the bottom (mm from the top) of what was drawn."""
    f = p.font
    m = 2.0  # margin
    inner = w - 2 * m
    head, route, code, recv, send, custom, foot = bands
    y0 = 0.0
    y1 = y0 + head
    y2 = y1 + route
    y3 = y2 + code
    y4 = y3 + recv
    y5 = y4 + send
    y6 = y5 + custom
    y7 = y6 + foot
    title_w = 22.0

    def frame():
        p.box(m, m, inner, y7 - 2 * m, width=1.0)
        for y in (y1, y2, y3, y4, y5) + ((y6,) if custom else ()):
            p.hline(y, m, w - m)
        p.box(w - m - title_w, m, title_w, head - m, width=0.8)
        p.tag(m + 1.5, y3 + 1.5, "收")
        p.tag(m + 1.5, y4 + 1.5, "寄", 5.0)
        p.text(m + 1.5, y7 - m - 1.6, "签收人：　　　　　时间：", 6.5)

    p.form(f"frame{w:g}-{'-'.join(f'{b:g}' for b in bands)}", frame)

    # head: carrier name | product title (标准快递 / 代收货款) | 加急
    p.text(m + 2, y0 + head * 0.66, d.carrier_name, fit_size(d.carrier_name, f, 15, inner * 0.5, 9), bold=True)
    p.text(w - m - title_w / 2, y0 + head * 0.62, d.product_title, 10, bold=True, align="center")
    if d.cod_text:
        p.text(w - m - title_w / 2, y0 + head - 1.0, d.cod_text, 6, align="center")
    if d.urgent:
        p.text(w - m - title_w - 2, y0 + head * 0.62, "急", 12, bold=True, align="right")

    # routing: destination city + district in big bold type. We have no carrier waybill API, so no 三段码 /
    # 集包地: the real routeCode comes only from the carrier (platform-formats §3) — we never invent one.
    size = fit_size(d.routing, f, 22, inner - 4, 11)
    p.text(w / 2, y1 + route / 2 + size * 0.35 / mm * 0.9, d.routing, size, bold=True, align="center")

    # barcode of the waybill number + the number in groups of four
    p.barcode(d.waybill_no, m, y2 + 1.5, inner, code - 6.5)
    p.text(w / 2, y3 - 1.3, _spaced(d.waybill_no), 10, bold=True, align="center")

    # 收 block: masked or full name/phone per platform (decided by the builder), full address
    tx = m + 9
    tw = w - m - tx - 1
    who = f"{d.receiver_name}  {d.receiver_phone}"
    p.text(tx, y3 + 5.3, who, fit_size(who, f, 11, tw, 8), bold=True)
    lines = wrap(d.receiver_address, f, 9.5, tw, max(1, int((recv - 8) // 4.2)))
    for i, line in enumerate(lines):
        p.text(tx, y3 + 9.8 + i * 4.2, line, 9.5, bold=True)

    # 寄 block
    who = f"{d.sender_name}  {d.sender_phone}".strip()
    p.text(tx, y4 + 4.5, who, fit_size(who, f, 8, tw, 6))
    for i, line in enumerate(wrap(d.sender_address, f, 7, tw, max(1, int((send - 6) // 3.2)))):
        p.text(tx, y4 + 8.0 + i * 3.2, line, 7)

    # custom area (自定义区): items, order numbers, package number, carrier note
    if custom and info:
        _draw_info(p, d, m + 1.5, y5, inner - 3, custom)

    # footer: 签收 and print time
    p.text(w - m - 1.5, y7 - m - 1.6, f"打印 {d.printed_at}", 6.5, align="right", grey=True)
    return y7


def _draw_info(p: Pen, d: LabelData, x: float, top: float, width: float, height: float) -> None:
    f = p.font
    y = top + 3.6
    count = sum(q for _, q in d.items)
    p.text(x, y, f"共 {count} 件", 8, bold=True)
    p.text(x + width, y, d.package_no, 7.5, align="right")
    y += 1.0
    rows = max(1, int((height - 13) // 3.6))
    for line in wrap_tokens([f"{code}×{qty}" for code, qty in d.items], f, 8.5, width, rows):
        y += 3.6
        p.text(x, y, line, 8.5, bold=True)
    orders = "订单 " + "、".join(d.order_nos)
    y += 4.0
    for line in wrap(orders, f, 7, width, 2):
        p.text(x, y, line, 7)
        y += 3.0
    if d.note and y < top + height - 1:
        p.text(x, top + height - 1.5, wrap(d.note, f, 6.5, width, 1)[0], 6.5, grey=True)


def _draw_stub(p: Pen, d: LabelData, w: float, top: float, height: float) -> None:
    """收件联 (second part of the 100 × 180 label): same waybill, receiver and items, below a tear line."""
    f = p.font
    m = 2.0
    inner = w - 2 * m
    p.hline(top, 0, w, width=0.6, dash=(3, 2))
    t = top + 2
    p.box(m, t, inner, height - 4, width=1.0)
    p.text(m + 2, t + 6, d.carrier_name, 11, bold=True)
    p.text(w - m - 2, t + 6, "收件联", 11, bold=True, align="right")
    p.hline(t + 8.5, m, w - m)
    p.barcode(d.waybill_no, m, t + 10, inner * 0.62, 11)
    p.text(m + inner * 0.31, t + 25, _spaced(d.waybill_no), 8.5, bold=True, align="center")
    rx = m + inner * 0.64
    rw = w - m - rx - 1.5
    p.text(rx, t + 13, d.receiver_name, fit_size(d.receiver_name, f, 9, rw, 6), bold=True)
    p.text(rx, t + 17.5, d.receiver_phone, fit_size(d.receiver_phone, f, 9, rw, 6), bold=True)
    p.text(rx, t + 22, d.routing, fit_size(d.routing, f, 8, rw, 5))
    p.hline(t + 27.5, m, w - m)
    _draw_info(p, d, m + 1.5, t + 27.5, inner - 3, height - 4 - 27.5 - 6)
    p.text(w - m - 1.5, t + height - 5.5, f"打印 {d.printed_at}", 6.5, align="right", grey=True)


MAIN_76 = (13.0, 17.0, 23.0, 24.0, 13.0, 32.0, 8.0)  # = 130 mm
MAIN_100 = (12.0, 17.0, 23.0, 22.0, 13.0, 17.0, 6.0)  # = 110 mm, the 收件联 stub takes the last 70 mm


def render_labels(labels: list[LabelData], size: str = "76x130", title: str = "电子面单") -> bytes:
    """One label per page, in the given order (the caller sorts by order time, SHIP-1)."""
    if size not in SIZES:
        raise ValueError(size)
    w, h = SIZES[size]
    buffer = io.BytesIO()
    c = rl_canvas.Canvas(buffer, pagesize=(w, h), pageCompression=1)
    c.setTitle(title)
    c.setAuthor("zhanggui")
    p = Pen(c, h)
    for d in labels:
        if size == "76x130":
            _draw_main(p, d, w / mm, MAIN_76)
        else:
            bottom = _draw_main(p, d, w / mm, MAIN_100)
            _draw_stub(p, d, w / mm, bottom, h / mm - bottom)
        p.show_page()
    _save(c)
    return buffer.getvalue()


def _save(c) -> None:
    """Write the PDF with binary (Flate only) page streams: ASCII85 on top of Flate makes files 25 % larger and,
    for 1,000 labels, costs more time than drawing them. Both are valid PDF; the setting is restored at once."""
    from reportlab import rl_config

    before = rl_config.useA85
    rl_config.useA85 = 0
    try:
        c.save()
    finally:
        rl_config.useA85 = before


# ---------------------------------------------------------------------------------------------------------------
# packing slip (发货单), 100 × 150 mm so the same thermal printer prints it; long slips continue on a next page


def render_slips(slips: list[SlipData]) -> bytes:
    w, h = SLIP_SIZE
    W, H = w / mm, h / mm
    buffer = io.BytesIO()
    c = rl_canvas.Canvas(buffer, pagesize=(w, h), pageCompression=1)
    c.setTitle("发货单")
    c.setAuthor("zhanggui")
    p = Pen(c, h)
    f = p.font
    m = 4.0
    inner = W - 2 * m
    for s in slips:
        y = _slip_columns(p, _slip_head(p, s, W, m), W, m)
        page = 1
        for line in s.lines:
            text = line.title + (f"  {line.properties}" if line.properties else "")
            rows = wrap(text, f, 8, (inner - 24 - 10), 3)
            need = 3.8 * len(rows) + 1.5
            if y + need > H - 22:
                p.text(W / 2, H - 5, f"续下页（第 {page} 页）", 7, align="center", grey=True)
                p.show_page()
                page += 1
                y = _slip_columns(p, _slip_head(p, s, W, m, short=True) + 2, W, m)
                p.text(m + 24, 14, f"第 {page} 页（续）", 7, grey=True)
            p.text(m, y, line.code, fit_size(line.code, f, 8, 23, 5.5))
            for i, row in enumerate(rows):
                p.text(m + 24, y + i * 3.8, row, 8)
            p.text(W - m, y, str(line.quantity), 9, bold=True, align="right")
            y += need
            p.hline(y - 2.9, m, W - m, width=0.2)
        total = sum(line.quantity for line in s.lines)
        p.text(W - m, y + 1, f"合计 {total} 件", 9, bold=True, align="right")
        foot = H - 20
        if s.seller_remark:
            for i, row in enumerate(wrap("卖家备注：" + s.seller_remark, f, 7.5, inner, 2)):
                p.text(m, foot + i * 3.4, row, 7.5)
        p.hline(H - 12.5, m, W - m, width=0.4)
        p.text(m, H - 8.5, "验货人：　　　　　打包人：　　　　　重量：　　　g", 7.5)
        p.text(m, H - 4.5, f"打印 {s.printed_at}" + (f"　{s.printed_by}" if s.printed_by else ""), 6.5, grey=True)
        p.text(W - m, H - 4.5, "感谢惠顾，满意请给五星好评", 6.5, align="right", grey=True)
        p.show_page()
    _save(c)
    return buffer.getvalue()


def _slip_columns(p: Pen, y: float, W: float, m: float) -> float:
    p.text(m, y, "商家编码", 7.5, bold=True)
    p.text(m + 24, y, "商品 / 规格", 7.5, bold=True)
    p.text(W - m, y, "数量", 7.5, bold=True, align="right")
    p.hline(y + 1.2, m, W - m, width=0.5)
    return y + 5


def _slip_head(p: Pen, s: SlipData, W: float, m: float, short: bool = False) -> float:
    f = p.font
    inner = W - 2 * m
    p.text(m, 9, s.shop_name, fit_size(s.shop_name, f, 13, inner - 48, 8), bold=True)
    p.text(m, 14, "发货单 / 装箱单", 8, grey=True)
    p.barcode(s.package_no, W - m - 46, 3, 46, 9)
    p.text(W - m - 23, 15.5, s.package_no, 7, align="center")
    p.hline(17.5, m, W - m, width=0.8)
    if short:
        return 22.0
    y = 21.5
    p.text(m, y, "订单号：" + "、".join(s.order_nos), fit_size("订单号：" + "、".join(s.order_nos), f, 8, inner, 5.5))
    y += 4.2
    who = f"收件人：{s.receiver}" + (f"　买家：{s.buyer_nick}" if s.buyer_nick else "")
    p.text(m, y, who, fit_size(who, f, 8, inner, 5.5))
    if s.waybill_no:
        y += 4.2
        p.text(m, y, f"快递：{s.carrier_name}　运单号：{s.waybill_no}", 8)
    if s.buyer_message:
        for row in wrap("买家留言：" + s.buyer_message, f, 8, inner, 3):
            y += 4.2
            p.text(m, y, row, 8, bold=True)
    return y + 6.0
