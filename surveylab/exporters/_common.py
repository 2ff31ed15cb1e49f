"""What the survey writers share: number text, header lines, the station table, WITSML stations.

Positions are the computed trajectory's when one is given (:class:`surveylab.calc.Trajectory`),
else the vendor TVD/N/E the file printed, if any.
"""

from __future__ import annotations

import math
import re
import unicodedata
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING, Any

import numpy as np

from surveylab.models import DepthUnit, NorthReference
from surveylab.models.survey import ParsedSurvey, SurveyHeader

if TYPE_CHECKING:
    from surveylab.calc import Trajectory

#: Depth unit labels in column names, ``MD [m]``.
UNIT_LABEL = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "usft"}
#: WITSML length units of measure (Energistics UOM dictionary).
WITSML_UOM = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "ft[US]"}
#: Position columns, in the order they are written.
POSITION_KEYS = ("tvd", "north", "east", "vs", "dls")


class ExportError(ValueError):
    """A survey that cannot be written in the requested format (the message says why)."""


# ------------------------------------------------------------------ text from uploaded files
#: First characters that make a spreadsheet read a text field as a formula (OWASP, "CSV
#: Injection"): ``=``, ``+``, ``-``, ``@``; also the minus sign U+2212. Full-width and small
#: forms (``＝``, ``﹢``, ...) count through their NFKC compatibility mapping (Unicode Standard
#: Annex #15).
FORMULA_TRIGGERS = frozenset("=+-@\u2212")
#: Characters that start a formula field by themselves (OWASP): tab, carriage return; also a
#: line feed.
_CONTROL_TRIGGERS = frozenset("\t\r\n")
#: Every line boundary of ``str.splitlines`` (Unicode Standard Annex #14 mandatory breaks).
_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]+")
#: Characters XML 1.0 does not allow (section 2.2, ``Char``), lone surrogates included.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could read ``text`` as a formula.

    True when it starts with a tab, carriage return or line feed, or when its first
    non-blank character is (or is a compatibility form of) one of :data:`FORMULA_TRIGGERS`.
    Numbers are never passed here: they are written as numbers.
    """
    if not text:
        return False
    if text[0] in _CONTROL_TRIGGERS:
        return True
    rest = text.lstrip()
    if not rest:
        return False
    first = rest[0]
    return first in FORMULA_TRIGGERS or unicodedata.normalize("NFKC", first)[:1] in FORMULA_TRIGGERS


def neutralise(text: str) -> str:
    """``text`` as a spreadsheet shows it but never evaluates: a leading apostrophe when it
    :func:`looks_like_formula` (the OWASP CSV Injection guidance), else unchanged."""
    return "'" + text if looks_like_formula(text) else text


def single_line(text: str) -> str:
    """``text`` on one line: every run of line breaks (any of ``str.splitlines``) becomes one
    space, so that a value cannot start a new line (a new CSV record, a LAS section)."""
    return _LINE_BREAKS.sub(" ", text)


def clean_text(text: str) -> str:
    """A header value as every format writes it: on one line (:func:`single_line`), without
    control characters (:func:`xml_safe`)."""
    return single_line(xml_safe(text))


def xml_safe(text: str) -> str:
    """``text`` with each character XML 1.0 forbids (control characters, lone surrogates)
    replaced by U+FFFD: WITSML and XLSX are XML, and such a character makes the whole file
    unreadable."""
    return _NOT_XML.sub("\ufffd", text)


def xml_text(text: str) -> str:
    """``text`` as an XML element holds it: :func:`xml_safe`, and CR LF or CR as LF (XML 1.0,
    section 2.11: a parser normalises line ends so)."""
    return xml_safe(text).replace("\r\n", "\n").replace("\r", "\n")


def fmt(v: float | None) -> str:
    """Shortest text that reads back as the same float ("" for None and NaN)."""
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return ""
    f = float(v)
    return str(int(f)) if f.is_integer() and abs(f) < 1e15 else repr(f)


def position_columns(
    survey: ParsedSurvey, trajectory: Trajectory | None
) -> list[tuple[str, str, np.ndarray]]:
    """(key, label, values) of the position columns to write: computed, else vendor.

    Raises
    ------
    ExportError
        The trajectory has another number of stations than the survey.
    """
    unit = survey.header.depth_unit
    u = f" [{UNIT_LABEL[unit]}]" if unit else ""
    course = "30m" if unit is DepthUnit.M else "100ft"
    src: dict[str, np.ndarray] = {}
    if trajectory is not None:
        for k in POSITION_KEYS:
            v = getattr(trajectory, k, None)
            if v is not None:
                src[k] = np.asarray(v, dtype=float)
        if len(src.get("tvd", [])) != survey.station_count:
            raise ExportError(
                f"trajectory has {len(src.get('tvd', []))} stations, survey has "
                f"{survey.station_count}"
            )
    else:
        for k in POSITION_KEYS:
            if k in survey.vendor.columns:
                src[k] = survey.vendor[k].to_numpy(dtype=float)
    labels = {
        "tvd": f"TVD{u}",
        "north": f"North{u}",
        "east": f"East{u}",
        "vs": f"VS{u}",
        "dls": f"DLS [deg/{course}]" if unit else "DLS",
    }
    return [(k, labels[k], src[k]) for k in POSITION_KEYS if k in src]


def definitive_lines(h: SurveyHeader) -> list[tuple[str, str]]:
    """("Survey status", ...) and ("Tool program", ...) of a definitive survey (the header's
    ``extra["definitive"]``: wellbore, version, composed by and at, intervals); nothing for
    another survey. The texts hold no colon (LAS values cannot) and no comma (a CSV header
    line would be split into cells)."""
    d = h.extra.get("definitive")
    if not isinstance(d, dict):
        return []
    unit = UNIT_LABEL.get(h.depth_unit) if h.depth_unit else ""
    status = (
        f"DEFINITIVE survey of wellbore {d.get('well')}/{d.get('wellbore')} version "
        f"{d.get('version')}{'' if d.get('current', True) else ' (replaced)'} composed by "
        f"{d.get('composed_by')} on {str(d.get('composed_at', ''))[:10]}"
    )
    program = "; ".join(
        f"MD {fmt(iv['md_from'])} to {fmt(iv['md_to'])} {unit} run {iv['run']} revision "
        f"{iv['revision']} ({iv['tool']} / {iv['status']})"
        for iv in d.get("tool_program", [])
    )
    return [("Survey status", status), ("Tool program", program)]


def is_definitive(h: SurveyHeader) -> bool:
    """Whether the header marks a definitive survey (see :func:`definitive_lines`)."""
    return isinstance(h.extra.get("definitive"), dict)


def header_lines(h: SurveyHeader) -> list[tuple[str, str]]:
    """(label, text) of every header field that is set, tie-on last (unless assumed)."""
    items: list[tuple[str, Any]] = [
        ("Well name", h.well_name),
        ("Wellbore", h.wellbore_name),
        ("Run", h.run_name),
        ("Tool", h.tool),
        ("Survey date", h.survey_date),
        ("Depth unit", UNIT_LABEL.get(h.depth_unit) if h.depth_unit else None),
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
        ("Reference Btotal [nT]", h.ref_btotal_nt),
        ("Reference Dip [deg]", h.ref_dip_deg),
        ("Reference Gtotal [g]", h.ref_gtotal_g),
        *definitive_lines(h),
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
        out.append((k, fmt(v) if isinstance(v, float | int) else clean_text(str(v))))
    return out


def station_table(
    survey: ParsedSurvey, trajectory: Trajectory | None
) -> tuple[list[str], list[list[Any]]]:
    """Column names (with units) and one row per station: md, inc, azi, positions, used
    (1 or 0), comment ("projected" or "")."""
    unit = survey.header.depth_unit
    u = f" [{UNIT_LABEL[unit]}]" if unit else ""
    st = survey.stations
    cols = position_columns(survey, trajectory)
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


class WitsmlWriter:
    """Child elements of a WITSML trajectory, for 1.4.1.1 (``camelCase`` names) or 2.0
    (``PascalCase``): header values and the stations, lengths in the survey's unit, angles in
    dega (Energistics UOM)."""

    def __init__(self, survey: ParsedSurvey, trajectory: Trajectory | None, *, v20: bool):
        if survey.header.depth_unit is None:
            raise ExportError("the survey's depth unit is unknown: WITSML needs a unit on every MD")
        self.survey = survey
        self.trajectory = trajectory
        self.v20 = v20
        self.length_uom = WITSML_UOM[survey.header.depth_unit]

    def sub(self, parent: ET.Element, name: str, value: Any, uom: str | None = None) -> None:
        """Append ``<name uom=...>value</name>`` (nothing for None or NaN)."""
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return
        el = ET.SubElement(parent, name[0].upper() + name[1:] if self.v20 else name)
        # ElementTree escapes &, < and >; characters XML forbids are replaced; line ends are
        # written as LF, which is what any XML parser reads a CR LF or a CR as (XML 1.0,
        # section 2.11), so the file says what a reader will see
        el.text = fmt(value) if isinstance(value, float | int) else xml_text(str(value))
        if uom:
            el.set("uom", uom)

    def add_body(self, traj: ET.Element) -> None:
        """The trajectory's header values (depth range, corrections, references) and its
        stations, after whatever names the document's version puts first."""
        h = self.survey.header
        st = self.survey.stations
        lu = self.length_uom
        sub = self.sub
        md = st["md"].to_numpy(dtype=float)
        sub(traj, "dTimTrajStart", h.survey_date)
        sub(traj, "mdMn", float(md.min()), lu)
        sub(traj, "mdMx", float(md.max()), lu)
        sub(traj, "magDeclUsed", h.declination, "dega")
        sub(traj, "gridCorUsed", h.total_correction, "dega")
        sub(traj, "gridConUsed", h.grid_convergence, "dega")
        sub(traj, "gridScaleFactorUsed", h.scale_factor, "Euc")
        sub(traj, "aziVertSect", h.vs_azimuth, "dega")
        if is_definitive(h):  # one definitive trajectory per wellbore (WITSML)
            sub(traj, "definitive", "true")
        if h.azimuth_reference is not NorthReference.UNKNOWN:
            sub(traj, "aziRef", f"{h.azimuth_reference.value} north")
        if h.calculation_method:
            sub(traj, "calcAlgorithm", h.calculation_method)
        cols = {k: v for k, _l, v in position_columns(self.survey, self.trajectory)}
        dls_uom = "dega/30m" if h.depth_unit is DepthUnit.M else "dega/100ft"
        tie = h.tie_on
        inc = st["inc"].to_numpy(dtype=float)
        azi = st["azi"].to_numpy(dtype=float)
        proj = st["projected"].to_numpy(dtype=bool)
        used = st["used"].to_numpy(dtype=bool)
        tie_done = False
        for i in range(len(st)):
            el = ET.SubElement(
                traj,
                "TrajectoryStation" if self.v20 else "trajectoryStation",
                {"uid": f"stn{i + 1}"},
            )
            typ = "unknown"
            if tie is not None and not tie.assumed and not tie_done and md[i] == tie.md:
                typ, tie_done = "tie in point", True
            elif proj[i]:
                typ = "projected"
            sub(el, "typeTrajStation", typ)
            sub(el, "typeSurveyTool", h.tool)
            # without computed positions, the tie-on station carries the tie-on's own
            at_tie = tie if typ == "tie in point" else None
            tvd = cols["tvd"][i] if "tvd" in cols else (at_tie.tvd if at_tie else None)
            north = cols["north"][i] if "north" in cols else (at_tie.north if at_tie else None)
            east = cols["east"][i] if "east" in cols else (at_tie.east if at_tie else None)
            sub(el, "md", md[i], lu)
            sub(el, "tvd", tvd, lu)
            sub(el, "incl", inc[i], "dega")
            sub(el, "azi", azi[i], "dega")
            sub(el, "dispNs", north, lu)
            sub(el, "dispEw", east, lu)
            sub(el, "vertSect", cols["vs"][i] if "vs" in cols else None, lu)
            sub(el, "dls", cols["dls"][i] if "dls" in cols else None, dls_uom)
            if not used[i]:
                sub(el, "statusTrajStation", "invalid")

    @staticmethod
    def serialise(doc: ET.Element) -> bytes:
        """UTF-8 XML with a declaration, indented."""
        ET.indent(doc)
        return ET.tostring(doc, encoding="utf-8", xml_declaration=True)
