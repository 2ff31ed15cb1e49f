"""Readers for the ISCWSA reference files in ../shared/reference-data/iscwsa (tests only)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from surveylab.calc.uncertainty import (
    OffsetClearance,
    ReferenceField,
    SeparationRule,
    WellPath,
    clearance,
    position_uncertainty,
)

INCH = 0.0254  # [m]

_FULL = ((0, 3, 4), (3, 1, 5), (4, 5, 2))  # nn, ee, vv, ne, nv, ev -> 3 x 3


@dataclass(frozen=True)
class Wellpath:
    """An ISCWSA example wellpath: stations, depth unit and the workbook's reference field."""

    name: str
    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    unit: str
    field: ReferenceField


def wellpath(folder: Path, number: int) -> Wellpath:
    """ISCWSA test well #``number`` (iscwsa_N_wellpath.csv: parameters on the first line)."""
    path = folder / "iscwsa" / f"iscwsa_{number}_wellpath.csv"
    head = path.read_text().splitlines()[0]
    params = {
        k.strip(): v.strip()
        for k, v in re.findall(r"([A-Za-z][^=;]*?)=([^;]+)", head.split("header params:")[1])
    }
    data = np.genfromtxt(path, delimiter=",", skip_header=2)
    field = ReferenceField(
        total_field=float(params["Btotal (nT)"]),
        dip=float(params["Dip (deg)"]),
        declination=float(params["Declination (deg)"]),
        latitude=float(params["Latitude (deg)"]),
        gravity=float(params["G (m/s2)"]),
        source=f"ISCWSA test well #{number} workbook",
    )
    assert params["Azimuth Ref"] == "TRUE"
    assert float(params["Convergence (deg)"]) == 0.0
    return Wellpath(
        name=params["Well"],
        md=data[:, 0],
        inc=data[:, 1],
        azi=data[:, 2],
        unit="ft" if params["Depth Units"] == "ft" else "m",
        field=field,
    )


@dataclass(frozen=True)
class WorkbookCovariances:
    """ISCWSA #1 stations, field and per-source NEV covariances at four MDs (MWD Rev5.11)."""

    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    field: ReferenceField
    vertical_inc_limit: float  # [deg]
    rows: list[tuple[float, str, np.ndarray]]  # (md, source or "TOTAL", 3 x 3 [m^2])


def workbook_covariances(folder: Path) -> WorkbookCovariances:
    d = json.loads((folder / "iscwsa" / "iscwsa_1_mwd_rev5_11_covariance.json").read_text())
    h, s, vd = d["header"], d["survey"], d["vd"]
    assert h["depth_unit"] == "meters" and h["azi_reference"] == "true"
    field = ReferenceField(
        total_field=float(h["b_total"]),
        dip=math.degrees(h["dip"]),
        declination=math.degrees(h["declination"]),
        latitude=float(h["latitude"]),
        gravity=float(h["G"]),
        earth_rate=math.degrees(h["earth_rate"]),
        source="ISCWSA #1 workbook header",
    )
    rows = []
    for i, source in enumerate(vd["source"]):
        six = [vd[k][i] for k in ("nn", "ee", "vv", "ne", "nv", "ev")]
        rows.append((float(vd["md"][i]), source, np.array(six)[np.array(_FULL)]))
    return WorkbookCovariances(
        md=np.asarray(s["md"], float),
        inc=np.asarray(s["inc"], float),
        azi=np.asarray(s["azi"], float),
        field=field,
        vertical_inc_limit=math.degrees(h["vertical_inc_limit"]),
        rows=rows,
    )


def clearance_set(folder: Path) -> dict:
    """The ISCWSA clearance standard set r4 (reference well, 11 offsets, ``acr`` parameters)."""
    return json.loads((folder / "iscwsa" / "clearance_standard_set_r4.json").read_text())


def set_path(w: dict, code: str, radius: float, start: float | None = None) -> WellPath:
    """A well of the clearance set with our covariances (``code``), from ``start`` MD on."""
    h = w["header"]
    field = ReferenceField(
        total_field=h["b_total"],
        dip=math.degrees(h["dip"]),
        declination=math.degrees(h["declination"]),
        latitude=h["latitude"],
        gravity=h["G"],
    )
    md = np.asarray(w["MD"], float)
    k = 0 if start is None else int(np.flatnonzero(md == start)[0])
    a = {c: np.asarray(w[c], float)[k:] for c in ("MD", "IncDeg", "AziDeg", "TVD", "N", "E")}
    u = position_uncertainty(
        a["MD"],
        a["IncDeg"],
        a["AziDeg"],
        depth_unit="m",
        north_reference="grid",
        grid_convergence=0.0,
        field=field,
        tvd=a["TVD"],
        tool=code,
        vertical_inc_limit=math.degrees(h["vertical_inc_limit"]),
    )
    return WellPath(
        w["header"]["name"],
        a["MD"],
        a["IncDeg"],
        a["AziDeg"],
        a["TVD"],
        a["N"],
        a["E"],
        u.covariance,
        radius,
    )


def set_run(data: dict, code: str) -> dict[str, tuple[OffsetClearance, np.ndarray]]:
    """Our clearance of the set's reference against each offset, with the published SF."""
    acr = data["acr"]
    rule = SeparationRule(k=acr["k"], sigma_pa=acr["sigmapa"], surface_margin=acr["Sm"])
    r_ref = acr["reference_h_and_c"] * INCH / 2  # hole and casing diameters in inches
    r_off = acr["offset_h_and_c"] * INCH / 2
    ref_well = data["wells"]["Reference well"]
    out = {}
    for name, w in data["wells"].items():
        if name == "Reference well":
            continue
        # a sidetrack and its parent share the hole above the kick-off: both from there
        kop = w["MD"][0] if w["MD"][0] > 0 else None
        ref = set_path(ref_well, code, r_ref, kop)
        off = set_path(w, code, r_off)
        res = clearance(ref, [off], depth_unit="m", rule=rule).offsets[0]
        out[name] = (res, np.asarray(w["SF"], float))
    return out
