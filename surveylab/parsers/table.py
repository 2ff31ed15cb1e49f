"""Tabular survey listings: delimited / whitespace text and spreadsheets share this reader.

A listing is a prose header (``key: value`` lines, dotted leaders, ``#`` rows), one column-header
row recognised through :data:`COLUMN_ALIASES`, an optional unit row, the stations (blank spacer
rows allowed) and a footer. Text is split into cells first (comma, semicolon, tab or whitespace,
chosen by the first delimiter that yields a recognisable column-header row); spreadsheets
arrive as cells already.
"""

from __future__ import annotations

import csv
import functools
import itertools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from surveylab.models import Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import (
    HeaderPair,
    RawSurvey,
    angle_unit_from_text,
    apply_header_pairs,
    build_survey,
    decimals,
    decode_text,
    depth_unit_from_prose,
    depth_unit_from_text,
    method_from_text,
    parse_azimuth,
    parse_number,
    split_lines,
)
from surveylab.parsers._errors import SurveyFileError

_T, _G, _M, _U = (
    NorthReference.TRUE,
    NorthReference.GRID,
    NorthReference.MAGNETIC,
    NorthReference.UNKNOWN,
)

#: Column names (normalised: lower case, units and ``+-.`` removed, ``_`` as space) -> role.
COLUMN_ALIASES: dict[str, str] = {}
#: Azimuth column names -> the north reference the name states.
AZIMUTH_ALIASES: dict[str, NorthReference] = {}


def _alias(role: str, *names: str) -> None:
    for n in names:
        COLUMN_ALIASES[n] = role


_alias("md", "md", "measured depth", "depth", "dept", "mdepth", "md rkb", "meas depth", "mmd")
_alias("inc", "inc", "incl", "inclination", "devi", "inc deg", "incl deg", "inclination deg")
_alias("inc", "deviation", "dev", "hole inclination", "inclination angle")
_alias("tvd", "tvd", "true vertical depth", "vertical depth", "tvd rkb", "tvdrkb")
_alias("north", "ns", "n/s", "north", "local n", "ns grid north", "n s", "dispns", "n/s offset")
_alias("north", "north offset", "local north", "latitude n/s", "n")
_alias("east", "ew", "e/w", "east", "local e", "ew grid north", "e w", "dispew", "e/w offset")
_alias("east", "east offset", "local east", "departure e/w", "e")
_alias("vs", "vs", "vertical section", "vsec", "vert sect", "vertical sect", "v sect", "vsect")
_alias("dls", "dls", "dogleg", "dogleg rate", "dog leg severity", "dogleg severity", "dog leg")
_alias("dls", "dleg", "dl")
_alias("comment", "comments", "comment", "remarks", "remark", "description", "station type")
_alias("northing", "northings", "northing", "grid northing", "y")
_alias("easting", "eastings", "easting", "grid easting", "x")
_alias("used", "used", "use flag", "use")
_alias("grid_north", "dy")
_alias("grid_east", "dx")
for _n, _r in {
    "azi": _U,
    "azim": _U,
    "azimuth": _U,
    "az": _U,
    "azi deg": _U,
    "az deg": _U,
    "azimuth deg": _U,
    "hazi": _U,
    "direction": _U,
    "azimuth grid": _G,
    "azim grid": _G,
    "azi grid": _G,
    "az grid": _G,
    "azim gn": _G,
    "azi gn": _G,
    "azimuth gn": _G,
    "grid azimuth": _G,
    "azimuth true": _T,
    "azim tn": _T,
    "azi tn": _T,
    "az true": _T,
    "azi true": _T,
    "azim true": _T,
    "true azimuth": _T,
    "azimuth tn": _T,
    "azimuth magnetic": _M,
    "azim mn": _M,
    "az magn": _M,
    "az mag": _M,
    "azi mag": _M,
    "magnetic azimuth": _M,
    "azim mag": _M,
}.items():
    COLUMN_ALIASES[_n] = "azi"
    AZIMUTH_ALIASES[_n] = _r

_REF_RANK = {_T: 0, _G: 1, _M: 2, _U: 3}
VENDOR_ROLES = (
    "tvd",
    "north",
    "east",
    "vs",
    "dls",
    "northing",
    "easting",
    "grid_north",
    "grid_east",
)
_UNIT_IN_NAME = re.compile(r"[\[(]([^\])]*)[\])]")
_PROJECTED = re.compile(r"project|extrapolat|\bproj\b", re.I)
_TIE = re.compile(r"\btie[\s-]?(?:in|on|point)?\b", re.I)
_SENTINELS = {-999.25, 999.25, -9999.0, -99999.0}
_UNIT_TOKENS = re.compile(
    r"^\s*(m|ft|f|feet|usft|ftus|deg|dega|rad|°|º|metres|meters|'|"
    r"(?:°|deg|º)\s*/\s*\d+\s*(?:m|ft|')|deg/100ft|deg/30m|nT|)\s*$",
    re.I,
)
MAX_HEADER_SCAN = 400


_NAME_MARKS = re.compile(r"[+\-.:#*]")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def norm_col(cell: str) -> tuple[str, str | None]:
    """Normalise a column-header cell; return ``(name, unit)`` (cached: names recur)."""
    s = cell.replace("\n", " ").strip()
    unit = None
    m = _UNIT_IN_NAME.search(s)
    if m:
        unit = m.group(1).strip() or None
        s = s[: m.start()] + s[m.end() :]
    s = s.lower().replace("_", " ")
    s = _NAME_MARKS.sub("", s)
    s = _SPACES.sub(" ", s).strip()
    return s, unit


@dataclass(slots=True)
class ColumnMap:
    """Where each role sits in a listing and what the header row says about it."""

    cols: dict[str, int] = field(default_factory=dict)
    units: dict[str, str | None] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    azimuth_reference: NorthReference = NorthReference.UNKNOWN
    other_azimuths: dict[NorthReference, int] = field(default_factory=dict)
    width: int = 0


def match_header(cells: list[str]) -> ColumnMap | None:
    """Recognise a column-header row (needs MD, inclination and azimuth), else None."""
    cm = ColumnMap(width=len(cells))
    azis: list[tuple[int, NorthReference, str | None, str]] = []
    for j, cell in enumerate(cells):
        if not cell or len(cell) > 60:
            continue
        name, unit = norm_col(cell)
        role = COLUMN_ALIASES.get(name)
        if role is None:
            continue
        if role == "azi":
            azis.append((j, AZIMUTH_ALIASES[name], unit, cell.strip()))
            continue
        if role not in cm.cols:
            cm.cols[role] = j
            cm.units[role] = unit
            cm.names[role] = cell.strip()
    if "md" not in cm.cols or "inc" not in cm.cols or not azis:
        return None
    azis.sort(key=lambda a: (_REF_RANK[a[1]], a[0]))
    j, ref, unit, label = azis[0]
    cm.cols["azi"], cm.units["azi"], cm.names["azi"] = j, unit, label
    cm.azimuth_reference = ref
    for j2, ref2, _u, _l in azis[1:]:
        cm.other_azimuths.setdefault(ref2, j2)
    return cm


def _known_share(cells: list[str]) -> float:
    names = [norm_col(c)[0] for c in cells if c.strip()]
    return sum(n in COLUMN_ALIASES for n in names) / max(len(names), 1)


def _split(line: str, delim: str | None) -> list[str]:
    if delim is None:
        return line.split()
    if '"' in line:
        try:
            return next(csv.reader([line], delimiter=delim))
        except (csv.Error, StopIteration):
            return line.split(delim)
    return line.split(delim)


_KV = re.compile(r"^([A-Za-z][^:=]{0,80}?)(?:\s*\.{3,}|\s+\.+\s|\s*:|\s*=)\s*(.*)$")


def prose_pairs(lines: list[tuple[int, str]], delim: str | None) -> list[HeaderPair]:
    """``key: value`` statements of prose header lines (also ``k=v; k=v`` and ``key,value``)."""
    pairs: list[HeaderPair] = []
    for no, raw in lines:
        s = raw.strip()
        if s.startswith('"') and delim is not None:  # a whole line quoted as one CSV field
            cells = _split(s, delim)
            s = cells[0].strip() if len(cells) == 1 else s
        s = s.lstrip("#*").strip()
        if not s:
            continue
        if s.count("=") >= 2 and ";" in s:
            for seg in s.split(";"):
                if "=" in seg:
                    k, v = seg.split("=", 1)
                    k = k.split(":")[-1]
                    pairs.append(HeaderPair(k.strip(), v.strip(), no))
            continue
        m = _KV.match(s)
        if m:
            pairs.append(HeaderPair(m.group(1).strip(), m.group(2).strip(), no))
            continue
        if delim is not None:
            cells = [c.strip() for c in _split(s, delim) if c.strip()]
            if len(cells) == 2 and not re.match(r"^[-+\d.]+$", cells[0]):
                pairs.append(HeaderPair(cells[0], cells[1], no))
    return pairs


def cell_pairs(rows: list[tuple[int, list[str]]]) -> list[HeaderPair]:
    """``key: value`` statements of spreadsheet rows (``Key:`` then value cell, or ``#`` rows)."""
    pairs: list[HeaderPair] = []
    for no, cells in rows:
        vals = [c.strip() for c in cells]
        nonempty = [c for c in vals if c]
        if not nonempty:
            continue
        if nonempty[0] == "#" and len(nonempty) >= 3:
            pairs.append(HeaderPair(nonempty[1], nonempty[2], no))
            continue
        k = 0
        while k < len(vals):
            c = vals[k]
            if c.endswith(":") and len(c) > 1:
                v = next((x for x in vals[k + 1 :] if x), "")
                if v and not v.endswith(":"):
                    pairs.append(HeaderPair(c.rstrip(":").strip(), v, no))
            elif (m := _KV.match(c)) and m.group(2):
                pairs.append(HeaderPair(m.group(1).strip(), m.group(2).strip(), no))
            k += 1
    return pairs


def _is_unit_row(cells: list[str], cm: ColumnMap) -> bool:
    vals = [cells[j] if j < len(cells) else "" for j in (cm.cols["md"], cm.cols["inc"])]
    if not any(v.strip() for v in cells):
        return False
    for v in vals:
        try:
            if parse_number(v) is not None:
                return False
        except ValueError:
            pass
    tokens = [c for c in cells if c.strip()]
    return bool(tokens) and all(_UNIT_TOKENS.match(t.strip(" ()[]")) for t in tokens[: cm.width])


def read_rows(
    rows: list[tuple[int, list[str]]],
    name: str,
    *,
    fmt: str,
    comma_decimal: bool,
    pairs_before: list[HeaderPair],
    raw_header: str,
    footer_text: Callable[[int], str],
    header_index: int,
    cm: ColumnMap,
    extra_findings: list[Finding] | None = None,
) -> ParsedSurvey:
    """Read the stations of a listing whose column-header row is ``rows[header_index]``.

    Parameters
    ----------
    rows : list of (int, list of str)
        (1-based line or row number, cells) of the whole listing [-].
    name : str
        File name used in messages [-].
    fmt : str
        Format name recorded in the result [-].
    comma_decimal : bool
        Whether a decimal comma is allowed in numbers [-].
    pairs_before : list of HeaderPair
        Header statements found before the column-header row [-].
    raw_header : str
        Text of the header (kept verbatim) [-].
    footer_text : callable
        ``footer_text(k)`` gives the footer text starting at ``rows[k]`` [-].
    header_index : int
        Index of the column-header row in ``rows`` [-].
    cm : ColumnMap
        The recognised columns [-].
    extra_findings : list of Finding, optional
        Findings the caller already made [-].
    """
    findings: list[Finding] = list(extra_findings or [])
    raw = RawSurvey()
    units = dict(cm.units)
    vendor_roles = [r for r in VENDOR_ROLES if r in cm.cols]
    vendor_vals: dict[str, list[float]] = {r: [] for r in vendor_roles}
    vendor_dec: dict[str, int] = {}
    comment_col = cm.cols.get("comment")
    other_az = dict(cm.other_azimuths)
    other_vals: dict[NorthReference, list[float]] = {r: [] for r in other_az}
    c_md, c_inc, c_azi = cm.cols["md"], cm.cols["inc"], cm.cols["azi"]
    c_used = cm.cols.get("used")
    footer_start: int | None = None
    seen_data = False
    k = header_index + 1
    n_rows = len(rows)
    block_limit = n_rows  # rows a block read may take; small again after a quirky row
    while k < n_rows:
        taken = _read_block(
            rows,
            k,
            block_limit,
            cm,
            raw,
            vendor_vals,
            vendor_dec,
            other_vals,
            findings,
            comma_decimal,
        )
        if taken:
            seen_data = True
            k += taken
            if k >= n_rows:
                break
            block_limit = _BLOCK_RESTART if taken < block_limit else 2 * block_limit
        lineno, cells = rows[k]
        k += 1
        ncell = len(cells)
        try:
            s_md, s_inc, s_azi = cells[c_md], cells[c_inc], cells[c_azi]
            md, inc, azi = float(s_md), float(s_inc), float(s_azi)
            fast = not (md - md or inc - inc or azi - azi)
            fast = fast and md not in _SENTINELS and inc not in _SENTINELS
            fast = fast and azi not in _SENTINELS and "_" not in s_md + s_inc + s_azi
        except (ValueError, IndexError):
            fast = False
        n_st = len(raw.md)
        if not fast:
            if not cells or not any(c.strip() for c in cells):
                continue
            first = next(c for c in cells if c.strip()).strip()
            if first.startswith("#"):
                continue
            ncell = len(cells)
            s_md = cells[c_md] if c_md < ncell else ""
            s_inc = cells[c_inc] if c_inc < ncell else ""
            s_azi = cells[c_azi] if c_azi < ncell else ""
            errs: list[tuple[str, str]] = []
            try:
                md = _num(s_md, comma_decimal)
            except ValueError:
                md, errs = None, [*errs, ("md", s_md)]
            try:
                inc = _num(s_inc, comma_decimal)
            except ValueError:
                inc, errs = None, [*errs, ("inc", s_inc)]
            try:
                azi = _azi(s_azi, comma_decimal)
            except ValueError:
                azi, errs = None, [*errs, ("azi", s_azi)]
            if md is None and inc is None and azi is None:
                if not seen_data and _is_unit_row(cells, cm):
                    for role, j in cm.cols.items():
                        if j < ncell and cells[j].strip() and not units.get(role):
                            units[role] = cells[j].strip()
                    continue
                footer_start = k - 1
                _refuse_data_after(rows, k, cm, comma_decimal, name, lineno, errs)
                break
            if errs:
                fld, txt = errs[0]
                raise SurveyFileError(
                    name, f"cannot read {txt.strip()!r} as a number", line=lineno, field=fld
                )
            if md is None or inc is None:
                fld = "md" if md is None else "inc"
                raise SurveyFileError(name, "value missing", line=lineno, field=fld)
            if (
                not (math.isfinite(md) and math.isfinite(inc))
                or md in _SENTINELS
                or inc in _SENTINELS
            ):
                fld = "md" if (not math.isfinite(md) or md in _SENTINELS) else "inc"
                raise SurveyFileError(name, "null or non-finite value", line=lineno, field=fld)
            n_st = len(raw.md)
            if azi is None or azi in _SENTINELS or not math.isfinite(azi):
                if inc != 0:
                    raise SurveyFileError(name, "azimuth missing", line=lineno, field="azi")
                findings.append(
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
        seen_data = True
        raw.md.append(md)
        raw.inc.append(inc)
        raw.azi.append(azi)
        raw.lines.append(lineno)
        comment = ""
        if comment_col is not None and comment_col < ncell:
            comment = cells[comment_col]
        if ncell > cm.width:
            comment += " " + " ".join(cells[cm.width :])
        raw.projected.append(bool(comment and _PROJECTED.search(comment)))
        used_txt = cells[c_used].strip().lower() if c_used is not None and c_used < ncell else ""
        raw.used.append(used_txt not in ("0", "false", "no", "n"))
        if comment and raw.tie_index is None and _TIE.search(comment):
            raw.tie_index = n_st
        for role in vendor_roles:
            j = cm.cols[role]
            txt = cells[j] if j < ncell else ""
            try:
                v = _num(txt, comma_decimal)
            except ValueError:
                v = None
                findings.append(
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
                d = _printed_decimals(txt)
                if d > vendor_dec.get(role, -1):
                    vendor_dec[role] = d
            vendor_vals[role].append(v)
        for ref, j in other_az.items():
            txt = cells[j] if j < ncell else ""
            try:
                v2 = parse_number(txt, comma_decimal=comma_decimal)
            except ValueError:
                v2 = None
            other_vals[ref].append(math.nan if v2 is None else v2)

    header = SurveyHeader()
    apply_header_pairs(header, pairs_before, findings)
    footer = footer_text(footer_start) if footer_start is not None else ""
    _units_and_refs(header, cm, units, raw_header, footer, findings, name)
    if header.angle_unit == "rad":
        raw.inc = [math.degrees(v) for v in raw.inc]
        raw.azi = [math.degrees(v) for v in raw.azi]
    _derive_convergence(header, cm, raw, other_vals, findings)
    raw.vendor = vendor_vals
    raw.vendor_decimals = vendor_dec
    if "dls" in cm.cols and units.get("dls"):
        header.extra["dls_unit"] = units["dls"]
    return build_survey(
        fmt, name, header, raw, raw_header=raw_header, raw_footer=footer, findings=findings
    )


_INF = float("inf")


def _num(txt: str, comma_decimal: bool) -> float | None:
    """Fast path of :func:`parse_number` (plain decimals), same results and errors."""
    try:
        v = float(txt)
    except ValueError:
        return parse_number(txt, comma_decimal=comma_decimal)
    if v != v or v in (_INF, -_INF) or "_" in txt:
        return parse_number(txt, comma_decimal=comma_decimal)
    return v


def _azi(txt: str, comma_decimal: bool) -> float | None:
    try:
        v = float(txt)
    except ValueError:
        return parse_azimuth(txt, comma_decimal=comma_decimal)
    if v != v or v in (_INF, -_INF) or "_" in txt:
        return parse_azimuth(txt, comma_decimal=comma_decimal)
    return v


#: Stations whose vendor cells set the printed precision of a vendor column [-].
_DECIMALS_FROM = 50
#: Rows a block read may take after a quirky row (doubling while blocks run full) [-].
_BLOCK_RESTART = 16
#: Fewest rows worth a block read [-].
_MIN_BLOCK = 8
_NOT_USED = frozenset(("0", "false", "no", "n"))


def _printed_decimals(txt: str) -> int:
    """Digits printed after the decimal point of a vendor cell [-]."""
    t = txt.strip()
    dot = t.rfind(".")
    return len(t) - dot - 1 if dot >= 0 and "e" not in t and "E" not in t else decimals(t)


def _max_decimals(cells: list[str]) -> int:
    """Largest :func:`_printed_decimals` of the cells (-1 for none), in C-level passes."""
    if not cells:
        return -1
    texts = list(map(str.strip, cells))
    joined = "".join(texts)
    if "e" in joined or "E" in joined or "," in joined:
        return max(map(_printed_decimals, cells))
    dots = list(map(str.rfind, texts, itertools.repeat(".")))
    # no dot: no decimals (plain integers)
    return max([n - d - 1 if d >= 0 else 0 for n, d in zip(map(len, texts), dots, strict=True)])


def _plain_floats(col: tuple[str, ...]) -> tuple[list[float], int]:
    """Values of the leading plain station cells of a column, and how many there are.

    A plain cell is what the row loop's fast path takes: ``float()`` reads it, the value is
    finite and no null sentinel, and the text holds no ``_`` digit separator.
    """
    try:
        vals = list(map(float, col))
    except ValueError:
        vals = []
        for txt in col:
            try:
                vals.append(float(txt))
            except ValueError:
                break
    n = len(vals)
    # a NaN or infinity makes the sum non-finite (an overflow only costs the exact scan)
    if n and not (math.isfinite(sum(vals)) and _SENTINELS.isdisjoint(vals)):
        n = next((i for i, v in enumerate(vals) if not math.isfinite(v) or v in _SENTINELS), n)
    if "_" in "".join(col[:n]):
        n = next(i for i, txt in enumerate(col[:n]) if "_" in txt)
    return vals, n


def _finite_floats(col: tuple[str, ...]) -> list[float] | None:
    """``float()`` of every cell when all are finite numbers without ``_``, else None."""
    try:
        vals = list(map(float, col))
    except ValueError:
        return None
    if "_" in "".join(col) or not (math.isfinite(sum(vals)) or all(map(math.isfinite, vals))):
        return None
    return vals


def _read_block(
    rows: list[tuple[int, list[str]]],
    k: int,
    limit: int,
    cm: ColumnMap,
    raw: RawSurvey,
    vendor_vals: dict[str, list[float]],
    vendor_dec: dict[str, int],
    other_vals: dict[NorthReference, list[float]],
    findings: list[Finding],
    comma_decimal: bool,
) -> int:
    """Read the run of plain station rows that starts at ``rows[k]``, column by column.

    The rows taken are those the row loop would read on its fast path (same cell count, MD,
    inclination and azimuth plain numbers, see :func:`_plain_floats`); the results, vendor
    findings included, are the row loop's. The first other row ends the block.

    Parameters
    ----------
    rows : list of (int, list of str)
        (1-based line number, cells) of the listing [-].
    k : int
        Index in ``rows`` of the first row to read [-].
    limit : int
        Most rows to take [-].
    cm : ColumnMap
        The recognised columns [-].
    raw : RawSurvey
        Stations read so far; extended in place.
    vendor_vals, vendor_dec, other_vals : dict
        Vendor columns [column unit], their printed decimals [-] and the other azimuth columns
        [deg], extended in place.
    findings : list of Finding
        Appended to (unreadable vendor cells) [-].
    comma_decimal : bool
        Whether a decimal comma is allowed in numbers [-].

    Returns
    -------
    int
        Rows taken (0 when ``rows[k]`` is no plain station row).
    """
    c_md, c_inc, c_azi = cm.cols["md"], cm.cols["inc"], cm.cols["azi"]
    first = rows[k][1]
    width = len(first)
    if width <= max(c_md, c_inc, c_azi):
        return 0
    try:
        head = (float(first[c_md]), float(first[c_inc]), float(first[c_azi]))
    except ValueError:
        return 0
    if not all(map(math.isfinite, head)) or not _SENTINELS.isdisjoint(head):
        return 0
    end = min(len(rows), k + limit)
    e = k + 1
    while e < end and len(rows[e][1]) == width:
        e += 1
    if e - k < _MIN_BLOCK:  # e.g. stations between blank spacer rows: the row loop is cheaper
        return 0
    linenos, cell_rows = zip(*rows[k:e], strict=True)
    cols = list(zip(*cell_rows, strict=True))
    md, n_md = _plain_floats(cols[c_md])
    inc, n_inc = _plain_floats(cols[c_inc])
    azi, n_azi = _plain_floats(cols[c_azi])
    m = min(n_md, n_inc, n_azi)
    if m == 0:
        return 0
    n0 = len(raw.md)
    raw.md.extend(md[:m])
    raw.inc.extend(inc[:m])
    raw.azi.extend(azi[:m])
    raw.lines.extend(linenos[:m])

    comment_col = cm.cols.get("comment")
    comments: list[str] | tuple[str, ...] | None = None
    if comment_col is not None and comment_col < width:
        comments = cols[comment_col][:m]
    if width > cm.width:
        extra = [" " + " ".join(cells[cm.width :]) for cells in cell_rows[:m]]
        if comments is not None:
            extra = [a + b for a, b in zip(comments, extra, strict=True)]
        comments = extra
    if comments is not None and any(comments):
        raw.projected.extend(bool(c and _PROJECTED.search(c)) for c in comments)
        if raw.tie_index is None:
            raw.tie_index = next(
                (n0 + i for i, c in enumerate(comments) if c and _TIE.search(c)), None
            )
    else:
        raw.projected.extend([False] * m)
    c_used = cm.cols.get("used")
    if c_used is not None and c_used < width:
        flags = cols[c_used][:m]
        is_used = {txt: txt.strip().lower() not in _NOT_USED for txt in set(flags)}
        raw.used.extend(map(is_used.__getitem__, flags))
    else:
        raw.used.extend([True] * m)

    pending: list[tuple[int, int, Finding]] = []
    n_dec = max(0, min(m, _DECIMALS_FROM - n0))
    for r, role in enumerate(VENDOR_ROLES):
        if role not in vendor_vals:
            continue
        j = cm.cols[role]
        if j >= width:
            vendor_vals[role].extend([math.nan] * m)
            continue
        col = cols[j][:m]
        vals = _finite_floats(col)
        if vals is None:
            vals = [
                _vendor_cell(txt, comma_decimal, n0 + i, linenos[i], role, r, pending)
                for i, txt in enumerate(col)
            ]
        elif not _SENTINELS.isdisjoint(vals):
            vals = [math.nan if v in _SENTINELS else v for v in vals]
        best = vendor_dec.get(role, -1)
        if n_dec:
            printed = [t for t, v in zip(col[:n_dec], vals, strict=False) if v == v]
            best = max(best, _max_decimals(printed))
        if best >= 0:
            vendor_dec[role] = best
        vendor_vals[role].extend(vals)
    pending.sort(key=lambda p: (p[0], p[1]))
    findings.extend(f for _i, _r, f in pending)

    for ref, j in cm.other_azimuths.items():
        if j >= width:
            other_vals[ref].extend([math.nan] * m)
            continue
        col = cols[j][:m]
        vals = _finite_floats(col)
        if vals is None:
            vals = [_other_azimuth(txt, comma_decimal) for txt in col]
        other_vals[ref].extend(vals)
    return m


def _vendor_cell(
    txt: str,
    comma_decimal: bool,
    station: int,
    lineno: int,
    role: str,
    rank: int,
    pending: list[tuple[int, int, Finding]],
) -> float:
    """A vendor cell as the row loop reads it: NaN for empty, sentinel or unreadable cells."""
    try:
        v = _num(txt, comma_decimal)
    except ValueError:
        finding = Finding(
            Severity.WARNING,
            "vendor_value_unreadable",
            f"cannot read {txt.strip()!r} as a number",
            station=station,
            line=lineno,
            field=role,
        )
        pending.append((station, rank, finding))
        return math.nan
    return math.nan if v is None or v in _SENTINELS else v


def _other_azimuth(txt: str, comma_decimal: bool) -> float:
    try:
        v = parse_number(txt, comma_decimal=comma_decimal)
    except ValueError:
        return math.nan
    return math.nan if v is None else v


def _refuse_data_after(
    rows: list[tuple[int, list[str]]],
    k: int,
    cm: ColumnMap,
    comma_decimal: bool,
    name: str,
    lineno: int,
    errs: list[tuple[str, str]],
) -> None:
    """A non-numeric row followed by more stations is an unreadable row, not a footer."""
    c_md, c_inc, c_azi = cm.cols["md"], cm.cols["inc"], cm.cols["azi"]
    for _no, cells in rows[k:]:
        n = len(cells)
        try:
            vals = [
                parse_number(cells[j] if j < n else "", comma_decimal=comma_decimal)
                for j in (c_md, c_inc, c_azi)
            ]
        except ValueError:
            continue
        if all(v is not None for v in vals):
            fld, txt = errs[0] if errs else ("md", "")
            raise SurveyFileError(
                name,
                f"cannot read {txt.strip()!r} as a number (stations continue at line {_no})",
                line=lineno,
                field=fld,
            )


def _units_and_refs(
    header: SurveyHeader,
    cm: ColumnMap,
    units: dict[str, str | None],
    raw_header: str,
    footer: str,
    findings: list[Finding],
    name: str,
) -> None:
    du = depth_unit_from_text(units.get("md"))
    if du is None and units.get("md"):
        raise SurveyFileError(
            name, f"unknown depth unit {units['md']!r}", field=cm.names.get("md", "md")
        )
    if du is not None:
        header.depth_unit = du
    if header.depth_unit is None:
        header.depth_unit = depth_unit_from_prose(raw_header) or depth_unit_from_prose(footer)
    au = angle_unit_from_text(units.get("inc")) or angle_unit_from_text(units.get("azi"))
    if au is None and re.search(r"\b(?:inc|az)\w*[ _]deg\b", " ".join(cm.names.values()), re.I):
        au = "deg"
    if au is None and re.search(r"angles are given in degrees", raw_header, re.I):
        au = "deg"
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
    raw: RawSurvey,
    other_vals: dict[NorthReference, list[float]],
    findings: list[Finding],
) -> None:
    if cm.azimuth_reference is not NorthReference.TRUE or NorthReference.GRID not in other_vals:
        return
    grid = other_vals[NorthReference.GRID]
    diffs = sorted(
        ((t - g + 180.0) % 360.0) - 180.0
        for t, g in zip(raw.azi, grid, strict=True)
        if not math.isnan(g)
    )
    if not diffs:
        return
    conv = diffs[len(diffs) // 2]
    header.extra["grid_azimuths"] = grid
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


def read_text_table(data: bytes, name: str, fmt: str = "csv") -> ParsedSurvey:
    """Read a delimited or whitespace-separated text listing.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].
    fmt : str
        Format name recorded in the result [-].
    """
    text = decode_text(data, name)
    lines = split_lines(text)
    found: tuple[int, str | None, ColumnMap] | None = None
    for i, line in enumerate(lines[:MAX_HEADER_SCAN]):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        for delim in (",", ";", "\t", None):
            if delim is not None and delim not in line:
                continue
            cells = _split(line, delim)
            cm = match_header(cells)
            if cm is not None and delim is None and _known_share(cells) < 0.6:
                cm = None
            if cm is not None:
                found = (i, delim, cm)
                break
        if found:
            break
    if found is None:
        raise SurveyFileError(
            name,
            "no column-header row naming measured depth, inclination and azimuth was found "
            f"in the first {min(len(lines), MAX_HEADER_SCAN)} lines",
        )
    hi, delim, cm = found
    if delim is None:
        rows = [(no, line.split()) for no, line in enumerate(lines, 1)]
    else:
        rows = [
            (no, line.split(delim) if '"' not in line else _split(line, delim))
            for no, line in enumerate(lines, 1)
        ]
    head_lines = [(no + 1, line) for no, line in enumerate(lines[:hi])]
    pairs = prose_pairs(head_lines, delim)
    raw_header = "\n".join(lines[: hi + 1])

    def footer_text(k: int) -> str:
        return "\n".join(lines[k:]).strip("\n")

    try:
        return read_rows(
            rows,
            name,
            fmt=fmt,
            comma_decimal=delim != ",",
            pairs_before=pairs,
            raw_header=raw_header,
            footer_text=footer_text,
            header_index=hi,
            cm=cm,
        )
    except SurveyFileError as exc:
        if not exc.file:
            raise SurveyFileError(
                name, exc.reason, line=exc.line or hi + 1, field=exc.field
            ) from None
        raise


def _cell_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        if v.is_integer() and abs(v) < 1e15:
            return str(int(v))
        return repr(v)
    if isinstance(v, bool):
        return str(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()  # type: ignore[no-any-return, union-attr]
    return str(v)


def read_sheet_rows(
    sheets: list[tuple[str, list[list[object]]]], name: str, fmt: str
) -> ParsedSurvey:
    """Read the first sheet that holds a survey listing.

    Parameters
    ----------
    sheets : list of (str, list of list)
        (sheet name, rows of cell values) [-].
    name : str
        File name used in messages [-].
    fmt : str
        Format name recorded in the result [-].
    """
    for sheet_name, values in sheets:
        rows = [(r + 1, [_cell_text(v) for v in row]) for r, row in enumerate(values)]
        for hi, (_no, cells) in enumerate(rows[:MAX_HEADER_SCAN]):
            cm = match_header(cells)
            if cm is None:
                continue
            pairs = cell_pairs(rows[:hi])
            raw_header = "\n".join(",".join(c for c in cells) for _n, cells in rows[: hi + 1])

            def footer_text(k: int, rows: list[tuple[int, list[str]]] = rows) -> str:
                return "\n".join(",".join(c for c in cells if c) for _n, cells in rows[k:]).strip()

            survey = read_rows(
                rows,
                f"{name} [{sheet_name}]",
                fmt=fmt,
                comma_decimal=True,
                pairs_before=pairs,
                raw_header=raw_header,
                footer_text=footer_text,
                header_index=hi,
                cm=cm,
            )
            survey.source_name = name
            return survey
    raise SurveyFileError(
        name, "no sheet has a column-header row naming measured depth, inclination and azimuth"
    )


def _numeric_row(cells: list[str], cm: ColumnMap) -> bool:
    j = cm.cols["md"]
    try:
        return j < len(cells) and parse_number(cells[j], comma_decimal=True) is not None
    except ValueError:
        return False


__all__ = [
    "AZIMUTH_ALIASES",
    "COLUMN_ALIASES",
    "ColumnMap",
    "match_header",
    "read_sheet_rows",
    "read_text_table",
]
