"""Position uncertainty (ISCWSA error model) and anti-collision (ISCWSA separation rule).

Pure numpy: arrays in, typed results out. :func:`position_uncertainty` gives each station's NEV
covariance per error source and in total (1 sigma) for an OWSG tool code or a tool program;
:mod:`~surveylab.calc.uncertainty.ellipse` turns covariances into ellipses of uncertainty at a
stated sigma; :mod:`~surveylab.calc.uncertainty.anticollision` computes centre-to-centre distances,
pedal-curve radii and separation factors between a reference well and offset wells.
"""

from __future__ import annotations

from surveylab.calc.uncertainty.anticollision import (
    ClearanceResult,
    OffsetClearance,
    SeparationRule,
    WellPath,
    clearance,
)
from surveylab.calc.uncertainty.ellipse import (
    DEFAULT_SIGMA,
    Ellipses,
    ellipse_outline,
    horizontal_ellipses,
    section_ellipses,
    spaced_stations,
)
from surveylab.calc.uncertainty.model import (
    EARTH_RATE,
    GRAVITY,
    REVISION,
    VERTICAL_INC_LIMIT,
    PositionUncertainty,
    ReferenceField,
    ToolInterval,
    position_uncertainty,
)
from surveylab.calc.uncertainty.toolcodes import (
    DEFAULT_MODEL,
    TOOL_MODELS,
    ErrorTerm,
    Propagation,
    ToolModel,
    tool_model,
)

__all__ = [
    "DEFAULT_MODEL",
    "DEFAULT_SIGMA",
    "EARTH_RATE",
    "GRAVITY",
    "REVISION",
    "TOOL_MODELS",
    "VERTICAL_INC_LIMIT",
    "ClearanceResult",
    "Ellipses",
    "ErrorTerm",
    "OffsetClearance",
    "PositionUncertainty",
    "Propagation",
    "ReferenceField",
    "SeparationRule",
    "ToolInterval",
    "ToolModel",
    "WellPath",
    "clearance",
    "ellipse_outline",
    "horizontal_ellipses",
    "position_uncertainty",
    "section_ellipses",
    "spaced_stations",
    "tool_model",
]
