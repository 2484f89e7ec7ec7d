"""Printed documents (stock-in slips, exchange lists, count sheets) as A4 PDF with reportlab.

Chinese text needs a CJK TrueType font embedded as a subset (only the glyphs used, so a slip stays ~30 KB): the
distribution's font packages (fonts-wqy-microhei, installed by `make run` and `make test`, or fonts-wqy-zenhei,
fonts-droid-fallback, fonts-arphic-uming) — nothing is copied into this repository. ZHANGGUI_PDF_FONT overrides the
path. No CJK font: a clear Chinese error (`NoCjkFont`) instead of a PDF of empty boxes. (The OpenType Noto CJK
fonts carry PostScript outlines, which reportlab cannot embed, so they are not candidates.)

`document(...)` lays out the house style once: a title with the document number, a block of facts (supplier,
warehouse, dates), one table with a header row repeated on every page, notes, signature boxes and page numbers.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from reportlab.graphics.barcode import code128
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from .clock import local, now
from .errors import DomainError

FONT = "ZhangguiSans"
# TrueType CJK fonts of Debian's packages, best first (WenQuanYi Micro Hei: fonts-wqy-microhei).
FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
INSTALL_HINT = (
    "请安装中文字体：apt-get install fonts-wqy-microhei（make run 会自动安装），"
    "或把 ZHANGGUI_PDF_FONT 设为一个 TrueType 中文字体文件"
)


class NoCjkFont(DomainError):
    """No Chinese font to print with: the message says what to install."""

    status = 503


def font_path() -> Path:
    """Where the CJK font is read from: ZHANGGUI_PDF_FONT, else the first installed candidate. `NoCjkFont` when
    there is none (also used by the catalog's image watermarks)."""
    configured = os.environ.get("ZHANGGUI_PDF_FONT")
    if configured:
        if not Path(configured).is_file():
            raise NoCjkFont("no_cjk_font", f"ZHANGGUI_PDF_FONT 指向的字体文件不存在：{configured}。{INSTALL_HINT}")
        return Path(configured)
    for candidate in FONT_CANDIDATES:
        if Path(candidate).is_file():
            return Path(candidate)
    raise NoCjkFont("no_cjk_font", f"找不到中文字体，无法生成 PDF。{INSTALL_HINT}")


@cache
def register_font() -> str:
    path = font_path()
    # A .ttc holds several faces; Micro Hei is the first. reportlab subsets it on embedding.
    pdfmetrics.registerFont(
        TTFont(FONT, str(path), subfontIndex=0) if path.suffix == ".ttc" else TTFont(FONT, str(path))
    )
    return FONT


def _styles() -> dict[str, ParagraphStyle]:
    font = register_font()
    return {
        "title": ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=2),
        "meta": ParagraphStyle("meta", fontName=font, fontSize=9, leading=13, textColor=colors.HexColor("#444444")),
        "cell": ParagraphStyle("cell", fontName=font, fontSize=9, leading=12),
        "num": ParagraphStyle("num", fontName=font, fontSize=9, leading=12, alignment=TA_RIGHT),
        "head": ParagraphStyle("head", fontName=font, fontSize=9, leading=12, textColor=colors.white),
        "note": ParagraphStyle("note", fontName=font, fontSize=9, leading=13),
    }


@dataclass
class Column:
    title: str
    width_mm: float
    numeric: bool = False


@dataclass
class Document:
    title: str  # e.g. 入库单
    number: str  # the document number, also printed as a Code128 barcode for the scanner
    facts: list[tuple[str, str]]  # (label, value) pairs shown under the title, two per row
    columns: list[Column]
    rows: list[list]
    totals: list | None = None  # a bold last row
    notes: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)  # e.g. 清点人、核对人（进货人员）
    copies: list[str] = field(default_factory=list)  # e.g. 进货人员联、库房联: the document once per copy
    printed_by: str = ""


def _cell(value, style):
    text = "" if value is None else str(value)
    return Paragraph(text.replace("&", "&amp;").replace("<", "&lt;"), style)


def _story(doc: Document, styles, copy: str) -> list:
    title = f"{doc.title}　{doc.number}" + (f"（{copy}）" if copy else "")
    barcode = code128.Code128(doc.number, barHeight=10 * mm, barWidth=0.9, humanReadable=False)
    head = Table([[Paragraph(title, styles["title"]), barcode]], colWidths=[120 * mm, 60 * mm])
    head.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "MIDDLE"), ("ALIGN", (1, 0), (1, 0), "RIGHT")]))
    story = [head, Spacer(1, 2 * mm)]
    pairs = [f"{label}：{value}" for label, value in doc.facts]
    if pairs:
        grid = [
            [_cell(a, styles["meta"]), _cell(b, styles["meta"])]
            for a, b in zip(pairs[::2], [*pairs[1::2], ""][: len(pairs[::2])], strict=True)
        ]
        facts = Table(grid, colWidths=[90 * mm, 90 * mm])
        facts.setStyle(TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 1)]))
        story += [facts, Spacer(1, 3 * mm)]
    header = [_cell(c.title, styles["head"]) for c in doc.columns]

    def row(values):
        return [_cell(v, styles["num" if c.numeric else "cell"]) for v, c in zip(values, doc.columns, strict=True)]

    body = [row(r) for r in doc.rows]
    if doc.totals:
        body.append(row(doc.totals))
    table = Table([header, *body], colWidths=[c.width_mm * mm for c in doc.columns], repeatRows=1)
    style = [
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#34495e")),
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#9aa5b1")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f4f6f8")]),
    ]
    if doc.totals:
        style.append(("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#e8ecef")))
    table.setStyle(TableStyle(style))
    story += [table, Spacer(1, 4 * mm)]
    story += [Paragraph(n, styles["note"]) for n in doc.notes]
    if doc.signatures:
        boxes = Table(
            [[_cell(f"{s}：______________　日期：________", styles["note"]) for s in doc.signatures]],
            colWidths=[180 * mm / len(doc.signatures)] * len(doc.signatures),
        )
        story += [Spacer(1, 8 * mm), boxes]
    return story


def render(doc: Document) -> bytes:
    """The document as PDF bytes (A4 portrait), once per copy, each copy starting on a new page."""
    from reportlab.platypus import PageBreak

    styles = _styles()
    buffer = io.BytesIO()
    printed = local(now()).strftime("%Y-%m-%d %H:%M")

    def footer(canvas, template):
        canvas.saveState()
        canvas.setFont(FONT, 8)
        canvas.setFillColor(colors.HexColor("#666666"))
        who = f"　打印人：{doc.printed_by}" if doc.printed_by else ""
        canvas.drawString(15 * mm, 10 * mm, f"掌柜 · {doc.title} {doc.number}　打印时间：{printed}{who}")
        canvas.drawRightString(195 * mm, 10 * mm, f"第 {canvas.getPageNumber()} 页")
        canvas.restoreState()

    template = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=14 * mm,
        bottomMargin=18 * mm,
        title=f"{doc.title} {doc.number}",
        author="zhanggui",
    )
    story = []
    for i, copy in enumerate(doc.copies or [""]):
        if i:
            story.append(PageBreak())
        story += _story(doc, styles, copy)
    template.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()


def response(doc: Document, filename: str):
    """An inline PDF HTTP response (opens in the browser's viewer, prints from there)."""
    from django.http import HttpResponse

    resp = HttpResponse(render(doc), content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{filename}"'
    return resp
