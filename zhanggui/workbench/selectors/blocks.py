"""The pieces of the home page (工作台): a block is a card of rows; a row is one figure with the page behind it.

Every row names the permission of the page it links to and is left out for people who may not open it (ui.md: a
link shown to a role never answers 403); a block left without rows is not shown (no empty cards)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhanggui.core.access import has_access


@dataclass
class Row:
    """One figure: `count` things at `url`, the oldest of them waiting since `oldest` (queue ages, ui.md)."""

    key: str
    label: str
    count: int | str
    url: str
    perm: str
    oldest: dt.datetime | None = None
    owner: dict | None = None  # ORD-9: the queue's duty and its owners (orders/_queue_owner.html)
    note: str = ""  # a short line under the label (the PROD-7 range, the month of a bill)
    urgent: bool = True  # a non-zero count shown in red (a queue to empty); False: a plain figure
    money: bool = False  # `count` is fen, shown as ¥
    percent: int | None = None  # progress (an opening checklist)
    warn: bool | None = None  # shown in red whatever the count (None: a non-zero urgent count)

    @property
    def alert(self) -> bool:
        if self.warn is not None:
            return self.warn
        return bool(self.urgent and self.count and self.count != "0")


@dataclass
class Block:
    """A card of the home page; `style` "tiles" (big figures side by side) or "table" (a dense list)."""

    key: str
    title: str
    icon: str
    rows: list[Row] = field(default_factory=list)
    style: str = "tiles"
    wide: bool = False  # the whole width of the page (the manager's sales), else two grid columns per tile

    @property
    def columns(self) -> int:
        """Grid columns (of 12) the block takes on a wide screen: its tiles side by side, blocks beside each other."""
        return 12 if self.wide or len(self.rows) > 6 else 2 * len(self.rows)


def visible(user, blocks: list[Block], seen: set[str] | None = None) -> list[Block]:
    """The blocks with the rows `user` may open, each row once (a person with several roles sees a queue once);
    blocks without rows dropped."""
    seen = set() if seen is None else seen
    shown = []
    for block in blocks:
        rows = []
        for row in block.rows:
            if row.key in seen or not has_access(user, row.perm):
                continue
            seen.add(row.key)
            rows.append(row)
        if rows:
            block.rows = rows
            shown.append(block)
    return shown
