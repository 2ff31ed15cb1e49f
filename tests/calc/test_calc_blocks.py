"""The kernel's blocks of stations and the input gate's fast path.

The minimum-curvature kernel works on blocks of ``_BLOCK`` stations (8,192), carrying the
position from one block into the next; the input gate accepts clean input with a few
reductions and only walks the arrays to name the first offending station. These tests cross
block and chunk boundaries on purpose.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from surveylab.calc import SurveyInputError, minimum_curvature, validate_stations
from surveylab.calc.errors import station_label
from surveylab.calc.gate import _MD_CHUNK
from surveylab.calc.mincurve import _BLOCK
from surveylab.models import TieOn
from tests.calc._arcs import Arc, angles

N_LONG = 30_000


def _arc_stations(arc: Arc, s: np.ndarray, md0: float):
    """Stations sampled at arc lengths ``s`` [m] (s = 0 is the tie-on at MD ``md0``)."""
    inc, azi = angles(arc.tangent(s))
    ti, ta = angles(arc.tangent(np.array([0.0])))
    p0 = arc.position(np.array([0.0]))[0]
    tie = TieOn(md0, float(ti[0]), float(ta[0]), float(p0[2]), float(p0[0]), float(p0[1]))
    return md0 + s, inc, azi, arc.position(s), tie


def _check_arc(arc: Arc, s: np.ndarray, md0: float) -> None:
    md, inc, azi, exact, tie = _arc_stations(arc, s, md0)
    assert md.size > 3 * _BLOCK  # more than three blocks, else the test means nothing
    p = minimum_curvature(md, inc, azi, tie_on=tie)
    got = np.column_stack((p.north, p.east, p.tvd))
    scale = float(np.abs(exact).max())
    err = np.abs(got - exact).max(axis=1)
    assert err.max() <= 1e-9 * scale, f"worst station {int(err.argmax()) + 1}"
    # the stations either side of every block boundary (position carried across blocks)
    edges = [k for b in range(1, md.size // _BLOCK + 1) for k in (b * _BLOCK, b * _BLOCK + 1)]
    edges = [k for k in edges if k < md.size]
    assert np.abs(got[edges] - exact[edges]).max() <= 1e-9 * scale
    # the dogleg of every course is the arc's turn over it
    expected = np.degrees(np.diff(np.concatenate(([0.0], s))) / arc.radius)
    assert np.allclose(p.dogleg, expected, rtol=1e-7, atol=1e-9)


def test_long_arc_across_blocks_is_reproduced() -> None:
    """30,000 irregularly spaced stations on a 20 km radius arc (about 86 degrees of turn)."""
    rng = np.random.default_rng(11)
    steps = rng.uniform(0.5, 1.5, N_LONG)
    s = np.cumsum(steps)
    arc = Arc(np.array([0.2, 0.1, 1.0]), np.array([1.0, 0.5, 0.0]), 20_000.0, np.zeros(3))
    _check_arc(arc, s, md0=250.0)


unit_vec = st.tuples(*[st.floats(-1, 1) for _ in range(3)]).filter(
    lambda v: np.linalg.norm(v) > 0.2
)


@settings(max_examples=8, deadline=None)
@given(
    t0=unit_vec,
    hint=unit_vec,
    radius=st.floats(5_000.0, 1e6),
    md0=st.floats(0.0, 5_000.0),
    seed=st.integers(0, 2**32 - 1),
)
def test_long_arc_in_any_plane_across_blocks(t0, hint, radius, md0, seed) -> None:
    t0, hint = np.array(t0), np.array(hint)
    if abs(np.dot(t0, hint)) / (np.linalg.norm(t0) * np.linalg.norm(hint)) > 0.98:
        hint = np.cross(t0, [0.3, 0.5, 0.8]) + 0.1
    rng = np.random.default_rng(seed)
    n = int(rng.integers(3 * _BLOCK + 1, N_LONG + 1))
    # total turn below 170 degrees: no U-turn anywhere
    total = min(radius * np.radians(170.0), 60_000.0)
    s = np.cumsum(rng.uniform(0.2, 1.8, n))
    s *= total / s[-1]
    arc = Arc(t0, hint, radius, p0=np.array([500.0, -300.0, md0 * 0.8]))
    _check_arc(arc, s, md0)


@pytest.mark.parametrize("j", [_BLOCK + 1, _BLOCK + 1234, 2 * _BLOCK])
def test_u_turn_in_second_block_names_the_station(j: int) -> None:
    """A U-turn at station index ``j`` (0-based) of the second block; the first course of the
    block (``_BLOCK + 1``) and its last (``2 * _BLOCK``) are the edges."""
    n = N_LONG
    md = 100.0 + 10.0 * np.arange(n)
    inc = np.full(n, 90.0)
    azi = np.zeros(n)
    azi[j:] = 180.0  # horizontal, due north, then due south from station j on
    with pytest.raises(SurveyInputError, match="U-turn") as info:
        minimum_curvature(md, inc, azi, tie_on=TieOn(0.0, 90.0, 0.0))
    assert info.value.station == j
    assert str(info.value).startswith(f"station {j + 1} (MD {md[j]:g}): ")
    assert f"from station {j}" in str(info.value)


def test_u_turn_only_in_later_block_is_found_after_clean_blocks() -> None:
    """Earlier clean blocks do not hide a U-turn further down (third block here)."""
    n = N_LONG
    j = 2 * _BLOCK + 77
    md = 10.0 * np.arange(1, n + 1)
    inc = np.full(n, 90.0)
    azi = np.full(n, 45.0)
    azi[j:] = 225.0
    with pytest.raises(SurveyInputError) as info:
        minimum_curvature(md, inc, azi, tie_on=TieOn(0.0, 90.0, 45.0))
    assert info.value.station == j
    assert station_label(j, md[j]) in str(info.value)


# ------------------------------------------------------------------------------------------
# the input gate: the fast path must accept, refuse and word exactly as the full checks did
# ------------------------------------------------------------------------------------------


def _reference_gate(md, inc, azi):
    """The gate's contract written out plainly (full-length masks), as the test oracle."""
    md, inc, azi = (np.asarray(v, dtype=float) for v in (md, inc, azi))
    for arr, name, what in ((md, "md", "MD"), (inc, "inc", "inclination"), (azi, "azi", "azimuth")):
        bad = np.flatnonzero(~np.isfinite(arr))
        if bad.size:
            i = int(bad[0])
            where = f"station {i + 1}" if name == "md" else station_label(i, md[i])
            return ("error", f"{where}: {what} is {arr[i]} (not a number)", i, name)
    bad = np.flatnonzero(np.diff(md) <= 0)
    if bad.size:
        i = int(bad[0]) + 1
        msg = (
            f"{station_label(i, md[i])}: MD is not strictly increasing "
            f"(previous station {i} has MD {md[i - 1]:g})"
        )
        return ("error", msg, i, "md")
    bad = np.flatnonzero((inc < 0) | (inc > 180))
    if bad.size:
        i = int(bad[0])
        return (
            "error",
            f"{station_label(i, md[i])}: inclination {inc[i]} outside [0, 180]",
            i,
            "inc",
        )
    norm = np.mod(azi, 360.0)
    norm[norm >= 360.0] = 0.0
    return ("ok", md, inc, norm)


def _gate(md, inc, azi):
    try:
        out = validate_stations(md, inc, azi)
    except SurveyInputError as exc:
        return ("error", str(exc), exc.station, exc.field)
    return ("ok", *out)


_FAULTS = st.sampled_from(
    [
        "none",
        "md_nan",
        "md_inf",
        "md_equal",
        "md_down",
        "inc_nan",
        "inc_neg",
        "inc_big",
        "azi_nan",
        "azi_inf",
        "azi_neg",
        "azi_360",
        "azi_big",
        "inc_180",
        "inc_neg_zero",
    ]
)


@settings(max_examples=200, deadline=None)
@given(
    n=st.integers(1, 60),
    faults=st.lists(st.tuples(_FAULTS, st.floats(0.0, 0.999)), max_size=3),
    seed=st.integers(0, 2**32 - 1),
)
def test_gate_matches_the_plain_checks(n, faults, seed) -> None:
    rng = np.random.default_rng(seed)
    md = np.cumsum(rng.uniform(0.1, 50.0, n)) - 20.0
    inc = rng.uniform(0.0, 180.0, n)
    azi = rng.uniform(0.0, 360.0, n)
    for kind, where in faults:
        i = int(where * n)
        value = {
            "md_nan": np.nan,
            "md_inf": np.inf,
            "inc_nan": np.nan,
            "inc_neg": -0.5,
            "inc_big": 180.5,
            "azi_nan": np.nan,
            "azi_inf": -np.inf,
            "azi_neg": -30.0,
            "azi_360": 360.0,
            "azi_big": 725.0,
            "inc_180": 180.0,
            "inc_neg_zero": -0.0,
        }.get(kind)
        if kind == "md_equal" and i > 0:
            md[i] = md[i - 1]
        elif kind == "md_down" and i > 0:
            md[i] = md[i - 1] - 1.0
        elif kind.startswith("md_") and value is not None:
            md[i] = value
        elif kind.startswith("inc_") and value is not None:
            inc[i] = value
        elif kind.startswith("azi_") and value is not None:
            azi[i] = value
    want, got = _reference_gate(md, inc, azi), _gate(md, inc, azi)
    assert got[0] == want[0]
    if want[0] == "error":
        assert got[1:] == want[1:]
    else:
        for a, b in zip(got[1:], want[1:], strict=True):
            assert np.array_equal(a, b)
        assert ((got[3] >= 0) & (got[3] < 360)).all()


@pytest.mark.parametrize("where", [0, _MD_CHUNK - 1, _MD_CHUNK, _MD_CHUNK + 1, 3 * _MD_CHUNK + 5])
def test_gate_names_md_fault_past_the_first_chunk(where: int) -> None:
    """MD checked chunk by chunk: a repeat in any chunk, at its edges too, is found and named."""
    n = 4 * _MD_CHUNK
    md = np.arange(n, dtype=float) * 2.0
    md[where + 1] = md[where]
    with pytest.raises(SurveyInputError, match="not strictly increasing") as info:
        validate_stations(md, np.zeros(n), np.zeros(n))
    assert info.value.station == where + 1
    assert str(info.value).startswith(f"station {where + 2} (MD {md[where + 1]:g})")


def test_gate_keeps_clean_float64_inputs_and_normalises_only_when_needed() -> None:
    md, inc, azi = np.arange(5.0), np.full(5, 3.0), np.array([0.0, 90.0, 359.9, 12.0, 0.0])
    out = validate_stations(md, inc, azi)
    assert out[0] is md and out[1] is inc and out[2] is azi
    azi2 = azi.copy()
    azi2[2] = -0.1
    out2 = validate_stations(md, inc, azi2)
    assert out2[2] is not azi2 and out2[2][2] == pytest.approx(359.9)
    assert azi2[2] == -0.1  # the caller's array is not changed


def test_gate_md_nan_between_finite_ends_is_named_as_not_a_number() -> None:
    """Finite first and last MD but a NaN inside: a NaN, not a 'not increasing' refusal."""
    md = np.array([0.0, 10.0, np.nan, 30.0])
    with pytest.raises(SurveyInputError, match="not a number") as info:
        validate_stations(md, np.zeros(4), np.zeros(4))
    assert info.value.station == 2 and info.value.field == "md"
    assert str(info.value) == "station 3: MD is nan (not a number)"


# ------------------------------------------------------------------------------------------
# the half dogleg: series for ordinary courses, arctan for sharper ones, mixed in one block
# ------------------------------------------------------------------------------------------


def _plain_minimum_curvature(md, inc, azi, tie: TieOn):
    """The textbook formula course by course (RF = 2/beta tan(beta/2), beta from arctan2)."""
    i, a = np.radians(inc), np.radians(azi)
    t = np.column_stack((np.sin(i) * np.cos(a), np.sin(i) * np.sin(a), np.cos(i)))
    pos = np.zeros((md.size, 3))
    pos[0] = (tie.north, tie.east, tie.tvd)
    dog = np.zeros(md.size)
    for k in range(1, md.size):
        beta = 2.0 * np.arctan2(np.linalg.norm(t[k] - t[k - 1]), np.linalg.norm(t[k] + t[k - 1]))
        rf = 1.0 if beta < 1e-12 else 2.0 / beta * np.tan(beta / 2.0)
        pos[k] = pos[k - 1] + (md[k] - md[k - 1]) / 2.0 * rf * (t[k - 1] + t[k])
        dog[k] = np.degrees(beta)
    return pos, dog


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    share_sharp=st.floats(0.0, 1.0),
    n=st.integers(2, 3 * _BLOCK // 4),
)
def test_series_and_arctan_courses_agree_with_the_plain_formula(seed, share_sharp, n) -> None:
    """Doglegs from 0 to 170 degrees, many just either side of the series limit (5.73 deg),
    mixed in one block in any proportion: positions within 1e-9 relative, doglegs 1e-12 deg."""
    rng = np.random.default_rng(seed)
    md = 1000.0 + np.cumsum(rng.uniform(0.5, 40.0, n))
    limit = np.degrees(2.0 * np.arctan(np.sqrt(0.0025)))  # the series limit as a dogleg [deg]
    size = np.where(
        rng.random(n) < share_sharp,
        rng.choice([limit * (1 + 1e-9), limit * 1.01, 30.0, 170.0], n) * rng.random(n),
        rng.choice([limit * (1 - 1e-9), limit * 0.99, 1.0, 1e-6, 0.0], n),
    )
    inc = np.empty(n)
    azi = np.empty(n)
    inc[0], azi[0] = 30.0, 10.0
    for k in range(1, n):  # inclination and azimuth steps of about size[k]
        inc[k] = np.clip(inc[k - 1] + size[k] * np.cos(rng.uniform(0, 2 * np.pi)), 1.0, 179.0)
        azi[k] = (azi[k - 1] + size[k] * rng.uniform(-1, 1)) % 360.0
    tie = TieOn(float(md[0]), float(inc[0]), float(azi[0]), 12.0, -3.0, 4.0)
    got = minimum_curvature(md, inc, azi, tie_on=tie)
    exact, dog = _plain_minimum_curvature(md, inc, azi, tie)
    scale = max(1.0, float(np.abs(exact).max()))
    assert np.abs(np.column_stack((got.north, got.east, got.tvd)) - exact).max() <= 1e-9 * scale
    assert np.abs(got.dogleg - dog).max() <= 1e-9
