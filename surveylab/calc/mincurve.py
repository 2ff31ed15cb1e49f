"""Minimum curvature (Sawaryn & Thorogood, SPE 84246) in struct-of-arrays numpy.

For consecutive unit tangents t1, t2 in (N, E, TVD): dogleg beta = 2 atan(|t2 - t1| / |t2 + t1|)
(well conditioned at small and large angles), ratio factor RF = tan(beta/2) / (beta/2) (series
1 + x^2/3 + 2x^4/15 near 0), and the course displacement is dMD / 2 * RF * (t1 + t2).

Radians live only in the private helpers; the public functions take degrees.

The kernel (issue 3: within 1.5x of a compiled single pass) works on blocks of stations that
stay in the CPU cache, takes sin and cos of each angle from one ``tan`` of the half angle, the
half dogleg of ordinary courses from the arctan series (exact to rounding), and writes into
one preallocated (4, n) array whose rows are the returned arrays.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from surveylab.calc.errors import SurveyInputError, station_label
from surveylab.calc.gate import validate_stations
from surveylab.models import TieOn

__all__ = ["UTURN_TOLERANCE", "Positions", "minimum_curvature", "resolve_tie_on"]

#: |t1 + t2| below this (dogleg within ~1e-8 rad of 180 deg) is a U-turn: refused.
UTURN_TOLERANCE = 1e-8
# below this half-dogleg [rad] the ratio factor comes from its series
_SERIES_BELOW = 1e-4
# tie-on MD equal to the first station's MD within this (relative to max(1, |md|))
_MD_EQUAL_RTOL = 1e-9
# stations per block of the kernel: its 10 work rows (~650 KB) stay in the L2 cache
_BLOCK = 8192
_HALF_DEG_TO_RAD = math.pi / 360.0
_RAD_TO_DEG = 180.0 / math.pi
# running sums within chunks of this many courses by a matrix product (see _prefix_sums)
_CHUNK = 32
_UPPER = np.triu(np.ones((_CHUNK, _CHUNK)))
_UTURN_SQUARED = UTURN_TOLERANCE * UTURN_TOLERANCE
# Courses with q = tan(x)^2 below this (half dogleg x < 2.86 deg, dogleg < 5.7 deg: nearly
# every course of a real survey) take 2 atan(r) / r = 2 (1 - q/3 + q^2/5 - ... - q^5/11) from
# its series instead of an arctan: the first omitted term, q^6/13, is below 2e-17 relative
# (under half an ulp), so the result is as exact as numpy's arctan, in 12 cheap passes.
_SERIES_Q = 0.0025
# Horner coefficients of 2 atan(sqrt(q)) / sqrt(q) - 2, highest power first (q^5 ... q^1)
_ATAN_SERIES = tuple(2.0 * (-1.0) ** j / (2 * j + 1) for j in range(5, 0, -1))


class Positions(NamedTuple):
    """Positions of the stations, one value per station.

    Attributes
    ----------
    tvd, north, east : numpy.ndarray
        True vertical depth and offsets [depth unit of the MDs], from the tie-on's datum.
    dogleg : numpy.ndarray
        Dogleg of the course ending at each station [deg]: course (i-1 -> i); at the first
        station 0, or the course tie-on -> first station when the tie-on is shallower.

    From :func:`minimum_curvature` the four arrays are rows (views) of one (4, n) array.
    """

    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray
    dogleg: np.ndarray


def resolve_tie_on(tie_on: TieOn | None, md0: float) -> TieOn:
    """The tie-on to use: the one given, else the vertical-from-surface assumption.

    Raises
    ------
    SurveyInputError
        When the tie-on is deeper than the first station, or its angles are invalid.
    """
    tie = TieOn.surface() if tie_on is None else tie_on
    values = (tie.md, tie.inc, tie.azi, tie.tvd, tie.north, tie.east)
    if not all(math.isfinite(v) for v in values):
        raise SurveyInputError(f"tie-on has a value that is not a number: {tie}", field="tie_on")
    if not 0.0 <= tie.inc <= 180.0:
        raise SurveyInputError(f"tie-on inclination {tie.inc} outside [0, 180]", field="tie_on")
    if tie.md > md0 and not _md_equal(tie.md, md0):
        what = "assumed tie-on at MD 0 (no tie-on given)" if tie_on is None else "tie-on"
        raise SurveyInputError(
            f"{station_label(0, md0)}: first station is above the {what} (MD {tie.md:g})",
            station=0,
            field="md",
        )
    return tie


def _md_equal(a: float, b: float) -> bool:
    return abs(a - b) <= _MD_EQUAL_RTOL * max(1.0, abs(a), abs(b))


def tangent(inc_deg: npt.ArrayLike, azi_deg: npt.ArrayLike) -> np.ndarray:
    """Unit tangents, shape (..., 3) in (N, E, TVD), from inclination and azimuth [deg]."""
    i = np.radians(inc_deg)
    a = np.radians(azi_deg)
    si = np.sin(i)
    return np.stack([si * np.cos(a), si * np.sin(a), np.cos(i)], axis=-1)


def half_dogleg_and_rf(t1: np.ndarray, t2: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Half dogleg [rad] and ratio factor for tangents of shape (..., 3) (no U-turn check)."""
    d = np.linalg.norm(t2 - t1, axis=-1)
    s = np.linalg.norm(t2 + t1, axis=-1)
    x = np.arctan2(d, s)
    rf = _rf_from(d, s, x)
    return x, rf


def _rf_from(d: np.ndarray, s: np.ndarray, x: np.ndarray) -> np.ndarray:
    shape = np.shape(x)
    d, s, x = np.atleast_1d(d, s, x)
    x2 = x * x
    rf = 1.0 + x2 * (1.0 / 3.0 + x2 * (2.0 / 15.0))
    np.divide(d, s * x, out=rf, where=x >= _SERIES_BELOW)
    return rf.reshape(shape)


def minimum_curvature(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    tie_on: TieOn | None = None,
) -> Positions:
    """Positions of survey stations by minimum curvature.

    Parameters
    ----------
    md : array_like
        Measured depths [m, ft or US ft], strictly increasing.
    inc : array_like
        Inclinations [deg] in [0, 180].
    azi : array_like
        Azimuths [deg] from the survey's north reference (normalised to [0, 360)).
    tie_on : TieOn, optional
        Known point the survey starts from (lengths in the unit of ``md``). At the first
        station's MD the first station takes its position; shallower, the course from the
        tie-on to the first station is computed. None: vertical hole from MD 0, TVD 0, N 0,
        E 0 (the caller records that assumption; :func:`compute_trajectory` does).

    Returns
    -------
    Positions
        tvd, north, east [unit of ``md``] and dogleg [deg] per station.

    Raises
    ------
    SurveyInputError
        Invalid stations (see :func:`validate_stations`), a tie-on deeper than the first
        station, or a 180-degree dogleg (U-turn: no unique arc), naming the station.
    """
    md_a, inc_a, azi_a = validate_stations(md, inc, azi)
    tie = resolve_tie_on(tie_on, float(md_a[0]))
    return _minimum_curvature(md_a, inc_a, azi_a, tie)


def _first_course(
    md0: float, inc0: float, azi0: float, tie: TieOn
) -> tuple[float, float, float, float]:
    """(tvd, north, east, dogleg [deg]) of the first station from the tie-on."""
    if _md_equal(tie.md, md0):
        return tie.tvd, tie.north, tie.east, 0.0
    t1 = tangent(tie.inc, tie.azi)
    t2 = tangent(inc0, azi0)
    if float(np.linalg.norm(t1 + t2)) < UTURN_TOLERANCE:
        raise SurveyInputError(
            f"{station_label(0, md0)}: 180-degree dogleg from the tie-on (U-turn): "
            "no unique arc, refused",
            station=0,
            field="inc",
        )
    x, rf = half_dogleg_and_rf(t1, t2)
    delta = (md0 - tie.md) / 2.0 * float(rf) * (t1 + t2)
    return (
        tie.tvd + float(delta[2]),
        tie.north + float(delta[0]),
        tie.east + float(delta[1]),
        math.degrees(2.0 * float(x)),
    )


def _minimum_curvature(md: np.ndarray, inc: np.ndarray, azi: np.ndarray, tie: TieOn) -> Positions:
    """Kernel on validated float64 arrays: blocks of stations, preallocated buffers, in place.

    The outputs are the rows of one (4, n) array (north, east, tvd, dogleg) so that each step
    works on the three components in one numpy call. The stations are processed in blocks of
    :data:`_BLOCK`: every intermediate stays in the CPU cache and only the outputs are
    allocated at full length (fresh memory is costly to touch: page faults). Per station it
    takes two ``tan`` (see :func:`_sin_cos_half`), one ``sqrt`` and about 35 cheap passes
    over cached memory; the half dogleg comes from a series (see :data:`_SERIES_Q`), with an
    ``arctan`` only for the few sharper courses.
    """
    n = md.size
    out = np.empty((4, n))
    north, east, tvd, dogleg = out
    tvd[0], north[0], east[0], dogleg[0] = _first_course(
        float(md[0]), float(inc[0]), float(azi[0]), tie
    )
    if n > 1:
        block = min(_BLOCK, n - 1)
        work = np.empty((10, block + 1))
        for lo in range(1, n, block):
            _courses(md, inc, azi, lo, min(lo + block, n), work, out)
    return Positions(tvd, north, east, dogleg)


def _sin_cos_half(h: np.ndarray, cos_out: np.ndarray) -> None:
    """sin and cos of angles 2h from one ``tan`` call, in place.

    With t = tan(h): sin(2h) = 2t / (1 + t^2), cos(2h) = 2 / (1 + t^2) - 1, with 2 / (1 + t^2)
    held in ``cos_out`` on the way. Both within 2 ulp (absolute) of ``np.sin`` / ``np.cos``
    for angles in [0, 360] deg, exact at 0 and 180 deg (tan of the float nearest pi/2 is
    finite); one ``tan`` and five cheap passes cost about two thirds of a ``sin`` plus a
    ``cos`` here.

    Parameters
    ----------
    h : numpy.ndarray
        Half angles [rad] in [0, pi]; overwritten with sin(2h) [-].
    cos_out : numpy.ndarray
        Same shape as ``h``; receives cos(2h) [-].
    """
    np.tan(h, out=h)
    np.square(h, out=cos_out)
    cos_out += 1.0
    np.divide(2.0, cos_out, out=cos_out)
    h *= cos_out
    cos_out -= 1.0


def _courses(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    lo: int,
    hi: int,
    work: np.ndarray,
    out: np.ndarray,
) -> None:
    """Courses (lo - 1 -> lo) ... (hi - 2 -> hi - 1) into ``out``.

    Parameters
    ----------
    md : numpy.ndarray
        Measured depths [depth unit], validated.
    inc, azi : numpy.ndarray
        Inclinations and azimuths [deg], validated.
    lo, hi : int
        First and one-past-last station [-] whose courses are computed (1 <= lo < hi).
    work : numpy.ndarray
        Scratch of shape (10, k + 1) with k >= hi - lo.
    out : numpy.ndarray
        (4, n) north, east, tvd [depth unit] and dogleg [deg]; column ``lo - 1`` must hold
        the position of station ``lo - 1``.

    Raises
    ------
    SurveyInputError
        A 180-degree dogleg (U-turn) in one of the courses, naming the station.
    """
    k = hi - lo
    rows = work[:, : k + 1]
    tan3, angles, w3 = rows[0:3], rows[3:5], rows[5:8]  # (3, k + 1), (2, k + 1), (3, k + 1)
    # unit tangents (N, E, TVD) of stations lo - 1 ... hi - 1
    np.multiply(azi[lo - 1 : hi], _HALF_DEG_TO_RAD, out=angles[0])
    np.multiply(inc[lo - 1 : hi], _HALF_DEG_TO_RAD, out=angles[1])
    _sin_cos_half(angles, tan3[1:3])  # sin, cos of (azi, inc)
    sin_azi, sin_inc = angles
    np.multiply(sin_inc, tan3[1], out=tan3[0])  # N = sin(inc) cos(azi)
    np.multiply(sin_inc, sin_azi, out=tan3[1])  # E = sin(inc) sin(azi); TVD = cos(inc)
    t1, t2 = tan3[:, :-1], tan3[:, 1:]

    # sums t1 + t2 go straight into the outputs (scaled and accumulated below)
    pos = out[0:3, lo - 1 : hi]
    s = pos[:, 1:]
    np.add(t2, t1, out=s)
    both = rows[8:10, :k]
    dd, ss = both  # |t2 - t1|^2 and |t2 + t1|^2
    d3 = w3[:, :k]
    np.subtract(t2, t1, out=d3)
    np.square(d3, out=d3)
    np.add.reduce(d3, axis=0, out=dd)
    np.square(s, out=d3)
    np.add.reduce(d3, axis=0, out=ss)
    if np.minimum.reduce(ss) < _UTURN_SQUARED:
        j = int(np.argmin(ss)) + lo
        raise SurveyInputError(
            f"{station_label(j, float(md[j]))}: 180-degree dogleg from station {j} (U-turn): "
            "no unique arc, refused",
            station=j,
            field="inc",
        )

    # r = tan(x) = |d| / |s| for the half dogleg x; q = r^2
    q, r, dmd = d3
    np.divide(dd, ss, out=q)
    np.sqrt(q, out=r)
    np.subtract(md[lo:hi], md[lo - 1 : hi - 1], out=dmd)
    # 2 x / r = 2 atan(r) / r from its series (all courses below _SERIES_Q; see _ATAN_SERIES)
    p2 = dd
    np.multiply(q, _ATAN_SERIES[0], out=p2)
    for c in _ATAN_SERIES[1:]:
        p2 += c
        p2 *= q
    p2 += 2.0
    dog = out[3, lo:hi]
    np.multiply(r, p2, out=dog)  # 2 x [rad]
    # displacement dMD / 2 * RF * (t1 + t2) with RF = tan(x) / x = r / x = 2 / p2
    factor = ss
    np.divide(dmd, p2, out=factor)
    if np.maximum.reduce(q) >= _SERIES_Q:
        # sharper courses: arctan (r >= 0.05, so x > 0.0499 and r / x is well conditioned)
        big = np.flatnonzero(q >= _SERIES_Q)
        rb = r[big]
        xb = np.arctan(rb)
        dog[big] = 2.0 * xb
        factor[big] = 0.5 * dmd[big] * rb / xb
    dog *= _RAD_TO_DEG
    s *= factor
    _prefix_sums(pos, k, rows)


def _prefix_sums(pos: np.ndarray, k: int, rows: np.ndarray) -> None:
    """Running sums of ``pos`` (3, k + 1) along its rows, in place; column 0 is the carry.

    numpy's ``add.accumulate`` is a dependent chain of about 4 ns per element here; for
    whole blocks the sums within chunks of :data:`_CHUNK` come from one matrix product
    with an upper-triangular matrix of ones instead, then the chunk totals are carried.
    """
    if k % _CHUNK:
        np.add.accumulate(pos, axis=1, out=pos)
        return
    m = k // _CHUNK
    s3 = pos[:, 1:].reshape(3, m, _CHUNK)
    within = rows[0:3, :k].reshape(3, m, _CHUNK)
    np.matmul(s3, _UPPER, out=within)
    offsets = rows[5:8, : m + 1]
    offsets[:, 0] = pos[:, 0]
    offsets[:, 1:] = within[:, :, -1]
    np.add.accumulate(offsets, axis=1, out=offsets)
    np.add(within, offsets[:, :m, None], out=s3)
