"""IOGP P7/17 wellbore positioning files, read by the format definition (IOGP Report 483-7).

Records used (fields counted from 1 as in the format definition):

- ``HC,1,1,0`` Unit of Measure: 6 UNITREF, 7 name, 8 abbreviation, 10 EPSG code,
  11-14 conversion factors A, B, C, D (base unit = (A + B x) / (C + D x)).
- ``HC,1,3,0`` CRS: 6 CRSREF, 7 EPSG code, 8 name. ``HC,1,6,1`` coordinate system axis:
  6 CRSREF, 9 axis name, 12 UNITREF, 13 unit abbreviation.
- ``H7,1,2,0`` well, ``H7,1,3,0`` wellbore, ``H7,1,4,0`` rig / zero-depth point,
  ``H7,1,5,0`` survey definition (6 SURVEYREF, 9 name, 10 tool type, 17 MD unit name, 18 start
  date), ``H7,1,5,1`` survey details (6 SURVEYREF, 7 MD UNITREF, 14 azimuth type name such as
  ``AZ_GRID``, 17/18 convergence applied flag and value, 19/20 declination applied flag and
  value), ``H7,1,5,2`` operator, ``H7,5,0,0`` P7 table definition (9 calculation method).
- ``O7`` position records of the WRP and ZDP.
- ``P7`` data records: 4 SURVEYREF, 8 position-object type (``TP`` tie-in, ``BHL``...),
  9 status (0 surveyed but not used, 1 surveyed, 6 projected, ...), 11-13 MD, INC, AZ,
  14-16 local n, e and TVD below the ZDP.

Unit references are file-local: what a UNITREF number means comes from the file's own unit
records, its CRS axis records, or the unit the survey definition names for the survey's MD
(``...,50.00,10950.00,ft,...``); only a reference the file leaves undefined is read by the
format's own table of units. A status-0 record is kept with ``used = False``: where a gyro and
an MWD survey overlap, the use flag says which record at one MD counts.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field

from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import RawSurvey, build_survey
from surveylab.parsers._errors import Problem, ProblemLog, SurveyFileError
from surveylab.parsers.numbers import parse_number
from surveylab.parsers.terms import depth_unit_from_text
from surveylab.parsers.text import decode_text, split_lines
from surveylab.units import to_metres

#: Units of the format's own table of unit references (used only for references the file
#: does not define): length units and the two angle units.
FORMAT_UNITREF: dict[int, str] = {1: "m", 2: "rad", 3: "deg", 11: "ft", 12: "ftUS"}
_TO_M = {u: float(to_metres(1.0, u)) for u in DepthUnit}
_STATUS_PROJECTED = {6}
_STATUS_NOT_USED = {0}
_RECORDS = {"IOGP", "HC", "CC", "C7", "H7", "O7", "P7", "M7", "G7"}
_EPSG_UNITS = {9001: "m", 9002: "ft", 9003: "ftUS", 9101: "rad", 9102: "deg", 9122: "deg"}
_AZ_REFS = {
    "AZ_TRUE": NorthReference.TRUE,
    "AZ_GRID": NorthReference.GRID,
    "AZ_MAGN": NorthReference.MAGNETIC,
}


@dataclass(slots=True)
class _Unit:
    """What one UNITREF means in this file, and where the file said so."""

    unit: str  # "m", "ft", "ftUS", "deg", "rad" or the name as printed
    source: str


@dataclass(slots=True)
class _Survey:
    ref: str
    name: str | None = None
    tool: str | None = None
    md_unit_name: str | None = None
    md_unit_line: int | None = None
    date: str | None = None
    md_unitref: int | None = None
    details_line: int | None = None
    azimuth_reference: NorthReference = NorthReference.UNKNOWN
    convergence: float | None = None
    declination: float | None = None
    stations: int = 0
    extra: dict[str, object] = field(default_factory=dict)


def _length(name: str | None) -> DepthUnit | None:
    if not name:
        return None
    return depth_unit_from_text(name)


def _unit_record(f: list[str], lineno: int) -> _Unit | None:
    """An ``HC,1,1,0`` Unit of Measure record: the unit by EPSG code, name or factor."""
    name = f[6] if len(f) > 6 else ""
    abbrev = f[7] if len(f) > 7 else ""
    try:
        epsg = int(f[9]) if len(f) > 9 and f[9] else None
    except ValueError:
        epsg = None
    where = f"unit record at line {lineno}"
    if epsg in _EPSG_UNITS:
        return _Unit(_EPSG_UNITS[epsg], where)
    for text in (abbrev, name):
        du = _length(text)
        if du is not None:
            return _Unit({"m": "m", "ft": "ft", "usft": "ftUS"}[du.value], where)
        t = text.strip().lower()
        if t in ("deg", "degree", "degrees"):
            return _Unit("deg", where)
        if t in ("rad", "radian", "radians"):
            return _Unit("rad", where)
    try:
        b = float(f[11]) if len(f) > 11 and f[11] else None
        c = float(f[12]) if len(f) > 12 and f[12] else None
    except ValueError:
        b = c = None
    if b is not None and c:
        metres = b / c
        for unit, per in (("m", 1.0), ("ft", 0.3048), ("ftUS", 1200 / 3937)):
            if abs(metres - per) < 1e-9 * per:
                return _Unit(unit, where)
    return _Unit(abbrev or name or "?", where) if (abbrev or name) else None


def read_p717(data: bytes, name: str) -> ParsedSurvey:
    """Read an IOGP P7/17 file.

    Parameters
    ----------
    data : bytes
        File content [-].
    name : str
        File name used in messages [-].
    """
    text = decode_text(data, name)
    header = SurveyHeader()
    findings: list[Finding] = []
    raw = RawSurvey()
    cols: tuple[list[float], list[float], list[float]] = ([], [], [])
    flags: tuple[list[bool], list[bool]] = ([], [])
    units: dict[int, _Unit] = {}
    crs: dict[str, str] = {}
    axes: dict[str, list[tuple[str, int | None]]] = {}
    surveys: dict[str, _Survey] = {}
    head_lines: list[str] = []
    vendor: dict[str, list[float]] = {}
    station_survey: list[str] = []
    not_records: list[int] = []
    bad_stations = ProblemLog()
    for lineno, line in enumerate(split_lines(text), start=1):
        s = line.strip()
        if not s:
            continue
        try:
            f = [c.strip() for c in next(csv.reader([s]))]
        except (csv.Error, StopIteration):
            raise SurveyFileError(name, "unreadable record", line=lineno) from None
        rec = f[0].upper() if f else ""
        if rec not in _RECORDS:
            not_records.append(lineno)
            continue
        if rec != "P7":
            head_lines.append(s)
        key = tuple(f[1:4])
        if rec == "HC" and key == ("1", "1", "0") and len(f) > 6:
            ref = _int(f[5], name, lineno, "Unit of Measure UNITREF")
            unit = _unit_record(f, lineno)
            if ref is not None and unit is not None:
                _define(units, ref, unit, name, lineno)
        elif rec == "HC" and key == ("1", "3", "0") and len(f) > 7:
            crs[f[5]] = f"EPSG:{f[6]} {f[7]}".strip()
        elif rec == "HC" and key == ("1", "6", "1") and len(f) > 9:
            ref = None
            if len(f) > 11:
                ref = _int(f[11], name, lineno, "Coordinate System Axis UNITREF")
            axes.setdefault(f[5], []).append((f[8].lower(), ref))
            if ref is not None and len(f) > 12 and f[12]:
                unit = _Unit(_canon(f[12]), f"axis record at line {lineno}")
                _define(units, ref, unit, name, lineno)
        elif rec == "H7" and key == ("1", "0", "0") and len(f) > 5:
            header.extra["project"] = f[5]
        elif rec == "H7" and key == ("1", "2", "0") and len(f) > 10:
            header.well_name = header.well_name or f[10] or None
            header.extra.setdefault("well_id", f[9])
        elif rec == "H7" and key == ("1", "3", "0") and len(f) > 8:
            header.wellbore_name = header.wellbore_name or f[8] or f[7] or None
        elif rec == "H7" and key == ("1", "4", "0") and len(f) > 7:
            if header.depth_datum is None:
                words = [c for c in (f[10] if len(f) > 10 else "", f[7]) if _has_letter(c)]
                header.depth_datum = next((w for w in words if w.upper() != "ZDP"), None)
        elif rec == "H7" and key == ("1", "5", "0") and len(f) > 8:
            sv = surveys.setdefault(f[5], _Survey(f[5]))
            sv.name = f[8] or None
            sv.tool = (f[9] if len(f) > 9 else None) or None
            sv.md_unit_name = (f[16] if len(f) > 16 else None) or None
            sv.md_unit_line = lineno
            if len(f) > 17 and f[17]:
                sv.date = f[17].replace(":", "-")
        elif rec == "H7" and key == ("1", "5", "1") and len(f) > 6:
            sv = surveys.setdefault(f[5], _Survey(f[5]))
            _survey_details(f, sv, name, lineno)
        elif rec == "H7" and key == ("1", "5", "2") and len(f) > 6:
            header.operator = header.operator or f[6] or None
        elif rec == "H7" and key == ("5", "0", "0") and len(f) > 8:
            if header.calculation_method is None and f[8]:
                header.calculation_method = f[8]
        elif rec == "O7" and len(f) > 7:
            kind = f[3].upper()
            if kind in ("WRP", "ZDP"):
                try:
                    a, b = parse_number(f[5]), parse_number(f[6])
                    z = parse_number(f[7])
                except ValueError:
                    raise SurveyFileError(
                        name, "cannot read the position as numbers", line=lineno, field=kind
                    ) from None
                if kind == "WRP":
                    header.extra["wrp_axis_values"] = (a, b)
                elif z is not None:
                    header.extra["zdp_depth_vertical_crs"] = z
        elif rec == "P7":
            read = _station(f, raw, cols, flags, vendor, lineno, bad_stations)
            if read:
                station_survey.append(f[3] if len(f) > 3 else "")
    if bad_stations:  # every station record that cannot be read, each field named
        raise bad_stations.refusal(name)
    if not cols[0]:
        raise SurveyFileError(name, "no P7 station records")
    raw.md, raw.inc, raw.azi = cols
    raw.projected, raw.used = flags
    if not_records:
        findings.append(
            Finding(
                Severity.INFO,
                "p717_not_a_record",
                f"{len(not_records)} line(s) are not P7/17 records (first at line "
                f"{not_records[0]}); skipped",
                line=not_records[0],
            )
        )
    _resolve_surveys(header, surveys, units, station_survey, name, findings)
    _positions(header, crs, axes, units)
    raw.vendor.update(vendor)
    raw.vendor_decimals = {k: 2 for k in vendor}
    if header.angle_unit is None:
        header.angle_unit = "deg"
    return build_survey(
        "p717", name, header, raw, raw_header="\n".join(head_lines), findings=findings
    )


def _has_letter(text: str) -> bool:
    return any(c.isalpha() for c in text)


def _canon(unit: str) -> str:
    """``ft``, ``ftUS``, ``m``, ``deg``, ``rad`` for a printed unit name, else the name."""
    du = _length(unit)
    if du is not None:
        return {"m": "m", "ft": "ft", "usft": "ftUS"}[du.value]
    t = unit.strip().lower()
    if t in ("deg", "degree", "degrees"):
        return "deg"
    if t in ("rad", "radian", "radians"):
        return "rad"
    return unit.strip()


def _int(text: str, name: str, lineno: int, fld: str) -> int | None:
    if not text.strip():
        return None
    try:
        return int(text)
    except ValueError:
        raise SurveyFileError(
            name, f"{text!r} is not a reference number", line=lineno, field=fld
        ) from None


def _define(units: dict[int, _Unit], ref: int, unit: _Unit, name: str, lineno: int) -> None:
    known = units.get(ref)
    if known is None:
        units[ref] = unit
    elif known.unit != unit.unit:
        raise SurveyFileError(
            name,
            f"unit reference {ref} means {known.unit} by the {known.source} but "
            f"{unit.unit} by the {unit.source}",
            line=lineno,
            field="UNITREF",
        )


def _survey_details(f: list[str], sv: _Survey, name: str, lineno: int) -> None:
    sv.md_unitref = _int(f[6], name, lineno, "Survey Details MD UNITREF")
    sv.details_line = lineno
    az = next((c for c in f[9:] if c.upper().startswith("AZ_")), "")
    sv.azimuth_reference = _AZ_REFS.get(az.upper(), NorthReference.UNKNOWN)
    if az:
        i = f.index(az)
        try:
            if len(f) > i + 4 and f[i + 3] == "1" and f[i + 4]:
                sv.convergence = float(f[i + 4])
            if len(f) > i + 6 and f[i + 5] == "1" and f[i + 6]:
                sv.declination = float(f[i + 6])
        except ValueError:
            raise SurveyFileError(
                name, "cannot read the correction angles", line=lineno, field="Survey Details"
            ) from None


def _resolve_surveys(
    header: SurveyHeader,
    surveys: dict[str, _Survey],
    units: dict[int, _Unit],
    station_survey: list[str],
    name: str,
    findings: list[Finding],
) -> None:
    """Depth unit, north reference and corrections of the surveys the P7 records use."""
    used_refs = list(dict.fromkeys(station_survey))
    depth: tuple[DepthUnit, _Survey] | None = None
    for ref in used_refs:
        sv = surveys.get(ref)
        if sv is None:
            continue
        unit = _md_unit(sv, units, name, findings)
        if unit is None:
            continue
        if depth is not None and depth[0] is not unit:
            raise SurveyFileError(
                name,
                f"survey {depth[1].ref} has MD in {depth[0].value} but survey {sv.ref} in "
                f"{unit.value}: surveys in different depth units",
                line=sv.details_line,
            )
        depth = (unit, sv)
    if depth is not None:
        header.depth_unit = depth[0]
    first = next((surveys[r] for r in used_refs if r in surveys), None)
    if first is not None:
        header.run_name = first.name
        header.tool = first.tool
        header.survey_date = first.date
        header.azimuth_reference = first.azimuth_reference
    for ref in used_refs:
        sv = surveys.get(ref)
        if sv is None:
            continue
        if (
            first is not None
            and sv.azimuth_reference is not first.azimuth_reference
            and sv.azimuth_reference is not NorthReference.UNKNOWN
        ):
            findings.append(
                Finding(
                    Severity.WARNING,
                    "north_reference_conflict",
                    f"survey {sv.ref} gives {sv.azimuth_reference.value} azimuths but survey "
                    f"{first.ref} {first.azimuth_reference.value}; the first is used",
                    line=sv.details_line,
                )
            )
        if header.grid_convergence is None and sv.convergence is not None:
            header.grid_convergence = sv.convergence
            header.convergence_source = (
                f"P7/17 Survey Details of survey {sv.ref} (convergence applied)"
            )
        if header.declination is None and sv.declination is not None:
            header.declination = sv.declination
            header.declination_source = (
                f"P7/17 Survey Details of survey {sv.ref} (declination applied)"
            )
    if len(used_refs) > 1:
        header.extra["surveys"] = [
            {
                "survey": ref,
                "name": surveys[ref].name if ref in surveys else None,
                "tool": surveys[ref].tool if ref in surveys else None,
                "records": station_survey.count(ref),
                "declination": surveys[ref].declination if ref in surveys else None,
                "convergence": surveys[ref].convergence if ref in surveys else None,
            }
            for ref in used_refs
        ]


def _md_unit(
    sv: _Survey, units: dict[int, _Unit], name: str, findings: list[Finding]
) -> DepthUnit | None:
    """The MD unit of one survey: its UNITREF as the file defines it, and the unit named."""
    named = _length(sv.md_unit_name)
    if sv.md_unit_name and named is None:
        raise SurveyFileError(
            name,
            f"survey {sv.ref} names its MD unit {sv.md_unit_name!r}, not a length unit",
            line=sv.md_unit_line,
            field="Survey Definition",
        )
    ref = sv.md_unitref
    if ref is None:
        return named
    defined = units.get(ref)
    if defined is None and named is not None:
        units[ref] = _Unit(_canon(named.value), f"survey definition at line {sv.md_unit_line}")
        return named
    if defined is None:
        fallback = FORMAT_UNITREF.get(ref)
        by_table = _length(fallback)
        if by_table is None:
            raise SurveyFileError(
                name,
                f"MD unit reference {ref} of survey {sv.ref} is not defined in the file and "
                "is not a length unit of the format's table",
                line=sv.details_line,
                field="Survey Details MD UNITREF",
            )
        findings.append(
            Finding(
                Severity.INFO,
                "p717_unit_by_format_table",
                f"unit reference {ref} is not defined in the file; read as {fallback} by the "
                "format's table of units",
                line=sv.details_line,
            )
        )
        return by_table
    unit = _length(defined.unit)
    if unit is None:
        raise SurveyFileError(
            name,
            f"MD unit reference {ref} of survey {sv.ref} means {defined.unit} (by the "
            f"{defined.source}), not a length unit",
            line=sv.details_line,
            field="Survey Details MD UNITREF",
        )
    if named is not None and named is not unit:
        raise SurveyFileError(
            name,
            f"MD unit reference {ref} of survey {sv.ref} means {defined.unit} (by the "
            f"{defined.source}) but the survey definition names {sv.md_unit_name}",
            line=sv.details_line,
            field="Survey Details MD UNITREF",
        )
    return unit


def _positions(
    header: SurveyHeader,
    crs: dict[str, str],
    axes: dict[str, list[tuple[str, int | None]]],
    units: dict[int, _Unit],
) -> None:
    """CRS, surface position (WRP) and the datum elevation (ZDP) from CRS and O7 records."""
    projected = next(
        (k for k, ax in axes.items() if any(n in ("northing", "easting") for n, _r in ax)), None
    )
    wrp = header.extra.pop("wrp_axis_values", None)
    if projected is not None:
        header.crs = crs.get(projected)
        if wrp and all(v is not None for v in wrp):
            ax = [n for n, _r in axes[projected]]
            if ax and ax[0] == "northing":
                header.surface_y, header.surface_x = wrp
            else:
                header.surface_x, header.surface_y = wrp
    z = header.extra.get("zdp_depth_vertical_crs")
    if z is None or header.depth_unit is None:
        return
    vert = next(
        (k for k, ax in axes.items() if any(n in ("depth", "height") for n, _r in ax)), None
    )
    vunit = None
    if vert is not None:
        ref = next((r for n, r in axes[vert] if n in ("depth", "height")), None)
        if ref is not None and ref in units:
            vunit = _length(units[ref].unit)
    vunit = vunit or header.depth_unit
    header.datum_elevation = -z * _TO_M[vunit] / _TO_M[header.depth_unit]
    header.extra["datum_elevation_source"] = f"ZDP O7 record, vertical CRS unit {vunit.value}"


def _station(
    f: list[str],
    raw: RawSurvey,
    cols: tuple[list[float], list[float], list[float]],
    flags: tuple[list[bool], list[bool]],
    vendor: dict[str, list[float]],
    lineno: int,
    problems: ProblemLog,
) -> bool:
    """Add one P7 station record; False (and its problems added, every field that cannot
    be read named) where it cannot be read."""
    if len(f) < 13:
        problems.add(Problem(f"P7 record has {len(f)} fields, at least 13 expected", lineno))
        return False
    vals = []
    found = len(problems)
    for j, fld in ((10, "md"), (11, "inc"), (12, "azi")):
        try:
            v = parse_number(f[j])
        except ValueError:
            problems.add(Problem(f"cannot read {f[j]!r} as a number", lineno, fld))
            continue
        if v is None:
            problems.add(Problem("value missing", lineno, fld))
            continue
        vals.append(v)
    try:
        status = int(f[8]) if f[8] else 1
    except ValueError:
        problems.add(Problem(f"status code {f[8]!r} is not a number", lineno, "status"))
    if len(problems) > found:
        return False
    n = len(cols[0])
    for values, v in zip(cols, vals, strict=True):
        values.append(v)
    raw.lines.append(lineno)
    flags[0].append(status in _STATUS_PROJECTED or "project" in f[9].lower())
    flags[1].append(status not in _STATUS_NOT_USED)
    if f[7].upper() == "TP" and raw.tie_index is None:
        raw.tie_index = n
    for j, col in ((13, "north"), (14, "east"), (15, "tvd")):
        txt = f[j] if len(f) > j else ""
        try:
            v = parse_number(txt)
        except ValueError:
            v = None
        if txt.strip() or col in vendor:
            vendor.setdefault(col, [float("nan")] * n).append(float("nan") if v is None else v)
    for col in list(vendor):
        if len(vendor[col]) < n + 1:
            vendor[col].append(float("nan"))
    return True


__all__ = ["FORMAT_UNITREF", "read_p717"]
