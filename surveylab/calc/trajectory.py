"""The computed trajectory of a survey: stations, positions and everything derived."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pandas as pd

from surveylab.calc import derived, interpolate
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.gate import validate_stations
from surveylab.calc.interpolate import Stations
from surveylab.calc.methods import positions_by_method
from surveylab.calc.mincurve import _md_equal, resolve_tie_on
from surveylab.models import DepthUnit, TieOn
from surveylab.units import UnitError, dls_course_length, parse_depth_unit

__all__ = ["NO_TIE_ON_ASSUMPTION", "Trajectory", "compute_trajectory"]

#: Recorded in ``Trajectory.assumptions`` when no tie-on was given.
NO_TIE_ON_ASSUMPTION = "no tie-on given: vertical hole from MD 0, TVD 0, N 0, E 0 assumed"

_COLUMNS = (
    "md",
    "inc",
    "azi",
    "tvd",
    "north",
    "east",
    "dogleg",
    "dls",
    "build_rate",
    "turn_rate",
    "toolface",
)


@dataclass(eq=False)
class Trajectory:
    """A computed survey: one value per station in every array.

    Lengths (md, tvd, north, east, vs) are in ``depth_unit``; angles in degrees; dls,
    build_rate, turn_rate in degrees per ``dls_course_length`` (30 m or 100 ft); toolface in
    [0, 360) (NaN where a course is straight). ``assumptions`` lists what was assumed
    rather than given.
    """

    md: np.ndarray
    inc: np.ndarray
    azi: np.ndarray
    tvd: np.ndarray
    north: np.ndarray
    east: np.ndarray
    dogleg: np.ndarray
    dls: np.ndarray
    build_rate: np.ndarray
    turn_rate: np.ndarray
    toolface: np.ndarray
    vs: np.ndarray | None
    depth_unit: DepthUnit
    dls_course_length: float
    method: str
    tie_on: TieOn
    assumptions: list[str] = field(default_factory=list)
    vs_azimuth: float | None = None
    vs_origin: tuple[float, float] = (0.0, 0.0)

    def __len__(self) -> int:
        return int(self.md.size)

    def to_frame(self) -> pd.DataFrame:
        """Station table: md, inc, azi, tvd, north, east, dogleg, dls, build_rate, turn_rate,
        toolface, and vs when a vertical-section azimuth was given."""
        data = {name: getattr(self, name) for name in _COLUMNS}
        if self.vs is not None:
            data["vs"] = self.vs
        return pd.DataFrame(data)

    def closure(self) -> tuple[np.ndarray, np.ndarray]:
        """Closure distance [depth unit] and direction [deg, [0, 360)] of every station."""
        return derived.closure(self.north, self.east)

    def interpolate(self, md_targets: npt.ArrayLike) -> Stations:
        """Stations at the MDs given [depth unit], along the arcs (see :func:`interpolate_md`)."""
        return interpolate.interpolate_md(self, md_targets)

    def resample(self, step: float, *, start: float | None = None) -> Stations:
        """Stations every ``step`` [depth unit] of MD (see :func:`resample`)."""
        return interpolate.resample(self, step, start=start)

    def tvd_crossings(self, tvd: float) -> np.ndarray:
        """All MDs [depth unit] where the path crosses ``tvd`` [depth unit]."""
        return interpolate.tvd_crossings(self, tvd)

    def project_ahead(
        self, to_md: float, *, build_rate: float = 0.0, turn_rate: float = 0.0
    ) -> Stations:
        """Project to ``to_md`` [depth unit]: hold, or build/turn [deg per dls_course_length]."""
        return interpolate.project_ahead(
            self,
            to_md,
            course_length=self.dls_course_length,
            build_rate=build_rate,
            turn_rate=turn_rate,
        )


def compute_trajectory(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    depth_unit: DepthUnit | str,
    tie_on: TieOn | None = None,
    method: str = "minimum_curvature",
    vs_azimuth: float | None = None,
    vs_origin: tuple[float, float] = (0.0, 0.0),
) -> Trajectory:
    """Compute a survey's trajectory and derived quantities.

    Parameters
    ----------
    md : array_like
        Measured depths [``depth_unit``], strictly increasing.
    inc : array_like
        Inclinations [deg] in [0, 180].
    azi : array_like
        Azimuths [deg] (normalised to [0, 360)); the north reference is the caller's.
    depth_unit : DepthUnit or str
        Unit of every length (m, ft, usft); required: it sets the DLS course length (30 m or
        100 ft) and is never assumed.
    tie_on : TieOn, optional
        Known start point (lengths in ``depth_unit``); None assumes a vertical hole from
        MD 0, TVD 0, N 0, E 0 and records that in ``assumptions``.
    method : str
        One of :data:`METHODS`.
    vs_azimuth : float, optional
        Vertical-section azimuth [deg]; ``vs`` is None without it.
    vs_origin : tuple of float
        (N0, E0) of the vertical section [``depth_unit``].

    Returns
    -------
    Trajectory

    Raises
    ------
    SurveyInputError
        Invalid stations, tie-on, method or vertical-section parameters, naming the station.
    """
    try:
        unit = parse_depth_unit(depth_unit)
    except UnitError as exc:
        raise SurveyInputError(str(exc), field="depth_unit") from None
    md_a, inc_a, azi_a = validate_stations(md, inc, azi)
    tie = resolve_tie_on(tie_on, float(md_a[0]))
    assumptions = [] if tie_on is not None else [NO_TIE_ON_ASSUMPTION]
    pos = positions_by_method(md_a, inc_a, azi_a, tie, method)
    cl = dls_course_length(unit)
    shallower = not _md_equal(tie.md, float(md_a[0]))
    rates = derived.course_rates(
        md_a, inc_a, azi_a, pos.dogleg, cl, prev=(tie.md, tie.inc, tie.azi) if shallower else None
    )
    tf = derived.toolface(inc_a, azi_a, prev=(tie.inc, tie.azi) if shallower else None)
    vs = None
    if vs_azimuth is not None:
        origin = tuple(float(v) for v in vs_origin)
        if len(origin) != 2 or not all(math.isfinite(v) for v in (vs_azimuth, *origin)):
            raise SurveyInputError(
                f"vertical-section azimuth {vs_azimuth} / origin {vs_origin} must be numbers",
                field="vs_azimuth",
            )
        vs_origin = (origin[0], origin[1])
        vs = derived.vertical_section(pos.north, pos.east, float(vs_azimuth), vs_origin)
    return Trajectory(
        md=md_a,
        inc=inc_a,
        azi=azi_a,
        tvd=pos.tvd,
        north=pos.north,
        east=pos.east,
        dogleg=pos.dogleg,
        dls=rates.dls,
        build_rate=rates.build_rate,
        turn_rate=rates.turn_rate,
        toolface=tf,
        vs=vs,
        depth_unit=unit,
        dls_course_length=cl,
        method=method,
        tie_on=tie,
        assumptions=assumptions,
        vs_azimuth=None if vs_azimuth is None else float(vs_azimuth),
        vs_origin=(float(vs_origin[0]), float(vs_origin[1])),
    )
