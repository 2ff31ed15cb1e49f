"""LAS 2.0 survey (CWLS LOG ASCII STANDARD 2.0): metadata in ~Well, stations in ~A."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from surveylab.exporters._common import clean_text, definitive_lines, fmt, position_columns
from surveylab.models import DepthUnit, NorthReference
from surveylab.models.survey import ParsedSurvey

if TYPE_CHECKING:
    from surveylab.calc import Trajectory


def write_las(survey: ParsedSurvey, trajectory: Trajectory | None = None) -> bytes:
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
        val = fmt(v) if isinstance(v, float | int) else ("" if v is None else str(v))
        # one line per item: a line break in a value would start a line of its own (a
        # section such as ~A included, CWLS LAS 2.0 section 1); no control characters
        val = clean_text(val)
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
    for mn, u, v, d in (
        ("MFLD", "nT", h.ref_btotal_nt, "MAGNETIC FIELD"),
        ("MDIP", "deg", h.ref_dip_deg, "MAGNETIC DIP"),
        ("GVFD", "g", h.ref_gtotal_g, "GRAVITY FIELD"),
    ):
        if v is not None:
            lines.append(item(mn, u, v, d))
    for (_label, text), (mn, d) in zip(
        definitive_lines(h), (("STAT", "SURVEY STATUS"), ("TPRG", "TOOL PROGRAM")), strict=False
    ):
        lines.append(item(mn, "", text, d))
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
    cols = position_columns(survey, trajectory)
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
        txt = [fmt(v) if not math.isnan(v) else fmt(null) for v in vals]
        txt += ["1" if proj[i] else "0", "1" if used[i] else "0"]
        lines.append(" ".join(txt))
    return ("\n".join(lines) + "\n").encode("utf-8")
