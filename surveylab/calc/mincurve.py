"""Minimum curvature (Sawaryn & Thorogood, SPE 84246) in struct-of-arrays numpy.

For consecutive unit tangents t1, t2 in (N, E, TVD): dogleg beta = 2 atan(|t2 - t1| / |t2 + t1|)
(well conditioned at small and large angles), ratio factor RF = tan(beta/2) / (beta/2) (series
1 + x^2/3 + 2x^4/15 near 0), and the course displacement is dMD / 2 * RF * (t1 + t2).

Radians live only in the private helpers; the public functions take degrees.

The kernel (within 1.5x of a compiled single pass: bench/bench_calc.py) works on blocks of
stations that stay in the CPU cache, takes sin and cos of each angle from one ``tan`` of the
half angle, the half dogleg of ordinary courses from the arctan series (exact to rounding),
and writes into one preallocated (4, n) array whose rows are the returned arrays.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from surveylab.calc._trig import HALF_DEG_TO_RAD, sin_cos_half
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


class _UTurn(Exception):
    """A 180-degree dogleg found by the kernel: ``index`` is the 0-based lower station of the
    course in the arrays the kernel was given (callers name the survey and station)."""

    def __init__(self, index: int):
        super().__init__(index)
        self.index = index


def uturn_message(index: int, md: float, *, from_tie_on: bool) -> str:
    """The refusal of a 180-degree dogleg ending at station ``index`` (0-based) of a survey."""
    origin = "the tie-on" if from_tie_on else f"station {index}"
    return (
        f"{station_label(index, md)}: 180-degree dogleg from {origin} (U-turn): "
        "no unique arc, refused"
    )


_ONE_SURVEY = np.zeros(1, dtype=np.intp)


def _minimum_curvature(md: np.ndarray, inc: np.ndarray, azi: np.ndarray, tie: TieOn) -> Positions:
    """One survey on validated float64 arrays with a resolved tie-on.

    A tie-on shallower than the first station goes in front of the stations as a station of
    its own (three short copies), so that its course is an ordinary course of the kernel; the
    returned rows leave it out (views from column 1). At the first station's MD the first
    station takes the tie-on's position, and dogleg 0.
    """
    first = np.empty((4, 1))
    first[:, 0] = tie.north, tie.east, tie.tvd, 0.0
    skip = 0
    if not _md_equal(tie.md, float(md[0])):
        md = np.concatenate(((tie.md,), md))
        inc = np.concatenate(((tie.inc,), inc))
        azi = np.concatenate(((tie.azi,), azi))
        skip = 1
    try:
        out = positions_kernel(md, inc, azi, _ONE_SURVEY, first)
    except _UTurn as turn:
        j = turn.index - skip
        raise SurveyInputError(
            uturn_message(j, float(md[turn.index]), from_tie_on=skip == 1 and j == 0),
            station=j,
            field="inc",
        ) from None
    north, east, tvd, dogleg = out[:, skip:] if skip else out
    return Positions(tvd, north, east, dogleg)


def positions_kernel(
    md: np.ndarray, inc: np.ndarray, azi: np.ndarray, starts: np.ndarray, first: np.ndarray
) -> np.ndarray:
    """Minimum curvature of one or many surveys laid end to end, in one pass.

    The outputs are the rows of one (4, n) array (north, east, tvd, dogleg) so that each step
    works on the three components in one numpy call. The stations are processed in blocks of
    :data:`_BLOCK`: every intermediate stays in the CPU cache and only the output is allocated
    at full length (fresh memory is costly to touch: page faults). Per station it takes two
    ``tan`` (see :func:`sin_cos_half`), one ``sqrt`` and about 35 cheap passes over cached
    memory; the half dogleg comes from a series (see :data:`_SERIES_Q`), with an ``arctan``
    only for the few sharper courses. Between one survey's last station and the next survey's
    first there is no course: that step is skipped, and each survey's first station takes the
    position and dogleg given in ``first``.

    Parameters
    ----------
    md : numpy.ndarray
        Measured depths [depth unit] of every survey, concatenated; validated (strictly
        increasing within each survey).
    inc, azi : numpy.ndarray
        Inclinations and azimuths [deg], validated, in the same layout.
    starts : numpy.ndarray
        Index of each survey's first station (integers, increasing, ``starts[0] == 0``).
    first : numpy.ndarray
        (4, number of surveys): north, east, tvd [depth unit] and dogleg [deg] of each
        survey's first station.

    Returns
    -------
    numpy.ndarray
        (4, n): north, east, tvd [depth unit] and dogleg [deg] of every station (the dogleg
        of the course ending there).

    Raises
    ------
    _UTurn
        A 180-degree dogleg, with the index of the station it ends at (callers name it).
    """
    n = md.size
    out = np.empty((4, n))
    out[:, 0] = first[:, 0]
    if n > 1:
        block = min(_BLOCK, n - 1)
        work = np.empty((10, block + 1))
        many = starts.size > 1
        for lo in range(1, n, block):
            hi = min(lo + block, n)
            heads = None
            if many:
                a, b = np.searchsorted(starts, (lo, hi))
                if b > a:
                    heads = (starts[a:b] - lo, first[:, a:b])
            _courses(md, inc, azi, lo, hi, work, out, heads)
    return out


def _courses(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    lo: int,
    hi: int,
    work: np.ndarray,
    out: np.ndarray,
    heads: tuple[np.ndarray, np.ndarray] | None = None,
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
    heads : tuple of numpy.ndarray, optional
        Surveys starting inside the block: their first stations' offsets from ``lo`` (int,
        increasing) and (4, m) north, east, tvd [depth unit] and dogleg [deg] there. The
        steps into those stations are not courses: they are neither checked nor summed.

    Raises
    ------
    _UTurn
        A 180-degree dogleg (U-turn) in one of the courses, with the station it ends at.
    """
    k = hi - lo
    rows = work[:, : k + 1]
    tan3, angles, w3 = rows[0:3], rows[3:5], rows[5:8]  # (3, k + 1), (2, k + 1), (3, k + 1)
    # unit tangents (N, E, TVD) of stations lo - 1 ... hi - 1
    np.multiply(azi[lo - 1 : hi], HALF_DEG_TO_RAD, out=angles[0])
    np.multiply(inc[lo - 1 : hi], HALF_DEG_TO_RAD, out=angles[1])
    sin_cos_half(angles, tan3[1:3])  # sin, cos of (azi, inc)
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
    if heads is not None:
        # from one survey into the next: a harmless straight step, replaced below
        dd[heads[0]] = 0.0
        ss[heads[0]] = 4.0
    if np.minimum.reduce(ss) < _UTURN_SQUARED:
        raise _UTurn(int(np.argmin(ss)) + lo)

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
    if heads is not None:
        _restart(pos, dog, heads)


def _restart(pos: np.ndarray, dog: np.ndarray, heads: tuple[np.ndarray, np.ndarray]) -> None:
    """Restart the running sums at each survey's first station inside a block, in place.

    The sums ran on through the step between surveys; every station from a survey's first
    station to the next survey's is moved by the same offset, the given first position minus
    the running sum there (one ``repeat`` for the whole block, no loop over surveys).

    Parameters
    ----------
    pos : numpy.ndarray
        (3, k + 1) north, east, tvd [depth unit] of stations lo - 1 ... hi - 1.
    dog : numpy.ndarray
        (k,) doglegs [deg] of stations lo ... hi - 1.
    heads : tuple of numpy.ndarray
        First stations' offsets from lo and their (4, m) north, east, tvd, dogleg.
    """
    cols, given = heads
    at = cols + 1  # columns of pos
    shift = given[0:3] - pos[:, at]
    span = np.diff(at, append=pos.shape[1])
    pos[:, at[0] :] += np.repeat(shift, span, axis=1)
    pos[:, at] = given[0:3]
    dog[cols] = given[3]


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
