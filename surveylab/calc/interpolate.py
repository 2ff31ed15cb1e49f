"""Along-the-arc interpolation, resampling, TVD crossings and projection ahead.

Between two stations minimum curvature assumes a circular arc; points between them lie on that
arc (spherical interpolation of the tangent), never on the chord.
"""

from __future__ import annotations

import math
from typing import NamedTuple, Protocol

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import wrap_360
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.gate import validate_stations
from surveylab.calc.mincurve import (
    _md_equal,
    _minimum_curvature,
    half_dogleg_and_rf,
    resolve_tie_on,
    tangent,
)
from surveylab.models import TieOn

__all__ = [
    "StationPath",
    "Stations",
    "interpolate_md",
    "project_ahead",
    "resample",
    "tvd_crossings",
]

# dogleg [rad] below which a course is treated as straight for interpolation
_STRAIGHT = 1e-9


class StationPath(Protocol):
    """Anything with station arrays and positions (a :class:`Trajectory` or :class:`Stations`).

    Read-only members, so that named tuples (:class:`Stations`) qualify as well as dataclasses.
    """

    @property
    def md(self) -> np.ndarray: ...
    @property
    def inc(self) -> np.ndarray: ...
    @property
    def azi(self) -> np.ndarray: ...
    @property
    def tvd(self) -> np.ndarray: ...
    @property
    def north(self) -> np.ndarray: ...
    @property
    def east(self) -> np.ndarray: ...


class Stations(NamedTuple):
    """Stations with positions: md, tvd, north, east [depth unit]; inc, azi [deg]."""

    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray


def _path_arrays(path: StationPath) -> Stations:
    """The path's stations, with a tie-on shallower than the first station prepended."""
    arrays = [np.asarray(getattr(path, k), dtype=np.float64) for k in Stations._fields]
    tie: TieOn | None = getattr(path, "tie_on", None)
    if tie is not None and tie.md < arrays[0][0] and not _md_equal(tie.md, arrays[0][0]):
        head = (tie.md, tie.inc, tie.azi, tie.tvd, tie.north, tie.east)
        arrays = [np.concatenate(([h], a)) for h, a in zip(head, arrays, strict=True)]
    return Stations(*arrays)


def _tangent_to_angles(t: np.ndarray, fallback_azi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    horiz = np.hypot(t[..., 0], t[..., 1])
    inc = np.degrees(np.arctan2(horiz, t[..., 2]))
    azi = wrap_360(np.degrees(np.arctan2(t[..., 1], t[..., 0])))
    azi = np.where(horiz < 1e-12, fallback_azi, azi)
    return inc, azi


def interpolate_md(path: StationPath, md_targets: npt.ArrayLike) -> Stations:
    """Stations at any MDs, moving along the minimum-curvature arc between stations.

    Parameters
    ----------
    path : Trajectory or Stations
        Computed stations (md, inc, azi, tvd, north, east); a ``tie_on`` attribute shallower
        than the first station extends the range up to the tie-on.
    md_targets : array_like
        MDs [depth unit of the path] within the path's range, in any order.

    Returns
    -------
    Stations
        One row per target, in the order given; a target equal to a station's MD returns
        that station exactly.

    Raises
    ------
    SurveyInputError
        A target that is not a number or lies outside the surveyed range (use
        :func:`project_ahead` beyond the last station).
    """
    p = _path_arrays(path)
    targets = np.atleast_1d(np.asarray(md_targets, dtype=np.float64))
    if targets.ndim != 1:
        raise SurveyInputError("MD targets must be a 1-D sequence", field="md")
    lo, hi = p.md[0], p.md[-1]
    bad = ~np.isfinite(targets) | (targets < lo) | (targets > hi)
    if bad.any():
        j = int(np.argmax(bad))
        raise SurveyInputError(
            f"interpolation MD {targets[j]:g} outside the surveyed range [{lo:g}, {hi:g}]",
            field="md",
        )
    n = p.md.size
    if n == 1:
        return Stations(*(np.full(targets.size, a[0]) for a in p))
    k = np.clip(np.searchsorted(p.md, targets, side="right") - 1, 0, n - 2)
    length = p.md[k + 1] - p.md[k]
    dist = targets - p.md[k]
    f = dist / length
    t1 = tangent(p.inc[k], p.azi[k])
    t2 = tangent(p.inc[k + 1], p.azi[k + 1])
    half, _ = half_dogleg_and_rf(t1, t2)
    beta = 2.0 * half
    curved = beta > _STRAIGHT
    sb = np.where(curved, np.sin(beta), 1.0)
    w1 = np.where(curved, np.sin((1.0 - f) * beta) / sb, 1.0 - f)
    w2 = np.where(curved, np.sin(f * beta) / sb, f)
    t = w1[:, None] * t1 + w2[:, None] * t2
    t /= np.linalg.norm(t, axis=-1, keepdims=True)
    _, rf = half_dogleg_and_rf(t1, t)
    delta = (dist * rf / 2.0)[:, None] * (t1 + t)
    inc, azi = _tangent_to_angles(t, p.azi[k])
    out = Stations(
        targets.copy(),
        inc,
        azi,
        p.tvd[k] + delta[:, 2],
        p.north[k] + delta[:, 0],
        p.east[k] + delta[:, 1],
    )
    # exact station hits return the station itself
    hit = np.searchsorted(p.md, targets)
    hit = np.clip(hit, 0, n - 1)
    exact = p.md[hit] == targets
    if exact.any():
        for name in ("inc", "azi", "tvd", "north", "east"):
            getattr(out, name)[exact] = getattr(p, name)[hit[exact]]
    return out


def resample(path: StationPath, step: float, *, start: float | None = None) -> Stations:
    """Stations every ``step`` of MD along the arcs, plus the last station.

    Parameters
    ----------
    path : Trajectory or Stations
        Computed stations.
    step : float
        MD interval [depth unit], > 0.
    start : float, optional
        First MD [depth unit]; default the first station (or a shallower tie-on).

    Returns
    -------
    Stations
        MDs ``start, start + step, ...`` up to the last station's MD, which is always included.
    """
    if not (math.isfinite(step) and step > 0):
        raise SurveyInputError(f"resampling step must be a positive number, got {step}", field="md")
    p = _path_arrays(path)
    first = p.md[0] if start is None else float(start)
    count = math.floor((p.md[-1] - first) / step + 1e-9) + 1
    mds = first + step * np.arange(max(count, 0))
    mds = mds[mds <= p.md[-1]]
    if mds.size == 0 or mds[-1] < p.md[-1]:
        mds = np.append(mds, p.md[-1])
    return interpolate_md(p, mds)


def tvd_crossings(path: StationPath, tvd: float) -> np.ndarray:
    """Every MD where the path crosses (or touches) a TVD, shallowest first.

    A well that goes past horizontal climbs and may cross the same TVD several times; all
    crossings are returned (an empty array when there is none). Each course is its circular
    arc, solved in closed form: TVD(phi) = V1 + R (t1_v sin phi + u_v (1 - cos phi)).

    Parameters
    ----------
    path : Trajectory or Stations
        Computed stations.
    tvd : float
        True vertical depth [depth unit].

    Returns
    -------
    numpy.ndarray
        MDs [depth unit].
    """
    if not math.isfinite(tvd):
        raise SurveyInputError(f"TVD must be a number, got {tvd}", field="tvd")
    p = _path_arrays(path)
    found: list[float] = [float(m) for m, v in zip(p.md, p.tvd, strict=True) if v == tvd]
    v1, v2 = p.tvd[:-1], p.tvd[1:]
    brackets = (np.minimum(v1, v2) <= tvd) & (tvd <= np.maximum(v1, v2))
    turns = (p.inc[:-1] - 90.0) * (p.inc[1:] - 90.0) < 0  # TVD has an extremum inside
    for k in np.flatnonzero(brackets | turns):
        found.extend(_course_crossings(p, int(k), tvd))
    if not found:
        return np.empty(0)
    mds = np.sort(np.asarray(found))
    keep = np.concatenate(([True], np.diff(mds) > 1e-9 * max(1.0, abs(mds[-1]))))
    return mds[keep]


def _course_crossings(p: Stations, k: int, target: float) -> list[float]:
    md1, length = float(p.md[k]), float(p.md[k + 1] - p.md[k])
    t1 = tangent(p.inc[k], p.azi[k])
    t2 = tangent(p.inc[k + 1], p.azi[k + 1])
    half, _ = half_dogleg_and_rf(t1, t2)
    beta = 2.0 * float(half)
    v1, v2 = float(p.tvd[k]), float(p.tvd[k + 1])
    if beta <= _STRAIGHT:
        if v1 == v2:
            return []  # level course: its end stations are reported if they sit on the TVD
        f = (target - v1) / (v2 - v1)
        return [md1 + f * length] if 0.0 <= f <= 1.0 else []
    radius = length / beta
    u = (t2 - math.cos(beta) * t1) / math.sin(beta)
    a, b = radius * float(t1[2]), -radius * float(u[2])
    c = target - v1 - radius * float(u[2])
    rho = math.hypot(a, b)
    if rho == 0.0 or abs(c) > rho * (1 + 1e-12):
        return []
    s = math.asin(max(-1.0, min(1.0, c / rho)))
    delta = math.atan2(b, a)
    out = []
    tol = 1e-12 * max(1.0, beta)
    for phi0 in (s - delta, math.pi - s - delta):
        for shift in (-2 * math.pi, 0.0, 2 * math.pi):
            phi = phi0 + shift
            if -tol <= phi <= beta + tol:
                out.append(md1 + min(max(phi, 0.0), beta) * radius)
    return out


def project_ahead(
    path: StationPath,
    to_md: float,
    *,
    course_length: float,
    build_rate: float = 0.0,
    turn_rate: float = 0.0,
) -> Stations:
    """Project from the last station to a deeper MD: hold, or at given build and turn rates.

    The projected station's inclination and azimuth follow the rates; its position comes
    from minimum curvature between the last station and it (as survey listings' "projection
    to bit" does). Hold (both rates 0) continues straight along the last tangent.

    Parameters
    ----------
    path : Trajectory or Stations
        Computed stations.
    to_md : float
        MD to project to [depth unit], deeper than the last station.
    course_length : float
        Length the rates are per [depth unit]: 30 (m) or 100 (ft); explicit.
    build_rate, turn_rate : float
        Signed rates [deg per ``course_length``].

    Returns
    -------
    Stations
        One row: the projected station.
    """
    p = _path_arrays(path)
    last_md = float(p.md[-1])
    values = (to_md, course_length, build_rate, turn_rate)
    if not all(math.isfinite(v) for v in values) or course_length <= 0:
        raise SurveyInputError(f"projection parameters must be finite numbers: {values}")
    if to_md <= last_md:
        raise SurveyInputError(
            f"projection MD {to_md:g} is not deeper than the last station (MD {last_md:g})",
            field="md",
        )
    dmd = to_md - last_md
    inc = float(p.inc[-1]) + build_rate * dmd / course_length
    if not 0.0 <= inc <= 180.0:
        raise SurveyInputError(
            f"projection to MD {to_md:g} gives inclination {inc:g} outside [0, 180]", field="inc"
        )
    azi = (float(p.azi[-1]) + turn_rate * dmd / course_length) % 360.0
    md2, inc2, azi2 = validate_stations([last_md, to_md], [p.inc[-1], inc], [p.azi[-1], azi])

    tie = resolve_tie_on(
        TieOn(last_md, float(p.inc[-1]), float(p.azi[-1]), p.tvd[-1], p.north[-1], p.east[-1]),
        last_md,
    )
    pos = _minimum_curvature(md2, inc2, azi2, tie)
    return Stations(
        np.array([to_md]),
        np.array([inc2[1]]),
        np.array([azi2[1]]),
        pos.tvd[1:],
        pos.north[1:],
        pos.east[1:],
    )
