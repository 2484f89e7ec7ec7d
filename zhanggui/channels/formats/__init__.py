"""Reading the marketplaces' order export files (ORD-1): detect the format by its headers, map columns by header
name through per-platform column maps kept as data (data/formats.json), and normalise every row into plain
`ParsedOrder` values (money in fen, times in UTC, address split). No database access here: the import service
(services/imports.py) writes what this package reads.

    from zhanggui.channels.formats import read_files
    result = read_files("taobao", [("ExportOrderList.csv", b"..."), ("ExportOrderDetailList.csv", b"...")])

`stream_files` reads the same files (bytes or paths) as batches while they are consumed: what imports use.
"""

from .reader import read_files, stream_files
from .types import ParsedLine, ParsedOrder, ReadResult, RowError

__all__ = ["ParsedLine", "ParsedOrder", "ReadResult", "RowError", "read_files", "stream_files"]
