"""Tabular survey listings: delimited and aligned text, and spreadsheets, share this reader.

A listing is a header (statements read by :mod:`surveylab.parsers.header`), a column-names row
(or two) recognised through :mod:`surveylab.parsers.columns`, an optional units row, the
stations (blank and spacer rows allowed; a page header repeated in the middle of the table, as
printed reports have, is skipped) and a footer.

Text is read as a stream of lines: the header is looked for in the first
:data:`MAX_HEADER_SCAN` lines, then the stations are read chunk by chunk. Runs of plain station
rows go through ``pandas.read_csv`` (the C parser); any other row (units row, spacer, quoted
cells, sentinels, letter-suffixed coordinates, page headers, footer...) goes through the row
reader, which gives the same values and names the line and field of anything unreadable.
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from surveylab.models import Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import build_survey
from surveylab.parsers._errors import MAX_PROBLEMS, Problem, SurveyFileError
from surveylab.parsers.columns import (
    AZIMUTH_ALIASES,
    COLUMN_ALIASES,
    VENDOR_ROLES,
    ColumnMap,
    combine_names,
    is_units_row,
    known_share,
    match_header,
)
from surveylab.parsers.header import (
    Statement,
    apply_statements,
    numeric_values,
    statements_from_cells,
    statements_from_lines,
)
from surveylab.parsers.numbers import (
    AmbiguousDecimal,
    DecimalStyle,
    decide_decimal,
    decimals,
    parse_azimuth,
    parse_number,
)
from surveylab.parsers.raw import RawSurvey
from surveylab.parsers.terms import (
    angle_unit_from_text,
    depth_unit_from_prose,
    depth_unit_from_text,
    method_from_text,
)
from surveylab.parsers.text import iter_text_chunks

__all__ = [
    "AZIMUTH_ALIASES",
    "COLUMN_ALIASES",
    "MAX_HEADER_SCAN",
    "ColumnMap",
    "match_header",
    "read_sheet_rows",
    "read_text_table",
]

#: Lines (or rows) searched for the column-names row [-].
MAX_HEADER_SCAN = 400
#: Data rows sampled to decide the decimal separator [-].
_SAMPLE_ROWS = 60
#: Stations whose vendor cells set the printed precision of a vendor column [-].
_DECIMALS_FROM = 50
#: Footer lines kept as text [-].
_FOOTER_LINES = 2000

_PROJECTED = re.compile(r"project|extrapolat|\bproj\b", re.I)
_TIE = re.compile(r"\btie[\s-]?(?:in|on|point)?\b", re.I)
_SENTINELS = frozenset((-999.25, 999.25, -9999.0, -99999.0))
_SENTINEL_LIST = sorted(_SENTINELS)
#: Fewest rows worth reading column by column [-].
_MIN_FAST = 8
#: Longest run split in Python; longer runs go through pandas.read_csv [-].
_PANDAS_FROM = 4096
_NOT_USED = frozenset(("0", "false", "no", "n"))
_RULE = re.compile(r"^[\s\-=_*~.+|,;:\t]*$")
# a word of two letters or more standing alone: prose, not a mistyped number ("1O.5")
_WORD = re.compile(r"(?<![\w.])[^\W\d_]{2,}(?![\w.])")


# --------------------------------------------------------------------------------------------
# splitting rows into cells
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Splitter:
    """How a listing's lines become cells: a delimiter, or aligned columns (``delim`` None).

    For aligned columns ``spans`` are the (start, end) character positions of the names; a
    row with as many tokens as names maps them in order, any other row by position.
    """

    delim: str | None
    spans: list[tuple[int, int]] | None = None

    def split(self, line: str) -> list[str]:
        if self.delim is not None:
            if '"' in line:
                try:
                    return next(csv.reader([line], delimiter=self.delim))
                except (csv.Error, StopIteration):
                    return line.split(self.delim)
            return line.split(self.delim)
        tokens = line.split()
        if self.spans is None or len(tokens) == len(self.spans) or not tokens:
            return tokens
        return _by_position(line, self.spans)


def _ws_cells(line: str) -> tuple[list[str], list[tuple[int, int]]]:
    """Cells of an aligned line split at gaps of two or more spaces (or tabs), with spans."""
    cells, spans = [], []
    for m in re.finditer(r"\S+(?: \S+)*", line.expandtabs(8)):
        cells.append(m.group(0))
        spans.append((m.start(), m.end()))
    return cells, spans


def _token_cells(line: str) -> tuple[list[str], list[tuple[int, int]]]:
    cells, spans = [], []
    for m in re.finditer(r"\S+", line.expandtabs(8)):
        cells.append(m.group(0))
        spans.append((m.start(), m.end()))
    return cells, spans


def _by_position(line: str, spans: list[tuple[int, int]]) -> list[str]:
    """Tokens of an aligned row assigned to the column they overlap most (else the nearest)."""
    out: list[list[str]] = [[] for _ in spans]
    for m in re.finditer(r"\S+", line.expandtabs(8)):
        a, b = m.start(), m.end()
        best, best_key = 0, (-1.0, 0.0)
        for j, (s, e) in enumerate(spans):
            overlap = min(b, e) - max(a, s)
            dist = -abs((a + b) / 2 - (s + e) / 2)
            key = (float(max(overlap, 0)), dist)
            if key > best_key:
                best, best_key = j, key
        out[best].append(m.group(0))
    return [" ".join(t) for t in out]


# --------------------------------------------------------------------------------------------
# the column-names row
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Layout:
    index: int  # index in the scanned lines of the (first) names row
    rows: int  # names rows: 1, or 2 for names split over two rows
    cm: ColumnMap
    splitter: _Splitter


_DELIMS: tuple[str | None, ...] = (",", ";", "\t", "|", None)


def _candidates(line: str) -> Iterator[tuple[str | None, list[str], list[tuple[int, int]] | None]]:
    for delim in _DELIMS:
        if delim is not None:
            if delim in line:
                yield delim, _Splitter(delim).split(line), None
        else:
            cells, spans = _ws_cells(line)
            yield None, cells, spans
            cells, spans = _token_cells(line)
            yield None, cells, spans


def _match(cells: list[str], delim: str | None) -> ColumnMap | None:
    cm = match_header(cells)
    if cm is not None and delim is None and known_share(cells) < 0.6:
        return None
    return cm


def _numeric_at(cells: list[str], j: int) -> bool:
    if j >= len(cells):
        return False
    try:
        return parse_number(cells[j], comma_decimal=True, grouping=True) is not None
    except ValueError:
        return False


def _second_row(
    cells: list[str], nxt: str, delim: str | None, spans: list[tuple[int, int]] | None
) -> list[str] | None:
    """The cells of ``nxt`` as the second row of split names, aligned with ``cells``."""
    if not nxt.strip() or nxt.lstrip().startswith("#"):
        return None
    if delim is not None:
        if delim not in nxt:
            return None
        second = _Splitter(delim).split(nxt)
    else:
        assert spans is not None
        second = _by_position(nxt, spans)
    words = [c.strip() for c in second if c.strip()]
    if not words or any(_numeric_at([w], 0) for w in words):
        return None
    if not all(re.search(r"[^\W\d_]", w) for w in words):
        return None
    return second


def find_layout(lines: list[str]) -> _Layout | None:
    """Find the column-names row in the first lines of a text listing."""
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        for delim, cells, spans in _candidates(line):
            cm = _match(cells, delim)
            splitter = _Splitter(delim, spans)
            if cm is not None:
                second = _second_row(cells, nxt, delim, spans)
                if second is not None:
                    units_like = is_units_row(second, cm)
                    cm2 = None if units_like else _match(combine_names(cells, second), delim)
                    if cm2 is not None and set(cm.cols) <= set(cm2.cols):
                        return _Layout(i, 2, cm2, splitter)
                return _Layout(i, 1, cm, splitter)
            second = _second_row(cells, nxt, delim, spans)
            if second is None:
                continue
            cm2 = _match(combine_names(cells, second), delim)
            if cm2 is None:
                continue
            # the next line alone may be the names row (a group title above it)
            if any(_match(c, d) is not None for d, c, _s in _candidates(nxt)):
                continue
            return _Layout(i, 2, cm2, splitter)
    return None


# --------------------------------------------------------------------------------------------
# the stations
# --------------------------------------------------------------------------------------------


class _Col:
    """A growing column: values appended one at a time (row reader) or as whole arrays
    (runs read by pandas), joined once at the end (no re-allocation per run)."""

    __slots__ = ("chunks", "dtype", "items", "n")

    def __init__(self, dtype: type = np.float64) -> None:
        self.chunks: list[np.ndarray] = []
        self.items: list[float] = []
        self.dtype = dtype
        self.n = 0

    def __len__(self) -> int:
        return self.n

    def append(self, v: float) -> None:
        self.items.append(v)
        self.n += 1

    def extend(self, values: np.ndarray) -> None:
        self._flush()
        self.chunks.append(values)
        self.n += len(values)

    def _flush(self) -> None:
        if self.items:
            self.chunks.append(np.asarray(self.items, dtype=self.dtype))
            self.items = []

    def array(self) -> np.ndarray:
        """All values, in order."""
        self._flush()
        if not self.chunks:
            return np.empty(0, dtype=self.dtype)
        out = np.concatenate(self.chunks) if len(self.chunks) > 1 else self.chunks[0]
        self.chunks = [out]
        return out


class _Listing:
    """Reads the rows of one listing after its names row: stations, units row, page headers."""

    def __init__(
        self, name: str, cm: ColumnMap, style: DecimalStyle, splitter: _Splitter | None
    ) -> None:
        self.name = name
        self.cm = cm
        self.style = style
        self.splitter = splitter
        self.c_md, self.c_inc, self.c_azi = cm.cols["md"], cm.cols["inc"], cm.cols["azi"]
        self.c_used = cm.cols.get("used")
        self.c_comment = cm.cols.get("comment")
        self.vendor_roles = [r for r in VENDOR_ROLES if r in cm.cols]
        self.numeric_cols = [self.c_md, self.c_inc, self.c_azi] + [
            cm.cols[r] for r in self.vendor_roles
        ]
        self.extra_cols = cm.extra_indices()
        # aligned text: tokens are put under the column they stand below, so a prose line's
        # words scatter over the columns; extra columns seen holding words in station rows
        self.aligned = splitter is not None and splitter.delim is None
        self.text_cols: set[int] = set()
        self.units: dict[str, str | None] = dict(cm.units)
        self.col_units: list[str | None] = list(cm.col_units)
        self.md = _Col()
        self.inc = _Col()
        self.azi = _Col()
        self.lines = _Col(np.int64)
        self.projected = bytearray()
        self.used = bytearray()
        self.vendor: dict[str, _Col] = {r: _Col() for r in self.vendor_roles}
        self.vendor_dec: dict[str, int] = {}
        self.other: dict[NorthReference, _Col] = {r: _Col() for r in cm.other_azimuths}
        self.extras: dict[int, list[object]] = {j: [] for j in self.extra_cols}
        self.overflow: list[str] = []  # cells right of the last name, joined per station
        self.has_overflow = False
        self.tie_index: int | None = None
        self.findings: list[Finding] = []
        #: rows that cannot be read (the file is refused with all of them, see :func:`_finish`)
        self.problems: list[Problem] = []
        self.more_problems = 0
        self.pending: list[tuple[int, list[str], str, tuple[str, str, Exception] | None]] = []
        self.footer: list[tuple[int, str]] = []
        self.page_breaks: list[int] = []
        self.fast_width: int | None = None
        self.before_data = True

    # ------------------------------------------------------------------ cell values
    def _num(self, txt: str) -> float | None:
        try:
            v = float(txt)
        except ValueError:
            return parse_number(txt, comma_decimal=self.style)
        if v != v or v in (math.inf, -math.inf) or "_" in txt or (self.style.comma and "." in txt):
            return parse_number(txt, comma_decimal=self.style)
        return v

    def _azi(self, txt: str) -> float | None:
        try:
            v = float(txt)
        except ValueError:
            return parse_azimuth(txt, comma_decimal=self.style)
        if v != v or v in (math.inf, -math.inf) or "_" in txt or (self.style.comma and "." in txt):
            return parse_azimuth(txt, comma_decimal=self.style)
        return v

    def _problem(self, reason: str, lineno: int, fld: str) -> None:
        """Note an unreadable row (the row is left out; reading goes on to find the others)."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(reason, lineno, fld))
        else:
            self.more_problems += 1

    def _error(
        self, lineno: int, fld: str, txt: str, exc: Exception, after: int | None = None
    ) -> None:
        tail = f" (stations continue at line {after})" if after is not None else ""
        if isinstance(exc, AmbiguousDecimal):
            reason = (
                f"{txt.strip()!r} could be read with a decimal comma or a decimal point and "
                f"the file does not show which ({self.style.evidence}){tail}"
            )
        else:
            reason = f"cannot read {txt.strip()!r} as a number{tail}"
        self._problem(reason, lineno, fld)

    # ------------------------------------------------------------------ one row
    def row(self, lineno: int, cells: list[str], text: str) -> None:
        """Read one row (the reference path: every value goes through here or matches it)."""
        if not any(c.strip() for c in cells) or _RULE.match(text):
            return
        first = next(c for c in cells if c.strip()).strip()
        if first.startswith("#"):
            return
        ncell = len(cells)
        s_md = cells[self.c_md] if self.c_md < ncell else ""
        s_inc = cells[self.c_inc] if self.c_inc < ncell else ""
        s_azi = cells[self.c_azi] if self.c_azi < ncell else ""
        if self.pending:
            # inside a footer (or a page header): only a whole station row resumes the table
            try:
                vals = (self._num(s_md), self._num(s_inc), self._azi(s_azi))
            except ValueError:
                vals = (None, None, None)
            if any(v is None for v in vals):
                self.pending.append((lineno, cells, text, self._diagnose(cells)))
                return
        try:
            md = self._num(s_md)
        except AmbiguousDecimal as exc:
            self._error(lineno, "md", s_md, exc)
            return
        except ValueError as exc:
            # no readable MD: not a station row (units row, page header, footer...)
            self._non_data(lineno, cells, text, ("md", s_md, exc))
            return
        if md is None:
            inc_t, azi_t = s_inc.strip(), s_azi.strip()
            if (not inc_t and not azi_t) or self._prose(cells, everywhere=True):
                self._non_data(lineno, cells, text, None)
                return
            try:
                self._num(s_inc), self._azi(s_azi)
            except ValueError:
                self._non_data(lineno, cells, text, None)
                return
            self._problem("value missing", lineno, "md")
            return
        try:
            inc = self._num(s_inc)
        except ValueError as exc:
            if self._prose(cells):  # prose whose tokens fell in the columns (a footer line)
                self._non_data(lineno, cells, text, ("inc", s_inc, exc))
                return
            self._error(lineno, "inc", s_inc, exc)
            return
        try:
            azi = self._azi(s_azi)
        except ValueError as exc:
            if self._prose(cells):
                self._non_data(lineno, cells, text, ("azi", s_azi, exc))
                return
            self._error(lineno, "azi", s_azi, exc)
            return
        if (inc is None or azi is None) and self._scattered_prose(cells):
            # words with a number or two among them ("Page 3 of 3", "Sheet 2 / 4"), their
            # tokens falling under the table's columns: a page marker or footer line, not a
            # station with values missing
            self._non_data(lineno, cells, text, None)
            return
        if inc is None:
            self._resolve_pending(lineno)
            self._problem("value missing", lineno, "inc")
            return
        if not (math.isfinite(md) and math.isfinite(inc)) or md in _SENTINELS or inc in _SENTINELS:
            fld = "md" if (not math.isfinite(md) or md in _SENTINELS) else "inc"
            self._resolve_pending(lineno)
            self._problem("null or non-finite value", lineno, fld)
            return
        self._resolve_pending(lineno)
        n_st = len(self.md)
        if azi is None or azi in _SENTINELS or not math.isfinite(azi):
            if inc != 0:
                self._problem("azimuth missing", lineno, "azi")
                return
            self.findings.append(
                Finding(
                    Severity.INFO,
                    "azimuth_missing_vertical",
                    "azimuth missing at a vertical station; 0 used",
                    station=n_st,
                    line=lineno,
                    field="azi",
                )
            )
            azi = 0.0
        if self.fast_width is None:
            self.fast_width = ncell
        self.before_data = False
        self.md.append(md)
        self.inc.append(inc)
        self.azi.append(azi)
        self.lines.append(lineno)
        comment = (
            cells[self.c_comment] if self.c_comment is not None and self.c_comment < ncell else ""
        )
        over = " ".join(c.strip() for c in cells[self.cm.width :] if c.strip())
        self.overflow.append(over)
        self.has_overflow = self.has_overflow or bool(over)
        text_c = f"{comment} {over}".strip()
        self.projected.append(bool(text_c and _PROJECTED.search(text_c)))
        used_txt = (
            cells[self.c_used].strip().lower()
            if self.c_used is not None and self.c_used < ncell
            else ""
        )
        self.used.append(used_txt not in _NOT_USED)
        if text_c and self.tie_index is None and _TIE.search(text_c):
            self.tie_index = n_st
        for role in self.vendor_roles:
            j = self.cm.cols[role]
            txt = cells[j] if j < ncell else ""
            try:
                v = self._num(txt)
            except ValueError:
                v = None
                self.findings.append(
                    Finding(
                        Severity.WARNING,
                        "vendor_value_unreadable",
                        f"cannot read {txt.strip()!r} as a number",
                        station=n_st,
                        line=lineno,
                        field=role,
                    )
                )
            if v is None or v in _SENTINELS:
                v = math.nan
            elif n_st < _DECIMALS_FROM:
                d = decimals(txt)
                if d > self.vendor_dec.get(role, -1):
                    self.vendor_dec[role] = d
            self.vendor[role].append(v)
        for ref, j in self.cm.other_azimuths.items():
            txt = cells[j] if j < ncell else ""
            try:
                v2 = parse_number(txt, comma_decimal=self.style)
            except ValueError:
                v2 = None
            self.other[ref].append(math.nan if v2 is None else v2)
        for j in self.extra_cols:
            self.extras[j].append(cells[j].strip() if j < ncell else "")
            if self.aligned and j < ncell and j not in self.text_cols and _WORD.search(cells[j]):
                self.text_cols.add(j)

    def _prose(self, cells: list[str], *, everywhere: bool = False) -> bool:
        """Whether a word stands in a numeric column (a prose line split into the columns);
        ``everywhere``: in any column but the comment column."""
        n = len(cells)
        cols = [j for j in range(n) if j != self.c_comment] if everywhere else self.numeric_cols
        return any(j < n and _WORD.search(cells[j]) for j in cols)

    def _scattered_prose(self, cells: list[str]) -> bool:
        """Whether a row with a value missing is a prose line: a word in a numeric column, or
        (aligned text) in any named column but the comment and the extra columns whose station
        cells hold words."""
        if self._prose(cells):
            return True
        if not self.aligned:
            return False
        skip = self.text_cols | {self.c_comment}
        return any(
            _WORD.search(cells[j]) for j in range(min(len(cells), self.cm.width)) if j not in skip
        )

    def _non_data(
        self,
        lineno: int,
        cells: list[str],
        text: str,
        err: tuple[str, str, Exception] | None,
    ) -> None:
        if self.before_data and not self.pending:
            if is_units_row(cells, self.cm):
                for j, cell in enumerate(cells):
                    u = cell.strip().strip("()[]{} ").strip()
                    if u and j < len(self.col_units) and not self.col_units[j]:
                        self.col_units[j] = u
                for role, j in self.cm.cols.items():
                    if j < len(cells) and cells[j].strip() and not self.units.get(role):
                        self.units[role] = cells[j].strip()
                return
            if self._repeats_names(cells):
                return
        self.pending.append((lineno, cells, text, err))

    def _repeats_names(self, cells: list[str]) -> bool:
        cm = match_header(cells)
        if cm is None:
            return False
        return all(cm.cols.get(r) == self.cm.cols[r] for r in ("md", "inc", "azi"))

    def _resolve_pending(self, lineno: int) -> None:
        """Rows between stations: a repeated page header is skipped, anything else refused."""
        if not self.pending:
            return
        pending, self.pending = self.pending, []
        rows = [cells for _n, cells, _t, _e in pending]
        if any(self._repeats_names(c) for c in rows) or any(
            self._repeats_names(combine_names(a, b)) for a, b in itertools.pairwise(rows)
        ):
            self.page_breaks.append(pending[0][0])
            return
        for first_no, cells, _text, err in pending:
            err = err or self._diagnose(cells)
            if err is None:
                txt = cells[self.c_md] if self.c_md < len(cells) else ""
                self._problem(
                    f"cannot read {txt.strip()!r} as a station (stations continue at line "
                    f"{lineno})",
                    first_no,
                    "md",
                )
            else:
                fld, txt, exc = err
                self._error(first_no, fld, txt, exc, after=lineno)

    def _diagnose(self, cells: list[str]) -> tuple[str, str, Exception] | None:
        """The first of MD, inclination and azimuth of a row that cannot be read."""
        n = len(cells)
        for fld, j, read in (
            ("md", self.c_md, self._num),
            ("inc", self.c_inc, self._num),
            ("azi", self.c_azi, self._azi),
        ):
            txt = cells[j] if j < n else ""
            try:
                read(txt)
            except ValueError as exc:
                return fld, txt, exc
        return None

    def trailing_problems(self) -> None:
        """Rows after the last station that are stations with a value that cannot be read
        (``2O0``): MD, inclination and azimuth all printed, no word among them, one of them no
        number. They are noted as problems, not taken as footer lines."""
        kept = []
        n_core = max(self.c_md, self.c_inc, self.c_azi)
        for no, cells, text, err in self.pending:
            if (
                err is not None
                and n_core < len(cells)
                and all(cells[j].strip() for j in (self.c_md, self.c_inc, self.c_azi))
                and not self._prose(cells, everywhere=True)
            ):
                self._error(no, *err)
                continue
            kept.append((no, cells, text, err))
        self.pending = kept

    # ------------------------------------------------------------------ many rows
    def text_chunk(self, first_no: int, text: str) -> int:
        """Read consecutive text lines (``first_no`` is the first one's 1-based number).

        Row by row until the first station sets the row width; then the whole chunk through
        ``pandas.read_csv`` when every line of it is a plain station row, else runs of lines
        with the stations' cell count through pandas (:meth:`_run`) and the others row by row.
        """
        assert self.splitter is not None
        count = text.count("\n") + 1
        if self.fast_width is not None and text and self._fast(first_no, text, count):
            return count
        split = self.splitter.split
        delim = self.splitter.delim
        lines = text.split("\n")
        n = len(lines)
        i = 0
        while i < n and self.fast_width is None:
            line = lines[i]
            if line.strip():
                self.row(first_no + i, split(line), line)
            i += 1
        if i >= n:
            return count
        w = self.fast_width
        assert w is not None
        rest = lines[i:]
        if delim is not None:
            counts = np.fromiter(map(str.count, rest, itertools.repeat(delim)), np.int64, len(rest))
            ok = counts == w - 1
        else:
            ok = np.fromiter(map(len, map(str.split, rest)), np.int64, len(rest)) == w
        edges = np.flatnonzero(np.diff(ok.astype(np.int8))) + 1
        starts = np.concatenate(([0], edges))
        ends = np.concatenate((edges, [len(rest)]))
        for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
            if ok[a]:
                self._run(first_no + i + a, rest[a:b])
            else:
                for k in range(a, b):
                    line = rest[k]
                    if line.strip():
                        self.row(first_no + i + k, split(line), line)
        return count

    def _run(self, first_no: int, lines: list[str]) -> None:
        """Lines with the station rows' cell count: pandas when every one is a plain station
        row, else the plain stretches between the others (spacers, ``#`` rows...)."""
        assert self.splitter is not None
        if len(lines) >= _MIN_FAST and self._fast(first_no, lines):
            return
        plain = [
            bool(t) and not t.startswith("#") and not _RULE.match(line)
            for line, t in zip(lines, map(str.lstrip, lines), strict=True)
        ]
        if all(plain) or len(lines) < _MIN_FAST:
            for k, line in enumerate(lines):
                if line.strip():
                    self.row(first_no + k, self.splitter.split(line), line)
            return
        k = 0
        while k < len(lines):
            j = k
            while j < len(lines) and plain[j] == plain[k]:
                j += 1
            if plain[k]:
                self._run(first_no + k, lines[k:j])
            else:
                for q in range(k, j):
                    if lines[q].strip():
                        self.row(first_no + q, self.splitter.split(lines[q]), lines[q])
            k = j

    def _fast(self, first_no: int, block: list[str] | str, count: int | None = None) -> bool:
        """Read a run of plain rows column by column; False (nothing read) when any row is not
        plain.

        A plain row has the run's cell count and a finite MD, inclination and azimuth read as
        numbers in the file's decimal style, and no null sentinel. Runs of up to
        :data:`_PANDAS_FROM` rows are split in Python (cheaper than starting the C parser);
        longer ones go through ``pandas.read_csv``. Either way the values are the row reader's.
        """
        assert self.splitter is not None and self.fast_width is not None
        w = self.fast_width
        num = [j for j in self.numeric_cols if j < w]
        if len(num) < 3 or max(self.c_md, self.c_inc, self.c_azi) >= w:
            return False
        src = block if isinstance(block, str) else "\n".join(block)
        if count is not None:
            m = count
        else:
            m = src.count("\n") + 1 if isinstance(block, str) else len(block)
        if self.style.comma and "." in src:
            return False  # a decimal point in a decimal-comma file: the row reader names it
        if m <= _PANDAS_FROM and '"' not in src:
            lines = block if isinstance(block, list) else src.split("\n")
            cols, texts = self._py_columns(lines, w, num)
        else:
            cols, texts = self._pd_columns(src, m, w, num), None
        if cols is None:
            return False
        return self._take(first_no, m, w, cols, src, texts)

    def _py_columns(
        self, lines: list[str], w: int, num: list[int]
    ) -> tuple[dict[int, np.ndarray | list[str]] | None, dict[int, Sequence[str]]]:
        """The cells of a short run, column by column: numbers for the numeric columns that
        ``float`` reads whole, texts for the others (and the numeric columns' texts); None
        when MD, inclination or azimuth are not all plain numbers."""
        delim = self.splitter.delim if self.splitter is not None else None
        rows = [line.split(delim) for line in lines] if delim else [line.split() for line in lines]
        try:
            columns = list(zip(*rows, strict=True))
        except ValueError:
            return None, {}
        if len(columns) != w:
            return None, {}
        core = (self.c_md, self.c_inc, self.c_azi)
        out: dict[int, np.ndarray | list[str]] = {}
        for j in range(w):
            col = columns[j]
            if j not in num:
                out[j] = list(col)
                continue
            texts = [t.replace(",", ".") for t in col] if self.style.comma else col
            try:
                vals = np.array(list(map(float, texts)), dtype=np.float64)
            except ValueError:
                if j in core:
                    return None, {}
                out[j] = list(col)
                continue
            if "_" in "".join(col):  # float() reads 1_000; the row reader does not
                if j in core:
                    return None, {}
                out[j] = list(col)
                continue
            out[j] = vals
        return out, {j: columns[j] for j in num}

    def _pd_columns(
        self, src: str, m: int, w: int, num: list[int]
    ) -> dict[int, np.ndarray | list[str]] | None:
        """The cells of a long run through ``pandas.read_csv`` (from bytes: twice as fast)."""
        assert self.splitter is not None
        delim = self.splitter.delim
        kw: dict[str, Any] = dict(
            header=None,
            names=list(range(w)),
            na_filter=False,
            engine="c",
            quoting=csv.QUOTE_NONE if delim is None else csv.QUOTE_MINIMAL,
            sep=r"\s+" if delim is None else delim,
            encoding="utf-8",
        )
        if self.style.comma and delim != ",":
            kw["decimal"] = ","
        core = (self.c_md, self.c_inc, self.c_azi)
        text_cols = [j for j in range(w) if j not in num]
        raw = src.encode("utf-8")
        try:
            frame = pd.read_csv(
                io.BytesIO(raw),
                dtype={j: np.float64 for j in num} | dict.fromkeys(text_cols, str),
                **kw,
            )
        except (ValueError, pd.errors.ParserError):
            try:
                frame = pd.read_csv(
                    io.BytesIO(raw),
                    dtype={j: np.float64 if j in core else str for j in range(w)},
                    **kw,
                )
            except (ValueError, pd.errors.ParserError):
                return None
        if len(frame) != m:  # a blank line pandas skipped: the row reader takes the run
            return None
        out: dict[int, np.ndarray | list[str]] = {}
        for j in range(w):
            col = frame[j]
            if col.dtype == np.float64:
                out[j] = col.to_numpy(dtype=np.float64)
            else:
                out[j] = col.tolist()
        return out

    def _take(
        self,
        first_no: int,
        m: int,
        w: int,
        cols: dict[int, np.ndarray | list[str]],
        src: str,
        texts: dict[int, Sequence[str]] | None = None,
    ) -> bool:
        """Add a run of plain rows given by columns (numbers or texts, and the numeric columns'
        printed texts when at hand); False when it is not plain after all (nothing added)."""
        md, inc, azi = (cols[j] for j in (self.c_md, self.c_inc, self.c_azi))
        if not all(isinstance(c, np.ndarray) for c in (md, inc, azi)):
            return False
        assert isinstance(md, np.ndarray) and isinstance(inc, np.ndarray)
        assert isinstance(azi, np.ndarray)
        stacked = np.concatenate((md, inc, azi))
        if not np.isfinite(stacked).all() or _sentinels(stacked).any():
            return False
        for role in self.vendor_roles:
            c = cols.get(self.cm.cols[role])
            if isinstance(c, np.ndarray) and np.isinf(c).any():
                return False  # "inf" is no number to the row reader: it names the cell
        delim = self.splitter.delim if self.splitter is not None else None
        self._resolve_pending(first_no)
        self.before_data = False
        n0 = len(self.md)
        self.md.extend(md)
        self.inc.extend(inc)
        self.azi.extend(azi)
        self.lines.extend(np.arange(first_no, first_no + m, dtype=np.int64))
        self._flags(cols, w, n0, m)
        n_dec = max(0, min(m, _DECIMALS_FROM - n0))
        head: list[list[str]] | None = None
        for role in self.vendor_roles:
            j = self.cm.cols[role]
            if j >= w:
                self.vendor[role].extend(np.full(m, np.nan))
                continue
            col = cols[j]
            if isinstance(col, np.ndarray):
                vals = np.where(_sentinels(col), np.nan, col)
                if n_dec:
                    if texts is not None and j in texts:
                        printed = _max_decimals(texts[j][:n_dec])
                    else:
                        if head is None:
                            head = [
                                line.split(delim) if delim else line.split()
                                for line in src.split("\n", n_dec)[:n_dec]
                            ]
                        printed = _max_decimals([r[j] for r in head if j < len(r)])
                    best = max(self.vendor_dec.get(role, -1), printed)
                    if best >= 0:
                        self.vendor_dec[role] = best
                self.vendor[role].extend(vals)
                continue
            for i, txt in enumerate(col):
                try:
                    v = self._num(txt)
                except ValueError:
                    v = None
                    self.findings.append(
                        Finding(
                            Severity.WARNING,
                            "vendor_value_unreadable",
                            f"cannot read {txt.strip()!r} as a number",
                            station=n0 + i,
                            line=first_no + i,
                            field=role,
                        )
                    )
                if v is None or v in _SENTINELS:
                    v = math.nan
                elif n0 + i < _DECIMALS_FROM:
                    d = decimals(txt)
                    if d > self.vendor_dec.get(role, -1):
                        self.vendor_dec[role] = d
                self.vendor[role].append(v)
        for ref, j in self.cm.other_azimuths.items():
            if j >= w:
                self.other[ref].extend(np.full(m, np.nan))
                continue
            col = cols[j]
            if isinstance(col, np.ndarray):
                self.other[ref].extend(col)
                continue
            for txt in col:
                try:
                    v2 = parse_number(txt, comma_decimal=self.style)
                except ValueError:
                    v2 = None
                self.other[ref].append(math.nan if v2 is None else v2)
        for j in self.extra_cols:
            if j >= w:
                self.extras[j].extend([""] * m)
                continue
            col = cols[j]
            if isinstance(col, np.ndarray):
                self.extras[j].append(col)
            else:
                self.extras[j].extend(col)  # stripped when the column is built
                if self.aligned and j not in self.text_cols and _WORD.search(" ".join(col)):
                    self.text_cols.add(j)
        return True

    def _flags(self, cols: dict[int, np.ndarray | list[str]], w: int, n0: int, m: int) -> None:
        """Projected, tie-in and use flags of a run of rows, from its comment and flag cells."""
        texts: list[str] | None = None
        if self.c_comment is not None and self.c_comment < w:
            texts = self._text(cols, self.c_comment, m)
        over = [""] * m
        if w > self.cm.width:
            parts = [self._text(cols, j, m) for j in range(self.cm.width, w)]
            over = [" ".join(p for p in ps if p) for ps in zip(*parts, strict=True)]
            if any(over):
                self.has_overflow = True
                texts = (
                    over
                    if texts is None
                    else [f"{c} {o}".strip() for c, o in zip(texts, over, strict=True)]
                )
        self.overflow.extend(over)
        projected = bytearray(m)
        if texts is not None:
            for i, t in enumerate(texts):
                if t:
                    if _PROJECTED.search(t):
                        projected[i] = 1
                    if self.tie_index is None and _TIE.search(t):
                        self.tie_index = n0 + i
        self.projected.extend(projected)
        if self.c_used is not None and self.c_used < w:
            flags = self._text(cols, self.c_used, m)
            is_used = {f: f.lower() not in _NOT_USED for f in set(flags)}
            self.used.extend(map(is_used.__getitem__, flags))
        else:
            self.used.extend(b"\x01" * m)

    @staticmethod
    def _text(cols: dict[int, np.ndarray | list[str]], j: int | None, m: int) -> list[str]:
        if j is None or j not in cols:
            return [""] * m
        col = cols[j]
        if isinstance(col, np.ndarray):
            return [repr(v) for v in col.tolist()]
        return [t.strip() for t in col]

    # ------------------------------------------------------------------ the result
    def extra_frame(self) -> tuple[pd.DataFrame | None, dict[str, str | None]]:
        """The extra columns (by their printed names) and their units."""
        n = len(self.md)
        data: dict[str, object] = {}
        units: dict[str, str | None] = {}
        for j in self.extra_cols:
            chunks = self.extras[j]
            texts_only = not any(isinstance(c, np.ndarray) for c in chunks)
            if texts_only and not "".join([c for c in chunks if isinstance(c, str)]).strip():
                continue  # a column left empty on every row carries nothing
            name = self.cm.labels[j] or f"column {j + 1}"
            while name in data:
                name += "'"
            data[name] = _extra_values(chunks, self.style, n)
            units[name] = self.col_units[j] if j < len(self.col_units) else None
        if self.has_overflow:
            name = "comment" if "comment" not in data else "comment'"
            data[name] = np.array(self.overflow, dtype=object)
            units[name] = None
        if not data:
            return None, {}
        return pd.DataFrame(data, index=pd.RangeIndex(n)), units


def _sentinels(values: np.ndarray) -> np.ndarray:
    """Where ``values`` hold a null sentinel (-999.25, ...): a few comparisons, no sort."""
    mask = values == _SENTINEL_LIST[0]
    for v in _SENTINEL_LIST[1:]:
        mask |= values == v
    return mask


def _max_decimals(cells: Sequence[str]) -> int:
    """The most decimals printed in ``cells`` (-1 for none), in C-level passes [-]."""
    if not cells:
        return -1
    texts = [t.strip() for t in cells]
    joined = "".join(texts)
    if "e" in joined or "E" in joined or "," in joined:
        return max(map(decimals, texts))
    dots = map(str.rfind, texts, itertools.repeat("."))
    return max(n - d - 1 if d >= 0 else 0 for n, d in zip(map(len, texts), dots, strict=True))


def _extra_values(chunks: list[object], style: DecimalStyle, n: int) -> np.ndarray:
    """An extra column: floats when every non-empty cell is a number, else the texts."""
    if chunks and all(isinstance(c, np.ndarray) for c in chunks):
        return np.concatenate(chunks)  # type: ignore[arg-type]
    texts: list[str] = []
    for c in chunks:
        if isinstance(c, np.ndarray):
            texts.extend(repr(float(v)) for v in c)
        else:
            texts.append(str(c).strip())
    vals = np.empty(len(texts), dtype=np.float64)
    for i, t in enumerate(texts):
        try:
            v = parse_number(t, comma_decimal=style, grouping=True)
        except ValueError:
            return np.array([t or None for t in texts], dtype=object)
        vals[i] = math.nan if v is None else v
    return vals


# --------------------------------------------------------------------------------------------
# header fields the table states
# --------------------------------------------------------------------------------------------


def _units_and_refs(
    header: SurveyHeader,
    cm: ColumnMap,
    units: dict[str, str | None],
    raw_header: str,
    footer: str,
    findings: list[Finding],
    name: str,
) -> None:
    md_unit = units.get("md")
    du = depth_unit_from_text(md_unit)
    if du is None and md_unit:
        raise SurveyFileError(
            name, f"unknown depth unit {md_unit!r}", field=cm.names.get("md", "md")
        )
    if du is not None:
        if header.depth_unit is not None and header.depth_unit is not du:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "depth_unit_conflict",
                    f"the header says {header.depth_unit.value} but the MD column "
                    f"'{cm.names.get('md')}' says {du.value}; the column is used",
                    field="md",
                )
            )
        header.depth_unit = du
    if header.depth_unit is None:
        header.depth_unit = depth_unit_from_prose(raw_header) or depth_unit_from_prose(footer)
    au = angle_unit_from_text(units.get("inc")) or angle_unit_from_text(units.get("azi"))
    if au is None and re.search(r"\b(?:inc|az)\w*[ _]deg\b", " ".join(cm.names.values()), re.I):
        au = "deg"
    if au is None and re.search(r"angles are given in degrees", raw_header, re.I):
        au = "deg"
    if au is not None:
        header.angle_unit = au
    if cm.azimuth_reference is not NorthReference.UNKNOWN:
        stated = header.azimuth_reference
        if stated is not NorthReference.UNKNOWN and stated is not cm.azimuth_reference:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "north_reference_conflict",
                    f"the header says {stated.value} north but the azimuth column "
                    f"'{cm.names['azi']}' says {cm.azimuth_reference.value}; the column is used",
                    field="azi",
                )
            )
        header.azimuth_reference = cm.azimuth_reference
    if header.azimuth_reference is NorthReference.UNKNOWN:
        m = re.search(r"relative to (true|grid|magnetic) north", raw_header + "\n" + footer, re.I)
        if m:
            header.azimuth_reference = NorthReference(m.group(1).lower())
    if header.calculation_method is None:
        header.calculation_method = method_from_text(raw_header) or method_from_text(footer)
    if header.crs is None:
        m = re.search(r"coordinate system (?:is )?([^\n]+)", raw_header + "\n" + footer, re.I)
        if m:
            header.crs = m.group(1).strip().rstrip(".").strip()


def _derive_convergence(
    header: SurveyHeader,
    cm: ColumnMap,
    azi: np.ndarray,
    other: dict[NorthReference, np.ndarray],
    findings: list[Finding],
) -> None:
    if cm.azimuth_reference is not NorthReference.TRUE or NorthReference.GRID not in other:
        return
    grid = other[NorthReference.GRID]
    ok = ~np.isnan(grid)
    if not ok.any():
        return
    diffs = np.sort(((azi[ok] - grid[ok] + 180.0) % 360.0) - 180.0)
    conv = float(diffs[len(diffs) // 2])
    header.extra["grid_azimuths"] = grid.tolist()
    if header.grid_convergence is None:
        header.grid_convergence = round(conv, 6)
        header.convergence_source = "derived from the true and grid azimuth columns"
        findings.append(
            Finding(
                Severity.INFO,
                "convergence_derived",
                f"grid convergence {conv:.6f} deg derived from the true and grid azimuth columns",
            )
        )


def _finish(
    listing: _Listing,
    *,
    fmt: str,
    name: str,
    statements: list[Statement],
    raw_header: str,
    findings: list[Finding],
) -> ParsedSurvey:
    """Header fields, units and references, then the survey builder.

    A listing with unreadable rows is refused with every problem found: the rows, and what the
    checks find wrong (errors) in the stations that could be read, such as an MD going back.
    """
    listing.trailing_problems()
    if not listing.problems and not listing.more_problems:
        return _build(
            listing,
            fmt=fmt,
            name=name,
            statements=statements,
            raw_header=raw_header,
            findings=findings,
        )
    problems = list(listing.problems)
    more = listing.more_problems
    try:
        survey = _build(
            listing,
            fmt=fmt,
            name=name,
            statements=statements,
            raw_header=raw_header,
            findings=findings,
        )
    except SurveyFileError as exc:
        if "no survey stations found" not in exc.reason:
            problems += exc.problems
            more += exc.more
    else:
        for f in survey.findings:
            if f.severity is not Severity.ERROR:
                continue
            if not f.stations:
                problems.append(Problem(f.message, f.line, f.field))
                continue
            for note in f.stations:
                problems.append(
                    Problem(str(note.get("message") or f.message), note.get("line"), f.field)
                )
            more += max(0, (f.count or 0) - len(f.stations))
    problems.sort(key=lambda p: (p.line is None, p.line or 0))
    raise SurveyFileError.of_problems(name, problems, more)


def _build(
    listing: _Listing,
    *,
    fmt: str,
    name: str,
    statements: list[Statement],
    raw_header: str,
    findings: list[Finding],
) -> ParsedSurvey:
    """:func:`_finish` for a listing whose rows all read."""
    if listing.pending:
        listing.footer.extend((no, text) for no, _c, text, _e in listing.pending[:_FOOTER_LINES])
        listing.pending = []
    footer = "\n".join(text for _no, text in listing.footer).strip("\n")
    header = SurveyHeader()
    findings = [*findings, *listing.findings]
    if not len(listing.md):
        raise SurveyFileError(name, "no survey stations found")
    footer_statements = statements_from_lines(listing.footer)
    apply_statements(header, statements + footer_statements, listing.style, findings)
    _units_and_refs(header, listing.cm, listing.units, raw_header, footer, findings, name)
    inc, azi = listing.inc.array(), listing.azi.array()
    if header.angle_unit == "rad":
        inc, azi = np.degrees(inc), np.degrees(azi)
    other = {r: v.array() for r, v in listing.other.items()}
    _derive_convergence(header, listing.cm, azi, other, findings)
    if listing.page_breaks:
        findings.append(
            Finding(
                Severity.INFO,
                "page_header_repeated",
                f"the column names are repeated {len(listing.page_breaks)} time(s) inside the "
                f"table (page headers of a printed report, first at line "
                f"{listing.page_breaks[0]}); skipped",
                line=listing.page_breaks[0],
            )
        )
    if "dls" in listing.cm.cols and listing.units.get("dls"):
        header.extra["dls_unit"] = listing.units["dls"]
    header.extra["decimal_separator"] = listing.style.decimal
    raw = RawSurvey(
        md=listing.md.array(),
        inc=inc,
        azi=azi,
        projected=np.frombuffer(listing.projected, np.uint8).astype(bool),
        used=np.frombuffer(listing.used, np.uint8).astype(bool),
        lines=listing.lines.array().tolist(),
        vendor={r: c.array() for r, c in listing.vendor.items()},
        vendor_decimals=listing.vendor_dec,
        tie_index=listing.tie_index,
    )
    extra, extra_units = listing.extra_frame()
    return build_survey(
        fmt,
        name,
        header,
        raw,
        raw_header=raw_header,
        raw_footer=footer,
        findings=findings,
        extra_columns=extra,
        extra_units=extra_units,
    )


# --------------------------------------------------------------------------------------------
# text files
# --------------------------------------------------------------------------------------------


def _sample_cells(lines: list[str], splitter: _Splitter, cm: ColumnMap, limit: int) -> list[str]:
    roles = [cm.cols[r] for r in ("md", "inc", "azi", *VENDOR_ROLES) if r in cm.cols]
    out: list[str] = []
    for line in lines[:limit]:
        if not line.strip() or '"' in line:
            continue
        cells = splitter.split(line)
        out.extend(cells[j] for j in roles if j < len(cells))
    return out


def read_text_table(data: bytes, name: str, fmt: str = "csv") -> ParsedSurvey:
    """Read a delimited or aligned text listing.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].
    fmt : str
        Format name recorded in the result [-].
    """
    chunks = iter_text_chunks(data, name)
    scan: list[str] = []
    for chunk in chunks:
        scan.extend(chunk.split("\n"))
        if len(scan) >= MAX_HEADER_SCAN + _SAMPLE_ROWS:
            break
    layout = find_layout(scan[:MAX_HEADER_SCAN])
    if layout is None:
        raise SurveyFileError(
            name,
            "no column-header row naming measured depth, inclination and azimuth was found "
            f"in the first {min(len(scan), MAX_HEADER_SCAN)} lines",
        )
    hi, span, cm, splitter = layout.index, layout.rows, layout.cm, layout.splitter
    delim = splitter.delim
    head = scan[:hi]
    statements = statements_from_lines(
        [(no + 1, line) for no, line in enumerate(head)], delimiter=delim
    )
    if delim == ",":  # a comma-delimited table's decimals are points
        style = decide_decimal([], delimiter=delim)
    else:
        style = decide_decimal(
            _sample_cells(scan[hi + span :], splitter, cm, _SAMPLE_ROWS), delimiter=delim
        )
    if not style.decided and style.evidence.startswith("no number"):
        hstyle = decide_decimal(numeric_values(statements), delimiter=delim)
        if hstyle.decided:
            style = DecimalStyle(hstyle.decimal, True, f"{hstyle.evidence} in the header")
    raw_header = "\n".join(scan[: hi + span])
    listing = _Listing(name, cm, style, splitter)
    first = hi + span
    listing.text_chunk(first + 1, "\n".join(scan[first:]))
    no = len(scan) + 1
    del scan
    for chunk in chunks:
        no += listing.text_chunk(no, chunk)
    return _finish(
        listing, fmt=fmt, name=name, statements=statements, raw_header=raw_header, findings=[]
    )


# --------------------------------------------------------------------------------------------
# spreadsheets
# --------------------------------------------------------------------------------------------


def _cell_text(v: object, comma: bool = False) -> str:
    """A cell as text; numbers stored as numbers printed in the file's decimal style."""
    if v is None:
        return ""
    if isinstance(v, bool):
        return str(v)
    if isinstance(v, int | float):
        f = float(v)
        if f.is_integer() and abs(f) < 1e15:
            return str(int(f))
        t = repr(f)
        return t.replace(".", ",") if comma else t
    if hasattr(v, "isoformat"):
        return str(v.isoformat())
    return str(v)


def read_sheet_rows(
    sheets: Iterable[tuple[str, Iterable[list[object]]]], name: str, fmt: str
) -> ParsedSurvey:
    """Read the first sheet that holds a survey listing.

    Numbers stored as numbers need no decimal separator; the file's separator is decided from
    the numbers stored as text (header values such as ``2,35°``, text cells of the table).

    Parameters
    ----------
    sheets : iterable of (str, iterable of list)
        (sheet name, rows of cell values), rows produced as they are read [-].
    name : str
        File name used in messages [-].
    fmt : str
        Format name recorded in the result [-].
    """
    for sheet_name, values in sheets:
        it = iter(values)
        scan_vals = list(itertools.islice(it, MAX_HEADER_SCAN + _SAMPLE_ROWS))
        rows = [[_cell_text(v) for v in row] for row in scan_vals]
        found = _sheet_layout(rows)
        if found is None:
            continue
        hi, span, cm = found
        label = f"{name} [{sheet_name}]"
        typed = [[not isinstance(v, str) for v in row] for row in scan_vals[:hi]]
        text_rows = [
            (r + 1, [c if not typed[r][j] else "" for j, c in enumerate(cells)])
            for r, cells in enumerate(rows[:hi])
        ]
        head_evidence = numeric_values(statements_from_cells(text_rows))
        table_evidence = [
            str(v)
            for row in scan_vals[hi + span :]
            for j, v in enumerate(row)
            if isinstance(v, str) and j in (cm.cols["md"], cm.cols["inc"], cm.cols["azi"])
        ]
        style = decide_decimal(table_evidence)
        if not style.decided:
            hstyle = decide_decimal(head_evidence)
            if hstyle.decided:
                style = DecimalStyle(hstyle.decimal, True, f"{hstyle.evidence} in the header")
            elif not table_evidence and not style.evidence.startswith("both"):
                style = DecimalStyle(".", True, "numbers stored as numbers")
        comma = style.comma
        if comma:
            rows = [[_cell_text(v, True) for v in row] for row in scan_vals]
        statements = statements_from_cells([(r + 1, cells) for r, cells in enumerate(rows[:hi])])
        raw_header = "\n".join(",".join(c for c in cells) for cells in rows[: hi + span])
        listing = _Listing(label, cm, style, None)
        for r in range(hi + span, len(rows)):
            listing.row(r + 1, rows[r], ",".join(rows[r]))
        for r, row in enumerate(it, start=len(rows)):
            cells = [_cell_text(v, comma) for v in row]
            listing.row(r + 1, cells, ",".join(cells))
        survey = _finish(
            listing, fmt=fmt, name=label, statements=statements, raw_header=raw_header, findings=[]
        )
        survey.source_name = name
        return survey
    raise SurveyFileError(
        name, "no sheet has a column-header row naming measured depth, inclination and azimuth"
    )


def _sheet_layout(rows: list[list[str]]) -> tuple[int, int, ColumnMap] | None:
    for hi, cells in enumerate(rows[:MAX_HEADER_SCAN]):
        cm = match_header(cells)
        nxt = rows[hi + 1] if hi + 1 < len(rows) else []
        second = _sheet_second_row(nxt)
        if cm is not None:
            if second is not None and not is_units_row(second, cm):
                cm2 = match_header(combine_names(cells, second))
                if cm2 is not None and set(cm.cols) <= set(cm2.cols):
                    return hi, 2, cm2
            return hi, 1, cm
        if second is not None and match_header(nxt) is None:
            cm2 = match_header(combine_names(cells, second))
            if cm2 is not None:
                return hi, 2, cm2
    return None


def _sheet_second_row(cells: list[str]) -> list[str] | None:
    words = [c.strip() for c in cells if c.strip()]
    if not words or any(_numeric_at([w], 0) for w in words):
        return None
    if not all(re.search(r"[^\W\d_]", w) for w in words):
        return None
    return cells
