"""Quantities derived from stations and positions: DLS, build, turn, toolface, VS, closure.

Per-course quantities are reported at the lower station of the course, as vendor listings
report them.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from surveylab.calc._trig import HALF_DEG_TO_RAD, sin_cos_half

__all__ = [
    "VERTICAL_INC_LIMIT",
    "CourseRates",
    "closure",
    "course_rates",
    "toolface",
    "vertical_section",
    "wrap_180",
]

#: Inclination [deg] at or below which a station is vertical and its azimuth is meaningless
#: (the ISCWSA example workbooks use 0.0001 deg).
VERTICAL_INC_LIMIT = 1e-4
# courses per block in toolface: its work rows stay in the CPU cache
_BLOCK = 8192


class CourseRates(NamedTuple):
    """Per-station rates [deg per course length]; the first station holds the tie-on course."""

    dls: np.ndarray
    build_rate: np.ndarray
    turn_rate: np.ndarray


def wrap_180(angle_deg: npt.ArrayLike) -> np.ndarray:
    """Wrap angles [deg] into (-180, 180] (359.6 -> -0.4; -180 -> 180)."""
    a = np.asarray(angle_deg, dtype=np.float64)
    return a - 360.0 * np.ceil((a - 180.0) / 360.0)


def wrap_360(angle_deg: npt.ArrayLike) -> np.ndarray:
    """Wrap angles [deg] into [0, 360) (-0.4 -> 359.6; 360 -> 0). Not ``np.mod`` alone: it
    rounds a tiny negative angle (-1e-17) to 360.0."""
    a = np.mod(np.asarray(angle_deg, dtype=np.float64), 360.0)
    return np.where(a >= 360.0, 0.0, a)


def _wrap_180_inplace(a: np.ndarray, tmp: np.ndarray) -> None:
    """:func:`wrap_180` in place, with the same operations (so the same results).

    Parameters
    ----------
    a : numpy.ndarray
        Angles [deg], overwritten with their wrap into (-180, 180].
    tmp : numpy.ndarray
        Scratch of the shape of ``a`` [deg].
    """
    np.subtract(a, 180.0, out=tmp)
    tmp /= 360.0
    np.ceil(tmp, out=tmp)
    tmp *= 360.0
    a -= tmp


def course_rates(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    dogleg: np.ndarray,
    course_length: float,
    *,
    prev: tuple[float, float, float] | None = None,
    starts: np.ndarray | None = None,
) -> CourseRates:
    """Dogleg severity, signed build and signed turn rates of each course.

    Parameters
    ----------
    md : numpy.ndarray
        Measured depths [depth unit].
    inc, azi : numpy.ndarray
        Inclination and azimuth [deg] (validated).
    dogleg : numpy.ndarray
        Dogleg of the course ending at each station [deg] (from minimum curvature).
    course_length : float
        Length the rates are expressed per [depth unit]: 30 (m) or 100 (ft); explicit.
    prev : tuple of float, optional
        (md, inc, azi) of the tie-on when it is shallower than the first station; then the
        first station carries the tie-on course's rates, otherwise zeros.
    starts : numpy.ndarray, optional
        For several surveys laid end to end: the index of each one's first station (int,
        increasing). No course ends at those stations; their rates are 0 (the caller puts
        each survey's tie-on course there).

    Returns
    -------
    CourseRates
        dls, build_rate, turn_rate [deg per ``course_length``]. Turn is the azimuth change
        wrapped into (-180, 180], and 0 when either end is vertical (no azimuth there).
    """
    n = md.size
    dls = np.zeros(n)
    build = np.zeros(n)
    turn = np.zeros(n)
    if n > 1:
        # in place into the outputs: two temporaries of n - 1 (fresh memory is costly to touch)
        scale = np.subtract(md[1:], md[:-1])
        if starts is not None:
            scale[starts[starts > 0] - 1] = 1.0  # not a course (see above): any non-zero
        np.divide(course_length, scale, out=scale)
        np.multiply(dogleg[1:], scale, out=dls[1:])
        np.subtract(inc[1:], inc[:-1], out=build[1:])
        build[1:] *= scale
        dazi = turn[1:]
        np.subtract(azi[1:], azi[:-1], out=dazi)
        _wrap_180_inplace(dazi, np.empty_like(dazi))
        vertical = inc <= VERTICAL_INC_LIMIT
        if vertical.any():
            dazi[vertical[1:] | vertical[:-1]] = 0.0
        dazi *= scale
        if starts is not None:
            for rate in (dls, build, turn):
                rate[starts] = 0.0
    if prev is not None and md[0] > prev[0]:
        scale0 = course_length / (md[0] - prev[0])
        dls[0] = dogleg[0] * scale0
        build[0] = (inc[0] - prev[1]) * scale0
        if inc[0] > VERTICAL_INC_LIMIT and prev[1] > VERTICAL_INC_LIMIT:
            turn[0] = float(wrap_180(azi[0] - prev[2])) * scale0
    return CourseRates(dls, build, turn)


def toolface(
    inc: np.ndarray,
    azi: np.ndarray,
    *,
    prev: tuple[float, float] | None = None,
    starts: np.ndarray | None = None,
) -> np.ndarray:
    """Toolface of each course [deg, in [0, 360)], reported at its lower station.

    Gravity (high-side) toolface at the upper station of the course: the angle, clockwise
    looking down the hole, from the high side to the plane the course bends in,
    ``atan2(sin I2 sin dA, sin I2 cos I1 cos dA - cos I2 sin I1)``. Where the upper station
    is vertical there is no high side and the azimuth of the lower station is reported
    (magnetic/north toolface). NaN where the course is straight (no bend, no toolface) and at
    the first station unless ``prev`` gives the tie-on (inc, azi).

    Parameters
    ----------
    inc, azi : numpy.ndarray
        Inclination and azimuth [deg] per station.
    prev : tuple of float, optional
        (inc, azi) [deg] of a tie-on shallower than the first station.
    starts : numpy.ndarray, optional
        For several surveys laid end to end (with ``prev`` None): the index of each one's
        first station (int, increasing); no course ends there, their toolface is NaN.

    Returns
    -------
    numpy.ndarray
        Toolface [deg] per station.
    """
    n = inc.size
    out = np.full(n, np.nan)
    if prev is not None:
        inc_all = np.concatenate(([prev[0]], inc))
        azi_all = np.concatenate(([prev[1]], azi))
        dst = out
    else:
        if n < 2:
            return out
        inc_all, azi_all, dst = inc, azi, out[1:]
    m = dst.size  # courses
    block = min(_BLOCK, m)
    work = np.empty((5, block + 1))
    for lo in range(0, m, block):
        hi = min(lo + block, m)
        _toolface_block(inc_all[lo : hi + 1], azi_all[lo : hi + 1], dst[lo:hi], work)
    if starts is not None:
        out[starts] = np.nan
    return out


def _toolface_block(inc: np.ndarray, azi: np.ndarray, dst: np.ndarray, work: np.ndarray) -> None:
    """Toolface [deg] of the courses between consecutive ``inc``/``azi`` [deg] into ``dst``.

    sin and cos of each inclination are computed once per station (not once per course end),
    and every sin and cos comes from one ``tan`` of the half angle
    (:func:`surveylab.calc._trig.sin_cos_half`, within 2 ulp of ``np.sin`` / ``np.cos``).

    Parameters
    ----------
    inc, azi : numpy.ndarray
        Inclination and azimuth [deg] of k + 1 consecutive stations.
    dst : numpy.ndarray
        Receives the toolface [deg] of the k courses (NaN where straight).
    work : numpy.ndarray
        Scratch of shape (5, m) with m >= k + 1.
    """
    k = dst.size
    sin_i, cos_i, t, y, x = (row[: k + 1] for row in work)
    np.multiply(inc, HALF_DEG_TO_RAD, out=sin_i)
    sin_cos_half(sin_i, cos_i)
    y, x, cos_da = y[:k], x[:k], t[:k]
    np.subtract(azi[1:], azi[:-1], out=y)
    y *= HALF_DEG_TO_RAD
    sin_cos_half(y, cos_da)  # y = sin dA
    # y = sin I2 sin dA; x = sin I2 cos I1 cos dA - cos I2 sin I1
    y *= sin_i[1:]
    np.multiply(sin_i[1:], cos_i[:-1], out=x)
    x *= cos_da
    tmp = cos_da
    np.multiply(cos_i[1:], sin_i[:-1], out=tmp)
    x -= tmp
    np.arctan2(y, x, out=dst)
    np.degrees(dst, out=dst)
    # into [0, 360) as np.mod does for angles in [-180, 180] (fmod is the angle itself), then
    # a tiny negative angle that rounded to 360.0 is 0 (see wrap_360)
    np.add(dst, 360.0, out=dst, where=dst < 0.0)
    dst[dst >= 360.0] = 0.0
    # straight course: |(x, y)| < 1e-12 (no bend, no toolface)
    np.square(x, out=x)
    np.square(y, out=y)
    x += y
    straight = x < 1e-24
    vertical_top = inc[:-1] <= VERTICAL_INC_LIMIT
    if vertical_top.any():
        # no high side: north (azimuth) toolface of the lower station, straight when it is
        # vertical too
        dst[vertical_top] = np.mod(azi[1:][vertical_top], 360.0)
        straight[vertical_top] = inc[1:][vertical_top] <= VERTICAL_INC_LIMIT
    dst[straight] = np.nan


def vertical_section(
    north: npt.ArrayLike,
    east: npt.ArrayLike,
    azimuth: float,
    origin: tuple[float, float] = (0.0, 0.0),
) -> np.ndarray:
    """Vertical section VS = (N - N0) cos(VSA) + (E - E0) sin(VSA).

    Parameters
    ----------
    north, east : array_like
        Offsets [depth unit].
    azimuth : float
        Vertical-section azimuth [deg], same north reference as the offsets.
    origin : tuple of float
        (N0, E0) origin of the section [depth unit].

    Returns
    -------
    numpy.ndarray
        VS [depth unit].
    """
    if not math.isfinite(azimuth):
        raise ValueError(f"vertical-section azimuth must be a number, got {azimuth}")
    a = math.radians(azimuth)
    n = np.asarray(north, dtype=np.float64) - origin[0]
    e = np.asarray(east, dtype=np.float64) - origin[1]
    return n * math.cos(a) + e * math.sin(a)


def closure(north: npt.ArrayLike, east: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Closure distance sqrt(N^2 + E^2) [depth unit] and direction atan2(E, N) [deg, [0, 360)]."""
    n = np.asarray(north, dtype=np.float64)
    e = np.asarray(east, dtype=np.float64)
    return np.hypot(n, e), wrap_360(np.degrees(np.arctan2(e, n)))


#: A last station closer than this to the vertical through the origin [depth unit] has no
#: closure direction.
CLOSURE_TOLERANCE = 1e-9


def default_vs_azimuth(north: npt.ArrayLike, east: npt.ArrayLike) -> float:
    """The usual vertical-section azimuth when none is stated: the closure direction of the
    last station [deg, [0, 360)], the same reference as ``north``/``east``; 0 when there are
    no stations or the last one is on the vertical (within :data:`CLOSURE_TOLERANCE`).
    The dashboards and the reports both use this."""
    n = np.asarray(north, dtype=np.float64)
    e = np.asarray(east, dtype=np.float64)
    if n.size == 0 or (abs(n[-1]) < CLOSURE_TOLERANCE and abs(e[-1]) < CLOSURE_TOLERANCE):
        return 0.0
    return float(closure(n[-1], e[-1])[1])
