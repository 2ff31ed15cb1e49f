"""Minimum curvature (Sawaryn & Thorogood, SPE 84246) in struct-of-arrays numpy.

For consecutive unit tangents t1, t2 in (N, E, TVD): dogleg beta = 2 atan(|t2 - t1| / |t2 + t1|)
(well conditioned at small and large angles), ratio factor RF = tan(beta/2) / (beta/2) (series
1 + x^2/3 + 2x^4/15 near 0), and the course displacement is dMD / 2 * RF * (t1 + t2).

Radians live only in the private helpers; the public functions take degrees.
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


class Positions(NamedTuple):
    """Positions of the stations, one value per station.

    Attributes
    ----------
    tvd, north, east : numpy.ndarray
        True vertical depth and offsets [depth unit of the MDs], from the tie-on's datum.
    dogleg : numpy.ndarray
        Dogleg of the course ending at each station [deg]: course (i-1 -> i); at the first
        station 0, or the course tie-on -> first station when the tie-on is shallower.
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
    """Kernel on validated float64 arrays: preallocated buffers, in-place ufuncs."""
    n = md.size
    tvd = np.empty(n)
    north = np.empty(n)
    east = np.empty(n)
    dogleg = np.empty(n)
    tvd[0], north[0], east[0], dogleg[0] = _first_course(
        float(md[0]), float(inc[0]), float(azi[0]), tie
    )
    if n == 1:
        return Positions(tvd, north, east, dogleg)

    # five work buffers of n doubles, reused throughout
    a = np.radians(inc)
    b = np.radians(azi)
    tv = np.cos(a)
    np.sin(a, out=a)  # a = sin(inc)
    tn = np.cos(b)
    tn *= a  # tn = sin(inc) cos(azi)
    np.sin(b, out=b)
    b *= a  # b = te = sin(inc) sin(azi)
    te = b
    w = a  # free now
    e = np.empty(n)
    m = n - 1

    # sums t1 + t2 go straight into the outputs (scaled and accumulated later)
    sn, se, sv = north[1:], east[1:], tvd[1:]
    np.add(tn[1:], tn[:-1], out=sn)
    np.add(te[1:], te[:-1], out=se)
    np.add(tv[1:], tv[:-1], out=sv)

    # |t2 - t1|^2 into w
    dd = w[:m]
    np.subtract(tn[1:], tn[:-1], out=dd)
    np.square(dd, out=dd)
    tmp = e[:m]
    np.subtract(te[1:], te[:-1], out=tmp)
    np.square(tmp, out=tmp)
    dd += tmp
    np.subtract(tv[1:], tv[:-1], out=tmp)
    np.square(tmp, out=tmp)
    dd += tmp
    np.sqrt(dd, out=dd)

    # |t2 + t1| into the old tn buffer (tangents no longer needed)
    ss = tn[:m]
    np.square(sn, out=ss)
    tmp2 = tv[:m]
    np.square(se, out=tmp2)
    ss += tmp2
    np.square(sv, out=tmp2)
    ss += tmp2
    np.sqrt(ss, out=ss)
    if ss.min() < UTURN_TOLERANCE:
        k = int(np.argmin(ss)) + 1
        raise SurveyInputError(
            f"{station_label(k, float(md[k]))}: 180-degree dogleg from station {k} (U-turn): "
            "no unique arc, refused",
            station=k,
            field="inc",
        )

    # half dogleg x = atan(|d| / |s|), ratio factor tan(x) / x
    ratio = tmp2
    np.divide(dd, ss, out=ratio)
    x = te[:m]
    np.arctan(ratio, out=x)
    np.multiply(x, 2.0 * 180.0 / math.pi, out=dogleg[1:])
    rf = dd
    small = x < _SERIES_BELOW
    np.divide(ratio, x, out=rf, where=~small)
    if small.any():
        xs2 = np.square(x[small])
        rf[small] = 1.0 + xs2 * (1.0 / 3.0 + xs2 * (2.0 / 15.0))

    # scale = dMD / 2 * RF
    np.subtract(md[1:], md[:-1], out=tmp)
    rf *= tmp
    rf *= 0.5
    sn *= rf
    se *= rf
    sv *= rf
    np.cumsum(north, out=north)
    np.cumsum(east, out=east)
    np.cumsum(tvd, out=tvd)
    return Positions(tvd, north, east, dogleg)
