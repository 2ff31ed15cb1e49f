"""Length units of surveys: metre, international foot, US survey foot.

Conversions use the exact definitions (NIST SP 811, appendix B): 1 ft = 0.3048 m and
1 US survey ft = 1200/3937 m.
They are computed as an integer-ratio multiply then divide, so that a value exactly representable
in the source unit (e.g. 3937 US ft) converts to the correctly rounded result (exactly 1200 m).
Never 3.28084.
"""

from __future__ import annotations

from typing import overload

import numpy as np
import numpy.typing as npt

from surveylab.models import DepthUnit

__all__ = [
    "FT_TO_M",
    "USFT_TO_M",
    "UnitError",
    "convert",
    "dls_course_length",
    "from_metres",
    "parse_depth_unit",
    "to_metres",
    "unit_label",
]

#: International foot in metres (exact by definition).
FT_TO_M: float = 0.3048
#: US survey foot in metres (1200/3937 exactly; the float is the nearest double).
USFT_TO_M: float = 1200 / 3937

# unit -> (numerator, denominator): metres = value * num / den (integers, exact ratio)
_RATIO: dict[DepthUnit, tuple[float, float]] = {
    DepthUnit.M: (1.0, 1.0),
    DepthUnit.FT: (3048.0, 10000.0),
    DepthUnit.USFT: (1200.0, 3937.0),
}

_ALIASES: dict[str, DepthUnit] = {
    "m": DepthUnit.M,
    "meter": DepthUnit.M,
    "meters": DepthUnit.M,
    "metre": DepthUnit.M,
    "metres": DepthUnit.M,
    "ft": DepthUnit.FT,
    "feet": DepthUnit.FT,
    "foot": DepthUnit.FT,
    "intl ft": DepthUnit.FT,
    "usft": DepthUnit.USFT,
    "us ft": DepthUnit.USFT,
    "ftus": DepthUnit.USFT,
    "us survey ft": DepthUnit.USFT,
    "us survey foot": DepthUnit.USFT,
    "us survey feet": DepthUnit.USFT,
}

_LABELS: dict[DepthUnit, str] = {DepthUnit.M: "m", DepthUnit.FT: "ft", DepthUnit.USFT: "US ft"}


class UnitError(ValueError):
    """A depth unit that is not one of m, ft, usft (the message names what was given)."""


def parse_depth_unit(unit: DepthUnit | str) -> DepthUnit:
    """Return the :class:`DepthUnit` for ``unit``.

    Parameters
    ----------
    unit : DepthUnit or str
        ``DepthUnit`` member or one of its spellings ("m", "metres", "ft", "feet", "usft",
        "US ft", "ftUS", ...); case-insensitive.

    Returns
    -------
    DepthUnit

    Raises
    ------
    UnitError
        If the spelling is unknown. A unit is never guessed.
    """
    if isinstance(unit, DepthUnit):
        return unit
    if isinstance(unit, str):
        key = " ".join(unit.strip().lower().replace("_", " ").split())
        if key in _ALIASES:
            return _ALIASES[key]
    raise UnitError(f"unknown depth unit {unit!r}: expected one of m, ft, usft")


@overload
def to_metres(values: float, unit: DepthUnit | str) -> float: ...
@overload
def to_metres(values: npt.ArrayLike, unit: DepthUnit | str) -> np.ndarray | float: ...
def to_metres(values: npt.ArrayLike, unit: DepthUnit | str) -> np.ndarray | float:
    """Convert lengths to metres.

    Parameters
    ----------
    values : float or array_like
        Lengths [``unit``].
    unit : DepthUnit or str
        Unit of ``values`` (m, ft, usft).

    Returns
    -------
    float or numpy.ndarray
        Lengths [m]; a float for scalar input, else a new float64 array.
    """
    num, den = _RATIO[parse_depth_unit(unit)]
    return _scale(values, num, den)


def from_metres(values: npt.ArrayLike, unit: DepthUnit | str) -> np.ndarray | float:
    """Convert lengths from metres to ``unit``.

    Parameters
    ----------
    values : float or array_like
        Lengths [m].
    unit : DepthUnit or str
        Target unit (m, ft, usft).

    Returns
    -------
    float or numpy.ndarray
        Lengths [``unit``]; a float for scalar input, else a new float64 array.
    """
    num, den = _RATIO[parse_depth_unit(unit)]
    return _scale(values, den, num)


def convert(
    values: npt.ArrayLike, from_unit: DepthUnit | str, to_unit: DepthUnit | str
) -> np.ndarray | float:
    """Convert lengths between any two depth units with one exact ratio.

    Parameters
    ----------
    values : float or array_like
        Lengths [``from_unit``].
    from_unit, to_unit : DepthUnit or str
        Source and target units.

    Returns
    -------
    float or numpy.ndarray
        Lengths [``to_unit``].
    """
    n1, d1 = _RATIO[parse_depth_unit(from_unit)]
    n2, d2 = _RATIO[parse_depth_unit(to_unit)]
    # value * (n1/d1) / (n2/d2) = value * (n1*d2) / (d1*n2); products of small integers are exact
    return _scale(values, n1 * d2, d1 * n2)


def dls_course_length(unit: DepthUnit | str) -> float:
    """Course length that dogleg severity, build and turn rates are expressed per.

    Parameters
    ----------
    unit : DepthUnit or str
        Depth unit of the survey.

    Returns
    -------
    float
        30.0 [m] for metres, 100.0 [ft or US ft] for feet (in the survey's own unit).
    """
    return 30.0 if parse_depth_unit(unit) is DepthUnit.M else 100.0


def unit_label(unit: DepthUnit | str) -> str:
    """Display label of a depth unit: "m", "ft" or "US ft"."""
    return _LABELS[parse_depth_unit(unit)]


def _scale(values: npt.ArrayLike, num: float, den: float) -> np.ndarray | float:
    # a 0-d ArrayLike (a number, a numpy scalar or a 0-d array) goes through float(); mypy
    # cannot see that np.ndim() == 0 rules out the sequences that ArrayLike also admits
    if num == den:
        if np.ndim(values) == 0:
            return float(values)  # type: ignore[arg-type]  # 0-d: see above
        return np.array(values, dtype=np.float64)
    if np.ndim(values) == 0:
        return float(values) * num / den  # type: ignore[arg-type]  # 0-d: see above
    out = np.multiply(values, num, dtype=np.float64)
    out /= den
    return out
