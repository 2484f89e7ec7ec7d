"""Pinyin initials of people's names for search (ORD-6: 张三丰 is found by "zsf"), computed once when a name is
saved or imported and stored in an indexed column — never per row while searching.

A name is read one character at a time (a table lookup per character after the first sight of it: an import of
200,000 orders pays microseconds per name); a family name with a reading of its own (单 shàn, 曾 zēng) takes it
from data/surname_initials.json. Letters and digits are kept in lower case (tb_王小 → tbwx); a name without any
Chinese character has no initials (it is searched as it is).
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

from pypinyin import Style, lazy_pinyin

SURNAMES_FILE = Path(__file__).resolve().parent / "data" / "surname_initials.json"
_CJK = re.compile(r"[\u3400-\u9fff]")


@cache
def _surnames() -> dict[str, str]:
    return json.loads(SURNAMES_FILE.read_text(encoding="utf-8"))["initials"]


@cache
def _letter(char: str) -> str:
    if not _CJK.fullmatch(char):
        return char.lower() if char.isascii() and char.isalnum() else ""
    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0][:1].lower() if letters else ""


def person_initials(name: str | None, limit: int = 40) -> str:
    """张三丰 → zsf, 单田芳 → stf, tb_王小 → tbwx, "Lily" → "" (no Chinese: nothing to add)."""
    text = (name or "").strip()
    if not _CJK.search(text):
        return ""
    first = _surnames().get(text[0], "") if _CJK.fullmatch(text[0]) else ""
    rest = text[1:] if first else text
    return (first + "".join(map(_letter, rest)))[:limit]
