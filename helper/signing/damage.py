"""Structural damage a lenient reader papers over: objects that are not where the cross-reference table says,
and streams whose /Length is wrong. Signing on top of such a file would carry the damage into the signed
copy (strict checkers such as `qpdf --check` reject it), so an unsigned file is rebuilt first.

The checks read bytes around each object the table lists, with regular expressions only: a few
milliseconds for a file of megabytes, without parsing every object.
"""

from __future__ import annotations

import bisect
import re

from pyhanko.pdf_utils.generic import Reference
from pyhanko.pdf_utils.reader import PdfFileReader

_OBJECT_HEADER = re.compile(rb"[\s\x00]*(\d+)\s+(\d+)\s+obj\b")
_STREAM_START = re.compile(rb"stream(?:\r\n|\n|\r)")
_LENGTH = re.compile(rb"/Length\s+(\d+)(?:\s+(\d+)\s+R)?")
_ENDSTREAM = b"endstream"


def structural_damage(data: bytes, reader: PdfFileReader) -> str | None:
    """A short description of the first damage found, or None when every listed object is in place."""
    offsets = _object_offsets(reader)
    ends = sorted({offset for _, offset in offsets} | {len(data)} | _xref_offsets(reader, len(data)))
    for idnum, offset in offsets:
        header = _OBJECT_HEADER.match(data, offset)
        if header is None or int(header.group(1)) != idnum:
            return f"object {idnum} is not at offset {offset}"
        region_end = ends[min(bisect.bisect_right(ends, offset), len(ends) - 1)]
        problem = _stream_length_problem(data, reader, header.end(), region_end)
        if problem:
            return f"object {idnum}: {problem}"
    return None


def _object_offsets(reader: PdfFileReader) -> list[tuple[int, int]]:
    """Every (object number, offset) the tables of all revisions list, in file order: an object replaced in
    a later revision still lies in the file, and bounds its neighbours."""
    found: set[tuple[int, int]] = set()
    xrefs = reader.xrefs
    for revision in range(xrefs.total_revisions):
        for idnum, (_generation, offset) in xrefs.get_xref_data(revision).standard_xrefs.items():
            found.add((idnum, offset))
    return sorted(found, key=lambda item: item[1])


def _xref_offsets(reader: PdfFileReader, size: int) -> set[int]:
    xrefs = reader.xrefs
    return {offset for revision in range(xrefs.total_revisions)
            if 0 <= (offset := xrefs.get_startxref_for_revision(revision)) < size}


def _stream_length_problem(data: bytes, reader: PdfFileReader, start: int, end: int) -> str | None:
    """For a stream object between ``start`` and ``end``: does its /Length reach its ``endstream``?"""
    keyword = _STREAM_START.search(data, start, end)
    if keyword is None or not data[start:keyword.start()].rstrip().endswith(b">>"):
        return None  # not a stream object
    length = _LENGTH.search(data, start, keyword.start())
    if length is None:
        return "stream without /Length"
    declared = _length_value(reader, length)
    close = data.rfind(_ENDSTREAM, keyword.end(), end)
    if close < 0:
        return "stream without endstream"
    actual = close - keyword.end()
    # the payload may be followed by an end-of-line before "endstream"
    if declared is None or actual - 2 <= declared <= actual:
        return None
    return f"/Length {declared}, data {actual} bytes"


def _length_value(reader: PdfFileReader, match: re.Match[bytes]) -> int | None:
    if match.group(2) is None:
        return int(match.group(1))
    try:
        value = reader.get_object(Reference(int(match.group(1)), int(match.group(2))))
    except Exception:  # noqa: BLE001 - an unreadable indirect length is left to the reader
        return None
    return int(value) if isinstance(value, int) else None
