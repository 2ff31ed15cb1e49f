"""Units of raw survey-sensor readings: gravity (accelerometers) and magnetic field
(magnetometers).

Gravity arrives in standard gravities (g), milli-g (mG) or m/s²; the engine works in g, with
the standard gravity g_n = 9.80665 m/s² exactly (3rd CGPM, 1901; SI Brochure, 9th edition,
2019). Magnetic field arrives in nanotesla (nT), microtesla (µT) or gauss (1 G = 1e-4 T
= 100,000 nT exactly); the engine works in nT.
"""

from __future__ import annotations

import enum

import numpy as np
import numpy.typing as npt

from surveylab.units import UnitError

__all__ = [
    "STANDARD_GRAVITY",
    "GravityUnit",
    "MagneticUnit",
    "gravity_to_g",
    "magnetic_to_nt",
    "parse_gravity_unit",
    "parse_magnetic_unit",
]

#: Standard gravity [m/s²], exact by definition.
STANDARD_GRAVITY = 9.80665


class GravityUnit(enum.StrEnum):
    """Unit of accelerometer readings."""

    G = "g"
    MILLI_G = "mG"
    M_PER_S2 = "m/s2"


class MagneticUnit(enum.StrEnum):
    """Unit of magnetometer readings."""

    NT = "nT"
    UT = "uT"
    GAUSS = "gauss"


# value in the unit times this is the value in g / nT
_TO_G = {
    GravityUnit.G: 1.0,
    GravityUnit.MILLI_G: 1e-3,
    GravityUnit.M_PER_S2: 1.0 / STANDARD_GRAVITY,
}
_TO_NT = {MagneticUnit.NT: 1.0, MagneticUnit.UT: 1e3, MagneticUnit.GAUSS: 1e5}

_GRAVITY_ALIASES = {
    "g": GravityUnit.G,
    "gn": GravityUnit.G,
    "g0": GravityUnit.G,
    "gee": GravityUnit.G,
    "mg": GravityUnit.MILLI_G,
    "milli-g": GravityUnit.MILLI_G,
    "millig": GravityUnit.MILLI_G,
    "m/s2": GravityUnit.M_PER_S2,
    "m/s^2": GravityUnit.M_PER_S2,
    "m/s²": GravityUnit.M_PER_S2,
    "m.s-2": GravityUnit.M_PER_S2,
    "ms-2": GravityUnit.M_PER_S2,
    "mps2": GravityUnit.M_PER_S2,
}
_MAGNETIC_ALIASES = {
    "nt": MagneticUnit.NT,
    "nanotesla": MagneticUnit.NT,
    "gamma": MagneticUnit.NT,  # 1 gamma = 1 nT (geomagnetism)
    "ut": MagneticUnit.UT,
    "µt": MagneticUnit.UT,  # micro sign U+00B5
    "μt": MagneticUnit.UT,  # Greek small mu U+03BC
    "microtesla": MagneticUnit.UT,
    "g": MagneticUnit.GAUSS,
    "gs": MagneticUnit.GAUSS,
    "gauss": MagneticUnit.GAUSS,
}


def parse_gravity_unit(unit: GravityUnit | str) -> GravityUnit:
    """The :class:`GravityUnit` for a spelling: "g", "G", "mG", "mg", "m/s2", "m/s²", ...

    Case-insensitive (in a gravity column "G" means g and "mG" milli-g).

    Raises
    ------
    UnitError
        An unknown spelling (never guessed).
    """
    if isinstance(unit, GravityUnit):
        return unit
    if isinstance(unit, str):
        key = "".join(unit.split()).lower()
        if key in _GRAVITY_ALIASES:
            return _GRAVITY_ALIASES[key]
    raise UnitError(f"unknown gravity unit {unit!r}: expected one of g, mG, m/s2")


def parse_magnetic_unit(unit: MagneticUnit | str) -> MagneticUnit:
    """The :class:`MagneticUnit` for a spelling: "nT", "uT", "µT", "μT", "G", "gauss", ...

    Case-insensitive (in a magnetometer column "G" means gauss).

    Raises
    ------
    UnitError
        An unknown spelling (never guessed).
    """
    if isinstance(unit, MagneticUnit):
        return unit
    if isinstance(unit, str):
        key = "".join(unit.split()).lower()
        if key in _MAGNETIC_ALIASES:
            return _MAGNETIC_ALIASES[key]
    raise UnitError(f"unknown magnetic-field unit {unit!r}: expected one of nT, uT, gauss")


def gravity_to_g(values: npt.ArrayLike, unit: GravityUnit | str) -> np.ndarray:
    """Accelerometer readings [``unit``] in standard gravities [g] (a new float64 array)."""
    return np.multiply(values, _TO_G[parse_gravity_unit(unit)], dtype=np.float64)


def magnetic_to_nt(values: npt.ArrayLike, unit: MagneticUnit | str) -> np.ndarray:
    """Magnetometer readings [``unit``] in nanotesla [nT] (a new float64 array)."""
    return np.multiply(values, _TO_NT[parse_magnetic_unit(unit)], dtype=np.float64)
