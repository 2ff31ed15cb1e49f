"""Compare two surveys of one wellbore along MD: gyro in-run against out-run, run against run.

Both surveys are interpolated at common MDs along their minimum-curvature arcs
(:func:`surveylab.calc.interpolate_md`); the differences are ``other - reference``. The
angle tolerances default to the published gyro in-run vs out-run numbers: inclination within
0.23 deg; azimuth within 1.0 deg where Inc >= 10 deg, 5.0 deg where Inc < 10 deg; over at least
10 stations (:data:`GYRO_IN_OUT`). Run against run adds a position tolerance
(``max_distance``): a fixed 3-D distance, one per compared MD, or a function of the compared
stations (the hook for a combined position uncertainty of the two runs).

Both surveys must be in the same depth unit and the same north reference: convert first
(:func:`surveylab.units.convert`, :func:`surveylab.calc.north.convert_azimuth`).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeAlias

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import VERTICAL_INC_LIMIT, wrap_180
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.interpolate import StationPath, Stations, _path_arrays, interpolate_md

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "GYRO_IN_OUT",
    "DistanceTolerance",
    "GyroTolerance",
    "SurveyComparison",
    "common_mds",
    "compare_surveys",
]


@dataclass(frozen=True, slots=True)
class GyroTolerance:
    """Tolerances of a survey-against-survey check.

    Attributes
    ----------
    inc : float
        Largest allowed inclination difference [deg].
    azi_high : float
        Largest allowed azimuth difference where Inc >= ``inc_threshold`` [deg].
    azi_low : float
        Largest allowed azimuth difference where Inc < ``inc_threshold`` [deg].
    inc_threshold : float
        Inclination separating the two azimuth tolerances [deg].
    min_stations : int
        Fewest compared stations for a verdict [-].
    """

    inc: float = 0.23
    azi_high: float = 1.0
    azi_low: float = 5.0
    inc_threshold: float = 10.0
    min_stations: int = 10

    def __post_init__(self) -> None:
        values = (self.inc, self.azi_high, self.azi_low, self.inc_threshold)
        if not all(math.isfinite(v) and v >= 0 for v in values) or self.min_stations < 1:
            raise SurveyInputError(f"tolerances must be non-negative numbers: {self}")


#: Gyro in-run vs out-run tolerances (the README's gyro QC limits).
GYRO_IN_OUT = GyroTolerance()

#: Largest allowed 3-D distance between two surveys [depth unit]: one number for every MD,
#: one per compared MD, or a function of the two surveys' stations at the compared MDs
#: (reference, other) returning one per MD (e.g. k times their combined position sigma).
DistanceTolerance: TypeAlias = float | npt.ArrayLike | Callable[[Stations, Stations], npt.ArrayLike]


@dataclass(frozen=True, eq=False)
class SurveyComparison:
    """Differences between two surveys at common MDs (``other - reference``), one per row.

    Lengths in the surveys' depth unit, angles in degrees. ``d_azi`` is wrapped into
    (-180, 180] and is NaN where either survey is vertical (no azimuth there: the azimuth
    check does not apply). ``azi_tolerance`` is the tolerance applied at each MD, chosen by
    the mean inclination of the two surveys there (so swapping them gives the same verdict).
    ``distance_tolerance`` is the largest allowed 3-D distance at each MD [depth unit], None
    when positions are not checked (the in-run/out-run check compares angles only).
    """

    md: np.ndarray
    inc_ref: np.ndarray
    azi_ref: np.ndarray
    inc_other: np.ndarray
    azi_other: np.ndarray
    d_north: np.ndarray
    d_east: np.ndarray
    d_tvd: np.ndarray
    distance: np.ndarray
    d_inc: np.ndarray
    d_azi: np.ndarray
    azi_tolerance: np.ndarray
    inc_ok: np.ndarray
    azi_ok: np.ndarray
    tolerance: GyroTolerance
    distance_tolerance: np.ndarray | None = None

    @property
    def distance_ok(self) -> np.ndarray:
        """Per MD: the 3-D distance within its tolerance (all True without one) [bool]."""
        if self.distance_tolerance is None:
            return np.ones(self.md.size, dtype=bool)
        return self.distance <= self.distance_tolerance * (1 + 1e-9)

    @property
    def station_count(self) -> int:
        """Number of compared MDs [-]."""
        return int(self.md.size)

    @property
    def within(self) -> np.ndarray:
        """Per MD: the inclination and azimuth differences (and the distance, when it has a
        tolerance) within tolerance [bool]."""
        return self.inc_ok & self.azi_ok & self.distance_ok

    @property
    def exceedance(self) -> np.ndarray:
        """Per MD: the largest ratio of a difference to its tolerance [-] (above 1: outside;
        a non-zero difference against a zero tolerance is infinite)."""
        ratios = [_ratio(np.abs(self.d_inc), np.full(self.md.size, self.tolerance.inc))]
        ratios.append(_ratio(np.abs(np.nan_to_num(self.d_azi)), self.azi_tolerance))
        if self.distance_tolerance is not None:
            ratios.append(_ratio(self.distance, self.distance_tolerance))
        return np.maximum.reduce(ratios)

    @property
    def worst_index(self) -> int:
        """Index of the MD furthest outside (or least inside) its tolerances [-]."""
        return int(np.argmax(self.exceedance))

    @property
    def worst_md(self) -> float:
        """MD of the worst station [depth unit] (see :attr:`worst_index`)."""
        return float(self.md[self.worst_index])

    @property
    def failures(self) -> np.ndarray:
        """Indices of the MDs outside tolerance."""
        return np.flatnonzero(~self.within)

    @property
    def enough_stations(self) -> bool:
        """At least ``tolerance.min_stations`` MDs were compared."""
        return self.station_count >= self.tolerance.min_stations

    @property
    def passed(self) -> bool:
        """Enough stations and every one within tolerance."""
        return self.enough_stations and bool(self.within.all())

    @property
    def status(self) -> str:
        """``"pass"``, ``"fail"`` (some MD outside tolerance) or ``"too few stations"``."""
        if not self.within.all():
            return "fail"
        return "pass" if self.enough_stations else "too few stations"

    @property
    def max_distance(self) -> float:
        """Largest 3-D position difference [depth unit]."""
        return float(np.max(self.distance))

    @property
    def max_abs_d_inc(self) -> float:
        """Largest absolute inclination difference [deg]."""
        return float(np.max(np.abs(self.d_inc)))

    @property
    def max_abs_d_azi(self) -> float:
        """Largest absolute azimuth difference where it applies [deg]; NaN if nowhere."""
        a = np.abs(self.d_azi[np.isfinite(self.d_azi)])
        return float(a.max()) if a.size else float("nan")

    def summary(self) -> str:
        """One line: verdict, station count, worst differences and first failing MD."""
        t = self.tolerance
        text = (
            f"{self.status}: {self.station_count} stations compared (at least "
            f"{t.min_stations} needed); max |dInc| {self.max_abs_d_inc:.3f} deg "
            f"(tolerance {t.inc:g}), max |dAzi| {self.max_abs_d_azi:.3f} deg (tolerance "
            f"{t.azi_high:g} where Inc >= {t.inc_threshold:g}, {t.azi_low:g} below), "
            f"max 3-D distance {self.max_distance:.3f}"
        )
        if self.distance_tolerance is not None:
            text += f" (tolerance {_span(self.distance_tolerance)})"
        w = self.worst_index
        text += f"; worst at MD {self.md[w]:g} ({self.exceedance[w]:.2f} of its tolerance)"
        bad = self.failures
        if bad.size:
            text += f"; {bad.size} outside tolerance, first at MD {self.md[bad[0]]:g}"
        return text

    def columns(self) -> dict[str, np.ndarray]:
        """The per-station table as named arrays (column name -> values)."""
        return {
            "md": self.md,
            "inc_ref": self.inc_ref,
            "inc_other": self.inc_other,
            "azi_ref": self.azi_ref,
            "azi_other": self.azi_other,
            "d_inc": self.d_inc,
            "d_azi": self.d_azi,
            "azi_tolerance": self.azi_tolerance,
            "d_north": self.d_north,
            "d_east": self.d_east,
            "d_tvd": self.d_tvd,
            "distance": self.distance,
            "inc_ok": self.inc_ok,
            "azi_ok": self.azi_ok,
            "within": self.within,
        } | (
            {}
            if self.distance_tolerance is None
            else {
                "distance_tolerance": self.distance_tolerance,
                "distance_ok": self.distance_ok,
            }
        )

    def to_frame(self) -> pd.DataFrame:
        """The per-station table as a pandas DataFrame (one row per compared MD)."""
        import pandas as pd

        return pd.DataFrame(self.columns())


def common_mds(
    reference: StationPath, other: StationPath, *, step: float | None = None
) -> np.ndarray:
    """MDs where both surveys can be compared: within the overlap of their ranges.

    Parameters
    ----------
    reference, other : Trajectory or Stations
        Computed stations in the same depth unit.
    step : float, optional
        MD interval [depth unit]: MDs every ``step`` from the start of the overlap, plus its
        end. Default: the reference's own station MDs inside the overlap.

    Returns
    -------
    numpy.ndarray
        Increasing MDs [depth unit].

    Raises
    ------
    SurveyInputError
        The surveys do not overlap in MD, or ``step`` is not a positive number.
    """
    a, b = _path_arrays(reference), _path_arrays(other)
    lo, hi = max(a.md[0], b.md[0]), min(a.md[-1], b.md[-1])
    if lo > hi:
        raise SurveyInputError(
            f"the surveys do not overlap in MD: [{a.md[0]:g}, {a.md[-1]:g}] and "
            f"[{b.md[0]:g}, {b.md[-1]:g}]",
            field="md",
        )
    if step is None:
        mds = a.md[(a.md >= lo) & (a.md <= hi)]
        return mds if mds.size else np.array([lo])
    if not (math.isfinite(step) and step > 0):
        raise SurveyInputError(f"comparison step must be a positive number, got {step}", field="md")
    mds = lo + step * np.arange(math.floor((hi - lo) / step + 1e-9) + 1)
    mds = mds[mds <= hi]
    if mds[-1] < hi:
        mds = np.append(mds, hi)
    return mds


def compare_surveys(
    reference: StationPath,
    other: StationPath,
    md: npt.ArrayLike | None = None,
    *,
    step: float | None = None,
    tolerance: GyroTolerance = GYRO_IN_OUT,
    max_distance: DistanceTolerance | None = None,
) -> SurveyComparison:
    """Position and angle differences of ``other`` against ``reference`` along MD.

    Parameters
    ----------
    reference : Trajectory or Stations
        The survey compared against (e.g. the gyro in-run) [depth unit, deg].
    other : Trajectory or Stations
        The survey compared (e.g. the out-run), same depth unit and north reference.
    md : array_like, optional
        MDs to compare at [depth unit], within both surveys' ranges. Default
        :func:`common_mds` (``step`` applies there only).
    step : float, optional
        MD interval [depth unit] for the default MDs.
    tolerance : GyroTolerance, optional
        Default :data:`GYRO_IN_OUT`.
    max_distance : float, array_like or callable, optional
        Largest allowed 3-D distance [depth unit] (see :data:`DistanceTolerance`): for run
        against run. None (default): positions are reported, not checked.

    Returns
    -------
    SurveyComparison

    Raises
    ------
    SurveyInputError
        No overlap, an MD outside either survey, an empty MD list, or a distance tolerance
        that is not one non-negative number per compared MD.
    """
    mds = common_mds(reference, other, step=step) if md is None else np.asarray(md, dtype=float)
    mds = np.atleast_1d(mds)
    if mds.ndim != 1 or mds.size == 0:
        raise SurveyInputError("comparison MDs must be a non-empty 1-D sequence", field="md")
    a: Stations = interpolate_md(reference, mds)
    b: Stations = interpolate_md(other, mds)
    d_north, d_east, d_tvd = b.north - a.north, b.east - a.east, b.tvd - a.tvd
    distance = np.sqrt(d_north**2 + d_east**2 + d_tvd**2)
    d_inc = b.inc - a.inc
    vertical = (a.inc <= VERTICAL_INC_LIMIT) | (b.inc <= VERTICAL_INC_LIMIT)
    d_azi = np.where(vertical, np.nan, wrap_180(b.azi - a.azi))
    mean_inc = 0.5 * (a.inc + b.inc)
    azi_tol = np.where(mean_inc >= tolerance.inc_threshold, tolerance.azi_high, tolerance.azi_low)
    # a small relative slack so that a difference equal to the tolerance passes despite rounding
    inc_ok = np.abs(d_inc) <= tolerance.inc * (1 + 1e-9)
    azi_ok = vertical | (np.abs(np.nan_to_num(d_azi)) <= azi_tol * (1 + 1e-9))
    dist_tol = None if max_distance is None else _distance_tolerance(max_distance, a, b)
    return SurveyComparison(
        md=mds.copy(),
        inc_ref=a.inc,
        azi_ref=a.azi,
        inc_other=b.inc,
        azi_other=b.azi,
        d_north=d_north,
        d_east=d_east,
        d_tvd=d_tvd,
        distance=distance,
        d_inc=d_inc,
        d_azi=d_azi,
        azi_tolerance=azi_tol,
        inc_ok=inc_ok,
        azi_ok=azi_ok,
        tolerance=tolerance,
        distance_tolerance=dist_tol,
    )


def _distance_tolerance(given: DistanceTolerance, a: Stations, b: Stations) -> np.ndarray:
    """One checked distance tolerance per compared MD [depth unit]."""
    values = given(a, b) if callable(given) else given
    try:
        tol = np.broadcast_to(np.asarray(values, dtype=np.float64), a.md.shape).copy()
    except (TypeError, ValueError):
        raise SurveyInputError(
            f"distance tolerance must be one number or one per compared MD ({a.md.size}), "
            f"got {np.shape(values)}",
            field="max_distance",
        ) from None
    if not (np.isfinite(tol).all() and (tol >= 0).all()):
        raise SurveyInputError(
            "distance tolerance must be non-negative numbers", field="max_distance"
        )
    return tol


def _ratio(diff: np.ndarray, tol: np.ndarray) -> np.ndarray:
    """diff / tol, with 0 / 0 = 0 and x / 0 = inf."""
    out = np.where(diff > 0, np.inf, 0.0)
    np.divide(diff, tol, out=out, where=tol > 0)
    return out


def _span(values: np.ndarray) -> str:
    lo, hi = float(values.min()), float(values.max())
    return f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
