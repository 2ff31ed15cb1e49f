"""Survey exports: CSV, XLSX, LAS 2.0, WITSML 1.4.1.1 and 2.0 (bytes out).

Every writer takes a :class:`~surveylab.models.survey.ParsedSurvey` and, optionally, its computed
trajectory (:class:`surveylab.calc.Trajectory`); without one, the vendor TVD/N/E the file printed
(if any) are written. Reading an export back with :func:`surveylab.parsers.read_survey` gives the
same stations (md, inc, azi, projected, used) and header metadata. Exceptions: a WITSML
trajectory holds no operator, CRS, surface location or depth datum (they live in the Well and
Wellbore objects), WITSML 2.0 no well name, and a tie-on only when it is a station of the
listing; ``angle_unit`` records the unit of the exported file (degrees); XLSX keeps 15-16
significant digits.
"""

from __future__ import annotations

import io
import math
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

import numpy as np

from surveylab.models import DepthUnit, NorthReference
from surveylab.models.survey import ParsedSurvey, SurveyHeader

__all__ = [
    "EXPORT_FORMATS",
    "ExportError",
    "export",
    "write_csv",
    "write_las",
    "write_witsml14",
    "write_witsml20",
    "write_xlsx",
]


class ExportError(ValueError):
    """A survey that cannot be written in the requested format (the message says why)."""


_UNIT_LABEL = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "usft"}
_WITSML_UOM = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "ft[US]"}


def _fmt(v: float) -> str:
    """Shortest text that reads back as the same float."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def _columns(survey: ParsedSurvey, trajectory: Any | None) -> list[tuple[str, str, np.ndarray]]:
    """(key, label, values) of the position columns to write: computed, else vendor."""
    unit = survey.header.depth_unit
    u = f" [{_UNIT_LABEL[unit]}]" if unit else ""
    course = "30m" if unit is DepthUnit.M else "100ft"
    out: list[tuple[str, str, np.ndarray]] = []
    src: dict[str, np.ndarray] = {}
    if trajectory is not None:
        for k in ("tvd", "north", "east", "vs", "dls"):
            v = getattr(trajectory, k, None)
            if v is not None:
                src[k] = np.asarray(v, dtype=float)
        if len(src.get("tvd", [])) != survey.station_count:
            raise ExportError(
                f"trajectory has {len(src.get('tvd', []))} stations, survey has "
                f"{survey.station_count}"
            )
    else:
        for k in ("tvd", "north", "east", "vs", "dls"):
            if k in survey.vendor.columns:
                src[k] = survey.vendor[k].to_numpy(dtype=float)
    labels = {
        "tvd": f"TVD{u}",
        "north": f"North{u}",
        "east": f"East{u}",
        "vs": f"VS{u}",
        "dls": f"DLS [deg/{course}]" if unit else "DLS",
    }
    for k in ("tvd", "north", "east", "vs", "dls"):
        if k in src:
            out.append((k, labels[k], src[k]))
    return out


def _header_lines(h: SurveyHeader) -> list[tuple[str, str]]:
    items: list[tuple[str, Any]] = [
        ("Well name", h.well_name),
        ("Wellbore", h.wellbore_name),
        ("Run", h.run_name),
        ("Tool", h.tool),
        ("Survey date", h.survey_date),
        ("Depth unit", _UNIT_LABEL.get(h.depth_unit) if h.depth_unit else None),
        (
            "North reference",
            h.azimuth_reference.value
            if h.azimuth_reference is not NorthReference.UNKNOWN
            else None,
        ),
        ("Declination", h.declination),
        ("Grid convergence", h.grid_convergence),
        ("Total correction", h.total_correction),
        ("Scale factor", h.scale_factor),
        ("Depth datum", h.depth_datum),
        ("Datum elevation", h.datum_elevation),
        ("CRS", h.crs),
        ("Surface X", h.surface_x),
        ("Surface Y", h.surface_y),
        ("VS azimuth", h.vs_azimuth),
        ("Calculation method", h.calculation_method),
        ("Operator", h.operator),
    ]
    if h.tie_on is not None and not h.tie_on.assumed:
        t = h.tie_on
        items += [
            ("Tie-on MD", t.md),
            ("Tie-on Inc", t.inc),
            ("Tie-on Azi", t.azi),
            ("Tie-on TVD", t.tvd),
            ("Tie-on North", t.north),
            ("Tie-on East", t.east),
        ]
    out = []
    for k, v in items:
        if v is None:
            continue
        out.append((k, _fmt(v) if isinstance(v, float | int) else str(v).replace("\n", " ")))
    return out


def _table(survey: ParsedSurvey, trajectory: Any | None) -> tuple[list[str], list[list[Any]]]:
    unit = survey.header.depth_unit
    u = f" [{_UNIT_LABEL[unit]}]" if unit else ""
    st = survey.stations
    cols = _columns(survey, trajectory)
    names = [f"MD{u}", "Inc [deg]", "Azi [deg]"] + [c[1] for c in cols] + ["Used", "Comment"]
    rows: list[list[Any]] = []
    md = st["md"].to_numpy(dtype=float)
    inc = st["inc"].to_numpy(dtype=float)
    azi = st["azi"].to_numpy(dtype=float)
    proj = st["projected"].to_numpy(dtype=bool)
    used = st["used"].to_numpy(dtype=bool)
    for i in range(len(st)):
        comment = "projected" if proj[i] else ""
        row: list[Any] = [md[i], inc[i], azi[i]]
        row += [c[2][i] for c in cols]
        row += [1 if used[i] else 0, comment]
        rows.append(row)
    return names, rows


def write_csv(survey: ParsedSurvey, trajectory: Any | None = None) -> bytes:
    """CSV listing: ``# key: value`` header lines, one column-header row, stations.

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]) [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write (tvd, north, east, vs [depth unit], dls [deg/course]) [-].

    Returns
    -------
    bytes
        UTF-8 text with LF line endings.
    """
    lines = ["# surveylab survey export"]
    lines += [f"# {k}: {v}" for k, v in _header_lines(survey.header)]
    names, rows = _table(survey, trajectory)
    lines.append(",".join(names))
    for r in rows:
        lines.append(",".join(_fmt(v) if not isinstance(v, str) else v for v in r))
    return ("\n".join(lines) + "\n").encode("utf-8")


def write_xlsx(survey: ParsedSurvey, trajectory: Any | None = None) -> bytes:
    """Excel workbook: ``Key:`` / value rows, a column-header row, stations as numbers.

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]) [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    import openpyxl

    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Survey")
    ws.append(["surveylab survey export"])
    for k, v in _header_lines(survey.header):
        ws.append([f"{k}:", v])
    ws.append([])
    names, rows = _table(survey, trajectory)
    ws.append(names)
    for r in rows:
        ws.append([None if isinstance(v, float) and math.isnan(v) else v for v in r])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_las(survey: ParsedSurvey, trajectory: Any | None = None) -> bytes:
    """LAS 2.0 survey: metadata in ~Well (MDEC, GRDC, AZTC, NREF, VSDR, ...), stations in ~A.

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]) [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    h = survey.header
    unit = h.depth_unit
    lu = {DepthUnit.M: "M", DepthUnit.FT: "F", DepthUnit.USFT: "USFT"}.get(unit, "") if unit else ""
    st = survey.stations
    md = st["md"].to_numpy(dtype=float)
    null = -999.25

    def item(mn: str, u: str, v: Any, d: str) -> str:
        val = _fmt(v) if isinstance(v, float | int) else ("" if v is None else str(v))
        val = val.replace("\n", " ")
        return f" {mn:<6}.{u:<6} {val:>24} : {d}"

    lines = [
        "~Version Information",
        item("VERS", "", "2.0", "CWLS LOG ASCII STANDARD - VERSION 2.0"),
        item("WRAP", "", "NO", "ONE LINE PER DEPTH STEP"),
        "~Well Information",
        item("STRT", lu, float(md[0]), "START DEPTH"),
        item("STOP", lu, float(md[-1]), "STOP DEPTH"),
        item("STEP", lu, 0, "STEP"),
        item("NULL", "", null, "NULL VALUE"),
        item("WELL", "", h.well_name, "WELL NAME"),
        item("WBN", "", h.wellbore_name, "WELLBORE NAME"),
        item("COMP", "", h.operator, "COMPANY"),
        item("RUN", "", h.run_name, "RUN"),
        item("SVYT", "", h.tool, "SURVEY TOOL"),
        item("DATE", "", h.survey_date, "SURVEY DATE"),
        item("CCDE", "", h.crs, "CRS"),
        item(
            "NREF",
            "",
            h.azimuth_reference.value if h.azimuth_reference is not NorthReference.UNKNOWN else "",
            "NORTH REFERENCE",
        ),
    ]
    for mn, v, d in (
        ("MDEC", h.declination, "MAGNETIC DECLINATION"),
        ("GRDC", h.grid_convergence, "GRID CONVERGENCE"),
        ("AZTC", h.total_correction, "TOTAL AZIMUTH CORRECTION"),
        ("VSDR", h.vs_azimuth, "VERTICAL SECTION DIRECTION"),
    ):
        if v is not None:
            lines.append(item(mn, "deg", v, d))
    if h.scale_factor is not None:
        lines.append(item("GSF", "", h.scale_factor, "GRID SCALE FACTOR"))
    if h.surface_x is not None:
        lines.append(item("UTMX", "", h.surface_x, "SURFACE X"))
    if h.surface_y is not None:
        lines.append(item("UTMY", "", h.surface_y, "SURFACE Y"))
    if h.depth_datum is not None:
        lines.append(item("DMF", "", h.depth_datum, "DEPTH MEASURED FROM"))
    if h.datum_elevation is not None:
        lines.append(item("EDAT", lu, h.datum_elevation, "DATUM ELEVATION"))
    if h.calculation_method is not None:
        lines.append(item("CMTH", "", h.calculation_method, "CALCULATION METHOD"))
    if h.tie_on is not None and not h.tie_on.assumed:
        t = h.tie_on
        for mn, u, v in (
            ("TIEMD", lu, t.md),
            ("TIEINC", "deg", t.inc),
            ("TIEAZI", "deg", t.azi),
            ("TIETVD", lu, t.tvd),
            ("TIEN", lu, t.north),
            ("TIEE", lu, t.east),
        ):
            lines.append(item(mn, u, v, "TIE-ON"))
    cols = _columns(survey, trajectory)
    las_names = {"tvd": "TVD", "north": "+N/-S", "east": "+E/-W", "vs": "VSEC", "dls": "DLS"}
    lines.append("~Curve Information")
    lines.append(item("DEPT", lu, "", "MEASURED DEPTH"))
    lines.append(item("INC", "deg", "", "INCLINATION"))
    lines.append(item("AZI", "deg", "", "AZIMUTH"))
    for k, _label, _v in cols:
        u = lu if k != "dls" else ("deg/30m" if unit is DepthUnit.M else "deg/100ft")
        lines.append(item(las_names[k], u, "", k.upper()))
    lines.append(item("PROJ", "", "", "PROJECTED STATION (1) OR SURVEYED (0)"))
    lines.append(item("USED", "", "", "STATION USED (1) OR NOT (0)"))
    lines.append("~A")
    inc = st["inc"].to_numpy(dtype=float)
    azi = st["azi"].to_numpy(dtype=float)
    proj = st["projected"].to_numpy(dtype=bool)
    used = st["used"].to_numpy(dtype=bool)
    for i in range(len(st)):
        vals = [md[i], inc[i], azi[i]] + [c[2][i] for c in cols]
        txt = [_fmt(v) if not math.isnan(v) else _fmt(null) for v in vals]
        txt += ["1" if proj[i] else "0", "1" if used[i] else "0"]
        lines.append(" ".join(txt))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _witsml_common(
    survey: ParsedSurvey, trajectory: Any | None, v20: bool
) -> tuple[ET.Element, Callable[[ET.Element, str, Any, str | None], None]]:
    h = survey.header
    if h.depth_unit is None:
        raise ExportError("the survey's depth unit is unknown: WITSML needs a unit on every MD")
    ns = (
        "http://www.energistics.org/energyml/data/witsmlv2"
        if v20
        else "http://www.witsml.org/schemas/1series"
    )

    def tag(name: str) -> str:
        return name[0].upper() + name[1:] if v20 else name

    def sub(parent: ET.Element, name: str, value: Any, uom: str | None = None) -> None:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        el = ET.SubElement(parent, tag(name))
        el.text = _fmt(value) if isinstance(value, float | int) else str(value)
        if uom:
            el.set("uom", uom)

    return ET.Element("root", {"xmlns": ns}), sub


def _write_witsml(survey: ParsedSurvey, trajectory: Any | None, v20: bool) -> bytes:
    h = survey.header
    root, sub = _witsml_common(survey, trajectory, v20)
    assert h.depth_unit is not None
    lu = _WITSML_UOM[h.depth_unit]
    if v20:
        traj = ET.Element(
            "Trajectory",
            {
                "xmlns": "http://www.energistics.org/energyml/data/witsmlv2",
                "xmlns:eml": "http://www.energistics.org/energyml/data/commonv2",
                "schemaVersion": "2.0",
                "uuid": str(uuid.uuid4()),
            },
        )
        cit = ET.SubElement(traj, "Citation")
        if h.run_name:
            ET.SubElement(cit, "eml:Title").text = h.run_name
        if h.wellbore_name:
            wb = ET.SubElement(traj, "Wellbore")
            ET.SubElement(wb, "eml:Title").text = h.wellbore_name
        doc = traj
    else:
        doc = ET.Element(
            "trajectorys",
            {"xmlns": "http://www.witsml.org/schemas/1series", "version": "1.4.1.1"},
        )
        traj = ET.SubElement(doc, "trajectory", {"uid": "surveylab"})
        sub(traj, "nameWell", h.well_name)
        sub(traj, "nameWellbore", h.wellbore_name)
        sub(traj, "name", h.run_name)
    del root
    st = survey.stations
    md = st["md"].to_numpy(dtype=float)
    sub(traj, "dTimTrajStart", h.survey_date)
    sub(traj, "mdMn", float(md.min()), lu)
    sub(traj, "mdMx", float(md.max()), lu)
    sub(traj, "magDeclUsed", h.declination, "dega")
    sub(traj, "gridCorUsed", h.total_correction, "dega")
    sub(traj, "gridConUsed", h.grid_convergence, "dega")
    sub(traj, "gridScaleFactorUsed", h.scale_factor, "Euc")
    sub(traj, "aziVertSect", h.vs_azimuth, "dega")
    if h.azimuth_reference is not NorthReference.UNKNOWN:
        sub(traj, "aziRef", f"{h.azimuth_reference.value} north")
    if h.calculation_method:
        sub(traj, "calcAlgorithm", h.calculation_method)
    cols = {k: v for k, _l, v in _columns(survey, trajectory)}
    dls_uom = "dega/30m" if h.depth_unit is DepthUnit.M else "dega/100ft"
    tie = h.tie_on
    inc = st["inc"].to_numpy(dtype=float)
    azi = st["azi"].to_numpy(dtype=float)
    proj = st["projected"].to_numpy(dtype=bool)
    used = st["used"].to_numpy(dtype=bool)
    tie_done = False
    for i in range(len(st)):
        el = ET.SubElement(
            traj, "TrajectoryStation" if v20 else "trajectoryStation", {"uid": f"stn{i + 1}"}
        )
        typ = "unknown"
        if tie is not None and not tie.assumed and not tie_done and md[i] == tie.md:
            typ, tie_done = "tie in point", True
        elif proj[i]:
            typ = "projected"
        sub(el, "typeTrajStation", typ)
        sub(el, "typeSurveyTool", h.tool)
        is_tie = typ == "tie in point" and tie is not None
        sub(el, "md", md[i], lu)
        sub(el, "tvd", cols["tvd"][i] if "tvd" in cols else (tie.tvd if is_tie else None), lu)
        sub(el, "incl", inc[i], "dega")
        sub(el, "azi", azi[i], "dega")
        sub(
            el,
            "dispNs",
            cols["north"][i] if "north" in cols else (tie.north if is_tie else None),
            lu,
        )
        sub(el, "dispEw", cols["east"][i] if "east" in cols else (tie.east if is_tie else None), lu)
        sub(el, "vertSect", cols["vs"][i] if "vs" in cols else None, lu)
        sub(el, "dls", cols["dls"][i] if "dls" in cols else None, dls_uom)
        if not used[i]:
            sub(el, "statusTrajStation", "invalid")
    ET.indent(doc)
    return ET.tostring(doc, encoding="utf-8", xml_declaration=True)


def write_witsml14(survey: ParsedSurvey, trajectory: Any | None = None) -> bytes:
    """WITSML 1.4.1.1 ``trajectorys`` document (angles in dega, lengths in the survey's unit).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]); its depth unit must be known [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    return _write_witsml(survey, trajectory, v20=False)


def write_witsml20(survey: ParsedSurvey, trajectory: Any | None = None) -> bytes:
    """WITSML 2.0 ``Trajectory`` object (angles in dega, lengths in the survey's unit).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey (md [depth unit], inc and azi [deg]); its depth unit must be known [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    return _write_witsml(survey, trajectory, v20=True)


_WRITERS: dict[str, Callable[[ParsedSurvey, Any | None], bytes]] = {
    "csv": write_csv,
    "xlsx": write_xlsx,
    "las": write_las,
    "witsml": write_witsml14,
    "witsml14": write_witsml14,
    "witsml20": write_witsml20,
}
#: Names accepted by :func:`export` (``witsml`` means 1.4.1.1).
EXPORT_FORMATS: tuple[str, ...] = tuple(_WRITERS)


def export(survey: ParsedSurvey, fmt: str, trajectory: Any | None = None) -> bytes:
    """Write ``survey`` in format ``fmt`` (one of :data:`EXPORT_FORMATS`).

    Parameters
    ----------
    survey : ParsedSurvey
        The survey [-].
    fmt : str
        csv, xlsx, las, witsml (1.4.1.1), witsml14 or witsml20 [-].
    trajectory : surveylab.calc.Trajectory, optional
        Computed positions to write [-].
    """
    writer = _WRITERS.get(fmt.lower())
    if writer is None:
        raise ExportError(
            f"unknown export format {fmt!r}; choose one of {', '.join(EXPORT_FORMATS)}"
        )
    return writer(survey, trajectory)
