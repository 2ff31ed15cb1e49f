"""One grammar for the header of every text and spreadsheet survey file.

A header is a set of *statements*: a label, a value, and what is printed beside them. The
grammar reads them from prose lines and from spreadsheet cells alike:

- ``Key: value``, ``Key = value``, ``Key.....: value``, ``Key ....... value`` (dotted leaders),
  ``# Key: value`` comment rows;
- several statements on one line, separated by a gap of two or more spaces, a tab, ``;`` or
  ``|`` (side-by-side header blocks), or by one space before a label this module knows
  (``Well: X Units: feet``);
- label and value in cells of their own (``Depth units`` | ``m``; ``Magnetic Declination:`` |
  | ``-2.5°``), several pairs in one row, ``#`` | label | value rows;
- a unit beside the label (``Declination [deg]``, ``KB Elevation (m)``, ``Depth ft``) or after
  the value (``25.5 m``, ``2.35°``);
- a sign convention beside the label (``Magnetic dec (+E/W-)``, ``Convergence, West
  positive``) and hemisphere letters after or before the value (``2.5 W``);
- degree, minute and second signs (``2° 21' 30"``), DMS latitudes and longitudes.

Each statement of a field this module knows is either read whole or reported as a finding
``header_value_unreadable`` naming the line and the label; the field then stays unset. A number
is read with the file's decimal separator (:class:`~surveylab.parsers.numbers.DecimalStyle`),
decided once per file. Every statement is also kept in ``header.extra["fields"]`` as printed.
"""

from __future__ import annotations

import csv
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast

from surveylab.calc.errors import SurveyInputError
from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.models.survey import SurveyHeader
from surveylab.parsers.numbers import (
    AmbiguousDecimal,
    DecimalStyle,
    parse_angle,
    parse_latlon,
    parse_number,
    parse_quantity,
)
from surveylab.parsers.terms import (
    angle_unit_from_text,
    depth_unit_from_text,
    fold,
    method_from_text,
    normalise_date,
    north_reference_from_text,
)
from surveylab.units import UnitError
from surveylab.units.sensors import (
    GravityUnit,
    MagneticUnit,
    gravity_to_g,
    magnetic_to_nt,
    parse_gravity_unit,
    parse_magnetic_unit,
)

__all__ = [
    "FIELD_LABELS",
    "Statement",
    "apply_statements",
    "field_of",
    "numeric_values",
    "statements_from_cells",
    "statements_from_lines",
]


@dataclass(slots=True)
class Statement:
    """One ``label: value`` statement of a header, with what was printed beside it.

    Attributes
    ----------
    label : str
        The label as printed, without its unit and sign convention [-].
    value : str
        The value as printed [-].
    line : int or None
        1-based line (text) or row (spreadsheet) [-].
    unit : str or None
        Unit printed beside the label (``deg`` of ``Declination [deg]``) [-].
    convention : int or None
        +1 when the label says east (or north) is positive, -1 when west is [-].
    """

    label: str
    value: str
    line: int | None = None
    unit: str | None = None
    convention: int | None = None


# --------------------------------------------------------------------------------------------
# labels: the one table of header fields
# --------------------------------------------------------------------------------------------

#: Field -> labels that state it (folded: lower case, no accents). English, Norwegian,
#: Spanish, Portuguese and French where vendors print them.
FIELD_LABELS: dict[str, tuple[str, ...]] = {
    "well_name": (
        "well",
        "well name",
        "wellname",
        "well id",
        "well no",
        "well number",
        "bronn",
        "bronnnavn",
        "pozo",
        "nombre del pozo",
        "poco",
        "nome do poco",
        "puits",
        "nom du puits",
    ),
    "wellbore_name": (
        "wellbore",
        "wellpath",
        "borehole",
        "wellbore name",
        "hole",
        "bronnbane",
        "sidetrack",
    ),
    "run_name": (
        "run",
        "run name",
        "run number",
        "run no",
        "survey name",
        "design",
        "definitive survey",
        "job",
        "job number",
        "survey program",
    ),
    "tool": ("tool", "survey tool", "tool type", "survey type", "survey tool type", "instrument"),
    "survey_date": (
        "survey date",
        "date",
        "survey date/time",
        "date of survey",
        "fecha",
        "data",
        "dato",
        "fecha del survey",
    ),
    "declination": (
        "declination",
        "magnetic declination",
        "mag dec",
        "mag declination",
        "mag decl",
        "magnetic dec",
        "magnetic decl",
        "decl",
        "dec",
        "declinacion",
        "declinacion magnetica",
        "declinacao",
        "declinacao magnetica",
        "declinaison",
        "declinaison magnetique",
        "deklinasjon",
        "misvisning",
    ),
    "grid_convergence": (
        "grid convergence",
        "convergence",
        "grid convergence angle",
        "grid conv",
        "conv",
        "meridian convergence",
        "convergencia",
        "convergencia de cuadricula",
        "convergencia meridiana",
        "convergence des meridiens",
        "konvergens",
        "meridiankonvergens",
    ),
    "total_correction": (
        "total correction",
        "total corr",
        "total azimuth correction",
        "total corr mag north -> grid north",
        "total corr mag north > grid north",
        "azm total corr",
        "total magnetic correction",
        "correccion total",
        "correcao total",
        "correction totale",
    ),
    "scale_factor": (
        "grid scale factor",
        "scale factor",
        "combined scale factor",
        "csf",
        "factor de escala",
        "facteur d'echelle",
    ),
    "azimuth_reference": (
        "north ref",
        "north reference",
        "azimuth ref",
        "azimuth reference",
        "azimuth north",
        "azimuths",
        "reference north",
        "azimuth referenced to",
        "azimuths referenced to",
        "referencia norte",
        "norte de referencia",
        "referencia de norte",
        "referencia do norte",
        "reference nord",
        "nord de reference",
        "nordreferanse",
    ),
    "vs_azimuth": (
        "vsect direc",
        "vertical section azimuth",
        "vs azimuth",
        "vertical section direction",
        "vsect azimuth",
        "vs direction",
        "vertical section",
        "vs azi",
        "azimut de la seccion vertical",
        "azimute da secao vertical",
        "azimut de la section verticale",
    ),
    "calculation_method": (
        "calculation method",
        "survey / dls computation method",
        "method",
        "calc method",
        "survey calculation method",
        "metodo de calculo",
        "methode de calcul",
    ),
    "crs": (
        "crs",
        "coordinate reference system",
        "grid coordinate system",
        "coordinate system",
        "map system",
        "projection",
        "geodic datum",
        "geodetic datum",
        "map zone",
    ),
    "surface_x": (
        "easting",
        "well head x-coordinate",
        "surface x",
        "x",
        "slot easting",
        "map easting",
        "grid easting",
    ),
    "surface_y": (
        "northing",
        "well head y-coordinate",
        "surface y",
        "y",
        "slot northing",
        "map northing",
        "grid northing",
    ),
    "latitude": ("latitude", "lat", "latitud", "breddegrad", "surface latitude"),
    "longitude": ("longitude", "long", "lon", "longitud", "lengdegrad", "surface longitude"),
    "latlon": ("location lat/long", "lat/long", "lat/lon", "latitude/longitude"),
    "grid_ne": ("location grid n/e y/x",),
    "operator": ("operator", "company", "client", "operadora", "operateur", "compania"),
    "depth_unit": (
        "depth units",
        "depth unit",
        "units",
        "unit",
        "md units",
        "md unit",
        "length units",
        "distance units",
        "unidades",
        "unidad de profundidad",
        "unites",
        "enheter",
        "dybdeenhet",
    ),
    "angle_unit": ("angle unit", "angle units", "angular units"),
    "datum_elevation": (
        "kb elev",
        "kb elevation",
        "rkb elevation",
        "rkb",
        "df elevation",
        "rt elevation",
        "well datum",
        "datum elevation",
        "tvd reference elevation",
        "depth reference elevation",
        "elevation",
        "elevacion",
        "elevacao",
        "elevation du datum",
    ),
    "depth_datum": ("tvd reference datum", "depth reference", "depth datum", "datum"),
    "tie_md": ("tie-on md", "tie on md", "tie-in md", "tie md"),
    "tie_inc": ("tie-on inc", "tie on inc", "tie-in inc", "tie inc"),
    "tie_azi": ("tie-on azi", "tie on azi", "tie-in azi", "tie azi"),
    "tie_tvd": ("tie-on tvd", "tie on tvd", "tie-in tvd", "tie tvd"),
    "tie_north": ("tie-on north", "tie on north", "tie-in north", "tie north"),
    "tie_east": ("tie-on east", "tie on east", "tie-in east", "tie east"),
    # the reference field of raw-sensor QC (MWD): total field, dip, local gravity
    "ref_btotal": (
        "reference btotal",
        "ref btotal",
        "btotal",
        "b total",
        "btotal ref",
        "reference total field",
        "ref total field",
        "total field",
        "total magnetic field",
        "magnetic total field",
        "magnetic field",
        "magnetic field strength",
        "mag field",
        "mag field strength",
        "field strength",
        "total field strength",
        "reference magnetic field",
        "reference field strength",
        "campo magnetico total",
        "intensidade do campo magnetico",
        "champ magnetique total",
        "totalfelt",
    ),
    "ref_dip": (
        "reference dip",
        "ref dip",
        "dip",
        "dip ref",
        "dip angle",
        "reference dip angle",
        "mag dip",
        "magnetic dip",
        "magnetic dip angle",
        "mag dip angle",
        "inclinacion magnetica",
        "angulo de inclinacion magnetica",
        "inclinacao magnetica",
        "inclinaison magnetique",
        "inklinasjon magnetisk",
    ),
    "ref_gtotal": (
        "reference gtotal",
        "ref gtotal",
        "gtotal",
        "g total",
        "gtotal ref",
        "gravity total",
        "total gravity",
        "reference gravity",
        "local gravity",
        "gravity field",
        "gravity field strength",
        "total gravity field",
        "gravedad",
        "gravidade",
        "gravite",
    ),
    "uwi": ("uwi", "api", "uwi/api#", "api number"),
    "survey_time": ("time", "survey time", "hora", "heure"),
    "name": ("name",),
}

_LABEL_FIELD: dict[str, str] = {
    label: fld for fld, labels in FIELD_LABELS.items() for label in labels
}
_DATUM_OF_LABEL = {
    "kb elev": "KB",
    "kb elevation": "KB",
    "rkb elevation": "RKB",
    "rkb": "RKB",
    "df elevation": "DF",
    "rt elevation": "RT",
}
#: Labels short enough to be words of a value: split a value there only after a gap.
_WEAK_LABELS = frozenset(
    ("x", "y", "dec", "conv", "lat", "long", "lon", "run", "job", "tool", "hole", "name", "data")
)
_WEAK_LABELS |= frozenset(("unit", "method", "date", "well", "api", "time", "dip"))

# label parts in brackets: unit, sign convention, or part of the label
_BRACKET = re.compile(r"\s*[\[(]([^\])]{0,30})[\])]")
_CONVENTION = (
    (re.compile(r"^\+?\s*e\s*\+?\s*(?:/\s*w\s*-)?$|^\+e/-w$|^e\+/w-$"), 1),
    (re.compile(r"^\+?\s*w\s*\+?\s*(?:/\s*e\s*-)?$|^\+w/-e$|^w\+/e-$"), -1),
    (re.compile(r"^\+\s*(?:ve\s*)?e(?:ast)?$|^e(?:ast)?\s*(?:\+|positive|\+ve)$"), 1),
    (re.compile(r"^\+\s*(?:ve\s*)?w(?:est)?$|^w(?:est)?\s*(?:\+|positive|\+ve)$"), -1),
    (re.compile(r"^(?:positive|\+ve)\s*e(?:ast)?$|^w(?:est)?\s*(?:-|negative|-ve)$"), 1),
    (re.compile(r"^(?:positive|\+ve)\s*w(?:est)?$|^e(?:ast)?\s*(?:-|negative|-ve)$"), -1),
    (re.compile(r"^e(?:ast)? positive,? w(?:est)? negative$|^\+e$"), 1),
    (re.compile(r"^w(?:est)? positive,? e(?:ast)? negative$|^\+w$"), -1),
)
_CONVENTION_WORDS = re.compile(
    r"[,\s]+((?:east|west|e|w)\s+(?:positive|negative)(?:,?\s*(?:east|west|e|w)\s+"
    r"(?:positive|negative))?|(?:positive|\+ve)\s+(?:east|west))$"
)


def _fold_label(parts: list[str]) -> str:
    label = fold("".join(parts))
    label = re.sub(r"[#*:=]+|\.(?=[\s,;]|$)", " ", label).replace("_", " ")
    return re.sub(r"\s+", " ", label).strip(" .,-")


def _convention(text: str) -> int | None:
    t2 = fold(text).strip()
    if not re.search(r"[+-]|positive|negative", t2):
        return None  # a bare letter is a hemisphere or a word, not a sign convention
    t = t2.replace(" ", "").replace("ve", "ve ")
    for rx, sign in _CONVENTION:
        if rx.match(t) or rx.match(t2):
            return sign
    return None


def _is_unit(text: str) -> bool:
    t = text.strip()
    return bool(
        depth_unit_from_text(t)
        or angle_unit_from_text(t)
        or fold(t) in ("nt", "mg", "g", "gauss", "deg/100ft", "deg/30m", "%", "-")
        or _sensor_unit(t) is not None
    )


def _sensor_unit(text: str) -> GravityUnit | MagneticUnit | None:
    """The gravity or magnetic-field unit a text names (``uT``, ``m/s2``, ``mG``...), or None."""
    for parse in (parse_magnetic_unit, parse_gravity_unit):
        try:
            return parse(text)
        except UnitError:
            continue
    return None


@functools.lru_cache(maxsize=4096)
def split_label(raw: str) -> tuple[str, str | None, int | None]:
    """A printed label -> (folded label, unit, sign convention).

    ``Magnetic dec (+E/W-)`` -> ``("magnetic dec", None, 1)``; ``KB Elevation (m)`` ->
    ``("kb elevation", "m", None)``; ``Declination [deg]`` -> ``("declination", "deg", None)``.
    Brackets that are neither (``TVD Reference (RKB)``) stay part of the label.
    """
    text = raw.replace("\n", " ").strip()
    unit: str | None = None
    conv: int | None = None
    kept: list[str] = []
    outside: list[str] = []
    kept_words = False
    pos = 0
    for m in _BRACKET.finditer(text):
        inner = m.group(1).strip()
        kept.append(text[pos : m.start()])
        outside.append(text[pos : m.start()])
        pos = m.end()
        c = _convention(inner)
        if c is not None:
            conv = c
        elif inner and _is_unit(inner):
            unit = inner
        else:
            kept.append(" " + inner)
            kept_words = True
    kept.append(text[pos:])
    outside.append(text[pos:])
    tail = "".join(kept).rsplit(None, 1)
    if len(tail) == 2 and conv is None and _convention(tail[1]) is not None:
        conv = _convention(tail[1])  # a bare convention token: "Convergence E+/W-"
        kept = [tail[0]]
    label = _fold_label(kept)
    m2 = _CONVENTION_WORDS.search(label)
    if m2:
        c = _convention(m2.group(1).replace(",", ""))
        if c is None and "positive" in m2.group(1):
            c = 1 if m2.group(1).split()[0].startswith("e") else -1
        if c is not None:
            conv = c
            label = label[: m2.start()].strip(" .,-")
    if label not in _LABEL_FIELD and kept_words:
        bare = _fold_label(outside)
        if bare in _LABEL_FIELD:  # "WELL DATUM (KB, KB, from MSL)" states the well datum
            label = bare
    if label not in _LABEL_FIELD and " " in label:
        head, last = label.rsplit(" ", 1)
        if head in _LABEL_FIELD and _is_unit(last):
            label, unit = head, unit or last
    return label, unit, conv


def field_of(label: str) -> str | None:
    """The header field a printed label states, or None."""
    return _LABEL_FIELD.get(split_label(label)[0])


# --------------------------------------------------------------------------------------------
# statements from prose lines
# --------------------------------------------------------------------------------------------

_GAP = re.compile(r" {2,}|\t+|\s*[;|]\s*")
# a label and its separator at the start of a segment: "Key:", "Key =", "Key.....:", "Key ...."
_HEAD = re.compile(
    r"(?P<label>[^\W\d_#][^:=]{0,70}?)\s*(?:\.{2,}\s*[:=]?|\s\.+\s|[:=])\s*", re.UNICODE
)
_LABEL_LIKE = re.compile(r"[^\W\d_][\w\s()\[\]/+\-.,'#°º%&>]*", re.UNICODE)
# a known label inside a value: "X Units: feet" -> split before "Units"
_INNER = re.compile(r"(?<=\s)(?P<label>[^\W\d_][^\s:=]*(?:\s[^\s:=]+){0,4}?)\s*[:=]\s*")


def _known(label_text: str) -> bool:
    return split_label(label_text)[0] in _LABEL_FIELD


def _head(segment: str) -> tuple[str, str] | None:
    """(label, value) when the segment starts with a label and its separator."""
    m = _HEAD.match(segment)
    if m is None:
        return None
    label = m.group("label").strip()
    if not _LABEL_LIKE.fullmatch(label) or len(label.split()) > 8:
        return None
    return label, segment[m.end() :]


def _split_inner(label: str, value: str, line: int | None) -> list[tuple[str, str]]:
    """Split ``value`` before each label this module knows (``X Units: feet``)."""
    if ":" not in value and "=" not in value:
        return [(label, value)]
    out: list[tuple[str, str]] = []
    rest = value
    cur = label
    while True:
        found = None
        for m in _INNER.finditer(rest):
            words = m.group("label").split()
            # the longest run of words before the separator that is a known label
            for k in range(len(words)):
                cand = " ".join(words[k:])
                folded = split_label(cand)[0]
                if folded in _LABEL_FIELD and folded not in _WEAK_LABELS:
                    start = m.start("label") + len(" ".join(words[:k])) + (1 if k else 0)
                    found = (start, cand, m.end())
                    break
            if found:
                break
        if found is None:
            out.append((cur, rest))
            return out
        start, cand, end = found
        out.append((cur, rest[:start].rstrip()))
        cur, rest = cand, rest[end:]


def statements_from_lines(
    lines: Iterable[tuple[int | None, str]], *, delimiter: str | None = None
) -> list[Statement]:
    """Header statements of prose lines (1-based line numbers).

    Parameters
    ----------
    lines : iterable of (int or None, str)
        (line number, text) of the header lines [-].
    delimiter : str, optional
        The table's delimiter: lines holding it are read as cells as well [-].
    """
    out: list[Statement] = []
    for no, text in lines:
        s = text.strip().strip("\ufeff")
        if s.startswith('"') and s.endswith('"') and len(s) > 1:
            # a whole line quoted as one field, as a CSV writer quotes a header line that
            # holds the delimiter or a quote (RFC 4180, 2.6-2.7)
            cells = _split_cells(s, delimiter or ",")
            if len(cells) == 1:
                s = cells[0].strip()
        s = re.sub(r"^(?:#+|\*+|//|!|;)\s*", "", s)
        if not s:
            continue
        if delimiter is not None and delimiter in s and delimiter not in (" ", "\t"):
            cells = _split_cells(s, delimiter)
            filled = [c.strip() for c in cells if c.strip()]
            if not filled:
                continue
            kv = [c for c in filled if (h := _head(c)) is not None and h[1].strip()]
            labels = [c for c in filled if _is_label_cell(c)]
            if len(filled) > 1 and not (len(kv) == 1 and filled[0] == kv[0] and not labels):
                out.extend(statements_from_cells([(no, cells)], delimiter=delimiter))
                continue
            # one "key: value" statement whose value the delimiter may have cut
            s = s.strip().rstrip(delimiter + " \t")
            s = re.sub(r"^(?:#+|\*+|//|!|;)\s*", "", s.lstrip(delimiter + " \t"))
        out.extend(_line_statements(no, s))
    return out


def _split_cells(s: str, delimiter: str) -> list[str]:
    if '"' in s:
        try:
            return next(csv.reader([s], delimiter=delimiter))
        except (csv.Error, StopIteration):
            pass
    return s.split(delimiter)


_SEP_START = re.compile(r"^(?:\.{2,}\s*[:=]?|[:=])\s*")


def _line_statements(no: int | None, s: str) -> list[Statement]:
    # segments between gaps, each with the gap printed before it (joined back into values)
    parts = re.split(f"({_GAP.pattern})", s)
    segs: list[str] = []
    gaps: list[str] = []
    gap = ""
    for k, part in enumerate(parts):
        if k % 2:
            gap += part
        elif part.strip():
            segs.append(part.strip())
            gaps.append(gap)
            gap = ""
    if (
        len(segs) == 2
        and _head(segs[0]) is None
        and not _SEP_START.match(segs[1])
        and _head(segs[1]) is None
        and _LABEL_LIKE.fullmatch(segs[0])
        and _known(segs[0])
    ):
        pairs = [[segs[0], segs[1]]]  # a known label, a gap, its value
    else:
        pairs = []
        pending: str | None = None
        for i, seg in enumerate(segs):
            if pending is not None and _SEP_START.match(seg):
                pairs.append([pending, _SEP_START.sub("", seg)])
                pending = None
                continue
            pending = None
            head = _head(seg)
            if head is not None:
                pairs.append([head[0], head[1]])
                continue
            nxt = segs[i + 1] if i + 1 < len(segs) else ""
            if _LABEL_LIKE.fullmatch(seg) and _SEP_START.match(nxt):
                pending = seg
                continue
            if pairs:
                sep = gaps[i] if gaps[i].strip() else "  "
                pairs[-1][1] = (pairs[-1][1] + sep + seg).strip()
    out: list[Statement] = []
    for label, value in pairs:
        for lab, val in _split_inner(label, value, no):
            name, unit, conv = split_label(lab)
            if not name:
                continue
            out.append(Statement(lab.strip(), val.strip(), no, unit, conv))
    return out


# --------------------------------------------------------------------------------------------
# statements from spreadsheet cells
# --------------------------------------------------------------------------------------------


def _is_label_cell(c: str) -> bool:
    t = c.strip()
    if t.endswith((":", "=")) and len(t) > 1:
        return _LABEL_LIKE.fullmatch(t.rstrip(":= .")) is not None
    return _LABEL_LIKE.fullmatch(t) is not None and _known(t)


def statements_from_cells(
    rows: Iterable[tuple[int | None, list[str]]], *, delimiter: str | None = None
) -> list[Statement]:
    """Header statements of rows of cells (spreadsheets, or delimited header lines).

    A label cell (a label this module knows, or any text ending with ``:``) takes the next
    non-empty cell as its value unless that is a label cell too; a cell holding ``key: value``
    (one statement or several, as on a prose line) stands on its own; ``#`` | label | value
    rows are statements. A value that the delimiter split (``2`` | ``35°`` of
    ``Declination: 2,35°`` in a comma-delimited line) is joined again, so that it is read whole
    or not at all.
    """
    out: list[Statement] = []
    for no, cells in rows:
        vals = [c.strip() for c in cells]
        nonempty = [c for c in vals if c]
        if not nonempty:
            continue
        if nonempty[0] in ("#", "*") and len(nonempty) >= 3:
            name, unit, conv = split_label(nonempty[1])
            if name:
                value = _join_split_number(nonempty[2], nonempty[3:], delimiter)
                out.append(Statement(nonempty[1], value, no, unit, conv))
            continue
        k = 0
        n = len(vals)
        while k < n:
            c = vals[k]
            if not c:
                k += 1
                continue
            head = _head(c)
            if head is not None and head[1].strip():
                found = _line_statements(no, c)
                if found:
                    rest, k2 = _following(vals, k + 1)
                    last = found[-1]
                    joined = _join_split_number(last.value, rest, delimiter)
                    if joined != last.value:
                        last.value = joined
                        k = k2
                    else:
                        k += 1
                    out.extend(found)
                    continue
            if _is_label_cell(c):
                j = k + 1
                while j < n and not vals[j]:
                    j += 1
                label = c.rstrip(":= .").strip() if c.endswith((":", "=")) else c
                if j < n and not _is_label_cell(vals[j]):
                    rest, k2 = _following(vals, j + 1)
                    value = _join_split_number(vals[j], rest, delimiter)
                    name, unit, conv = split_label(label)
                    if name:
                        out.append(Statement(label, value, no, unit, conv))
                    k = k2 if value != vals[j] else j + 1
                    continue
                k = j
                continue
            k += 1
    return out


def _following(vals: list[str], j: int) -> tuple[list[str], int]:
    """The non-empty cells right after ``j`` up to the next empty or label cell."""
    rest: list[str] = []
    while j < len(vals) and vals[j] and not _is_label_cell(vals[j]):
        rest.append(vals[j])
        j += 1
    return rest, j


def _join_split_number(value: str, rest: list[str], delimiter: str | None) -> str:
    """``"2"`` + ``["35°"]`` -> ``"2,35°"`` when a comma delimiter cut a number in two."""
    if delimiter != "," or not rest or not value or not value[-1].isdigit():
        return value
    if not rest[0][:1].isdigit():
        return value
    return value + "," + rest[0]


# --------------------------------------------------------------------------------------------
# statements -> header fields
# --------------------------------------------------------------------------------------------

_ANGLE_FIELDS = ("declination", "grid_convergence", "total_correction", "vs_azimuth")
_NUMERIC_FIELDS = frozenset(
    (
        *_ANGLE_FIELDS,
        "scale_factor",
        "surface_x",
        "surface_y",
        "latitude",
        "longitude",
        "latlon",
        "grid_ne",
        "datum_elevation",
        "tie_md",
        "tie_inc",
        "tie_azi",
        "tie_tvd",
        "tie_north",
        "tie_east",
        "ref_btotal",
        "ref_dip",
        "ref_gtotal",
    )
)
_TEXT_FIELDS = {
    "well_name": "well_name",
    "wellbore_name": "wellbore_name",
    "run_name": "run_name",
    "tool": "tool",
    "operator": "operator",
    "depth_datum": "depth_datum",
}
_TIE = {
    "tie_md": "md",
    "tie_inc": "inc",
    "tie_azi": "azi",
    "tie_tvd": "tvd",
    "tie_north": "north",
    "tie_east": "east",
}
_ELEVATION_TAIL = re.compile(
    r"^(?P<q>.*?)\s+(?P<rel>above|relative to|over|below|amsl|asl|msl)\b(?P<rest>.*)$", re.I
)
_NOTE = re.compile(r"^(?P<v>.*?)\s*\((?P<note>[^()]*[A-Za-z][^()]*)\)\s*$")


def numeric_values(statements: Iterable[Statement]) -> list[str]:
    """Values of the statements that hold numbers (evidence of the file's decimal separator)."""
    out = []
    for s in statements:
        fld = _LABEL_FIELD.get(split_label(s.label)[0])
        if fld in _NUMERIC_FIELDS:
            out.append(s.value)
    return out


class _Unreadable(ValueError):
    """A header value that is not wholly understood: the reason in plain words."""


def apply_statements(
    header: SurveyHeader,
    statements: list[Statement],
    style: DecimalStyle,
    findings: list[Finding],
) -> None:
    """Set header fields from statements (the first statement of a field wins).

    A value of a known field that is not wholly understood adds a ``header_value_unreadable``
    warning naming the line and the label, and leaves the field unset; a later statement of
    the same field with another value adds a ``header_value_conflict`` warning. Every statement
    is also kept in ``header.extra["fields"]`` as printed.

    Parameters
    ----------
    header : SurveyHeader
        Filled in place [-].
    statements : list of Statement
        The header statements, in file order [-].
    style : DecimalStyle
        The file's decimal separator [-].
    findings : list of Finding
        Appended to [-].
    """
    fields: dict[str, str] = header.extra.setdefault("fields", {})
    stated: dict[str, tuple[object, Statement]] = {}
    crs_parts: list[str] = []
    names_well = any(
        _LABEL_FIELD.get(split_label(s.label)[0]) in ("well_name", "name") for s in statements
    )
    for st in statements:
        name, _unit, _conv = split_label(st.label)
        value = st.value.strip().strip(",").strip()
        if not name or not value:
            continue
        fields.setdefault(st.label.strip(), value)
        fld = _LABEL_FIELD.get(name)
        if fld is None:
            continue
        try:
            parsed = _interpret(fld, name, st, value, style)
        except _Unreadable as exc:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "header_value_unreadable",
                    f"line {st.line}, {st.label.strip()!r}: {exc}; "
                    f"{_FIELD_WORDS.get(fld, fld.replace('_', ' '))} left unset",
                    line=st.line,
                    field=st.label.strip(),
                )
                if st.line is not None
                else Finding(
                    Severity.WARNING,
                    "header_value_unreadable",
                    f"{st.label.strip()!r}: {exc}; "
                    f"{_FIELD_WORDS.get(fld, fld.replace('_', ' '))} left unset",
                    field=st.label.strip(),
                )
            )
            continue
        if fld == "crs":
            crs_parts.append(str(parsed))
            continue
        if fld == "uwi":
            header.extra.setdefault("uwi", value)
            if header.well_name is None and not names_well:
                header.well_name = value
            continue
        if fld == "survey_time":
            header.extra.setdefault("survey_time", value)
            continue
        if fld == "name":
            fld = "well_name"
        if fld in stated:
            prev, prev_st = stated[fld]
            if prev != parsed:
                findings.append(
                    Finding(
                        Severity.WARNING,
                        "header_value_conflict",
                        f"line {st.line}, {st.label.strip()!r} says {value!r} but line "
                        f"{prev_st.line}, {prev_st.label.strip()!r} said {prev_st.value!r}; "
                        "the first is used",
                        line=st.line,
                        field=st.label.strip(),
                    )
                )
            continue
        stated[fld] = (parsed, st)
        _set(header, fld, name, st, parsed)
    if crs_parts and header.crs is None:
        header.crs = "; ".join(dict.fromkeys(crs_parts))


_FIELD_WORDS = {
    "depth_unit": "depth unit",
    "azimuth_reference": "north reference",
    "grid_convergence": "grid convergence",
    "vs_azimuth": "vertical-section azimuth",
    "datum_elevation": "datum elevation",
    "surface_x": "surface easting",
    "surface_y": "surface northing",
}


def _set(header: SurveyHeader, fld: str, name: str, st: Statement, parsed: object) -> None:
    label = st.label.strip()
    if fld in _TEXT_FIELDS:
        setattr(header, _TEXT_FIELDS[fld], parsed)
    elif fld == "survey_date":
        header.survey_date = str(parsed)
    elif fld == "declination":
        angle, note = cast(tuple[float, str | None], parsed)
        header.declination = angle
        header.declination_source = f"file header '{label}'" + (f" ({note})" if note else "")
    elif fld == "grid_convergence":
        angle, note = cast(tuple[float, str | None], parsed)
        header.grid_convergence = angle
        header.convergence_source = f"file header '{label}'" + (f" ({note})" if note else "")
    elif fld == "total_correction":
        header.total_correction = cast(tuple[float, str | None], parsed)[0]
    elif fld == "vs_azimuth":
        header.vs_azimuth = cast(tuple[float, str | None], parsed)[0]
    elif fld == "scale_factor":
        header.scale_factor = cast(float, parsed)
    elif fld == "azimuth_reference":
        header.azimuth_reference = cast(NorthReference, parsed)
    elif fld == "calculation_method":
        header.calculation_method = cast(str, parsed)
    elif fld == "surface_x":
        header.surface_x = cast(float, parsed)
    elif fld == "surface_y":
        header.surface_y = cast(float, parsed)
    elif fld in ("latitude", "longitude"):
        header.extra[fld] = parsed
    elif fld == "latlon":
        header.extra["latitude"], header.extra["longitude"] = cast(tuple[float, float], parsed)
    elif fld == "grid_ne":
        if header.surface_x is None and header.surface_y is None:
            header.surface_y, header.surface_x = cast(tuple[float, float], parsed)
    elif fld == "depth_unit":
        header.depth_unit = cast(DepthUnit, parsed)
    elif fld == "angle_unit":
        header.angle_unit = cast(str, parsed)
    elif fld == "datum_elevation":
        elevation, unit = cast(tuple[float, str | None], parsed)
        header.datum_elevation = elevation
        if header.depth_datum is None:
            datum = _DATUM_OF_LABEL.get(name)
            if datum is None:
                m = re.search(r"\(([A-Za-z]{2,4})\b", label)
                datum = m.group(1).upper() if m else None
            header.depth_datum = datum
        if unit:
            header.extra.setdefault("datum_elevation_unit", unit)
    elif fld in _TIE:
        header.extra.setdefault("tie_on_stated", {})[_TIE[fld]] = parsed
    elif fld in _REFERENCE:
        value, note = cast(tuple[float, str | None], parsed)
        setattr(header, _REFERENCE[fld], value)
        header.extra.setdefault("reference_field_labels", {})[_REFERENCE[fld]] = label
        if note:
            header.extra.setdefault("reference_field_notes", []).append(
                f"line {st.line}, {label!r}: {note}"
                if st.line is not None
                else f"{label!r}: {note}"
            )


#: Reference-field header fields -> SurveyHeader attributes.
_REFERENCE = {"ref_btotal": "ref_btotal_nt", "ref_dip": "ref_dip_deg", "ref_gtotal": "ref_gtotal_g"}


def _interpret(fld: str, name: str, st: Statement, value: str, style: DecimalStyle) -> object:
    """The value of a field, read whole; :class:`_Unreadable` names what is not understood."""
    if fld in _TEXT_FIELDS or fld in ("uwi", "name", "survey_time"):
        return value
    if fld == "crs":
        return value
    if fld == "survey_date":
        return normalise_date(value)
    if fld == "calculation_method":
        return method_from_text(value) or value
    if fld == "azimuth_reference":
        ref = north_reference_from_text(value)
        if ref is None:
            raise _Unreadable(f"{value!r} does not name one of true, grid or magnetic north")
        return ref
    if fld == "depth_unit":
        return _depth_unit(value)
    if fld == "angle_unit":
        au = angle_unit_from_text(value)
        if au is None:
            raise _Unreadable(f"{value!r} is not an angle unit")
        return au
    if fld in _ANGLE_FIELDS:
        return _angle_field(fld, st, value, style)
    if fld == "scale_factor":
        v = _number(value, style, "a scale factor")
        if not 0.5 < v < 1.5:
            raise _Unreadable(f"{value!r} is not a plausible scale factor")
        return v
    if fld in ("surface_x", "surface_y"):
        return _coordinate(value, style, st.unit)
    if fld in ("latitude", "longitude"):
        try:
            return parse_latlon(value, style, "lat" if fld == "latitude" else "lon")
        except AmbiguousDecimal:
            raise _Unreadable(_ambiguous(value, style)) from None
        except ValueError:
            raise _Unreadable(f"cannot read {value!r} as a {fld}") from None
    if fld == "latlon":
        parts = [p for p in re.split(r"\s*[;/]\s*|,\s+", value) if p.strip()]
        if len(parts) != 2:
            raise _Unreadable(f"cannot read {value!r} as a latitude and a longitude")
        try:
            return parse_latlon(parts[0], style, "lat"), parse_latlon(parts[1], style, "lon")
        except ValueError:
            raise _Unreadable(f"cannot read {value!r} as a latitude and a longitude") from None
    if fld == "grid_ne":
        mn = re.search(r"N\s*([-\d.,]+)", value)
        me = re.search(r"E\s*([-\d.,]+)", value)
        if not (mn and me):
            raise _Unreadable(f"cannot read {value!r} as grid northing and easting")
        return _coordinate(mn.group(1), style, None), _coordinate(me.group(1), style, None)
    if fld == "datum_elevation":
        return _elevation(value, style, st.unit)
    if fld in _TIE:
        if fld in ("tie_inc", "tie_azi"):
            return _angle_value(value, style, st, allow_hemisphere=False)[0]
        return _length(value, style, st.unit)[0]
    if fld == "ref_dip":
        dip, _ = _angle_value(value, style, st, allow_hemisphere=False)
        if not -90.0 <= dip <= 90.0:
            raise _Unreadable(f"{value!r} is not a magnetic dip (-90 to 90 degrees)")
        return dip, None
    if fld in ("ref_btotal", "ref_gtotal"):
        return _field_strength(fld, value, style, st.unit)
    raise _Unreadable(f"no reader for {fld}")  # pragma: no cover - every field has one


def _ambiguous(value: str, style: DecimalStyle) -> str:
    return (
        f"{value!r} could be read with a decimal comma or a decimal point and the file "
        f"does not show which ({style.evidence})"
    )


def _number(value: str, style: DecimalStyle, what: str) -> float:
    try:
        v = parse_number(value, comma_decimal=style)
    except AmbiguousDecimal:
        raise _Unreadable(_ambiguous(value, style)) from None
    except ValueError:
        raise _Unreadable(_not_a(value, what, style)) from None
    if v is None:
        raise _Unreadable("empty value")
    return v


def _not_a(value: str, what: str, style: DecimalStyle) -> str:
    other = "," if style.decimal == "." else "."
    if re.search(rf"\d\{other}\d", value) and style.decided:
        return (
            f"cannot read {value!r} as {what}: the file's numbers use a decimal "
            f"{'point' if style.decimal == '.' else 'comma'} ({style.evidence})"
        )
    return f"cannot read {value!r} as {what}"


def _angle_field(
    fld: str, st: Statement, value: str, style: DecimalStyle
) -> tuple[float, str | None]:
    note = None
    m = _NOTE.match(value)
    if m and fld in ("declination", "grid_convergence"):
        inner = m.group("note").strip()
        if _convention(inner) is None and fold(inner) not in ("e", "w", "east", "west"):
            value, note = m.group("v"), inner
    v, _ = _angle_value(value, style, st, allow_hemisphere=fld != "vs_azimuth")
    limit = 360.0 if fld == "vs_azimuth" else 180.0
    if not -limit <= v <= limit:
        raise _Unreadable(f"{value!r} is not a plausible angle")
    return v, note


def _angle_value(
    value: str, style: DecimalStyle, st: Statement, *, allow_hemisphere: bool
) -> tuple[float, bool]:
    """An angle [deg] with the label's unit, sign convention and the value's hemisphere."""
    text = value
    m = _NOTE.match(text)
    if m and fold(m.group("note").strip()) in ("e", "w", "east", "west"):
        text = m.group("v") + " " + m.group("note")
    try:
        a = parse_angle(text, style)
    except AmbiguousDecimal:
        raise _Unreadable(_ambiguous(value, style)) from None
    except ValueError:
        raise _Unreadable(_not_a(value, "an angle", style)) from None
    unit = angle_unit_from_text(st.unit) if st.unit else None
    if st.unit and unit is None:
        raise _Unreadable(f"{st.unit!r} beside the label is not an angle unit")
    v = a.value
    if unit == "rad" and not a.dms:
        v = v * 180.0 / 3.141592653589793
    if a.hemisphere is not None:
        if not allow_hemisphere or a.hemisphere not in "EW":
            raise _Unreadable(f"{value!r}: the letter {a.hemisphere} does not belong here")
        if v < 0:
            raise _Unreadable(f"{value!r} has both a sign and a hemisphere letter")
        return (-v if a.hemisphere == "W" else v), True
    if st.convention is not None:
        v = v * st.convention
    return v, False


def _field_strength(
    fld: str, value: str, style: DecimalStyle, label_unit: str | None
) -> tuple[float, str | None]:
    """A reference total field [nT] or gravity [g] with the unit after the value or beside
    the label; without either, the unit inferred from the magnitude (returned as a note)."""
    magnetic = fld == "ref_btotal"
    try:
        v, unit = parse_quantity(value, style)
    except AmbiguousDecimal:
        raise _Unreadable(_ambiguous(value, style)) from None
    except ValueError:
        raise _Unreadable(_not_a(value, "a field strength", style)) from None
    unit = unit or label_unit
    what = "magnetic-field" if magnetic else "gravity"
    note = None
    try:
        if unit is None:
            # only here: the QC module's import is not paid by every file read
            from surveylab.calc.qc import infer_gravity_unit, infer_magnetic_unit

            inferred = infer_magnetic_unit([v]) if magnetic else infer_gravity_unit([v])
            unit = str(inferred)
            note = f"no unit stated: {unit} inferred from the magnitude {v:g}"
        if magnetic:
            return float(magnetic_to_nt(v, parse_magnetic_unit(unit))), note
        return float(gravity_to_g(v, parse_gravity_unit(unit))), note
    except (UnitError, SurveyInputError):
        raise _Unreadable(f"{value!r} is not a {what} strength with a known unit") from None


def _depth_unit(value: str) -> DepthUnit:
    du = depth_unit_from_text(value)
    if du is not None:
        return du
    t = fold(value)
    if t in ("metric", "metrico", "metrique", "si"):
        return DepthUnit.M
    words = [w for w in re.split(r"[\s,/;]+|\band\b", t) if w]
    units = {depth_unit_from_text(w) for w in words if depth_unit_from_text(w)}
    others = [w for w in words if not depth_unit_from_text(w) and not angle_unit_from_text(w)]
    if len(units) == 1 and not others:
        return units.pop()  # type: ignore[return-value]
    raw_units = depth_unit_from_text(" ".join(words))
    if raw_units is not None:
        return raw_units
    raise _Unreadable(f"{value!r} is not a depth unit (m, ft or US ft)")


def _length(value: str, style: DecimalStyle, label_unit: str | None) -> tuple[float, str | None]:
    try:
        v, unit = parse_quantity(value, style)
    except AmbiguousDecimal:
        raise _Unreadable(_ambiguous(value, style)) from None
    except ValueError:
        raise _Unreadable(_not_a(value, "a length", style)) from None
    if unit is not None and depth_unit_from_text(unit) is None:
        raise _Unreadable(f"{unit!r} after {value!r} is not a length unit")
    if unit and label_unit and depth_unit_from_text(unit) != depth_unit_from_text(label_unit):
        raise _Unreadable(f"{value!r} and the label's unit {label_unit!r} disagree")
    return v, unit or label_unit


def _elevation(value: str, style: DecimalStyle, label_unit: str | None) -> tuple[float, str | None]:
    m = _ELEVATION_TAIL.match(value)
    sign = 1.0
    if m and m.group("q").strip():
        rest = m.group("rest").strip()
        rel = m.group("rel").lower()
        if rel in ("amsl", "asl", "msl") and rest:
            raise _Unreadable(f"cannot read {value!r} as an elevation")
        if rel == "below":
            sign = -1.0
        value = m.group("q")
    v, unit = _length(value, style, label_unit)
    return sign * v, unit


def _coordinate(value: str, style: DecimalStyle, label_unit: str | None) -> float:
    text = value.strip()
    m = re.fullmatch(r"(?P<h>[NSEW])\s*(?P<v>.+)", text)
    if m:
        text = m.group("v") + m.group("h")
    try:
        v = parse_number(text, comma_decimal=style, grouping=True)
        if v is None:
            raise ValueError(text)
        return v
    except AmbiguousDecimal:
        raise _Unreadable(_ambiguous(value, style)) from None
    except ValueError:
        pass
    try:
        v, _unit = _length(text, style, label_unit)
    except _Unreadable:
        raise _Unreadable(_not_a(value, "a coordinate", style)) from None
    return v


#: Reads header fields; exposed for tests of single values.
Interpreter = Callable[[str, str, Statement, str, DecimalStyle], object]
interpret_value: Interpreter = _interpret


def known_north_reference(header: SurveyHeader) -> bool:
    """Whether the header names the north reference of its azimuths."""
    return header.azimuth_reference is not NorthReference.UNKNOWN
