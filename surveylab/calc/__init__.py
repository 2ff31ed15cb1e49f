"""Survey calculations: numpy in, numpy out (no database, no UI, no files).

Entry points: :func:`compute_trajectory` (everything for a survey), :func:`minimum_curvature`
(positions only), :func:`compute_trajectories` and :func:`minimum_curvature_many` (many surveys
in one pass), :func:`validate_stations` (the one input gate), interpolation along the arcs,
and north-reference conversions in :mod:`surveylab.calc.north`. Conventions: the README,
"Units and north references".
"""

from __future__ import annotations

from surveylab.calc.derived import (
    VERTICAL_INC_LIMIT,
    closure,
    default_vs_azimuth,
    vertical_section,
    wrap_180,
    wrap_360,
)
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.gate import validate_stations
from surveylab.calc.interpolate import (
    Stations,
    interpolate_md,
    project_ahead,
    resample,
    tvd_crossings,
)
from surveylab.calc.methods import METHODS
from surveylab.calc.mincurve import Positions, minimum_curvature
from surveylab.calc.ragged import (
    TieOns,
    Trajectories,
    compute_trajectories,
    minimum_curvature_many,
)
from surveylab.calc.trajectory import NO_TIE_ON_ASSUMPTION, Trajectory, compute_trajectory

__all__ = [
    "METHODS",
    "NO_TIE_ON_ASSUMPTION",
    "VERTICAL_INC_LIMIT",
    "Positions",
    "Stations",
    "SurveyInputError",
    "TieOns",
    "Trajectories",
    "Trajectory",
    "closure",
    "compute_trajectories",
    "compute_trajectory",
    "default_vs_azimuth",
    "interpolate_md",
    "minimum_curvature",
    "minimum_curvature_many",
    "project_ahead",
    "resample",
    "tvd_crossings",
    "validate_stations",
    "vertical_section",
    "wrap_180",
    "wrap_360",
]
