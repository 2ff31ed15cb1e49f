"""IOGP P7/17 well-position exchange files: header records and P7 station records.

P7 record fields used (1-based): 4 survey reference, 8 position-object type (``TP`` tie-in,
``BHL``...), 9 status code (0 surveyed but not used, 1 surveyed, 6 projected, 2 planned...),
11-13 MD, INC, AZ. A status-0 record is kept with ``used = False`` (duplicates that a later
survey supersedes).
"""

from __future__ import annotations

import csv
import io

from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import RawSurvey, build_survey
from surveylab.parsers._errors import SurveyFileError
from surveylab.parsers.numbers import parse_number
from surveylab.parsers.text import decode_text
from surveylab.units import to_metres

#: P7/17 UNITREF codes of lengths (format-defined table).
UNITREF = {1: DepthUnit.M, 11: DepthUnit.FT, 12: DepthUnit.USFT}
_TO_M = {u: float(to_metres(1.0, u)) for u in DepthUnit}
_STATUS_PROJECTED = {6}
_STATUS_NOT_USED = {0}


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
    crs: dict[str, str] = {}
    axes: dict[str, list[str]] = {}
    surveys: list[str] = []
    head_lines: list[str] = []
    vendor: dict[str, list[float]] = {}
    for lineno, line in enumerate(io.StringIO(text), start=1):
        s = line.rstrip("\r\n")
        if not s.strip():
            continue
        try:
            f = [c.strip() for c in next(csv.reader([s]))]
        except (csv.Error, StopIteration):
            raise SurveyFileError(name, "unreadable record", line=lineno) from None
        if not f:
            continue
        rec = f[0].upper()
        if rec != "P7":
            head_lines.append(s)
        key = tuple(f[:4])
        if rec == "HC" and key[1:4] == ("1", "3", "0") and len(f) > 7:
            crs[f[5]] = f"EPSG:{f[6]} {f[7]}".strip()
        elif rec == "HC" and key[1:4] == ("1", "6", "1") and len(f) > 9:
            axes.setdefault(f[5], []).append(f[8].lower())
        elif rec == "H7" and key[1:4] == ("1", "0", "0") and len(f) > 5:
            header.extra["project"] = f[5]
        elif rec == "H7" and key[1:4] == ("1", "2", "0") and len(f) > 10:
            header.well_name = f[10] or None
            header.extra["well_id"] = f[9]
        elif rec == "H7" and key[1:4] == ("1", "3", "0") and len(f) > 8:
            header.wellbore_name = f[8] or f[7] or None
        elif rec == "H7" and key[1:4] == ("1", "4", "0") and len(f) > 10:
            header.depth_datum = f[10] or f[6] or None
        elif rec == "H7" and key[1:4] == ("1", "5", "0") and len(f) > 8:
            surveys.append(f[8])
            header.run_name = header.run_name or f[8] or None
            header.tool = header.tool or (f[9] if len(f) > 9 else None) or None
            if len(f) > 17 and f[17]:
                header.survey_date = f[17].replace(":", "-")
        elif rec == "H7" and key[1:4] == ("1", "5", "1") and len(f) > 6:
            _survey_details(f, header, name, lineno)
        elif rec == "H7" and key[1:4] == ("1", "5", "2") and len(f) > 6:
            header.operator = header.operator or f[6] or None
        elif rec == "H7" and key[1:4] == ("5", "0", "0") and len(f) > 7:
            if header.calculation_method is None and len(f) > 8 and f[8]:
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
                    header.extra["wrp_line"] = lineno
                elif z is not None:
                    header.extra["zdp_depth_vertical_crs"] = z
        elif rec == "P7":
            _station(f, raw, vendor, name, lineno)
    if not raw.md:
        raise SurveyFileError(name, "no P7 station records")
    projected = next((k for k, ax in axes.items() if "northing" in ax or "easting" in ax), None)
    if projected is not None:
        header.crs = crs.get(projected)
        wrp = header.extra.get("wrp_axis_values")
        if wrp and all(v is not None for v in wrp):
            ax = axes[projected]
            if ax and ax[0] == "northing":
                header.surface_y, header.surface_x = wrp
            else:
                header.surface_x, header.surface_y = wrp
    z = header.extra.get("zdp_depth_vertical_crs")
    if z is not None and header.depth_unit is not None:
        vert = next((k for k, ax in axes.items() if "depth" in ax or "height" in ax), None)
        vunit = DepthUnit.USFT if vert is not None and "ftus" in crs.get(vert, "").lower() else None
        vunit = vunit or header.depth_unit
        header.datum_elevation = -z * _TO_M[vunit] / _TO_M[header.depth_unit]
        header.extra["datum_elevation_source"] = f"ZDP O7 record, vertical CRS unit {vunit.value}"
    if len(set(surveys)) > 1:
        header.extra["surveys"] = surveys
    raw.vendor = vendor
    raw.vendor_decimals = {k: 2 for k in vendor}
    if header.angle_unit is None:
        header.angle_unit = "deg"
    return build_survey(
        "p717", name, header, raw, raw_header="\n".join(head_lines), findings=findings
    )


def _survey_details(f: list[str], header: SurveyHeader, name: str, lineno: int) -> None:
    try:
        unit = UNITREF.get(int(f[6]))
    except ValueError:
        raise SurveyFileError(
            name,
            f"depth unit code {f[6]!r} is not a number",
            line=lineno,
            field="Survey Details UNITREF",
        ) from None
    if unit is None:
        raise SurveyFileError(
            name,
            f"depth unit code {f[6]} is not a length unit",
            line=lineno,
            field="Survey Details UNITREF",
        )
    if header.depth_unit is not None and header.depth_unit is not unit:
        raise SurveyFileError(name, "surveys in different depth units", line=lineno)
    header.depth_unit = unit
    az = next((c for c in f[9:] if c.upper().startswith("AZ_")), "")
    header.azimuth_reference = {
        "AZ_TRUE": NorthReference.TRUE,
        "AZ_GRID": NorthReference.GRID,
        "AZ_MAGN": NorthReference.MAGNETIC,
    }.get(az.upper(), NorthReference.UNKNOWN)
    if az:
        i = f.index(az)
        try:
            if len(f) > i + 4 and f[i + 3] == "1" and f[i + 4]:
                header.grid_convergence = float(f[i + 4])
                header.convergence_source = "P7/17 Survey Details (convergence applied)"
            if len(f) > i + 6 and f[i + 5] == "1" and f[i + 6]:
                header.declination = float(f[i + 6])
                header.declination_source = "P7/17 Survey Details (declination applied)"
        except ValueError:
            raise SurveyFileError(
                name, "cannot read the correction angles", line=lineno, field="Survey Details"
            ) from None


def _station(
    f: list[str], raw: RawSurvey, vendor: dict[str, list[float]], name: str, lineno: int
) -> None:
    if len(f) < 13:
        raise SurveyFileError(
            name, f"P7 record has {len(f)} fields, at least 13 expected", line=lineno
        )
    vals = []
    for j, fld in ((10, "md"), (11, "inc"), (12, "azi")):
        try:
            v = parse_number(f[j])
        except ValueError:
            raise SurveyFileError(
                name, f"cannot read {f[j]!r} as a number", line=lineno, field=fld
            ) from None
        if v is None:
            raise SurveyFileError(name, "value missing", line=lineno, field=fld)
        vals.append(v)
    try:
        status = int(f[8]) if f[8] else 1
    except ValueError:
        raise SurveyFileError(
            name, f"status code {f[8]!r} is not a number", line=lineno, field="status"
        ) from None
    n = len(raw.md)
    raw.md.append(vals[0])
    raw.inc.append(vals[1])
    raw.azi.append(vals[2])
    raw.lines.append(lineno)
    raw.projected.append(status in _STATUS_PROJECTED or "project" in f[9].lower())
    raw.used.append(status not in _STATUS_NOT_USED)
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


__all__ = ["Severity", "read_p717"]
