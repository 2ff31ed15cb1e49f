"""A generator of vendor survey layouts: a known survey written in randomly drawn styles.

:func:`sources` draws a known survey (stations printed at a precision, vendor TVD/N/E, header
fields); :func:`text_layouts` and :func:`sheet_layouts` draw a vendor style and write the survey
in it (:class:`Written`: the file's bytes and what a correct reader must give back).
:func:`compass_design_reports` writes Landmark COMPASS "Design Report" exports.

The names, units and header words are the ones vendors print (English, Norwegian, Spanish,
Portuguese, French), written here independently of the reader's alias tables.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from hypothesis import strategies as st

from surveylab.calc import minimum_curvature
from surveylab.models import DepthUnit, NorthReference

# ----------------------------------------------------------------------------- the source


@dataclass
class Source:
    """A known survey: printed stations and header fields (angles [deg], lengths [unit])."""

    md: list[float]
    inc: list[float]
    azi: list[float]
    dp: tuple[int, int, int]
    tvd: list[float] | None
    north: list[float] | None
    east: list[float] | None
    vendor_dp: int
    unit: DepthUnit
    reference: NorthReference
    well: str
    declination: float | None
    convergence: float | None
    elevation: float | None
    latitude: float | None
    longitude: float | None
    comments: list[str]
    gx: list[float] | None
    #: Raw sensor readings (:func:`sources_with_raw_readings`): see :class:`RawColumns`.
    raw: RawColumns | None = None


@dataclass
class RawColumns:
    """Raw readings of a known field written as six columns in one naming style.

    ``names`` gives the printed name of each reading (gx..bz), ``units`` the gravity and
    magnetic unit of the values, ``printed`` the values as printed [that unit], ``field`` the
    field they were made in (Btotal [nT], dip [deg], Gtotal [g]).
    """

    names: dict[str, str]
    units: tuple[str, str]
    printed: dict[str, list[float]]
    field: tuple[float, float, float]


WELLS = ("ALPHA-1", "Brønn 15/9-F-12", "Pozo Norte 3", "Poço P-7", "Puits A-2", "X-1 ST2")


@st.composite
def sources(draw: st.DrawFn, max_stations: int = 24) -> Source:
    """A smooth random survey with its header fields."""
    n = draw(st.integers(3, max_stations))
    dp = (draw(st.integers(0, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    start = draw(st.sampled_from([0.0, 0.0, 25.0, 145.9, 1200.0]))
    step = draw(st.sampled_from([10.0, 27.5, 30.0, 33.33, 100.0]))
    md = [round(start + k * step, dp[0]) for k in range(n)]
    md = sorted(set(md))
    n = len(md)
    build = draw(st.floats(0.0, 3.0))
    inc0 = draw(st.floats(0.0, 5.0)) if start > 0 else 0.0
    inc = [round(min(inc0 + build * k, 110.0), dp[1]) for k in range(n)]
    azi0 = draw(st.floats(0.0, 359.0))
    turn = draw(st.floats(-4.0, 4.0))
    azi = [round((azi0 + turn * k) % 360.0, dp[2]) % 360.0 for k in range(n)]
    if start == 0.0:
        inc[0], azi[0] = 0.0, 0.0
    with_vendor = draw(st.booleans())
    vendor_dp = draw(st.integers(2, 3))
    tvd = north = east = None
    if with_vendor:
        pos = minimum_curvature(md, inc, azi)
        tvd = [round(float(v), vendor_dp) for v in pos.tvd]
        north = [round(float(v), vendor_dp) for v in pos.north]
        east = [round(float(v), vendor_dp) for v in pos.east]
    comments = [""] * n
    if draw(st.booleans()):
        comments[0] = "Tie-In" if start > 0 else "Surface"
        comments[-1] = draw(st.sampled_from(["TD", "Last survey", "Final station"]))
    gx = None
    if draw(st.booleans()):
        gx = [round(-0.5 + 0.01 * k, 4) for k in range(n)]
    return Source(
        md=md,
        inc=inc,
        azi=azi,
        dp=dp,
        tvd=tvd,
        north=north,
        east=east,
        vendor_dp=vendor_dp,
        unit=draw(st.sampled_from(list(DepthUnit))),
        reference=draw(
            st.sampled_from([NorthReference.TRUE, NorthReference.GRID, NorthReference.MAGNETIC])
        ),
        well=draw(st.sampled_from(WELLS)),
        declination=draw(st.one_of(st.none(), st.floats(-25, 25).map(lambda v: round(v, 2)))),
        convergence=draw(st.one_of(st.none(), st.floats(-3, 3).map(lambda v: round(v, 3)))),
        elevation=draw(st.one_of(st.none(), st.floats(1, 900).map(lambda v: round(v, 1)))),
        latitude=draw(st.one_of(st.none(), st.floats(-70, 70))),
        longitude=draw(st.one_of(st.none(), st.floats(-170, 170))),
        comments=comments,
        gx=gx,
    )


#: Naming styles of the six raw readings (gx, gy, gz, bx, by, bz), as vendors print them.
RAW_NAME_STYLES = (
    ("Gx", "Gy", "Gz", "Bx", "By", "Bz"),
    ("GX", "GY", "GZ", "BX", "BY", "BZ"),
    ("G_x", "G_y", "G_z", "B_x", "B_y", "B_z"),
    ("Accel X", "Accel Y", "Accel Z", "Mag X", "Mag Y", "Mag Z"),
    ("Gx raw", "Gy raw", "Gz raw", "Bx raw", "By raw", "Bz raw"),
    ("Gx", "Gy", "Gz", "Hx", "Hy", "Hz"),
)
#: Printed decimals of readings in each unit (about 1e-6 g and 0.1 nT).
RAW_DECIMALS = {"g": 6, "mG": 3, "m/s2": 5, "nT": 1, "uT": 4, "gauss": 6}


@st.composite
def sources_with_raw_readings(draw: st.DrawFn, max_stations: int = 16) -> Source:
    """A drawn survey whose stations carry raw readings: a known field (Btotal, dip, Gtotal)
    rotated into the tool frame of each station (its inclination and azimuth, taken as
    magnetic, and a drawn toolface: tests/sensor_frames.py), printed in drawn units and names."""
    from tests.sensor_frames import GRAVITY_UNITS, MAGNETIC_UNITS, synthesise

    src = draw(sources(max_stations=max_stations))
    n = len(src.md)
    btotal = draw(st.floats(25_000.0, 65_000.0))
    dip = draw(st.floats(-80.0, 80.0))
    g = draw(st.floats(0.997, 1.003))
    toolface = draw(st.lists(st.floats(0.0, 360.0), min_size=n, max_size=n))
    readings = synthesise(src.inc, src.azi, toolface, g=g, btotal=btotal, dip=dip)
    g_unit = draw(st.sampled_from(list(GRAVITY_UNITS)))
    b_unit = draw(st.sampled_from(list(MAGNETIC_UNITS)))
    style = draw(st.sampled_from(RAW_NAME_STYLES))
    names = dict(zip(("gx", "gy", "gz", "bx", "by", "bz"), style, strict=True))
    printed = {}
    for key, values in zip(names, readings, strict=True):
        unit = g_unit if key.startswith("g") else b_unit
        k = GRAVITY_UNITS[unit] if key.startswith("g") else MAGNETIC_UNITS[unit]
        printed[key] = [round(float(v) * k, RAW_DECIMALS[unit]) for v in values]
    src.gx = None
    src.raw = RawColumns(names, (g_unit, b_unit), printed, (btotal, dip, g))
    return src


# ----------------------------------------------------------------------------- vocabulary

#: Column names vendors print, by role and language.
NAMES = {
    "md": [
        ["MD"],
        ["Measured Depth"],
        ["Meas.", "Depth"],
        ["DEPTH"],
        ["Målt dybde"],
        ["Profundidad medida"],
        ["Prof. Medida"],
        ["Profundidade medida"],
        ["Profondeur mesurée"],
    ],
    "inc": [
        ["Inc"],
        ["Incl."],
        ["Inclination"],
        ["INCL"],
        ["Inklinasjon"],
        ["Inclinación"],
        ["Inclinação"],
        ["Inclinaison"],
    ],
    "azi": [
        ["Azi"],
        ["Azim."],
        ["Azimuth"],
        ["AZIM"],
        ["Asimut"],
        ["Azimut"],
        ["Azimute"],
    ],
    "tvd": [
        ["TVD"],
        ["True Vertical", "Depth"],
        ["Vertikal dybde"],
        ["PVV"],
        ["Profundidad vertical"],
        ["Profundidade vertical"],
        ["Profondeur verticale"],
    ],
    "north": [["N/S"], ["+N/-S"], ["North"], ["Nord"], ["Norte"], ["NS"]],
    "east": [["E/W"], ["+E/-W"], ["East"], ["Øst"], ["Este"], ["Leste"], ["Est"], ["EW"]],
    "dls": [["DLS"], ["Dogleg", "Severity"], ["Dog Leg", "Severity"], ["Dogleg Rate"]],
}
#: Azimuth column names that state the north reference.
AZI_REF_NAMES = {
    NorthReference.TRUE: ["Azimuth True", "Azim TN", "Azimut vrai", "Azimut verdadero"],
    NorthReference.GRID: ["Azimuth Grid", "Azim GN", "Azimute grid", "Azimut grille"],
    NorthReference.MAGNETIC: ["Azimuth Magnetic", "Azim MN", "Azimut magnético"],
}
UNIT_WORDS = {
    DepthUnit.M: ["m", "metres", "meters", "M"],
    DepthUnit.FT: ["ft", "feet", "Feet"],
    DepthUnit.USFT: ["usft", "US ft", "ftUS"],
}
UNIT_TOKEN = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "usft"}
REF_WORDS = {
    NorthReference.TRUE: ["True North", "True", "TN", "Norte verdadero"],
    NorthReference.GRID: ["Grid North", "Grid", "GN", "Nord grille"],
    NorthReference.MAGNETIC: ["Magnetic North", "Magnetic", "MN"],
}
LABELS = {
    "well": ["Well", "Well Name", "Pozo", "Puits", "Brønn", "Poço"],
    "unit": ["Depth Units", "Units", "Depth Unit", "Unidades", "Unités", "Enheter"],
    "reference": ["North Reference", "Azimuth Reference", "Azimuths", "Referencia Norte"],
    "declination": [
        "Declination",
        "Magnetic Declination",
        "Mag. Dec.",
        "Magnetic dec",
        "Declinación",
        "Déclinaison",
        "Deklinasjon",
    ],
    "convergence": ["Grid Convergence", "Convergence", "Convergencia", "Konvergens"],
    "elevation": ["KB Elevation", "RKB Elevation", "Datum Elevation"],
    "latitude": ["Latitude", "Latitud"],
    "longitude": ["Longitude", "Longitud"],
}
FOOTERS = [
    "*** End of survey listing ***",
    "Report generated by a vendor application",
    "All depths referenced to the drill floor",
    "Page 3 of 3",
]


# ----------------------------------------------------------------------------- numbers


def fmt(v: float, dp: int, comma: bool) -> str:
    t = f"{v:.{dp}f}"
    return t.replace(".", ",") if comma else t


def dms(v: float, axis: str, comma: bool, style: int) -> str:
    """A latitude or longitude as degrees, minutes, seconds (2 dp) with a hemisphere letter."""
    hemi = ("N" if v >= 0 else "S") if axis == "lat" else ("E" if v >= 0 else "W")
    a = abs(v)
    d = int(a)
    m = int((a - d) * 60)
    s = round(((a - d) * 60 - m) * 60, 2)
    if s >= 60:
        s, m = 0.0, m + 1
    if m >= 60:
        m, d = 0, d + 1
    sec = fmt(s, 2, comma)
    if style == 0:
        return f"{d}° {m:02d}' {sec}\" {hemi}"
    if style == 1:
        return f"{hemi} {d} {m:02d} {sec}"
    return f"{d}°{m:02d}'{sec}\"{hemi}"


def dms_value(v: float) -> float:
    """What the printed DMS (seconds to 2 dp) of ``v`` reads back as [deg]."""
    a = abs(v)
    d = int(a)
    m = int((a - d) * 60)
    s = round(((a - d) * 60 - m) * 60, 2)
    if s >= 60:
        s, m = 0.0, m + 1
    if m >= 60:
        m, d = 0, d + 1
    out = d + m / 60 + s / 3600
    return -out if v < 0 else out


# ----------------------------------------------------------------------------- the result


@dataclass
class Written:
    """A generated file and what a correct reader gives back."""

    data: bytes
    name: str
    style: dict[str, Any]
    md: list[float]
    inc: list[float]
    azi: list[float]
    header: dict[str, Any]
    vendor: dict[str, list[float]] = field(default_factory=dict)
    extra_names: list[str] = field(default_factory=list)
    ambiguous: bool = False
    #: The raw readings the file carries (None: none), and whether their units are printed.
    raw: RawColumns | None = None
    raw_units_printed: bool = False
    #: header fields (name -> printed label) whose value is ambiguous in the file as a whole
    #: (``1,250`` with no other number showing the decimal separator): left unset, with a
    #: finding that names the ambiguity
    unreadable: dict[str, str] = field(default_factory=dict)


# ----------------------------------------------------------------------------- header


@st.composite
def _statements(
    draw: st.DrawFn, src: Source, comma: bool, delim: str | None = None
) -> tuple[list[tuple[str, str]], dict]:
    """Header statements (label, value) and the fields they state."""
    out: list[tuple[str, str]] = []
    # "_printed": field -> (label, value text) of the numeric statements
    stated: dict[str, Any] = {"well_name": None, "_printed": {}}
    if draw(st.booleans()):
        out.append((draw(st.sampled_from(LABELS["well"])), src.well))
        stated["well_name"] = src.well
    if draw(st.booleans()):
        out.append(
            (draw(st.sampled_from(LABELS["unit"])), draw(st.sampled_from(UNIT_WORDS[src.unit])))
        )
        stated["depth_unit"] = src.unit
    if draw(st.booleans()):
        out.append(
            (
                draw(st.sampled_from(LABELS["reference"])),
                draw(st.sampled_from(REF_WORDS[src.reference])),
            )
        )
        stated["azimuth_reference"] = src.reference
    for key, value in (("declination", src.declination), ("convergence", src.convergence)):
        if value is None:
            continue
        label = draw(st.sampled_from(LABELS[key]))
        form = draw(st.integers(0, 6))
        dp = 2 if key == "declination" else 3
        if form == 0:  # plain number with a degree sign
            text = fmt(value, dp, comma) + "°"
        elif form == 1:
            text = fmt(value, dp, comma) + draw(st.sampled_from([" deg", " degrees", "", " °"]))
        elif form == 2:  # hemisphere letter
            text = fmt(abs(value), dp, comma) + draw(st.sampled_from([" E", "° E", " East"]))
            if value < 0:
                text = text.replace("East", "West").replace("E", "W")
        elif form == 3:  # sign convention beside the label
            label += draw(st.sampled_from([" (+E/W-)", " (E+/W-)", " (+ve East)"]))
            text = fmt(value, dp, comma) + " degrees"
        elif form == 4:  # west positive: the printed value is negated
            # a label with a comma in it is only printed where commas do not split cells
            west = [" (+W/E-)", " (W+)"] + ([", West positive"] if delim != "," else [])
            label += draw(st.sampled_from(west))
            text = fmt(-value if value else 0.0, dp, comma) + "°"
        elif form == 5:  # unit beside the label
            label += draw(st.sampled_from([" (deg)", " [deg]", " [°]"]))
            text = fmt(value, dp, comma)
        else:  # degrees, minutes, seconds (whole seconds)
            a = abs(value)
            d = int(a)
            m = int((a - d) * 60)
            s = round(((a - d) * 60 - m) * 60)
            if s == 60:
                s, m = 0, m + 1
            if m == 60:
                m, d = 0, d + 1
            text = f"{d}° {m:02d}' {s:02d}\" " + ("E" if value >= 0 else "W")
            value = round(d + m / 60 + s / 3600, 9) * (1 if value >= 0 else -1)
        out.append((label, text))
        fld = "declination" if key == "declination" else "grid_convergence"
        stated[fld] = value
        stated["_printed"][fld] = (label, text)
    if src.elevation is not None:
        label = draw(st.sampled_from(LABELS["elevation"]))
        tok = UNIT_TOKEN[src.unit]
        if draw(st.booleans()):
            out.append((f"{label} ({tok})", fmt(src.elevation, 1, comma)))
        else:
            out.append((label, fmt(src.elevation, 1, comma) + " " + tok))
        stated["datum_elevation"] = src.elevation
    for axis, value in (("lat", src.latitude), ("lon", src.longitude)):
        if value is None:
            continue
        label = draw(st.sampled_from(LABELS["latitude" if axis == "lat" else "longitude"]))
        out.append((label, dms(value, axis, comma, draw(st.integers(0, 2)))))
        stated["latitude" if axis == "lat" else "longitude"] = dms_value(value)
    order = draw(st.permutations(range(len(out))))
    return [out[i] for i in order], stated


def _joined(label: str, value: str, form: int) -> str:
    """One statement printed in a header form."""
    if form == 0:
        return f"{label}: {value}"
    if form == 1:
        return f"{label} = {value}"
    if form == 2:
        return f"{label}{'.' * max(3, 24 - len(label))}: {value}"
    if form == 3:
        return f"{label} {'.' * max(3, 22 - len(label))} {value}"
    return f"{label}:   {value}"


@st.composite
def _header_lines(draw: st.DrawFn, statements: list[tuple[str, str]], delim: str) -> list[str]:
    """Header lines: one statement a line, several on a line, or two blocks side by side."""
    form = draw(st.integers(0, 4))
    texts = [_joined(lab, val, form) for lab, val in statements]
    arrangement = draw(st.sampled_from(["lines", "pairs", "blocks", "comment"]))
    lines: list[str] = []
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["SURVEY REPORT", "Definitive Survey Listing"])))
    if arrangement == "lines" or len(texts) < 2:
        lines += texts
    elif arrangement == "comment":
        lines += ["# " + t for t in texts]
    elif arrangement == "pairs":
        gap = draw(st.sampled_from(["   ", "\t", " | ", "; "]))
        if gap.strip() and gap.strip() == delim.strip():
            gap = "    "
        k = 0
        while k < len(texts):
            size = draw(st.integers(1, 3))
            lines.append(gap.join(texts[k : k + size]))
            k += size
    else:
        half = (len(texts) + 1) // 2
        left, right = texts[:half], texts[half:]
        width = max(len(t) for t in left) + draw(st.integers(3, 8))
        for i, t in enumerate(left):
            lines.append(t.ljust(width) + (right[i] if i < len(right) else ""))
    if draw(st.booleans()):
        lines.append("")
    return lines


# ----------------------------------------------------------------------------- columns


@dataclass
class _Column:
    role: str
    names: list[str]  # one or two rows
    unit: str | None
    values: list[str]


@st.composite
def _columns(
    draw: st.DrawFn, src: Source, comma: bool, unit_place: str, stated: dict
) -> list[_Column]:
    tok = UNIT_TOKEN[src.unit]
    cols: list[_Column] = []
    for role in ("md", "inc", "azi"):
        names = list(draw(st.sampled_from(NAMES[role])))
        if role == "azi" and "azimuth_reference" not in stated and draw(st.booleans()):
            names = [draw(st.sampled_from(AZI_REF_NAMES[src.reference]))]
            stated["azimuth_reference"] = src.reference
        vals = getattr(src, role)
        dp = src.dp[("md", "inc", "azi").index(role)]
        unit = tok if role == "md" else draw(st.sampled_from(["deg", "°", "Deg"]))
        cols.append(_Column(role, names, unit, [fmt(v, dp, comma) for v in vals]))
    if src.tvd is not None:
        for role, vals in (("tvd", src.tvd), ("north", src.north), ("east", src.east)):
            names = list(draw(st.sampled_from(NAMES[role])))
            cols.append(
                _Column(role, names, tok, [fmt(v, src.vendor_dp, comma) for v in vals or []])
            )
        if draw(st.booleans()):
            pos = minimum_curvature(src.md, src.inc, src.azi)
            course = 30.0 if src.unit is DepthUnit.M else 100.0
            dmd = np.diff(np.asarray(src.md), prepend=np.nan)
            with np.errstate(invalid="ignore", divide="ignore"):
                dls = np.nan_to_num(np.asarray(pos.dogleg) * course / dmd)
            names = list(draw(st.sampled_from(NAMES["dls"])))
            rate = f"deg/{course:g}{tok}"
            cols.append(_Column("dls", names, rate, [fmt(float(v), 2, comma) for v in dls]))
    if src.gx is not None:
        cols.append(_Column("extra", ["Gx"], "g", [fmt(v, 4, comma) for v in src.gx]))
    if src.raw is not None:
        for key, name in src.raw.names.items():
            unit = src.raw.units[0] if key.startswith("g") else src.raw.units[1]
            dp = RAW_DECIMALS[unit]
            values = [fmt(v, dp, comma) for v in src.raw.printed[key]]
            cols.append(_Column("raw", [name], unit, values))
    if any(src.comments):
        cols.append(
            _Column(
                "comment",
                [draw(st.sampled_from(["Comment", "Remarks", "Comentario"]))],
                None,
                list(src.comments),
            )
        )
    order = draw(st.permutations(range(len(cols))))
    # the comment column stays last (aligned text reads it by position)
    cols = [cols[i] for i in order if cols[i].role != "comment"] + [
        c for c in cols if c.role == "comment"
    ]
    if unit_place == "name":
        for c in cols:
            if c.unit and c.role not in ("comment",):
                form = draw(st.sampled_from(["({})", "[{}]", " ({})", " [{}]"]))
                c.names[-1] = c.names[-1] + form.format(c.unit)
                c.unit = None
        stated["depth_unit"] = src.unit
    return cols


# ----------------------------------------------------------------------------- text files

DELIMS = {"comma": ",", "semicolon": ";", "tab": "\t", "pipe": "|", "aligned": None}
ENCODINGS = ["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"]


def _row(cells: list[str], delim: str | None, widths: list[int], trailing: int) -> str:
    if delim is None:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()
    sep = delim if delim != "|" else " | "
    text = sep.join(cells)
    if delim == "|":
        text = "| " + text + " |"
    return text + delim * trailing


@st.composite
def text_layouts(draw: st.DrawFn, src: Source | None = None) -> Written:
    """A text export of a known survey in a randomly drawn vendor style."""
    src = src or draw(sources())
    delim_name = draw(st.sampled_from(list(DELIMS)))
    delim = DELIMS[delim_name]
    comma = delim != "," and draw(st.booleans())
    encoding = draw(st.sampled_from(ENCODINGS))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    final_newline = draw(st.booleans())
    unit_place = draw(st.sampled_from(["name", "row", "header", "none"]))
    statements, stated = draw(_statements(src, comma, delim))
    if unit_place == "header" and "depth_unit" not in stated:
        statements.append(("Depth Units", UNIT_WORDS[src.unit][0]))
        stated["depth_unit"] = src.unit
    head = draw(_header_lines(statements, delim or " "))
    cols = draw(_columns(src, comma, unit_place, stated))
    two_rows = any(len(c.names) == 2 for c in cols)
    name_rows = [[c.names[0] for c in cols]]
    if two_rows:
        name_rows.append([c.names[1] if len(c.names) == 2 else "" for c in cols])
    units_row: list[str] | None = None
    if unit_place == "row":
        units_row = [f"({c.unit})" if c.unit else "" for c in cols]
        shape = draw(st.sampled_from(["full", "fewer", "more", "bare"]))
        if shape == "bare":
            units_row = [c.unit or "" for c in cols]
        if cols[-1].unit is None and shape == "fewer":
            units_row = units_row[:-1]  # the trailing comment column has no unit
        if shape == "more" and delim is not None:
            units_row = [*units_row, ""]
        stated["depth_unit"] = src.unit
    trailing = draw(st.integers(0, 2)) if delim not in (None, "|") else 0
    n = len(src.md)
    body = [[c.values[i] for c in cols] for i in range(n)]
    widths = [
        max(len(x) for x in [*(r[j] for r in name_rows), *(b[j] for b in body), "    "]) + 2
        for j in range(len(cols))
    ]
    if units_row is not None:
        widths = [
            max(w, len(units_row[j]) + 2 if j < len(units_row) else w) for j, w in enumerate(widths)
        ]
    lines = list(head)

    def names_and_units() -> list[str]:
        out = [_row(r, delim, widths, trailing) for r in name_rows]
        if units_row is not None:
            out.append(_row(units_row, delim, widths[: len(units_row)], trailing))
        return out

    lines += names_and_units()
    spacers = draw(st.lists(st.integers(0, n - 1), max_size=3))
    page_at = draw(st.one_of(st.none(), st.integers(1, n - 1)))
    for i in range(n):
        if page_at == i:
            lines.append("")
            lines.append("Page 2")
            lines += names_and_units()
        lines.append(_row(body[i], delim, widths, trailing))
        for _ in range(spacers.count(i)):
            lines.append(draw(st.sampled_from(["", (delim or " ") * len(cols) if delim else ""])))
    footer = draw(st.lists(st.sampled_from(FOOTERS), max_size=2))
    if footer:
        lines.append("")
        lines += footer
    text = newline.join(lines) + (newline if final_newline else "")
    data = text.encode(encoding)
    written = Written(
        data=data,
        name=f"layout.{'txt' if delim in (None, chr(9)) else 'csv'}",
        style={
            "delimiter": delim_name,
            "decimal": "," if comma else ".",
            "encoding": encoding,
            "newline": repr(newline),
            "final_newline": final_newline,
            "units": unit_place,
            "two_row_names": two_rows,
            "page_header_at": page_at,
            "trailing_columns": trailing,
        },
        md=src.md,
        inc=src.inc,
        azi=src.azi,
        header=_expected_header(stated, src),
        vendor=(
            {"tvd": src.tvd, "north": src.north, "east": src.east} if src.tvd is not None else {}
        ),
        extra_names=_extra_names(src),
        raw=src.raw,
        raw_units_printed=unit_place in ("name", "row"),
    )
    written.ambiguous = comma and _all_ambiguous(body, cols)
    return written


def _extra_names(src: Source) -> list[str]:
    names = ["Gx"] if src.gx is not None else []
    return names + (list(src.raw.names.values()) if src.raw is not None else [])


def _expected_header(stated: dict, src: Source) -> dict[str, Any]:
    out = {
        "depth_unit": stated.get("depth_unit"),
        "azimuth_reference": stated.get("azimuth_reference", NorthReference.UNKNOWN),
        "declination": stated.get("declination"),
        "grid_convergence": stated.get("grid_convergence"),
        "datum_elevation": stated.get("datum_elevation"),
        "well_name": stated.get("well_name"),
        "latitude": stated.get("latitude"),
        "longitude": stated.get("longitude"),
    }
    return out


_COMMA_NUMBER = re.compile(r"[+-]?\d+,\d+")
_AMBIGUOUS_NUMBER = re.compile(r"[+-]?[1-9]\d{0,2},\d{3}")


def _ambiguous_header(stated: dict, evidence: list[str]) -> dict[str, str]:
    """Header fields printed as ``1,250`` in a decimal-comma file whose ``evidence`` (every
    text holding the file's numbers) shows no decimal comma that could not be a thousands
    separator: such a value is 1250 or 1.25, and nothing in the file says which."""
    tokens = [t for text in evidence for t in _COMMA_NUMBER.findall(text)]
    if any(not _AMBIGUOUS_NUMBER.fullmatch(t) for t in tokens):
        return {}
    out = {}
    for fld, (label, text) in stated["_printed"].items():
        if any(_AMBIGUOUS_NUMBER.fullmatch(t) for t in _COMMA_NUMBER.findall(text)):
            out[fld] = label
    return out


def _all_ambiguous(body: list[list[str]], cols: list[_Column]) -> bool:
    """Whether no table number shows its decimal comma (every one looks like ``1,250``)."""
    for row in body:
        for c, v in zip(cols, row, strict=True):
            numeric = c.role in ("md", "inc", "azi", "tvd", "north", "east")
            if numeric and "," in v and not re.fullmatch(r"-?[1-9]\d{0,2},\d{3}", v):
                return False
    return True


# ----------------------------------------------------------------------------- spreadsheets


@st.composite
def sheet_layouts(draw: st.DrawFn, src: Source | None = None) -> Written:
    """An .xlsx report of a known survey: label/value cells, merged cells, names and units."""
    import openpyxl

    src = src or draw(sources(max_stations=12))
    comma = draw(st.booleans())
    statements, stated = draw(_statements(src, comma))
    unit_place = draw(st.sampled_from(["name", "row", "header"]))
    if unit_place == "header" and "depth_unit" not in stated:
        statements.append(("Depth units", UNIT_WORDS[src.unit][0]))
        stated["depth_unit"] = src.unit
    cols = draw(_columns(src, comma, unit_place, stated))
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = draw(st.sampled_from(["Survey", "Sheet1", "Definitive"]))
    r = 1
    if draw(st.booleans()):
        ws.cell(r, 1, "Survey Report")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=4)
        r += 1
    layout = draw(st.sampled_from(["label_value", "label_gap_value", "colon_cell", "hash", "two"]))
    k = 0
    while k < len(statements):
        label, value = statements[k]
        if layout == "label_value":
            ws.cell(r, 1, label)
            ws.cell(r, 2, value)
        elif layout == "label_gap_value":  # label merged over two cells, value after them
            ws.cell(r, 1, label + ":")
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)
            ws.cell(r, 3, value)
        elif layout == "colon_cell":
            ws.cell(r, 1, f"{label}: {value}")
        elif layout == "hash":
            ws.cell(r, 1, "#")
            ws.cell(r, 2, label)
            ws.cell(r, 3, value)
        else:  # two label/value pairs in one row
            ws.cell(r, 1, label)
            ws.cell(r, 2, value)
            if k + 1 < len(statements):
                k += 1
                ws.cell(r, 4, statements[k][0])
                ws.cell(r, 5, statements[k][1])
        k += 1
        r += 1
    r += draw(st.integers(0, 2))
    two_rows = any(len(c.names) == 2 for c in cols)
    for j, c in enumerate(cols, start=1):
        ws.cell(r, j, c.names[0])
        if two_rows and len(c.names) == 2:
            ws.cell(r + 1, j, c.names[1])
    r += 2 if two_rows else 1
    if unit_place == "row":
        for j, c in enumerate(cols, start=1):
            if c.unit:
                ws.cell(r, j, f"({c.unit})")
        r += 1
        stated["depth_unit"] = src.unit
    as_text = draw(st.booleans())
    for i in range(len(src.md)):
        for j, c in enumerate(cols, start=1):
            v = c.values[i]
            if c.role == "comment" or as_text:
                ws.cell(r, j, v if v else None)
            else:
                ws.cell(r, j, float(v.replace(",", ".")))
        r += 1
        if draw(st.integers(0, 6)) == 0:
            r += 1  # a blank spacer row
    buf = io.BytesIO()
    wb.save(buf)
    body = [[c.values[i] for c in cols] for i in range(len(src.md))]
    # the file's printed numbers: the header values, and the table's when stored as text
    # (numbers stored as numbers show no separator)
    evidence = [text for _label, text in statements]
    if as_text:
        evidence += [v for c in cols if c.role in ("md", "inc", "azi") for v in c.values]
    unreadable = _ambiguous_header(stated, evidence) if comma else {}
    header = _expected_header(stated, src)
    for fld in unreadable:
        header[fld] = None
    return Written(
        data=buf.getvalue(),
        name="layout.xlsx",
        style={
            "layout": layout,
            "units": unit_place,
            "decimal": "," if comma else ".",
            "numbers_as_text": as_text,
            "two_row_names": two_rows,
        },
        md=src.md,
        inc=src.inc,
        azi=src.azi,
        header=header,
        vendor=(
            {"tvd": src.tvd, "north": src.north, "east": src.east} if src.tvd is not None else {}
        ),
        extra_names=_extra_names(src),
        ambiguous=comma and as_text and _all_ambiguous(body, cols),
        raw=src.raw,
        raw_units_printed=unit_place in ("name", "row"),
        unreadable=unreadable,
    )


# ----------------------------------------------------------------------------- COMPASS


def compass_report(src: Source, order: list[int], pads: tuple[int, int, int]) -> Written:
    """A Landmark COMPASS "Design Report" text export of ``src``.

    The layout: a title, header blocks with dotted leaders (``Magnetic dec (+E/W-).....: 14.37
    degrees``), two blocks side by side on a line, a comma-separated column-names row followed
    by a units row ``(m),(Deg),(Deg),...`` with one field fewer than the names (the trailing
    Comment column has no unit), Latin-1 text, CRLF line ends.

    Parameters
    ----------
    src : Source
        The survey written [-].
    order : list of int
        Order of the left block's five lines [-].
    pads : tuple of int
        Extra dots of the left and right labels and the gap between the blocks [-].
    """
    tok = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "usft"}[src.unit]
    decl = src.declination if src.declination is not None else 0.0
    conv = src.convergence if src.convergence is not None else 0.0
    ref = {
        NorthReference.TRUE: "True",
        NorthReference.GRID: "Grid",
        NorthReference.MAGNETIC: "Magnetic",
    }[src.reference]
    left = [
        ("Company", "Operator Oil Company"),
        ("Field", "Ågesen Field"),
        ("Site", "Pad 3"),
        ("Well", src.well),
        ("Magnetic dec (+E/W-)", f"{decl:.2f} degrees"),
    ]
    right = [
        ("Design", "Definitive survey"),
        ("North Reference", ref),
        ("Depth Unit", tok),
        ("Grid convergence (+E/W-)", f"{conv:.3f} degrees"),
        ("Survey Calculation Method", "Minimum Curvature"),
    ]
    left = [left[i] for i in order]
    lw = max(len(k) for k, _v in left) + pads[0]
    rw = max(len(k) for k, _v in right) + pads[1]
    lines = ["Design Report", ""]
    width = lw + 2 + max(len(v) for _k, v in left) + pads[2]
    for (lk, lv), (rk, rv) in zip(left, right, strict=True):
        a = f"{lk}{'.' * (lw - len(lk))}: {lv}"
        b = f"{rk}{'.' * (rw - len(rk))}: {rv}"
        lines.append(a.ljust(width) + b)
    lines.append("")
    rate = f"(Deg/{'30m' if src.unit is DepthUnit.M else '100ft'})"
    names = ["MD", "Inc", "Azi", "TVD", "N/S", "E/W", "DLS", "Comment"]
    units = [f"({tok})", "(Deg)", "(Deg)", f"({tok})", f"({tok})", f"({tok})", rate]
    lines.append(",".join(names))
    lines.append(",".join(units))  # one field fewer than the names
    pos = minimum_curvature(src.md, src.inc, src.azi)
    for i in range(len(src.md)):
        cells = [
            f"{src.md[i]:.{src.dp[0]}f}",
            f"{src.inc[i]:.{src.dp[1]}f}",
            f"{src.azi[i]:.{src.dp[2]}f}",
            f"{pos.tvd[i]:.2f}",
            f"{pos.north[i]:.2f}",
            f"{pos.east[i]:.2f}",
            "0.00",
            src.comments[i] or "",
        ]
        lines.append(",".join(cells))
    text = "\r\n".join(lines) + "\r\n"
    return Written(
        data=text.encode("latin-1"),
        name="compass_design_report.csv",
        style={"layout": "COMPASS Design Report"},
        md=src.md,
        inc=src.inc,
        azi=src.azi,
        header={
            "depth_unit": src.unit,
            "azimuth_reference": src.reference,
            "declination": round(decl, 2),
            "grid_convergence": round(conv, 3),
            "well_name": src.well,
            "datum_elevation": None,
            "latitude": None,
            "longitude": None,
        },
        vendor={
            "tvd": [round(float(v), 2) for v in pos.tvd],
            "north": [round(float(v), 2) for v in pos.north],
            "east": [round(float(v), 2) for v in pos.east],
        },
        extra_names=["Comment"] if any(src.comments) else [],
    )


@st.composite
def compass_design_reports(draw: st.DrawFn, src: Source | None = None) -> Written:
    """COMPASS "Design Report" exports (:func:`compass_report`) of drawn surveys."""
    src = src or draw(sources())
    order = list(draw(st.permutations(range(5))))
    pads = (draw(st.integers(3, 6)), draw(st.integers(3, 6)), draw(st.integers(4, 10)))
    return compass_report(src, order, pads)


@st.composite
def raw_sensor_layouts(draw: st.DrawFn) -> Written:
    """Text exports and .xlsx reports of surveys with raw readings Gx..Bz: the six readings
    named in a drawn vendor style ("Gx (g)", "Bz [nT]", "Accel X", ...), their units in the
    names, in a units row or not printed at all, values in g, mG or m/s² and nT, µT or gauss."""
    src = draw(sources_with_raw_readings())
    if draw(st.integers(0, 4)) == 0:
        return draw(sheet_layouts(src))
    return draw(text_layouts(src))


def same_value(a: float | None, b: float | None, tol: float = 1e-9) -> bool:
    """Equal within ``tol``, None with None."""
    if a is None or b is None:
        return a is b
    return math.isclose(float(a), float(b), rel_tol=0.0, abs_tol=tol)


def printed(values: list[float]) -> np.ndarray:
    return np.asarray(values, dtype=float)
