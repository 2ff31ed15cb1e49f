"""Shared pieces of every reader: decoding, numbers, units, header keys, the survey builder.

Nothing here knows a particular vendor or file: readers hand over what they found (stations,
vendor columns, header key/value pairs) and :func:`build_survey` turns it into a
:class:`~surveylab.models.survey.ParsedSurvey` with findings.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from surveylab.models import DepthUnit, Finding, NorthReference, Severity, TieOn
from surveylab.models.survey import STATION_COLUMNS, ParsedSurvey, SurveyHeader
from surveylab.parsers._errors import SurveyFileError

# --------------------------------------------------------------------------------------------
# decoding
# --------------------------------------------------------------------------------------------


def decode_text(data: bytes, name: str) -> str:
    """Decode survey text: UTF-8 (with or without BOM), else cp1252, else Latin-1.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].

    Returns
    -------
    str
        The text with a leading BOM removed and line endings left as found.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise SurveyFileError(name, "not readable as UTF-16 text") from None
    if b"\x00" in data[:4096]:
        raise SurveyFileError(name, "binary content (NUL bytes): not a survey text file")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


def split_lines(text: str) -> list[str]:
    """Split on CR, LF or CRLF (all three occur in vendor exports)."""
    if "\r" not in text:
        return text.split("\n")  # the common case, several times faster than the pattern
    return _LINE_SPLIT.split(text)


# --------------------------------------------------------------------------------------------
# numbers
# --------------------------------------------------------------------------------------------

_NUM = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_SUFFIXED = re.compile(r"([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*([NSEWnsew])")
_COMMA_DEC = re.compile(r"[+-]?\d*,\d+")
_QUADRANT = re.compile(
    r"([NS])\s*(\d+(?:\.\d+)?)(?:[°\s]+(\d+(?:\.\d+)?))?(?:['\s]+(\d+(?:\.\d+)?))?\"?\s*([EW])",
    re.IGNORECASE,
)


def parse_number(text: str, *, comma_decimal: bool = False) -> float | None:
    """Read one number as printed by a vendor; ``None`` for an empty cell.

    Accepts plain decimals and exponents, a decimal comma (when ``comma_decimal``) and a
    trailing hemisphere letter (``6342061.910N``; S and W make it negative).

    Parameters
    ----------
    text : str
        The cell text [-].
    comma_decimal : bool
        Whether ``12,5`` means 12.5 (files whose delimiter is not a comma) [-].

    Returns
    -------
    float or None
        The value [unit of the column], None for an empty cell.

    Raises
    ------
    ValueError
        When the text is not a number.
    """
    s = text.strip()
    if not s:
        return None
    if _NUM.fullmatch(s):
        return float(s)
    if comma_decimal and _COMMA_DEC.fullmatch(s):
        return float(s.replace(",", "."))
    m = _SUFFIXED.fullmatch(s)
    if m:
        v = float(m.group(1))
        return -v if m.group(2).upper() in "SW" else v
    raise ValueError(s)


def parse_azimuth(text: str, *, comma_decimal: bool = False) -> float | None:
    """An azimuth cell: a number, or a quadrant bearing such as ``N 45 30 E`` [deg]."""
    try:
        return parse_number(text, comma_decimal=comma_decimal)
    except ValueError:
        m = _QUADRANT.fullmatch(text.strip())
        if not m:
            raise
        ang = float(m.group(2)) + float(m.group(3) or 0) / 60 + float(m.group(4) or 0) / 3600
        if ang > 90:
            raise ValueError(text) from None
        ns, ew = m.group(1).upper(), m.group(5).upper()
        if ns == "N":
            return ang if ew == "E" else (360.0 - ang) % 360.0
        return 180.0 - ang if ew == "E" else 180.0 + ang


def first_number(text: str) -> float | None:
    """The first number in a header value (``'12.28 deg'`` -> 12.28; ``'2.5° W'`` -> -2.5)."""
    m = _NUM.search(text.replace(",", "") if text.count(",") > 1 else text)
    if not m:
        return None
    v = float(m.group(0))
    tail = text[m.end() : m.end() + 12].strip()
    tail = re.sub(r"^(?:degrees|degree|deg|°|º)\s*", "", tail)
    if tail[:1] in ("W", "w") and (len(tail) == 1 or not tail[1:2].isalpha()):
        v = -abs(v)
    return v


def decimals(text: str) -> int:
    """Digits printed after the decimal point (precision of a printed number)."""
    s = text.strip()
    i = s.find(".")
    if i < 0:
        i = s.find(",")
    if i < 0:
        return 0
    j = i + 1
    while j < len(s) and s[j].isdigit():
        j += 1
    return j - i - 1


# --------------------------------------------------------------------------------------------
# units and references
# --------------------------------------------------------------------------------------------

_DEPTH_UNITS = {
    "m": DepthUnit.M,
    "metre": DepthUnit.M,
    "metres": DepthUnit.M,
    "meter": DepthUnit.M,
    "meters": DepthUnit.M,
    "mtr": DepthUnit.M,
    "m-units": DepthUnit.M,
    "ft": DepthUnit.FT,
    "f": DepthUnit.FT,
    "feet": DepthUnit.FT,
    "foot": DepthUnit.FT,
    "'": DepthUnit.FT,
    "intl ft": DepthUnit.FT,
    "ft-units": DepthUnit.FT,
    "usft": DepthUnit.USFT,
    "ftus": DepthUnit.USFT,
    "us ft": DepthUnit.USFT,
    "us-ft": DepthUnit.USFT,
    "sft": DepthUnit.USFT,
    "us survey ft": DepthUnit.USFT,
    "us survey foot": DepthUnit.USFT,
    "us survey feet": DepthUnit.USFT,
    "survey ft": DepthUnit.USFT,
}


def depth_unit_from_text(text: str | None) -> DepthUnit | None:
    """Map a unit token (``m``, ``ft``, ``F``, ``ftUS``, ``( ft )``...) to a :class:`DepthUnit`."""
    if not text:
        return None
    t = text.strip().strip("()[]{} ").strip().lower()
    return _DEPTH_UNITS.get(t)


def angle_unit_from_text(text: str | None) -> str | None:
    """``"deg"`` or ``"rad"`` for a unit token, None when not an angle unit."""
    if not text:
        return None
    t = text.strip().strip("()[]{} ").strip().lower()
    if t in ("deg", "dega", "degree", "degrees", "°", "º", "degs"):
        return "deg"
    if t in ("rad", "radian", "radians"):
        return "rad"
    return None


def north_reference_from_text(text: str | None) -> NorthReference | None:
    """Map a north-reference statement to :class:`NorthReference` (None when not recognised)."""
    if not text:
        return None
    t = text.strip().lower()
    if re.search(r"\btrue\b|\btn\b|geographic", t):
        return NorthReference.TRUE
    if re.search(r"\bgrid\b|\bgn\b", t):
        return NorthReference.GRID
    if re.search(r"magnetic|\bmn\b", t):
        return NorthReference.MAGNETIC
    return None


# --------------------------------------------------------------------------------------------
# header key/value pairs -> fields
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class HeaderPair:
    """One ``key: value`` statement of a file header, with where it was found."""

    key: str
    value: str
    line: int | None = None


_KEY_UNIT = re.compile(r"[\[(]([^\])]{1,12})[\])]")


_PARENS = re.compile(r"\([^)]*\)")
_KEY_MARKS = re.compile(r"[#*:]+")
_SPACES = re.compile(r"\s+")


@functools.lru_cache(maxsize=4096)
def norm_key(key: str) -> tuple[str, str | None]:
    """Normalise a header key; return ``(key, unit)`` with a bracketed unit split off.

    Cached: the same keys recur in every file of a vendor.
    """
    k = key.replace("\n", " ").strip()
    unit = None
    m = _KEY_UNIT.search(k)
    if m:
        unit = m.group(1).strip()
        k = k[: m.start()] + k[m.end() :]
    k = _PARENS.sub(" ", k)
    k = _KEY_MARKS.sub(" ", k.lower()).replace("_", " ")
    k = _SPACES.sub(" ", k).strip(" .")
    return k, unit


_METHODS = (
    ("minimum curvature", "minimum curvature"),
    ("radius of curvature", "radius of curvature"),
    ("balanced tangential", "balanced tangential"),
    ("average angle", "average angle"),
    ("tangential", "tangential"),
)


def method_from_text(text: str) -> str | None:
    """The calculation method a text names, or None."""
    t = text.lower()
    for needle, name in _METHODS:
        if needle in t:
            return name
    return None


_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%B %d, %Y",
    "%d %B, %Y",
    "%d %B %Y",
    "%Y:%m:%d",
    "%d.%m.%Y",
)


def normalise_date(text: str) -> str:
    """ISO 8601 date when the text is a recognisable date, else the text as given."""
    t = text.strip()
    if re.match(r"\d{4}-\d{2}-\d{2}T", t):
        return t
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            continue
    return t


_WELL_KEYS = ("well", "well name", "wellname", "well id")
_WELLBORE_KEYS = ("wellbore", "wellpath", "borehole", "wellbore name", "hole")
_RUN_KEYS = ("run", "run name", "run number", "survey name", "design", "definitive survey", "job")
_TOOL_KEYS = ("tool", "survey tool", "tool type", "survey type", "survey tool type")
_DATE_KEYS = ("survey date", "date", "survey date/time", "date of survey")
_DECL_KEYS = ("declination", "magnetic declination", "mag dec", "mag declination", "decl")
_CONV_KEYS = ("grid convergence", "convergence", "grid convergence angle", "grid conv", "conv")
_TOTAL_KEYS = (
    "total correction",
    "total corr",
    "total azimuth correction",
    "total corr mag north -> grid north",
    "total corr mag north > grid north",
    "azm total corr",
)
_SCALE_KEYS = ("grid scale factor", "scale factor", "combined scale factor", "csf")
_NREF_KEYS = ("north ref", "north reference", "azimuth ref", "azimuth reference", "azimuth north")
_VSA_KEYS = (
    "vsect direc",
    "vertical section azimuth",
    "vs azimuth",
    "vertical section direction",
    "vsect azimuth",
    "vs direction",
)
_METHOD_KEYS = ("calculation method", "survey / dls computation method", "method", "calc method")
_CRS_KEYS = (
    "crs",
    "coordinate reference system",
    "grid coordinate system",
    "coordinate system",
    "map system",
    "projection",
)
_X_KEYS = ("easting", "well head x-coordinate", "surface x", "x", "slot easting", "map easting")
_Y_KEYS = ("northing", "well head y-coordinate", "surface y", "y", "slot northing", "map northing")
_OPERATOR_KEYS = ("operator", "company", "client")
_UNIT_KEYS = ("depth units", "depth unit", "units", "unit")
_DATUM_KEYS = {
    "kb elev": "KB",
    "kb elevation": "KB",
    "rkb elevation": "RKB",
    "rkb": "RKB",
    "df elevation": "DF",
    "rt elevation": "RT",
    "well datum": None,
    "datum elevation": None,
    "tvd reference elevation": None,
    "depth reference elevation": None,
    "elevation": None,
}
_TIE_KEYS = {
    "tie-on md": "md",
    "tie-on inc": "inc",
    "tie-on azi": "azi",
    "tie-on tvd": "tvd",
    "tie-on north": "north",
    "tie-on east": "east",
}
_DATUM_NAME_KEYS = ("tvd reference datum", "depth reference", "depth datum", "datum")


def apply_header_pairs(
    header: SurveyHeader, pairs: list[HeaderPair], findings: list[Finding]
) -> None:
    """Turn ``key: value`` statements into header fields (first statement of a field wins).

    Every pair is also kept in ``header.extra["fields"]`` as found.
    """
    fields: dict[str, str] = header.extra.setdefault("fields", {})
    crs_parts: list[str] = []
    for p in pairs:
        key, unit = norm_key(p.key)
        val = p.value.strip().strip(",").strip()
        if not key or not val:
            continue
        fields.setdefault(p.key.strip(), val)
        num = first_number(val)
        if key in _WELL_KEYS and header.well_name is None:
            header.well_name = val
        elif key in _WELLBORE_KEYS and header.wellbore_name is None:
            header.wellbore_name = val
        elif key in _RUN_KEYS and header.run_name is None:
            header.run_name = val
        elif key in _TOOL_KEYS and header.tool is None:
            header.tool = val
        elif key in _DATE_KEYS and header.survey_date is None:
            header.survey_date = normalise_date(val)
        elif key in _DECL_KEYS and header.declination is None and num is not None:
            header.declination = num
            header.declination_source = f"file header '{p.key.strip()}'"
        elif key in _CONV_KEYS and header.grid_convergence is None and num is not None:
            header.grid_convergence = num
            header.convergence_source = f"file header '{p.key.strip()}'"
        elif key in _TOTAL_KEYS and header.total_correction is None and num is not None:
            header.total_correction = num
        elif key in _SCALE_KEYS and header.scale_factor is None and num is not None:
            header.scale_factor = num
        elif key in _NREF_KEYS and header.azimuth_reference is NorthReference.UNKNOWN:
            ref = north_reference_from_text(val)
            if ref is not None:
                header.azimuth_reference = ref
        elif key in _VSA_KEYS and header.vs_azimuth is None and num is not None:
            header.vs_azimuth = num
        elif key in _METHOD_KEYS and header.calculation_method is None:
            header.calculation_method = method_from_text(val) or val
        elif key in _CRS_KEYS or key in ("geodic datum", "geodetic datum", "map zone"):
            crs_parts.append(val)
        elif key in _X_KEYS and header.surface_x is None and num is not None:
            header.surface_x = num
        elif key in _Y_KEYS and header.surface_y is None and num is not None:
            header.surface_y = num
        elif key == "location grid n/e y/x" and header.surface_x is None:
            mn = re.search(r"N\s*([-\d.]+)", val)
            me = re.search(r"E\s*([-\d.]+)", val)
            if mn and me:
                header.surface_y, header.surface_x = float(mn.group(1)), float(me.group(1))
        elif key in _OPERATOR_KEYS and header.operator is None:
            header.operator = val
        elif key in _UNIT_KEYS and header.depth_unit is None:
            header.depth_unit = depth_unit_from_text(val)
        elif key in _DATUM_KEYS and header.datum_elevation is None and num is not None:
            header.datum_elevation = num
            label = _DATUM_KEYS[key]
            if header.depth_datum is None and label is not None:
                header.depth_datum = label
            if header.depth_datum is None:
                m = re.search(r"\(([A-Za-z]{2,4})\b", p.key)
                if m:
                    header.depth_datum = m.group(1).upper()
            if unit:
                header.extra.setdefault("datum_elevation_unit", unit)
        elif key in _DATUM_NAME_KEYS and header.depth_datum is None:
            header.depth_datum = val
        elif key == "uwi":
            header.extra.setdefault("uwi", val)
            if header.well_name is None and not any(
                norm_key(q.key)[0] in (*_WELL_KEYS, "name") for q in pairs
            ):
                header.well_name = val
        elif key == "name" and header.well_name is None:
            header.well_name = val
        elif key in _TIE_KEYS and num is not None:
            header.extra.setdefault("tie_on_stated", {})[_TIE_KEYS[key]] = num
        elif key == "angle unit" and header.angle_unit is None:
            header.angle_unit = val.lower()
    if crs_parts and header.crs is None:
        header.crs = "; ".join(dict.fromkeys(crs_parts))


_PROSE_UNIT = (
    re.compile(r"all data (?:is|are) in (metres|meters|metre|meter|feet|foot|ft|m)\b", re.I),
    re.compile(r"\b(?:md|depth)\b[^\n]*\bgiven in (m|ft|feet|metres|meters)[- ]units", re.I),
)


def depth_unit_from_prose(text: str) -> DepthUnit | None:
    """A depth unit stated in free text (``All data are in meters unless otherwise stated``)."""
    for rx in _PROSE_UNIT:
        m = rx.search(text)
        if m:
            return depth_unit_from_text(m.group(1))
    return None


# --------------------------------------------------------------------------------------------
# the survey builder
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class RawSurvey:
    """What a reader found, before checks: plain lists, in the file's units (angles in deg).

    ``lines`` holds the 1-based source line (or row) of every station, ``tie_index`` the station
    that the file marks as its tie-on, ``vendor`` named vendor columns aligned with the stations,
    ``vendor_decimals`` the printed precision of each vendor column.
    """

    md: list[float] = field(default_factory=list)
    inc: list[float] = field(default_factory=list)
    azi: list[float] = field(default_factory=list)
    projected: list[bool] = field(default_factory=list)
    used: list[bool] = field(default_factory=list)
    lines: list[int | None] = field(default_factory=list)
    vendor: dict[str, list[float]] = field(default_factory=dict)
    vendor_decimals: dict[str, int] = field(default_factory=dict)
    tie_index: int | None = None
    tie_on: TieOn | None = None


def build_survey(
    fmt: str,
    name: str,
    header: SurveyHeader,
    raw: RawSurvey,
    *,
    raw_header: str = "",
    raw_footer: str = "",
    findings: list[Finding] | None = None,
) -> ParsedSurvey:
    """Assemble a :class:`ParsedSurvey` and run the common checks.

    The tie-on: a row the file marks as tie-on (or a first row at MD 0) is kept as a station and
    copied into ``header.tie_on``. When the first station prints vendor TVD/N/E, the
    vertical-from-surface assumption is checked against them: if it does not reproduce them, the
    first station itself is the file's tie-on.
    """
    from surveylab.parsers.checks import check_stations

    findings = list(findings or [])
    if not raw.md:
        raise SurveyFileError(name, "no survey stations found")
    n = len(raw.md)
    md = np.array(raw.md, dtype=float)
    inc = np.array(raw.inc, dtype=float)
    azi = np.array(raw.azi, dtype=float)
    projected = np.array(raw.projected or [False] * n, dtype=bool)
    used = np.array(raw.used or [True] * n, dtype=bool)
    if any(a.shape != (n,) for a in (inc, azi, projected, used)):
        raise ValueError("All arrays must be of the same length")
    vendor_cols = {k: np.array(v, dtype=float) for k, v in raw.vendor.items()}
    _resolve_tie_on(header, raw, md, inc, azi, vendor_cols, findings)
    azi = check_stations(header, md, inc, azi, projected, used, vendor_cols, raw, findings)
    # Prebuilt column labels: pandas inferring them from strings costs more than the data
    # (copies, so that renaming one frame's columns cannot touch another's).
    stations = pd.DataFrame(
        dict(zip(STATION_COLUMNS, (md, inc, azi, projected, used), strict=True)),
        index=pd.RangeIndex(n),
        columns=_column_index(STATION_COLUMNS).copy(),
        copy=False,
    )
    if not vendor_cols:
        vendor = pd.DataFrame(index=stations.index)
    elif all(v.shape == (n,) for v in vendor_cols.values()):
        # one float block straight from a 2-D array
        vendor = pd.DataFrame(
            np.column_stack(list(vendor_cols.values())),
            index=pd.RangeIndex(n),
            columns=_column_index(tuple(vendor_cols)).copy(),
            copy=False,
        )
    else:
        vendor = pd.DataFrame(vendor_cols)
    return ParsedSurvey(
        format=fmt,
        source_name=name,
        header=header,
        stations=stations,
        vendor=vendor,
        raw_header=raw_header,
        raw_footer=raw_footer,
        findings=findings,
    )


@functools.lru_cache(maxsize=256)
def _column_index(names: tuple[str, ...]) -> pd.Index:
    return pd.Index(list(names))


def _vendor_at(vendor: dict[str, np.ndarray], col: str, i: int) -> float | None:
    if col in vendor:
        v = float(vendor[col][i])
        return None if math.isnan(v) else v
    return None


def surface_step(md: float, inc: float, azi: float) -> tuple[float, float, float]:
    """TVD, N, E of a station reached by minimum curvature from a vertical hole at MD 0."""
    i2, a2 = math.radians(inc), math.radians(azi)
    t1 = np.array([0.0, 0.0, 1.0])
    t2 = np.array([math.sin(i2) * math.cos(a2), math.sin(i2) * math.sin(a2), math.cos(i2)])
    beta = 2 * math.atan2(float(np.linalg.norm(t2 - t1)), float(np.linalg.norm(t2 + t1)))
    rf = 1 + beta * beta / 12 if beta < 1e-4 else math.tan(beta / 2) / (beta / 2)
    d = md / 2 * rf * (t1 + t2)
    return float(d[2]), float(d[0]), float(d[1])


def _resolve_tie_on(
    header: SurveyHeader,
    raw: RawSurvey,
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    vendor: dict[str, np.ndarray],
    findings: list[Finding],
) -> None:
    stated = header.extra.pop("tie_on_stated", None)
    if raw.tie_on is None and stated is not None:
        missing = [k for k in ("md", "inc", "azi", "tvd", "north", "east") if k not in stated]
        if missing:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "tie_on_incomplete",
                    f"the header states a tie-on without {', '.join(missing)}; it is not used",
                )
            )
        else:
            raw.tie_on = TieOn(**stated, assumed=False)
    if raw.tie_on is not None:
        header.tie_on = raw.tie_on
        return
    idx = raw.tie_index
    first_line = raw.lines[0] if raw.lines else None
    md0 = float(md[0])
    if idx is None and md0 == 0.0:
        idx = 0
    if idx is None and any(c in vendor for c in ("tvd", "north", "east")):
        inc0, azi0 = float(inc[0]), float(azi[0])
        tvd_s, n_s, e_s = surface_step(md0, inc0, azi0)
        tol = 0.05 + 2e-4 * abs(md0)
        given = (_vendor_at(vendor, "tvd", 0), _vendor_at(vendor, "north", 0))
        given += (_vendor_at(vendor, "east", 0),)
        if any(
            g is not None and abs(g - s) > tol
            for g, s in zip(given, (tvd_s, n_s, e_s), strict=True)
        ):
            idx = 0
            findings.append(
                Finding(
                    Severity.INFO,
                    "tie_on_first_station",
                    "the first station's printed TVD/N/E are not those of a vertical hole from "
                    "the surface: the first station is taken as the tie-on",
                    station=0,
                    line=first_line,
                )
            )
    if idx is None:
        header.tie_on = None
        findings.append(
            Finding(
                Severity.WARNING,
                "no_tie_on",
                "the file gives no tie-on: a vertical hole from MD 0 (TVD 0, N 0, E 0) down to "
                f"the first station at MD {md0:g} is assumed",
                station=0,
                line=first_line,
            )
        )
        return
    i = int(idx)
    md_i = float(md[i])
    tvd = _vendor_at(vendor, "tvd", i)
    north = _vendor_at(vendor, "north", i)
    east = _vendor_at(vendor, "east", i)
    header.tie_on = TieOn(
        md=md_i,
        inc=float(inc[i]),
        azi=float(azi[i]),
        tvd=tvd if tvd is not None else md_i,
        north=north if north is not None else 0.0,
        east=east if east is not None else 0.0,
        assumed=False,
    )
    if md_i != 0.0 and (tvd is None or north is None or east is None):
        findings.append(
            Finding(
                Severity.WARNING,
                "tie_on_position_missing",
                f"the tie-on row at MD {md_i:g} does not print TVD/N/E; the missing values are "
                "taken as TVD = MD, N = E = 0",
                station=i,
                line=raw.lines[i] if raw.lines else None,
            )
        )
