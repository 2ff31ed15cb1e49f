"""Survey calculation methods users compare against minimum curvature.

All take validated stations and a resolved tie-on and return :class:`Positions`; the dogleg
column is the geometric dogleg (the same for every method).
"""

from __future__ import annotations

import numpy as np

from surveylab.calc.derived import VERTICAL_INC_LIMIT, wrap_180
from surveylab.calc.errors import SurveyInputError
from surveylab.calc.mincurve import Positions, _md_equal, _minimum_curvature
from surveylab.models import TieOn

__all__ = ["METHODS", "positions_by_method"]

#: Calculation methods by name; "minimum_curvature" is the industry standard.
METHODS = (
    "minimum_curvature",
    "tangential",
    "balanced_tangential",
    "average_angle",
    "radius_of_curvature",
)


def positions_by_method(
    md: np.ndarray, inc: np.ndarray, azi: np.ndarray, tie: TieOn, method: str
) -> Positions:
    """Positions by the named method (validated float64 inputs, resolved tie-on).

    Parameters
    ----------
    md : numpy.ndarray
        Measured depths [depth unit].
    inc, azi : numpy.ndarray
        Inclination and azimuth [deg].
    tie : TieOn
        Resolved tie-on (lengths in the unit of ``md``).
    method : str
        One of :data:`METHODS`.

    Returns
    -------
    Positions
    """
    if method not in METHODS:
        raise SurveyInputError(
            f"unknown calculation method {method!r}: expected one of {', '.join(METHODS)}",
            field="method",
        )
    mc = _minimum_curvature(md, inc, azi, tie)  # also the U-turn check and the dogleg
    if method == "minimum_curvature":
        return mc
    with_tie = not _md_equal(tie.md, float(md[0]))
    if with_tie:
        md_all = np.concatenate(([tie.md], md))
        inc_all = np.concatenate(([tie.inc], inc))
        azi_all = np.concatenate(([tie.azi], azi))
    else:
        md_all, inc_all, azi_all = md, inc, azi
    dmd = np.diff(md_all)
    i1, i2 = np.radians(inc_all[:-1]), np.radians(inc_all[1:])
    a1_deg, a2_deg = azi_all[:-1].copy(), azi_all[1:].copy()
    # a vertical station has no azimuth: take the other end's for the averaging methods
    v1, v2 = inc_all[:-1] <= VERTICAL_INC_LIMIT, inc_all[1:] <= VERTICAL_INC_LIMIT
    a1_deg[v1] = a2_deg[v1]
    a2_deg[v2] = a1_deg[v2]
    a1 = np.radians(a1_deg)
    a2 = a1 + np.radians(wrap_180(a2_deg - a1_deg))  # shortest way round
    if method == "tangential":
        dn = dmd * np.sin(i2) * np.cos(a2)
        de = dmd * np.sin(i2) * np.sin(a2)
        dv = dmd * np.cos(i2)
    elif method == "balanced_tangential":
        dn = dmd / 2 * (np.sin(i1) * np.cos(a1) + np.sin(i2) * np.cos(a2))
        de = dmd / 2 * (np.sin(i1) * np.sin(a1) + np.sin(i2) * np.sin(a2))
        dv = dmd / 2 * (np.cos(i1) + np.cos(i2))
    elif method == "average_angle":
        im, am = (i1 + i2) / 2, (a1 + a2) / 2
        dn = dmd * np.sin(im) * np.cos(am)
        de = dmd * np.sin(im) * np.sin(am)
        dv = dmd * np.cos(im)
    else:  # radius_of_curvature, with its limits taken exactly where an angle does not change
        im, hi = (i1 + i2) / 2, _sinc((i2 - i1) / 2)
        am, ha = (a1 + a2) / 2, _sinc((a2 - a1) / 2)
        horiz = dmd * np.sin(im) * hi  # L (cos I1 - cos I2) / (I2 - I1)
        dn = horiz * np.cos(am) * ha  # ... (sin A2 - sin A1) / (A2 - A1)
        de = horiz * np.sin(am) * ha  # ... (cos A1 - cos A2) / (A2 - A1)
        dv = dmd * np.cos(im) * hi  # L (sin I2 - sin I1) / (I2 - I1)
    start = (tie.tvd, tie.north, tie.east) if with_tie else (mc.tvd[0], mc.north[0], mc.east[0])
    tvd = start[0] + np.concatenate(([0.0], np.cumsum(dv)))
    north = start[1] + np.concatenate(([0.0], np.cumsum(dn)))
    east = start[2] + np.concatenate(([0.0], np.cumsum(de)))
    if with_tie:
        tvd, north, east = tvd[1:], north[1:], east[1:]
    return Positions(tvd, north, east, mc.dogleg)


def _sinc(x: np.ndarray) -> np.ndarray:
    """sin(x) / x, 1 at 0."""
    return np.sinc(x / np.pi)
