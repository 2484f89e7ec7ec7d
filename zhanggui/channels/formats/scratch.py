"""Temporary SQLite files (stdlib) for what a big export import must hold until later, instead of memory (ORD-1): the
Taobao 宝贝报表 lines waiting for their orders (DetailLines) and the rows of a file with one row per order line
waiting to be grouped by order (OrderRows, on disk beyond SPILL orders: SpilledRows). Memory stays flat in the file
size; each file is removed when the stream ends or is abandoned."""

from __future__ import annotations

import contextlib
import datetime as dt
import marshal
import operator
import os
import sqlite3
import tempfile
from dataclasses import fields

from .types import ParsedLine, ParsedOrder, RowError

_LINE_SLOTS = tuple(f.name for f in fields(ParsedLine))[1:]  # after line_no, in order: ParsedLine(line_no, *slots)
_line_slots = operator.attrgetter(*_LINE_SLOTS)


class Scratch:
    """A temporary SQLite file (stdlib) for what a big import must hold until later, instead of memory: a file of
    any size costs SQLite's page cache (2 MB), so memory stays flat in the file size. Rows are added in bulk; the
    file (0600, in the temp directory) is removed by close()."""

    _IN = 500  # order numbers per query (SQLite's bound on parameters is far above)
    columns: tuple[str, ...] = ()

    def __init__(self):
        handle, self.path = tempfile.mkstemp(prefix="zhanggui-import-", suffix=".sqlite3")
        os.close(handle)
        self.db = sqlite3.connect(self.path, isolation_level=None)
        self.db.execute("PRAGMA journal_mode = OFF")  # scratch data: nothing to recover after a crash
        self.db.execute("PRAGMA synchronous = OFF")
        self.db.execute(f"CREATE TABLE row ({', '.join(self.columns)})")
        self.pending: list[tuple] = []

    def _add(self, values: tuple) -> None:
        self.pending.append(values)
        if len(self.pending) >= 5000:
            self._flush()

    def _flush(self) -> None:
        self.db.execute("BEGIN")
        self.db.executemany(f"INSERT INTO row VALUES ({', '.join('?' * len(self.columns))})", self.pending)
        self.db.execute("COMMIT")
        self.pending.clear()

    def seal(self) -> None:
        """All rows added: index them by order number for the reads."""
        self._flush()
        self.db.execute("CREATE INDEX row_order ON row (order_no)")

    def _rows_of(self, numbers: list[str], columns: str):
        """(order_no, *columns) of the rows of these orders, in the order they were added."""
        for start in range(0, len(numbers), self._IN):
            part = numbers[start : start + self._IN]
            yield from self.db.execute(
                f"SELECT order_no, {columns} FROM row WHERE order_no IN ({', '.join('?' * len(part))}) ORDER BY rowid",
                part,
            )

    def close(self) -> None:
        self.db.close()
        with contextlib.suppress(OSError):
            os.unlink(self.path)


class DetailLines(Scratch):
    """The 宝贝报表 lines of an import by order number, until the order report claims them (ORD-1's Taobao join),
    read back one query per batch of orders."""

    columns = ("order_no", "file", "line_no", *_LINE_SLOTS)

    def add(self, order_no: str, file: str, line_no: int, line: ParsedLine) -> None:
        self._add((order_no, file, line_no, *_line_slots(line)))

    def attach(self, orders: list[ParsedOrder]) -> list[ParsedOrder]:
        """Give each order its detail lines, in the detail file's order; returns `orders`."""
        by_no = {order.platform_order_no: order for order in orders}
        for order_no, *values in self._rows_of(list(by_no), ", ".join(_LINE_SLOTS)):
            order = by_no[order_no]
            order.lines.append(ParsedLine(len(order.lines) + 1, *values))
        return orders

    def unclaimed(self, claimed) -> list[RowError]:
        """The lines whose order is not among `claimed` (the order numbers the report gave): a RowError each."""
        return [
            RowError(file, line_no, "订单编号", "订单报表中没有这个订单（宝贝报表的行无法对应）", order_no)
            for order_no, file, line_no in self.db.execute("SELECT order_no, file, line_no FROM row ORDER BY rowid")
            if order_no not in claimed
        ]


class OrderRows:
    """ORD-1: the rows of a file with one row per order line (JD, our template), grouped by order until the whole
    file is read: an order's rows need not be adjacent. In memory up to SPILL orders (most files: no cost), then on
    disk (SpilledRows), so memory stays flat in the file size (ORD-1: exports of any size)."""

    SPILL = 20_000  # orders: about 55 MB of JD 2019 rows in memory (measured)

    def __init__(self, times: list[str]):
        self.times = times  # the time fields of the values (SpilledRows)
        self.memory: dict[str, tuple[int, dict, list[ParsedLine]]] = {}  # order no: (first line no, values, lines)
        self.disk: SpilledRows | None = None

    def add(self, order_no: str, line_no: int, values: dict, line: ParsedLine) -> None:
        if self.disk is None:
            entry = self.memory.get(order_no)
            if entry is not None:
                entry[2].append(line)
                return
            if len(self.memory) < self.SPILL:
                self.memory[order_no] = (line_no, values, [line])
                return
            self.disk = SpilledRows(self.times)
            for number, (first_line_no, first_values, lines) in self.memory.items():
                for each in lines:
                    self.disk.add(number, first_line_no, first_values, each)
            self.memory.clear()
        self.disk.add(order_no, line_no, values, line)

    def grouped(self):
        """(order no, line number of its first row, that row's values, the order's lines numbered 1…) of every
        order, in the order of their first rows."""
        if self.disk is not None:
            self.disk.seal()
            yield from self.disk.grouped()
            return
        for order_no, (line_no, values, lines) in self.memory.items():
            for n, line in enumerate(lines, start=1):
                line.line_no = n
            yield order_no, line_no, values, lines

    def close(self) -> None:
        if self.disk is not None:
            self.disk.close()


class SpilledRows(Scratch):
    """OrderRows on disk. One stored row per run of adjacent rows of an order (usually the whole order): its lines
    and, on its first run, the order's values, marshalled (times as ISO text: marshal knows no datetime). The numbers
    already given (`firsts`) stay in memory, as the import's `seen` does."""

    columns = ("order_no", "line_no", "data")  # line_no: of the order's first row, on its first run only

    def __init__(self, times: list[str]):
        super().__init__()
        self.times = frozenset(times)  # looked up per value of every order's first row
        self.keys: tuple[str, ...] = ()  # of the values: the same for every row of a file
        self.firsts: set[str] = set()
        self.run: list | None = None  # [order no, line no or None, values or None, [line slots…]]

    def add(self, order_no: str, line_no: int, values: dict, line: ParsedLine) -> None:
        run = self.run
        if run is not None and run[0] == order_no:
            run[3].append(_line_slots(line))
            return
        self._put()
        first = None
        if order_no not in self.firsts:
            self.firsts.add(order_no)
            self.keys = self.keys or tuple(values)
            first = tuple(
                values[k].isoformat() if k in self.times and values[k] is not None else values[k] for k in self.keys
            )
        self.run = [order_no, line_no if first else None, first, [_line_slots(line)]]

    def _put(self) -> None:
        if self.run is not None:
            order_no, line_no, first, lines = self.run
            self._add((order_no, line_no, marshal.dumps((first, lines))))
            self.run = None

    def seal(self) -> None:
        self._put()
        super().seal()

    def _values(self, first: tuple) -> dict:
        values = dict(zip(self.keys, first, strict=True))
        for f in self.times:
            if values[f] is not None:
                values[f] = dt.datetime.fromisoformat(values[f])  # "…+00:00": aware, tzinfo dt.UTC itself
        return values

    def grouped(self):
        """As OrderRows.grouped, one query per batch of orders."""
        firsts = self.db.execute("SELECT order_no FROM row WHERE line_no IS NOT NULL ORDER BY rowid")
        while numbers := [no for (no,) in firsts.fetchmany(self._IN)]:
            orders: dict[str, tuple] = {}
            for order_no, line_no, data in self._rows_of(numbers, "line_no, data"):
                first, slots = marshal.loads(data)
                if first is not None:
                    orders[order_no] = (line_no, self._values(first), [])
                lines = orders[order_no][2]
                lines.extend(ParsedLine(len(lines) + n, *each) for n, each in enumerate(slots, start=1))
            for order_no in numbers:
                yield order_no, *orders[order_no]
