"""WITSML 1.4.1.1 ``trajectorys`` and WITSML 2.0 ``Trajectory`` (parsed with defusedxml).

Every measure carries its own ``uom``; angles are converted to degrees and lengths to the unit
of the first station's MD. Sentinel values (999.25, -999.25, -9999) mean "no value". DTDs are
refused outright, so no external entity and no entity expansion can happen.

Raw sensor readings of a station (``rawData``: ``gravAxialRaw``, ``gravTran1Raw``,
``gravTran2Raw``, ``magAxialRaw``, ``magTran1Raw``, ``magTran2Raw``; the same names in
PascalCase in 2.0) become the extra columns Gx, Gy, Gz [g] and Bx, By, Bz [nT]: Tran1 is x,
Tran2 y (the transverse axis normal to Tran1) and Axial z, the axis convention of
:mod:`surveylab.calc.qc`. The reference field a station states (``magTotalFieldReference``,
``magDipAngleReference``, ``gravTotalFieldReference``) becomes the header's reference.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any
from xml.etree.ElementTree import Element

import numpy as np
import pandas as pd

from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.parsers._common import RawSurvey, build_survey
from surveylab.parsers._errors import Problem, ProblemLog, SurveyFileError
from surveylab.parsers.terms import depth_unit_from_text, normalise_date
from surveylab.units import FT_TO_M, USFT_TO_M, dls_course_length, to_metres
from surveylab.units.sensors import STANDARD_GRAVITY

SENTINELS = (999.25, -999.25, -9999.0, 9999.0, -99999.0)
_ANGLE = {
    "rad": 180.0 / math.pi,
    "dega": 1.0,
    "deg": 1.0,
    "0.001 rad": 0.18 / math.pi,
    "mrad": 0.18 / math.pi,
    "gon": 0.9,
    "grad": 0.9,
}
_LENGTH_M = {
    "m": 1.0,
    "ft": FT_TO_M,
    "ft[us]": USFT_TO_M,
    "usft": USFT_TO_M,
    "ftus": USFT_TO_M,
    "km": 1000.0,
    "cm": 0.01,
    "in": 0.0254,
    "dm": 0.1,
}
_UNIT_M = {u: float(to_metres(1.0, u)) for u in DepthUnit}
# Energistics units of measure of raw sensor readings -> factor to g, and to nT
_G_PER = {
    "gn": 1.0,
    "g": 1.0,  # in an acceleration element: standard gravity, not the gram
    "mgn": 1e-3,
    "mg": 1e-3,
    "m/s2": 1.0 / STANDARD_GRAVITY,
    "ft/s2": FT_TO_M / STANDARD_GRAVITY,
    "cm/s2": 0.01 / STANDARD_GRAVITY,
    "gal": 0.01 / STANDARD_GRAVITY,
    "mgal": 1e-5 / STANDARD_GRAVITY,
}
_NT_PER = {
    "nt": 1.0,
    "gamma": 1.0,
    "ut": 1e3,
    "µt": 1e3,
    "mt": 1e6,
    "t": 1e9,
    "gauss": 1e5,
    "mgauss": 1e2,
}
#: WITSML raw readings (``rawData``) -> surveylab's names: Tran1 is x, Tran2 y (normal to
#: Tran1), Axial z (along the tool), the convention of surveylab.calc.qc.
RAW_DATA_ELEMENTS = {
    "gravTran1Raw": "Gx",
    "gravTran2Raw": "Gy",
    "gravAxialRaw": "Gz",
    "magTran1Raw": "Bx",
    "magTran2Raw": "By",
    "magAxialRaw": "Bz",
}
RAW_DATA_FIELDS = {k.lower(): v for k, v in RAW_DATA_ELEMENTS.items()}
_ELEMENT_NAME = {k.lower(): k for k in RAW_DATA_ELEMENTS}


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1].lower()


def _child(el: Element, name: str) -> Element | None:
    for c in el:
        if _local(c.tag) == name:
            return c
    return None


def _text(el: Element, name: str) -> str | None:
    c = _child(el, name)
    if c is None or c.text is None or not c.text.strip():
        return None
    return c.text.strip()


class _Ctx:
    def __init__(self, name: str) -> None:
        self.name = name

    def fail(self, reason: str, element: str, field: str | None = None) -> SurveyFileError:
        return SurveyFileError(self.name, reason, element=element, field=field)


def _number(ctx: _Ctx, el: Element, name: str, where: str) -> tuple[float | None, str | None]:
    c = _child(el, name)
    if c is None or c.text is None or not c.text.strip():
        return None, None
    try:
        v = float(c.text.strip())
    except ValueError:
        raise ctx.fail(f"cannot read {c.text.strip()!r} as a number", where, name) from None
    if not math.isfinite(v) or v in SENTINELS:
        return None, c.get("uom")
    return v, c.get("uom")


def _angle(ctx: _Ctx, el: Element, name: str, where: str) -> float | None:
    v, uom = _number(ctx, el, name, where)
    if v is None:
        return None
    f = _ANGLE.get((uom or "").strip().lower())
    if f is None:
        raise ctx.fail(f"unknown angle unit {uom!r}", where, name)
    return v * f


def _length(ctx: _Ctx, el: Element, name: str, where: str, unit: DepthUnit) -> float | None:
    v, uom = _number(ctx, el, name, where)
    if v is None:
        return None
    f = _LENGTH_M.get((uom or "").strip().lower())
    if f is None:
        raise ctx.fail(f"unknown length unit {uom!r}", where, name)
    if f == _UNIT_M[unit]:
        return v
    return v * f / _UNIT_M[unit]


def _dls(ctx: _Ctx, el: Element, where: str, unit: DepthUnit) -> float | None:
    v, uom = _number(ctx, el, "dls", where)
    if v is None or not uom:
        return None
    m = re.fullmatch(r"\s*([a-z.0-9 ]+?)\s*/\s*([\d.]*)\s*([a-z\[\]]+)\s*", uom.lower())
    if not m or m.group(1) not in _ANGLE or m.group(3) not in _LENGTH_M:
        raise ctx.fail(f"unknown dogleg unit {uom!r}", where, "dls")
    per = float(m.group(2) or 1.0) * _LENGTH_M[m.group(3)]
    course = dls_course_length(unit)
    return v * _ANGLE[m.group(1)] / per * course * _UNIT_M[unit]


def _attempt(bad: ProblemLog, read: Callable[..., Any], *args: Any) -> tuple[Any, bool]:
    """``read(*args)`` and True; or, where it refuses the value, (None, False) and its
    problem added to ``bad``."""
    try:
        return read(*args), True
    except SurveyFileError as exc:
        for problem in exc.problems:
            bad.add(problem)
        return None, False


def parse_xml(data: bytes, name: str) -> Element:
    """Parse XML safely: no DTD, no entities (defusedxml)."""
    import defusedxml.ElementTree as DET
    from defusedxml import DefusedXmlException

    try:
        return DET.fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise SurveyFileError(name, f"XML refused for safety: {exc}") from None
    except Exception as exc:
        line = None
        pos = getattr(exc, "position", None)
        if pos:
            line = pos[0]
        raise SurveyFileError(name, f"not well-formed XML: {exc}", line=line) from None


def read_witsml(data: bytes, name: str, fmt: str) -> ParsedSurvey:
    """Read the first trajectory of a WITSML 1.4.1.1 or 2.0 document.

    Parameters
    ----------
    data : bytes
        XML content [-].
    name : str
        File name used in messages [-].
    fmt : str
        ``"witsml14"`` or ``"witsml20"`` [-].
    """
    ctx = _Ctx(name)
    root = parse_xml(data, name)
    findings: list[Finding] = []
    if _local(root.tag) == "trajectorys":
        trajs = [c for c in root if _local(c.tag) == "trajectory"]
        if not trajs:
            raise ctx.fail("no <trajectory> in <trajectorys>", "trajectorys")
        if len(trajs) > 1:
            findings.append(
                Finding(
                    Severity.WARNING,
                    "several_trajectories",
                    f"{len(trajs)} trajectories in the file; the first is read",
                )
            )
        traj = trajs[0]
    elif _local(root.tag) == "trajectory":
        traj = root
    else:
        raise ctx.fail(f"root element <{_local(root.tag)}> is not a trajectory", _local(root.tag))
    stations = [c for c in traj if _local(c.tag) == "trajectorystation"]
    if not stations:
        raise ctx.fail("the trajectory has no stations", "trajectory")
    first_md = _child(stations[0], "md")
    uom = (first_md.get("uom") if first_md is not None else None) or ""
    unit = depth_unit_from_text(uom.replace("[US]", "us").replace("[us]", "us"))
    if unit is None:
        unit = {"ft[us]": DepthUnit.USFT}.get(uom.lower())
    if unit is None:
        raise ctx.fail(f"unknown or missing depth unit {uom!r}", "trajectoryStation 1", "md")
    header = _header(ctx, traj, unit, fmt)
    raw = RawSurvey()
    mds: list[float] = []
    incs: list[float] = []
    azis: list[float] = []
    projected: list[bool] = []
    used: list[bool] = []
    vend: dict[str, list[float]] = {k: [] for k in ("tvd", "north", "east", "vs", "dls")}
    raw_data = _RawData(ctx, findings)
    bad = ProblemLog()  # every station value that cannot be read, in document order
    for k, st in enumerate(stations):
        where = f"trajectoryStation {k + 1}" + (f" (uid={st.get('uid')})" if st.get("uid") else "")
        found = len(bad)
        md, md_ok = _attempt(bad, _length, ctx, st, "md", where, unit)
        inc, inc_ok = _attempt(bad, _angle, ctx, st, "incl", where)
        azi, azi_ok = _attempt(bad, _angle, ctx, st, "azi", where)
        if md is None and md_ok:
            bad.add(Problem("measured depth missing", field="md", element=where))
        if inc is None and inc_ok:
            bad.add(Problem("inclination missing", field="incl", element=where))
        if azi is None and azi_ok and inc is not None and inc != 0:
            bad.add(Problem("azimuth missing", field="azi", element=where))
        positions = {}
        for col, tag in (
            ("tvd", "tvd"),
            ("north", "dispns"),
            ("east", "dispew"),
            ("vs", "vertsect"),
        ):
            positions[col] = _attempt(bad, _length, ctx, st, tag, where, unit)[0]
        positions["dls"] = _attempt(bad, _dls, ctx, st, where, unit)[0]
        _attempt(bad, raw_data.read, st, where, header)
        if len(bad) > found or md is None or inc is None:
            continue
        typ = (_text(st, "typetrajstation") or "").lower()
        status = (_text(st, "statustrajstation") or _text(st, "validmdstatus") or "").lower()
        mds.append(md)
        incs.append(inc)
        azis.append(0.0 if azi is None else azi)
        raw.lines.append(None)
        projected.append("project" in typ or "project" in status)
        used.append(status not in ("invalid", "rejected", "bad", "not used"))
        if "tie" in typ and raw.tie_index is None:
            raw.tie_index = k
        for col, v in positions.items():
            vend[col].append(math.nan if v is None else v)
        tool = _text(st, "typesurveytool")
        if tool and header.tool is None:
            header.tool = tool
    if bad:
        raise bad.refusal(name)
    raw.md, raw.inc, raw.azi = mds, incs, azis
    raw.projected, raw.used = projected, used
    raw.vendor = {k: v for k, v in vend.items() if not all(math.isnan(x) for x in v)}
    raw.vendor_decimals = {k: 4 for k in raw.vendor}
    extra, extra_units = raw_data.columns(len(mds))
    return build_survey(
        fmt,
        name,
        header,
        raw,
        findings=findings,
        extra_columns=extra,
        extra_units=extra_units,
    )


class _RawData:
    """Raw sensor readings of the stations (``rawData``) as extra columns Gx..Bz in g and nT,
    and the reference field a station states (``magTotalFieldReference``,
    ``magDipAngleReference``, ``gravTotalFieldReference``) as the header's reference."""

    def __init__(self, ctx: _Ctx, findings: list[Finding]) -> None:
        self.ctx = ctx
        self.findings = findings
        self.values: dict[str, list[float]] = {v: [] for v in RAW_DATA_FIELDS.values()}
        self.found = False
        self.unknown_unit: Finding | None = None

    def read(self, st: Element, where: str, header: SurveyHeader) -> None:
        rd = _child(st, "rawdata")
        for tag, col in RAW_DATA_FIELDS.items():
            v = None if rd is None else self._reading(rd, tag, where)
            self.values[col].append(math.nan if v is None else v)
            self.found = self.found or v is not None
        refs = (
            ("magtotalfieldreference", "ref_btotal_nt"),
            ("gravtotalfieldreference", "ref_gtotal_g"),
        )
        for tag, attr in refs:
            if getattr(header, attr) is None:
                v = self._reading(st, tag, where)
                if v is not None:
                    setattr(header, attr, v)
        if header.ref_dip_deg is None:
            header.ref_dip_deg = _angle(self.ctx, st, "magdipanglereference", where)

    def _reading(self, el: Element, tag: str, where: str) -> float | None:
        """A reading in g (gravity) or nT (magnetic field), from its ``uom``."""
        v, uom = _number(self.ctx, el, tag, where)
        if v is None:
            return None
        table = _G_PER if tag.startswith("grav") else _NT_PER
        factor = table.get((uom or "").strip().lower())
        if factor is None:
            if self.unknown_unit is None:
                what = "acceleration" if tag.startswith("grav") else "magnetic flux density"
                element = _ELEMENT_NAME.get(tag, tag)
                self.unknown_unit = Finding(
                    Severity.WARNING,
                    "raw_data_unit_unknown",
                    f"{where}, {element}: unknown {what} unit {uom!r}; the raw sensor readings "
                    "are not read (no raw-sensor QC)",
                    field=element,
                )
            return None
        return v * factor

    def columns(self, n: int) -> tuple[pd.DataFrame | None, dict[str, str | None]]:
        if self.unknown_unit is not None:
            self.findings.append(self.unknown_unit)
            return None, {}
        if not self.found:
            return None, {}
        frame = pd.DataFrame({k: np.asarray(v, dtype=float) for k, v in self.values.items()})
        units: dict[str, str | None] = {
            k: ("g" if k.startswith("G") else "nT") for k in self.values
        }
        return frame.set_axis(pd.RangeIndex(n)), units


def _header(ctx: _Ctx, traj: Element, unit: DepthUnit, fmt: str) -> SurveyHeader:
    h = SurveyHeader(depth_unit=unit)
    where = "trajectory"
    h.well_name = _text(traj, "namewell")
    h.wellbore_name = _text(traj, "namewellbore")
    h.run_name = _text(traj, "name")
    cit = _child(traj, "citation")
    if cit is not None:
        h.run_name = h.run_name or _text(cit, "title")
    wb = _child(traj, "wellbore")
    if wb is not None:
        h.wellbore_name = h.wellbore_name or _text(wb, "title")
    h.survey_date = _text(traj, "dtimtrajstart")
    if h.survey_date:
        h.survey_date = normalise_date(h.survey_date)
    incl_el = next((_child(s, "incl") for s in traj if _local(s.tag) == "trajectorystation"), None)
    uom = (incl_el.get("uom") or "").lower() if incl_el is not None else ""
    h.angle_unit = "rad" if uom == "rad" else ("deg" if uom in ("dega", "deg") else uom or None)
    ref = (_text(traj, "aziref") or "").lower()
    h.azimuth_reference = {
        "true north": NorthReference.TRUE,
        "grid north": NorthReference.GRID,
        "magnetic north": NorthReference.MAGNETIC,
    }.get(ref, NorthReference.UNKNOWN)
    if ref:
        h.extra["aziRef"] = ref
    decl = _angle(ctx, traj, "magdeclused", where)
    if decl is not None:
        h.declination, h.declination_source = decl, "WITSML magDeclUsed"
    conv = _angle(ctx, traj, "gridconused", where)
    if conv is not None:
        h.grid_convergence, h.convergence_source = conv, "WITSML gridConUsed"
    cor = _angle(ctx, traj, "gridcorused", where)
    if cor is not None:
        h.total_correction = cor
        h.extra["gridCorUsed"] = cor
    sf, _u = _number(ctx, traj, "gridscalefactorused", where)
    h.scale_factor = sf
    h.vs_azimuth = _angle(ctx, traj, "azivertsect", where)
    h.calculation_method = _text(traj, "calcalgorithm") or _text(traj, "calcalgorithmused")
    for tag in ("mdmn", "mdmx"):
        v = _length(ctx, traj, tag, where, unit)
        if v is not None:
            h.extra[tag] = v
    return h
