"""Many surveys in one call (ragged arrays) against one call per survey.

The engine lays every survey's stations end to end and runs one pass; these tests check that
each survey comes out as :func:`compute_trajectory` computes it alone (generated well sets of
every shape, including surveys of 1 and 2 stations and every kind of tie-on), that exact
circular arcs are reproduced across many surveys and across the kernel's block boundaries,
and that every refusal names the survey and its station.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import (
    SurveyInputError,
    TieOns,
    Trajectories,
    compute_trajectories,
    compute_trajectory,
    minimum_curvature,
    minimum_curvature_many,
)
from surveylab.calc._trig import HALF_DEG_TO_RAD, sin_cos_half
from surveylab.calc.gate import survey_offsets
from surveylab.calc.mincurve import _BLOCK
from surveylab.models import TieOn
from tests.calc._arcs import Arc, angles

COLUMNS = ("tvd", "north", "east", "dogleg", "dls", "build_rate", "turn_rate", "toolface")


def _random_survey(rng: np.random.Generator, n: int, md0: float, vertical_share: float):
    """``n`` stations from ``md0`` with steps that never make a U-turn; some vertical."""
    md = md0 + np.cumsum(rng.uniform(0.5, 60.0, n))
    # at most 170 deg: a vertical station next to one at 180 would be a U-turn
    inc = np.clip(rng.uniform(0.0, 120.0) + np.cumsum(rng.normal(0.0, 4.0, n)), 0.0, 170.0)
    inc[rng.random(n) < vertical_share] = 0.0
    azi = rng.uniform(-30.0, 400.0) + np.cumsum(rng.normal(0.0, 6.0, n))  # not normalised
    return md, inc, azi


def _random_tie(rng: np.random.Generator, md: np.ndarray, inc: np.ndarray, azi: np.ndarray):
    """None (surface assumption), a tie-on at the first MD, or a shallower one."""
    kind = rng.integers(0, 4)
    if kind == 0:
        return None
    tvd, north, east = (float(v) for v in rng.uniform(-500.0, 3000.0, 3))
    if kind == 1:
        return TieOn(float(md[0]), float(inc[0]), float(azi[0]), tvd, north, east)
    if kind == 2:  # shallower, pointing about the first station's way
        return TieOn(
            float(md[0] - rng.uniform(0.1, 80.0)),
            float(np.clip(inc[0] + rng.normal(0.0, 5.0), 0.0, 180.0)),
            float(azi[0] + rng.normal(0.0, 10.0)),
            tvd,
            north,
            east,
        )
    return TieOn(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)  # stated, and the same as the assumption


def _well_set(seed: int, wells: int, max_len: int, vertical_share: float):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(1, max_len + 1, wells)
    lengths[rng.random(wells) < 0.3] = rng.integers(1, 3)  # many of 1 and 2 stations
    surveys, ties = [], []
    for n in lengths:
        md0 = float(rng.choice([rng.uniform(0.0, 3000.0), rng.uniform(100.0, 200.0)]))
        s = _random_survey(rng, int(n), md0, vertical_share)
        surveys.append(s)
        ties.append(_random_tie(rng, *s))
    vs = rng.uniform(0.0, 360.0, wells)
    vs[rng.random(wells) < 0.4] = np.nan
    origin = rng.uniform(-100.0, 100.0, (wells, 2))
    return lengths, surveys, ties, vs, origin


def _concat(surveys):
    return tuple(np.concatenate([s[k] for s in surveys]) for k in range(3))


def _assert_same(got, ref, scale: float, where: str) -> None:
    for name in COLUMNS:
        a, b = getattr(ref, name), getattr(got, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)), f"{where} {name}: NaN differ"
        ok = ~np.isnan(a)
        tol = 1e-9 * scale if name in ("tvd", "north", "east") else 1e-9
        if name == "toolface":  # an angle: 0 and 359.999... are neighbours
            diff = np.abs(a[ok] - b[ok])
            diff = np.minimum(diff, 360.0 - diff)
        else:
            diff = np.abs(a[ok] - b[ok])
        assert diff.size == 0 or diff.max() <= tol, f"{where} {name}: {diff.max()}"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    wells=st.integers(1, 25),
    max_len=st.sampled_from([1, 2, 5, 40, 300]),
    vertical_share=st.sampled_from([0.0, 0.2, 0.9]),
    unit=st.sampled_from(["m", "ft", "usft"]),
    with_names=st.booleans(),
)
def test_many_wells_equal_one_call_per_well(
    seed, wells, max_len, vertical_share, unit, with_names
) -> None:
    lengths, surveys, ties, vs, origin = _well_set(seed, wells, max_len, vertical_share)
    md, inc, azi = _concat(surveys)
    names = [f"W-{k}" for k in range(wells)] if with_names else None
    many = compute_trajectories(
        md,
        inc,
        azi,
        lengths=lengths,
        depth_unit=unit,
        tie_ons=ties,
        names=names,
        vs_azimuth=vs,
        vs_origin=origin,
    )
    assert len(many) == wells and many.lengths.tolist() == lengths.tolist()
    positions = minimum_curvature_many(md, inc, azi, lengths=lengths, tie_ons=ties)
    for w, (s, tie) in enumerate(zip(surveys, ties, strict=True)):
        has_vs = not math.isnan(vs[w])
        ref = compute_trajectory(
            *s,
            depth_unit=unit,
            tie_on=tie,
            vs_azimuth=float(vs[w]) if has_vs else None,
            vs_origin=(float(origin[w, 0]), float(origin[w, 1])),
        )
        got = many.well(names[w] if names else w)
        scale = max(1.0, float(np.abs(np.concatenate((ref.tvd, ref.north, ref.east))).max()))
        scale = max(scale, float(ref.md[-1] - ref.tie_on.md))
        _assert_same(got, ref, scale, f"well {w}")
        assert np.array_equal(got.md, ref.md) and np.array_equal(got.azi, ref.azi)
        assert got.tie_on == ref.tie_on and got.assumptions == ref.assumptions
        assert got.dls_course_length == ref.dls_course_length and got.depth_unit is ref.depth_unit
        if has_vs:
            assert got.vs is not None and ref.vs is not None
            assert np.abs(got.vs - ref.vs).max() <= 1e-9 * scale
            assert got.vs_azimuth == ref.vs_azimuth and got.vs_origin == ref.vs_origin
        else:
            assert got.vs is None and many.vs is not None and np.isnan(many.vs[many.offsets[w]])
        single = minimum_curvature(*s, tie_on=tie)
        a, b = many.offsets[w], many.offsets[w + 1]
        for name in ("tvd", "north", "east", "dogleg"):
            assert np.abs(getattr(positions, name)[a:b] - getattr(single, name)).max() <= (
                1e-9 * scale if name != "dogleg" else 1e-9
            ), name


def test_offsets_and_lengths_say_the_same() -> None:
    lengths, surveys, ties, _, _ = _well_set(5, 7, 20, 0.1)
    md, inc, azi = _concat(surveys)
    offsets = np.concatenate(([0], np.cumsum(lengths)))
    a = compute_trajectories(md, inc, azi, lengths=lengths, depth_unit="m", tie_ons=ties)
    b = compute_trajectories(md, inc, azi, offsets=offsets, depth_unit="m", tie_ons=ties)
    assert np.array_equal(a.offsets, b.offsets)
    for name in ("tvd", "north", "east", "dls", "turn_rate"):
        assert np.array_equal(getattr(a, name), getattr(b, name))
    assert a.vs is None and a.well(0).vs is None


def test_md_may_start_again_from_one_survey_to_the_next() -> None:
    """Each survey's MDs increase; from one survey to the next they may go back or repeat."""
    md = [100.0, 200.0, 100.0, 200.0, 50.0, 300.0]
    got = compute_trajectories(
        md, [0, 10, 0, 10, 5, 5], [0, 0, 0, 0, 90, 90], lengths=[2, 2, 2], depth_unit="m"
    )
    assert got.tvd[2] == got.tvd[0] == 100.0 and got.north[3] == got.north[1]
    assert got.dls[2] == 0.0 and got.build_rate[2] == 0.0 and np.isnan(got.toolface[2])


# ------------------------------------------------------------------------------------------
# exact circular arcs, many surveys, across the kernel's blocks
# ------------------------------------------------------------------------------------------


def _arc_survey(rng: np.random.Generator, n: int):
    """``n`` stations on a random circular arc in a random plane, with its exact positions
    and a tie-on at the arc's start (shallower than the first station)."""
    while True:
        t0, hint = rng.normal(size=3), rng.normal(size=3)
        if abs(np.dot(t0, hint)) < 0.9 * np.linalg.norm(t0) * np.linalg.norm(hint):
            break
    arc = Arc(t0, hint, rng.uniform(300.0, 50_000.0), rng.uniform(-1000.0, 1000.0, 3))
    s = np.cumsum(rng.uniform(0.5, 40.0, n))
    # keep the turn of the whole survey below 170 degrees (no U-turn in any course)
    s *= min(1.0, math.radians(170.0) * arc.radius / s[-1])
    md0 = rng.uniform(0.0, 4000.0)
    inc, azi = angles(arc.tangent(s))
    ti, ta = angles(arc.tangent(np.array([0.0])))
    p0 = arc.position(np.array([0.0]))[0]
    tie = TieOn(md0, float(ti[0]), float(ta[0]), float(p0[2]), float(p0[0]), float(p0[1]))
    return (md0 + s, inc, azi), arc.position(s), tie


@pytest.mark.parametrize("layout", ["short wells", "wells across block edges"])
def test_circular_arcs_across_many_wells_are_exact(layout: str) -> None:
    rng = np.random.default_rng(7)
    if layout == "short wells":
        lengths = rng.integers(1, 12, 400)
    else:
        # the kernel's block b holds stations (b - 1) * _BLOCK + 1 ... b * _BLOCK: surveys
        # that start at a block's last station, at its first, and one spanning three blocks
        lengths = np.array([_BLOCK, 1, 5, _BLOCK - 6, 3 * _BLOCK, 2, 1, 700])
    surveys, exact, ties = [], [], []
    for n in lengths:
        s, p, tie = _arc_survey(rng, int(n))
        surveys.append(s)
        exact.append(p)
        ties.append(tie)
    md, inc, azi = _concat(surveys)
    starts = np.concatenate(([0], np.cumsum(lengths)[:-1]))
    if layout != "short wells":
        assert {_BLOCK, _BLOCK + 1, 2 * _BLOCK} <= set(starts.tolist())
    got = minimum_curvature_many(md, inc, azi, lengths=lengths, tie_ons=TieOns.from_list(ties))
    want = np.concatenate(exact)
    pos = np.column_stack((got.north, got.east, got.tvd))
    for w, (a, n) in enumerate(zip(starts, lengths, strict=True)):
        scale = max(1.0, float(np.abs(want[a : a + n]).max()))
        err = float(np.abs(pos[a : a + n] - want[a : a + n]).max())
        assert err <= 1e-9 * scale, f"well {w}: {err}"


# ------------------------------------------------------------------------------------------
# refusals name the survey and the station
# ------------------------------------------------------------------------------------------

MD3 = [100.0, 200.0, 300.0]


def _three_wells(changes=None):
    """Three clean surveys of 3 stations; ``changes`` maps (well, field) -> new values."""
    data = {k: [list(MD3), [0.0, 5.0, 10.0], [0.0, 45.0, 45.0]] for k in range(3)}
    for (w, field), values in (changes or {}).items():
        data[w][("md", "inc", "azi").index(field)] = values
    return tuple(np.concatenate([data[w][k] for w in range(3)]) for k in range(3))


@pytest.mark.parametrize(
    ("well", "field", "values", "message", "station"),
    [
        (1, "inc", [0.0, float("nan"), 3.0], "station 2 (MD 200): inclination is nan", 1),
        (2, "md", [100.0, 100.0, 300.0], "station 2 (MD 100): MD is not strictly increasing", 1),
        (0, "inc", [0.0, 5.0, 181.0], "station 3 (MD 300): inclination 181.0 outside", 2),
        (1, "azi", [0.0, float("inf"), 3.0], "station 2 (MD 200): azimuth is inf", 1),
        (2, "md", [100.0, float("nan"), 300.0], "station 2: MD is nan (not a number)", 1),
    ],
)
@pytest.mark.parametrize("names", [None, ["A-1", "B-2", "C-3"]])
def test_bad_station_names_the_well_and_station(well, field, values, message, station, names):
    md, inc, azi = _three_wells({(well, field): values})
    with pytest.raises(SurveyInputError) as info:
        compute_trajectories(md, inc, azi, lengths=[3, 3, 3], depth_unit="m", names=names)
    label = f"well {well + 1}" + ("" if names is None else f" ({names[well]!r})")
    assert str(info.value).startswith(f"{label}: {message}")
    assert info.value.well == well and info.value.station == station
    assert info.value.field == field


@pytest.mark.parametrize("names", [None, ["A-1", "B-2", "C-3"]])
def test_u_turn_names_the_well_and_station(names) -> None:
    md, inc, azi = _three_wells({(2, "inc"): [90.0, 90.0, 90.0], (2, "azi"): [0.0, 0.0, 180.0]})
    with pytest.raises(SurveyInputError, match="U-turn") as info:
        minimum_curvature_many(md, inc, azi, lengths=[3, 3, 3], names=names)
    label = "well 3" if names is None else "well 3 ('C-3')"
    assert str(info.value).startswith(
        f"{label}: station 3 (MD 300): 180-degree dogleg from station 2"
    )
    assert (info.value.well, info.value.station) == (2, 2)


def test_u_turn_from_a_tie_on_names_the_well() -> None:
    md, inc, azi = _three_wells({(1, "inc"): [90.0, 90.0, 90.0], (1, "azi"): [270.0, 270.0, 270.0]})
    ties = [None, TieOn(50.0, 90.0, 90.0), None]
    with pytest.raises(SurveyInputError, match="from the tie-on") as info:
        compute_trajectories(md, inc, azi, lengths=[3, 3, 3], depth_unit="m", tie_ons=ties)
    assert str(info.value).startswith("well 2: station 1 (MD 100): ")
    assert (info.value.well, info.value.station) == (1, 0)


def test_u_turn_between_two_wells_is_no_u_turn() -> None:
    """The last station of one survey and the first of the next are not a course."""
    md = [100.0, 200.0, 100.0, 200.0]
    inc, azi = [90.0, 90.0, 90.0, 90.0], [0.0, 0.0, 180.0, 180.0]
    ties = [TieOn(100.0, 90.0, 0.0), TieOn(100.0, 90.0, 180.0)]
    got = minimum_curvature_many(md, inc, azi, lengths=[2, 2], tie_ons=ties)
    assert got.north.tolist() == [0.0, 100.0, 0.0, -100.0]


@pytest.mark.parametrize(
    ("tie", "message", "field"),
    [
        (TieOn(150.0), "well 2: station 1 (MD 100): first station is above the tie-on", "md"),
        (TieOn(0.0, 190.0, 0.0), "well 2: tie-on inclination 190.0 outside [0, 180]", "tie_on"),
        (
            TieOn(0.0, 0.0, 0.0, float("nan")),
            "well 2: tie-on has a value that is not a number",
            "tie_on",
        ),
    ],
)
def test_bad_tie_on_names_the_well(tie, message, field) -> None:
    md, inc, azi = _three_wells()
    with pytest.raises(SurveyInputError) as info:
        compute_trajectories(
            md, inc, azi, lengths=[3, 3, 3], depth_unit="m", tie_ons=[None, tie, None]
        )
    assert str(info.value).startswith(message)
    assert info.value.well == 1 and info.value.field == field


def test_assumed_tie_on_below_a_negative_md_names_the_well() -> None:
    md, inc, azi = _three_wells({(2, "md"): [-10.0, 5.0, 20.0]})
    with pytest.raises(SurveyInputError, match="assumed tie-on at MD 0") as info:
        compute_trajectories(md, inc, azi, lengths=[3, 3, 3], depth_unit="m")
    assert str(info.value).startswith("well 3: station 1 (MD -10)")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"lengths": [3, 3]}, "add up to 6 stations, but 9 were given"),
        ({"lengths": [3, 0, 6]}, "well 2 has no stations"),
        ({"lengths": [3, -3, 9]}, "well 2 has no stations"),
        ({"lengths": [3.0, 3.0, 3.0]}, "whole numbers"),
        ({"offsets": [1, 3, 9]}, "offsets must start at 0"),
        ({"offsets": [0, 3, 6]}, "add up to 6 stations"),
        ({}, "give the surveys' lengths or their offsets"),
        ({"lengths": [3, 3, 3], "offsets": [0, 3, 6, 9]}, "one of the two"),
        ({"lengths": [3, 3, 3], "names": ["a", "b"]}, "2 names given for 3 surveys"),
        ({"lengths": [3, 3, 3], "tie_ons": [None]}, "1 tie-ons given for 3 surveys"),
        ({"lengths": [3, 3, 3], "vs_azimuth": [1.0, 2.0]}, "vertical-section azimuths must be 3"),
        ({"lengths": [3, 3, 3], "vs_azimuth": [1.0, np.inf, 2.0]}, "vertical-section azimuths"),
        ({"lengths": [3, 3, 3], "vs_origin": np.zeros((3, 2))}, "needs vertical-section azimuths"),
        (
            {"lengths": [3, 3, 3], "vs_azimuth": [1.0, 2.0, 3.0], "vs_origin": np.zeros(3)},
            "origins must be (3, 2)",
        ),
        ({"lengths": [3, 3, 3], "depth_unit": "yd"}, "unknown depth unit"),
    ],
)
def test_bad_layouts_and_parameters_are_refused(kwargs, message) -> None:
    md, inc, azi = _three_wells()
    kwargs = {"depth_unit": "m", **kwargs}
    with pytest.raises(SurveyInputError) as info:
        compute_trajectories(md, inc, azi, **kwargs)
    assert message in str(info.value)


def test_mismatched_arrays_are_refused() -> None:
    with pytest.raises(SurveyInputError, match="same length"):
        minimum_curvature_many([1.0, 2.0], [0.0], [0.0, 0.0], lengths=[2])
    with pytest.raises(SurveyInputError, match="1-D"):
        minimum_curvature_many([[1.0, 2.0]], [[0.0, 0.0]], [[0.0, 0.0]], lengths=[2])
    with pytest.raises(SurveyInputError, match="tie-on arrays must be 1-D and of one length"):
        TieOns.from_arrays([0.0, 1.0], [0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0])


def test_survey_offsets_from_lengths() -> None:
    assert survey_offsets(6, lengths=[1, 2, 3]).tolist() == [0, 1, 3, 6]
    assert survey_offsets(6, offsets=np.array([0, 1, 3, 6], dtype=np.int32)).tolist() == [
        0,
        1,
        3,
        6,
    ]


# ------------------------------------------------------------------------------------------
# the result and the tie-on arrays
# ------------------------------------------------------------------------------------------


def test_tie_ons_round_trip_and_assumptions() -> None:
    given_tie = TieOn(10.0, 2.0, 3.0, 9.0, 1.0, -1.0)
    ties = TieOns.from_list([None, given_tie])
    assert ties[0] == TieOn.surface() and ties[1] == given_tie and len(ties) == 2
    arrays = TieOns.from_arrays([10.0], [2.0], [3.0], [9.0], [1.0], [-1.0])
    assert arrays[0] == given_tie
    assert TieOns.surface(3).assumed.tolist() == [True] * 3
    md, inc, azi = _three_wells()
    many = compute_trajectories(
        md, inc, azi, lengths=[3, 3, 3], depth_unit="ft", tie_ons=[None, given_tie, None]
    )
    assert many.well(0).assumptions and not many.well(1).assumptions
    assert many.well(-1).tie_on == TieOn.surface()
    assert many.dls_course_length == 100.0


def test_frame_and_lookup_by_name() -> None:
    md, inc, azi = _three_wells()
    many = compute_trajectories(
        md,
        inc,
        azi,
        lengths=[3, 3, 3],
        depth_unit="m",
        names=["A", "B", "C"],
        vs_azimuth=[0.0, 90.0, np.nan],
    )
    assert isinstance(many, Trajectories)
    frame = many.to_frame()
    assert frame["well"].tolist() == ["A"] * 3 + ["B"] * 3 + ["C"] * 3
    assert list(frame.columns)[:4] == ["well", "md", "inc", "azi"] and "vs" in frame
    assert many.index("B") == 1 and many.well("C").vs is None
    b = many.well("B")
    assert b.vs is not None and np.array_equal(b.vs, b.east)
    with pytest.raises(KeyError, match="no survey named 'Z'"):
        many.well("Z")
    with pytest.raises(IndexError, match="out of range"):
        many.well(3)
    unnamed = compute_trajectories(md, inc, azi, lengths=[3, 3, 3], depth_unit="m")
    assert unnamed.to_frame()["well"].tolist() == [0] * 3 + [1] * 3 + [2] * 3
    with pytest.raises(KeyError):
        unnamed.well("A")


# ------------------------------------------------------------------------------------------
# sin and cos from one tan (the kernel's and the toolface's)
# ------------------------------------------------------------------------------------------


@given(st.lists(st.floats(-360.0, 360.0), min_size=1, max_size=50))
def test_sin_cos_from_one_tan_agree_with_numpy(angles_deg) -> None:
    a = np.array(angles_deg)
    h = a * HALF_DEG_TO_RAD
    cos = np.empty_like(h)
    sin_cos_half(h, cos)
    assert np.abs(h - np.sin(np.radians(a))).max() <= 5e-16
    assert np.abs(cos - np.cos(np.radians(a))).max() <= 5e-16
