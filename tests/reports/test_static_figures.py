"""Static SVG figures (matplotlib): valid SVG, axis labels with units, TVD downwards, equal
scales in plan, overlays, refusals; a real survey (Volve 15/9-F-11 A) drawn to its extent."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import default_vs_azimuth
from surveylab.reports import figures as sf

SVG = "{http://www.w3.org/2000/svg}"


def texts(svg: str) -> list[tuple[str, float, float, str]]:
    """(text, x, y, anchor) of every text element of an SVG (matplotlib, text kept as text)."""
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    out = []
    for el in root.iter(f"{SVG}text"):
        anchor = re.search(r"text-anchor: (\w+)", el.get("style", ""))
        out.append(
            (
                "".join(el.itertext()).strip(),
                float(el.get("x", "nan")),
                float(el.get("y", "nan")),
                anchor.group(1) if anchor else "start",
            )
        )
    return out


def labels(svg: str) -> set[str]:
    return {t for t, *_ in texts(svg)}


def ticks(svg: str, anchor: str) -> list[tuple[float, float, float]]:
    """(value, x, y) of the numeric tick labels with that text anchor ("middle": x axis of a
    2-D plot, "end": its y axis)."""
    out = []
    for text, x, y, a in texts(svg):
        try:
            value = float(text.replace("\u2212", "-"))
        except ValueError:
            continue
        if a == anchor:
            out.append((value, x, y))
    return out


def slant_well(unit_md: float = 1000.0, inc: float = 60.0, azi: float = 90.0) -> pd.DataFrame:
    """A straight hold from the surface: N, E, TVD exactly proportional to MD."""
    md = np.linspace(0.0, unit_md, 41)
    i, a = np.radians(inc), np.radians(azi)
    return pd.DataFrame(
        {
            "md": md,
            "tvd": md * np.cos(i),
            "north": md * np.sin(i) * np.cos(a),
            "east": md * np.sin(i) * np.sin(a),
            "dls": np.zeros_like(md),
        }
    )


# ----------------------------------------------------------------------------- labels and units
@pytest.mark.parametrize(("unit", "label"), [("m", "m"), ("ft", "ft"), ("usft", "US ft")])
def test_every_figure_is_svg_with_unit_labels(unit: str, label: str) -> None:
    df = slant_well()
    plan = labels(sf.plan_view(df, unit, "grid"))
    assert {f"East [{label}] (grid north)", f"North [{label}] (grid north)"} <= plan
    section = labels(sf.section_view(df, unit, 45.0))
    assert {f"Vertical section [{label}] along 45.00 deg", f"TVD [{label}]"} <= section
    assert {f"East [{label}]", f"North [{label}]", f"TVD [{label}]"} <= labels(sf.view_3d(df, unit))
    assert {f"MD [{label}]", f"DLS [deg/100 {label}]"} <= labels(sf.dls_view(df, unit, 100.0))


def test_differences_view_labels_and_tolerance() -> None:
    md = np.linspace(100.0, 1000.0, 10)
    cmp_ = SimpleNamespace(
        md=md,
        distance=md / 1000,
        d_inc=np.full(10, 0.1),
        d_azi=np.r_[np.nan, np.full(9, 0.2)],
        azi_tolerance=np.full(10, 0.5),
    )
    svg = sf.differences_view([("R2 GTL", cmp_)], "ft", "R1", 0.25)
    found = labels(svg)
    assert {"3-D [ft]", "dInc [deg]", "dAzi [deg]", "MD [ft]", "R2 GTL", "tolerance"} <= found
    assert "Differences against R1 along MD" in found


# ----------------------------------------------------------------------------- geometry
def test_section_view_draws_tvd_downwards_and_plan_view_north_upwards() -> None:
    df = slant_well()
    tvd_ticks = ticks(sf.section_view(df, "m", 90.0), "end")
    assert len(tvd_ticks) >= 3
    tvd_ticks.sort()
    ys = [y for _, _, y in tvd_ticks]
    assert ys == sorted(ys)  # larger TVD lower on the page (SVG y grows downwards)
    north_ticks = sorted(ticks(sf.plan_view(slant_well(azi=30.0), "m"), "end"))
    ys = [y for _, _, y in north_ticks]
    assert ys == sorted(ys, reverse=True)


def test_plan_view_has_equal_scales() -> None:
    """Pixels per unit length are the same along East and North (a 30 deg hold: N > E)."""
    svg = sf.plan_view(slant_well(azi=30.0), "m")
    xs, ys = ticks(svg, "middle"), ticks(svg, "end")
    assert len(xs) >= 3 and len(ys) >= 3
    (v0, x0, _), (v1, x1, _) = xs[0], xs[-1]
    (w0, _, y0), (w1, _, y1) = ys[0], ys[-1]
    assert abs(x1 - x0) / abs(v1 - v0) == pytest.approx(abs(y1 - y0) / abs(w1 - w0), rel=0.01)


def test_overlays_name_each_survey_and_escape_dollar_signs() -> None:
    svg = sf.plan_view([("A1 Gyro", slant_well()), ("B2 $MWD", slant_well(azi=80.0))], "m")
    assert {"A1 Gyro", "B2 $MWD"} <= labels(svg)


def test_ids_do_not_collide_between_figures_and_output_is_reproducible() -> None:
    df = slant_well()
    a, b = sf.plan_view(df, "m"), sf.section_view(df, "m", 0.0)
    assert a == sf.plan_view(df, "m")
    ids_a = re.findall(r'id="([^"]+)"', a)
    ids_b = re.findall(r'id="([^"]+)"', b)
    assert len(ids_a) > 10 and len(set(ids_a)) == len(ids_a)
    assert not set(ids_a) & set(ids_b)
    for ref in re.findall(r'(?:href="#|url\(#)([^")]+)', a):
        assert ref in ids_a  # every reference still points at an element


def test_reports_and_dashboards_default_to_the_same_section_azimuth() -> None:
    """One default: the reports call surveylab.calc.default_vs_azimuth, and so does the
    dashboards' figures.default_vs_azimuth."""
    from surveylab.ui import figures

    for df in (slant_well(azi=300.0), slant_well(inc=0.0), slant_well().iloc[:0]):
        assert figures.default_vs_azimuth(df) == default_vs_azimuth(df["north"], df["east"])
    assert figures.default_vs_azimuth(slant_well(azi=300.0)) == pytest.approx(300.0)
    assert figures.default_vs_azimuth(slant_well(inc=0.0)) == 0.0


# ----------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: sf.plan_view([], "m"), "plan view: no survey to draw"),
        (
            lambda: sf.section_view([("R9", slant_well().drop(columns="tvd"))], "m", 0.0),
            "vertical section: survey 'R9' has no column tvd",
        ),
        (lambda: sf.view_3d(slant_well().iloc[:0], "m"), "3-D view: survey 'survey' has no"),
        (lambda: sf.dls_view(slant_well(), "m", 0.0), "course length must be positive"),
        (lambda: sf.differences_view([], "m", "R1", 0.25), "no comparison to draw"),
        (
            lambda: sf.differences_view(
                [("R3", SimpleNamespace(md=np.array([])))], "m", "R1", 0.25
            ),
            "comparison 'R3' has no MD in common",
        ),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(call, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_an_unknown_unit_is_refused() -> None:
    with pytest.raises(ValueError, match="yd"):
        sf.plan_view(slant_well(), "yd")


# ----------------------------------------------------------------------------- a real survey
def test_volve_f11a_is_drawn_to_its_extent(reference_data: Path) -> None:
    """The vendor's TVD of Volve 15/9-F-11 A: the TVD axis ticks span the survey (within one
    tick interval at each end) and run downwards."""
    df = pd.read_csv(reference_data / "csv" / "volve_15_9-F-11_A.csv")
    frame = pd.DataFrame({"md": df.MD, "tvd": df.TVD, "north": df.NS, "east": df.EW, "dls": df.DLS})
    svg = sf.section_view(frame, "m", default_vs_azimuth(frame["north"], frame["east"]))
    values = sorted(v for v, _, _ in ticks(svg, "end"))
    step = values[1] - values[0]
    assert values[0] <= frame.tvd.min() + step and values[-1] >= frame.tvd.max() - step
    assert values[0] > frame.tvd.min() - step and values[-1] < frame.tvd.max() + step
    ys = [y for _, _, y in sorted(ticks(svg, "end"))]
    assert ys == sorted(ys)
    assert {"MD [m]", "DLS [deg/30 m]"} <= labels(sf.dls_view(frame, "m", 30.0))


# ----------------------------------------------------------------------------- properties
finite = st.floats(-5000.0, 5000.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=25, deadline=None)
@given(
    points=st.lists(st.tuples(finite, finite, st.floats(0.0, 9000.0)), min_size=1, max_size=40),
    azimuth=st.floats(0.0, 360.0),
)
def test_any_finite_survey_gives_valid_svg_with_its_labels(points, azimuth: float) -> None:
    north, east, tvd = (np.array(c) for c in zip(*points, strict=True))
    df = pd.DataFrame(
        {
            "md": np.arange(len(points), dtype=float) * 30.0,
            "tvd": tvd,
            "north": north,
            "east": east,
            "dls": np.abs(north) % 10,
        }
    )
    assert "North [m] (true north)" in labels(sf.plan_view(df, "m"))
    assert "TVD [m]" in labels(sf.section_view(df, "m", azimuth))
    assert "TVD [m]" in labels(sf.view_3d(df, "m"))


def _qc_frame(n: int = 8, bad: int | None = 3) -> pd.DataFrame:
    d_b = np.linspace(-50.0, 50.0, n)
    passed: list[bool | None] = [True] * n
    if bad is not None:
        d_b[bad], passed[bad] = 650.0, False
    return pd.DataFrame(
        {
            "md": 100.0 + 30.0 * np.arange(n),
            "d_btotal_nt": d_b,
            "d_dip_deg": np.zeros(n),
            "d_gtotal_g": np.zeros(n),
            "passed": passed,
        }
    )


LIMITS = {"btotal_nt": 300.0, "dip_deg": 0.25, "gtotal_g": 0.0025}


def test_qc_view_draws_the_deltas_with_limit_bands_and_marks_failures() -> None:
    svg = sf.qc_view(_qc_frame(), LIMITS, "ft", "QC of R1")
    ET.fromstring(svg)
    for text in ("dBtotal [nT]", "dDip [deg]", "dGtotal [g]", "MD [ft]", "QC of R1", "limit",
                 "outside a limit"):  # fmt: skip
        assert text in svg, text
    clean = sf.qc_view(_qc_frame(bad=None), LIMITS, "m")
    assert "outside a limit" not in clean and "MD [m]" in clean


@pytest.mark.parametrize(
    ("frame", "message"),
    [
        (_qc_frame().drop(columns=["d_dip_deg"]), "has no column d_dip_deg"),
        (_qc_frame().iloc[0:0], "has no stations"),
    ],
)
def test_qc_view_refuses_what_it_cannot_draw(frame, message) -> None:
    with pytest.raises(ValueError, match=message):
        sf.qc_view(frame, LIMITS, "m")
