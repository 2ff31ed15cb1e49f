"""Anti-collision: exact cases, the closest point against brute force, the ISCWSA clearance set.

The ISCWSA standard set of well paths for clearance scenarios r4 (reference-data/iscwsa/
clearance_standard_set_r4.json: a reference well, eleven offsets, one a sidetrack tied on at
MD 900; the rule's parameters in its ``acr`` block) publishes 1-sigma HLA standard deviations of
every station and the separation factor at every reference station. Its covariances are those
of the ISCWSA MWD Rev4 model (they are reproduced here to 0.001 m), so the separation factors
are checked twice:

- with our ISCWSA MWD Rev4 model (the whole pipeline: covariances, closest points, rule):
  within 0.01 where the set's SF is below 10 and 0.3 % everywhere, for the ten wells drilled
  from the surface; within 2 % for the sidetrack, exactly (-0.607) at its kick-off. The
  sidetrack's covariances (both wells computed from the kick-off, the ISCWSA rule for wells
  sharing the hole above it) differ from the set's by up to 0.004 m in the first course below
  the kick-off (0.0458 m published at MD 930), where the set's treatment of the kick-off
  station is not published;
- with the Rev5.11 model we compute for surveys: the covariances differ from Rev4 by design
  (XCL course terms, the SAGE and XYM3E/XYM4E terms, the split declination terms, the slot
  allowance), by up to 30 % along the ladder where the wells are close to parallel, so the test
  asks what an engineer reads off the ladder: every offset falls in the same band (below 1,
  1 to 1.5, above 1.5), and the minimum separation factor is within 25 % of the set's (plus
  0.01: well 09 passes 0.01 from the stop line).
"""

import math

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from surveylab.calc import SurveyInputError, interpolate_md, minimum_curvature
from surveylab.calc.interpolate import Stations
from surveylab.calc.uncertainty import (
    ReferenceField,
    SeparationRule,
    WellPath,
    anticollision,
    clearance,
    position_uncertainty,
)
from surveylab.models import TieOn
from tests.calc._arcs import Arc, angles
from tests.calc._iscwsa import clearance_set, set_path, set_run


def _path(name, md, inc, azi, cov=None, radius=0.0, tie=None) -> WellPath:
    md, inc, azi = (np.asarray(a, float) for a in (md, inc, azi))
    p = minimum_curvature(md, inc, azi, tie_on=tie or TieOn(md[0], inc[0], azi[0], md[0]))
    c = np.zeros((md.size, 3, 3)) if cov is None else cov
    return WellPath(name, md, inc, azi, p.tvd, p.north, p.east, c, radius)


# ------------------------------------------------------------------------------ exact cases


@settings(max_examples=60, deadline=None)
@given(
    st.floats(0.5, 500.0),
    st.floats(0.0, 0.3),
    st.floats(0.0, 0.3),
    st.floats(0.0, 3.0),
    st.floats(0.5, 5.0),
    st.floats(0.01, 2.0),
    st.floats(0.0, 1.0),
    st.floats(0.0, 2.0),
)
def test_parallel_vertical_wells_have_the_rules_value(d, r1, r2, s1, k, pa, sm, s2) -> None:
    """Two vertical wells D apart with isotropic covariances s1^2, s2^2: SF = (D - R1 - R2 -
    S_m) / (k sqrt(s1^2 + s2^2 + sigma_pa^2)) at every station; the closest point is level."""
    md = np.arange(0.0, 1001.0, 50.0)
    zeros = np.zeros(md.size)
    cov1 = np.broadcast_to(np.eye(3) * s1 * s1, (md.size, 3, 3))
    cov2 = np.broadcast_to(np.eye(3) * s2 * s2, (md.size, 3, 3))
    ref = WellPath("ref", md, zeros, zeros, md, zeros, zeros, cov1, r1)
    off = WellPath("off", md, zeros, zeros, md, zeros + d, zeros, cov2, r2)
    rule = SeparationRule(k=k, sigma_pa=pa, surface_margin=sm)
    res = clearance(ref, [off], depth_unit="m", rule=rule).offsets[0]
    want = (d - r1 - r2 - sm) / (k * math.sqrt(s1 * s1 + s2 * s2 + pa * pa))
    assert np.allclose(res.separation_factor, want, rtol=1e-12, atol=1e-12)
    assert np.allclose(res.distance, d) and np.allclose(res.offset_md, md, atol=1e-9)
    assert np.allclose(res.reference_pcr, s1) and np.allclose(res.offset_pcr, s2)
    assert res.min_sf == pytest.approx(want) and res.md_at_min == 0.0
    assert np.allclose(res.highside_angle, 0.0)  # offset due north of a vertical reference


def test_the_pedal_curve_radius_is_the_covariance_along_the_line_between_the_wells() -> None:
    """An elongated covariance (10 m along north, 1 m east): an offset due east sees 1 m, one
    due north 10 m."""
    md = np.arange(0.0, 501.0, 100.0)
    z = np.zeros(md.size)
    cov = np.broadcast_to(np.diag([100.0, 1.0, 4.0]), (md.size, 3, 3))
    ref = WellPath("ref", md, z, z, md, z, z, cov)
    east = WellPath("east", md, z, z, md, z, z + 50.0, np.zeros_like(cov))
    north = WellPath("north", md, z, z, md, z + 50.0, z, np.zeros_like(cov))
    res = clearance(ref, [east, north], depth_unit="m")
    assert [o.offset for o in res.offsets] == ["east", "north"]
    assert np.allclose(res.offsets[0].reference_pcr, 1.0)
    assert np.allclose(res.offsets[1].reference_pcr, 10.0)
    assert np.allclose(res.offsets[0].highside_angle, 90.0)
    assert np.allclose(res.offsets[1].highside_angle, 0.0)


@settings(max_examples=80, deadline=None)
@given(
    st.floats(10.0, 2000.0),
    st.floats(0.2, 0.8),
    st.floats(-0.9, 5.0),
    st.floats(-3.0, 3.0),
    st.integers(3, 12),
    st.floats(0.0, 359.0),
    st.floats(5.0, 85.0),
)
def test_the_closest_point_of_an_arc_is_exact(radius, where, out, up, count, azi, inc) -> None:
    """An offset sampled from one circular arc (minimum curvature reproduces it exactly) and a
    point placed off the arc's point at arc length s*, along the radius and the plane normal:
    the closest point is that arc point (between stations), at distance sqrt(a^2 + b^2)."""
    ti = math.radians(inc)
    ta = math.radians(azi)
    t0 = np.array([math.sin(ti) * math.cos(ta), math.sin(ti) * math.sin(ta), math.cos(ti)])
    arc = Arc(t0, np.array([0.3, -0.5, 0.8]), radius, np.array([100.0, -50.0, 300.0]))
    total = 0.9 * math.pi * radius  # under 180 deg of turn
    s = np.linspace(0.0, total, count)
    tang = arc.tangent(s)
    i, a = angles(tang)
    md = 300.0 + s
    pos = arc.position(s)
    off = WellPath("arc", md, i, a, pos[:, 2], pos[:, 0], pos[:, 1], np.zeros((count, 3, 3)))
    s_star = where * total
    x_star = arc.position(np.array([s_star]))[0]
    centre = arc.p0 + arc.radius * arc.u
    outward = (x_star - centre) / radius
    normal = np.cross(arc.t0, arc.u)
    a_len, b_len = out * radius * 0.5, up * 10.0
    assume(a_len > -0.45 * radius)
    q = x_star + a_len * outward + b_len * normal
    one = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]])
    ref = WellPath(
        "q",
        np.array([0.0, 1.0]),
        np.zeros(2),
        np.zeros(2),
        q[2] + one[:, 0],
        np.full(2, q[0]),
        np.full(2, q[1]),
        np.zeros((2, 3, 3)),
    )
    res = clearance(ref, [off], depth_unit="m").offsets[0]
    want = math.hypot(a_len, b_len)
    assert res.distance[0] == pytest.approx(want, abs=1e-7 * max(1.0, radius))
    if want > 1e-3 * radius:
        assert res.offset_md[0] == pytest.approx(300.0 + s_star, abs=1e-6 * radius)
        assert np.allclose(res.closest[0], x_star, atol=1e-6 * radius)


@st.composite
def offset_wells(draw):
    n = draw(st.integers(2, 25))
    steps = np.array(draw(st.lists(st.floats(5.0, 150.0), min_size=n - 1, max_size=n - 1)))
    md = np.concatenate(([0.0], np.cumsum(steps)))
    inc = np.array(draw(st.lists(st.floats(0.0, 110.0), min_size=n, max_size=n)))
    azi = np.array(draw(st.lists(st.floats(0.0, 359.0), min_size=n, max_size=n)))
    for i in range(1, n):
        inc[i] = inc[i - 1] + np.clip(inc[i] - inc[i - 1], -40.0, 40.0)
        azi[i] = azi[i - 1] + np.clip(((azi[i] - azi[i - 1]) + 180) % 360 - 180, -60.0, 60.0)
    return md, inc, np.mod(azi, 360.0)


@settings(max_examples=60, deadline=None)
@given(offset_wells(), offset_wells(), st.floats(-300.0, 300.0), st.floats(-300.0, 300.0))
def test_the_closest_point_is_the_minimum_over_the_whole_offset(ref_well, off_well, dn, de):
    """Against brute force: the offset sampled every 1/400 of each course along its arcs. Our
    distance is never above the sampled minimum, and within the sampling's reach below it."""
    ref = _path("ref", *ref_well)
    md, inc, azi = off_well
    p = minimum_curvature(md, inc, azi, tie_on=TieOn(0.0, inc[0], azi[0], 0.0, dn, de))
    off = WellPath("off", md, inc, azi, p.tvd, p.north, p.east, np.zeros((md.size, 3, 3)))
    res = clearance(ref, [off], depth_unit="m").offsets[0]
    fine = np.unique(np.linspace(md[:-1], md[1:], 401).ravel())
    pts = interpolate_md(Stations(md, inc, azi, p.tvd, p.north, p.east), fine)
    dense = np.stack([pts.north, pts.east, pts.tvd], axis=-1)
    brute = np.linalg.norm(ref.positions[:, None, :] - dense[None, :, :], axis=-1).min(axis=1)
    step = float(np.diff(md).max()) / 400.0
    assert np.all(res.distance <= brute + 1e-7)
    assert np.all(res.distance >= brute - step)
    # the reported point is on the offset at the reported MD, at the reported distance
    at = interpolate_md(Stations(md, inc, azi, p.tvd, p.north, p.east), res.offset_md)
    on = np.stack([at.north, at.east, at.tvd], axis=-1)
    assert np.allclose(on, res.closest, atol=1e-6 * (1.0 + float(md[-1])))
    assert np.allclose(np.linalg.norm(res.closest - ref.positions, axis=-1), res.distance)


def test_many_offsets_in_several_search_groups_give_the_same_answers(monkeypatch) -> None:
    rng = np.random.default_rng(7)
    md = np.arange(0.0, 2001.0, 30.0)
    ref = _path("ref", md, np.clip(md / 25.0, 0, 60), np.full(md.size, 30.0))
    offsets = []
    for j in range(12):
        inc = np.clip(md / rng.uniform(15.0, 60.0), 0, rng.uniform(20.0, 90.0))
        tie = TieOn(0.0, 0.0, 0.0, 0.0, rng.uniform(-40, 40), rng.uniform(-40, 40))
        offsets.append(_path(f"w{j}", md, inc, np.full(md.size, rng.uniform(0, 360)), tie=tie))
    together = clearance(ref, offsets, depth_unit="m")
    monkeypatch.setattr(anticollision, "_CHUNK", 200)
    grouped = clearance(ref, offsets, depth_unit="m")
    for j, off in enumerate(offsets):
        alone = clearance(ref, [off], depth_unit="m").offsets[0]
        for res in (together.offsets[j], grouped.offsets[j]):
            assert res.offset == off.name
            assert np.allclose(res.separation_factor, alone.separation_factor, rtol=1e-12)
            assert np.allclose(res.offset_md, alone.offset_md, rtol=1e-12)


def test_a_sidetrack_touching_its_parent_has_the_negative_margin() -> None:
    """At the kick-off both wells share the point: D = 0 and, with both covariances zero there,
    SF = -(R_ref + R_off + S_m) / (k sigma_pa)."""
    md = np.arange(900.0, 1501.0, 30.0)
    ref = _path("parent", md, np.zeros(md.size), np.zeros(md.size))
    side = _path("sidetrack", md, np.clip((md - 900) / 10, 0, 30), np.full(md.size, 90.0))
    res = clearance(ref, [side], depth_unit="m").offsets[0]
    assert res.separation_factor[0] == pytest.approx(-0.3 / (3.5 * 0.5))
    assert res.min_sf == res.separation_factor[0] and res.md_at_min == 900.0
    assert np.all(np.diff(res.separation_factor) > 0)


def test_feet_give_the_separation_factors_of_metres() -> None:
    md = np.arange(0.0, 3001.0, 30.0)
    inc = np.clip(md / 20.0, 0, 70)
    field = ReferenceField(total_field=5e4, dip=70.0, declination=0.0)

    def well(factor, unit, azi, tie):
        u = position_uncertainty(
            md / factor, inc, azi, depth_unit=unit, north_reference="true", field=field
        )
        t = TieOn(0.0, 0.0, 0.0, 0.0, tie[0] / factor, tie[1] / factor)
        return _path(unit, md / factor, inc, azi, u.covariance, radius=0.2 / factor, tie=t)

    results = {}
    for unit, factor in (("m", 1.0), ("ft", 0.3048)):
        ref = well(factor, unit, np.full(md.size, 10.0), (0.0, 0.0))
        off = well(factor, unit, np.full(md.size, 25.0), (5.0, -3.0))
        results[unit] = clearance(ref, [off], depth_unit=unit).offsets[0]
    assert np.allclose(results["ft"].separation_factor, results["m"].separation_factor)
    assert np.allclose(results["ft"].distance * 0.3048, results["m"].distance)


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (
            lambda z: WellPath("w", z[:1], z[:1], z[:1], z[:1], z[:1], z[:1], np.zeros((1, 3, 3))),
            "md",
        ),
        (lambda z: WellPath("w", z, z, z, z, z, z[:2], np.zeros((3, 3, 3))), "east"),
        (lambda z: WellPath("w", z * 0, z, z, z, z, z, np.zeros((3, 3, 3))), "md"),
        (lambda z: WellPath("w", z, z, z, z, z, z, np.zeros((3, 2, 2))), "covariance"),
        (lambda z: WellPath("w", z, z, z, z, z, z, np.zeros((3, 3, 3)), -1.0), "radius"),
        (lambda z: SeparationRule(k=0.0), "k"),
        (lambda z: SeparationRule(sigma_pa=-0.5), "sigma_pa"),
    ],
)
def test_bad_well_paths_and_rules_are_refused(make, field) -> None:
    with pytest.raises(SurveyInputError) as exc:
        make(np.array([0.0, 10.0, 20.0]))
    assert exc.value.field == field


# ------------------------------------------------------------------- ISCWSA clearance set r4


def test_rev4_covariances_reproduce_the_sets_standard_deviations(reference_data) -> None:
    """The set's 1-sigma high-side, lateral and along-hole deviations, every station of every
    well, to 0.001 m (the set prints 4 decimals) - except the surface station (the set keeps it
    exact; the random depth-reference error is 0.35 m there), the 1 m first course of the
    surface wells (the set applies Rev 5's slot allowance: 0.0018 m where Rev 4 gives 0.0009)
    and the sidetrack (within 0.004 m: 0.0039 at its first station below the kick-off, less
    than 0.0015 m beyond MD 1200)."""
    data = clearance_set(reference_data)
    for name, w in data["wells"].items():
        path = set_path(w, "ISCWSA MWD Rev4", 0.0)
        inc, azi = np.radians(path.inc), np.radians(path.azi)
        ci, si, ca, sa = np.cos(inc), np.sin(inc), np.cos(azi), np.sin(azi)
        frame = np.stack(
            [
                np.stack([ci * ca, ci * sa, -si], -1),
                np.stack([-sa, ca, 0 * sa], -1),
                np.stack([si * ca, si * sa, ci], -1),
            ],
            1,
        )
        hla = frame @ path.covariance @ np.swapaxes(frame, 1, 2)
        ours = np.sqrt(np.diagonal(hla, axis1=1, axis2=2))
        theirs = np.stack([w["sigmaH"], w["sigmaL"], w["sigmaA"]], -1)
        diff = np.abs(ours - theirs)
        if name.startswith("10"):
            assert diff.max() < 4e-3, name
        else:
            assert diff[path.md > 1.0].max() < 1e-3, name
            assert diff[0, :2].max() == 0.0 and diff[0, 2] == pytest.approx(0.35), name


def test_rev4_separation_factors_reproduce_the_set(reference_data) -> None:
    runs = set_run(clearance_set(reference_data), "ISCWSA MWD Rev4")
    assert len(runs) == 11
    for name, (res, published) in runs.items():
        assert res.separation_factor.size == published.size, name
        diff = np.abs(res.separation_factor - published)
        rel = diff / np.abs(published)
        if name.startswith("10"):
            assert res.separation_factor[0] == pytest.approx(published[0], abs=1e-4)  # -0.607
            assert rel.max() < 0.02, (name, rel.max())
        else:
            assert diff[np.abs(published) < 10].max() < 0.01, (name, diff.max())
            assert rel.max() < 0.003, (name, rel.max())
        assert res.min_sf == pytest.approx(published.min(), abs=0.002), name
        assert res.md_at_min == res.reference_md[np.argmin(published)], name


def _band(sf: float) -> int:
    return 0 if sf < 1.0 else (1 if sf < 1.5 else 2)


def test_rev5_separation_factors_tell_the_same_story_as_the_set(reference_data) -> None:
    runs = set_run(clearance_set(reference_data), "MWD")
    bands = {name: (_band(r.min_sf), _band(p.min())) for name, (r, p) in runs.items()}
    assert all(a == b for a, b in bands.values()), bands
    assert sorted(n for n, (a, _) in bands.items() if a == 0) == [
        "03 - well",
        "04 - well",
        "09 - well",
        "10 - well",
        "11 - well",
    ]
    for name, (res, published) in runs.items():
        assert abs(res.min_sf - published.min()) <= 0.25 * abs(published.min()) + 0.01, name
