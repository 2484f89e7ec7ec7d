"""Printed documents take their Chinese font from the distribution's font packages, with a clear Chinese error when
there is none (PROD-4 watermarks and INV-6/PUR count sheets and slips print with the same font)."""

import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from zhanggui.core import pdf

ROOT = Path(__file__).resolve().parents[2]


def test_no_single_author_font_package_among_the_dependencies():
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert not [d for d in deps if "font" in d.lower()]


def test_the_font_comes_from_the_distributions_packages():
    assert str(pdf.font_path()) in pdf.FONT_CANDIDATES


def test_no_cjk_font_gives_a_clear_chinese_error(monkeypatch, tmp_path):
    monkeypatch.delenv("ZHANGGUI_PDF_FONT", raising=False)
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", (str(tmp_path / "missing.ttc"),))
    with pytest.raises(
        pdf.NoCjkFont, match="找不到中文字体，无法生成 PDF。请安装中文字体：apt-get install fonts-wqy-microhei"
    ):
        pdf.font_path()
    monkeypatch.setenv("ZHANGGUI_PDF_FONT", str(tmp_path / "gone.ttf"))
    with pytest.raises(pdf.NoCjkFont, match="ZHANGGUI_PDF_FONT 指向的字体文件不存在"):
        pdf.font_path()


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (make browser) not installed")
def test_a_document_renders_chinese_glyphs(tmp_path):
    """The PDF embeds the CJK font and its Chinese text is drawn (ink where the title is), not empty boxes."""
    doc = pdf.Document(
        title="入库单",
        number="RK20261207-01",
        facts=[("供应商", "广州青禾服饰"), ("仓库", "主仓")],
        columns=[pdf.Column("商品", 80), pdf.Column("数量", 30, numeric=True)],
        rows=[["连衣裙 白色 S", 12]],
    )
    data = pdf.render(doc)
    (tmp_path / "doc.pdf").write_bytes(data)
    fonts = subprocess.run(["pdffonts", "doc.pdf"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert any("TrueType" in line and " yes " in line for line in fonts.splitlines())  # embedded as a subset
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", "doc.pdf", "page"], cwd=tmp_path, check=True)
    text = subprocess.run(["pdftotext", "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert "入库单" in text and "广州青禾服饰" in text and "连衣裙" in text
    assert list(tmp_path.glob("page*.png"))
