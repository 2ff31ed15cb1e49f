"""Raw sensor readings and survey passes among a file's extra columns.

Columns no role claims are kept by the readers as :attr:`ParsedSurvey.extra_columns` with
their units (:attr:`ParsedSurvey.extra_units`, from the names ``Gx (g)``, ``Bz [nT]`` or a
units row). This module recognises among them:

- the accelerometer readings Gx, Gy, Gz and the magnetometer readings Bx, By, Bz, as vendors
  name them (``Gx``, ``G_x``, ``Accel X``, ``Hx``, ``Mag X``, ``Bx raw``...), with the unit of
  each (g, mG, m/s²; nT, µT, gauss), or none when the file does not state it;
- a column telling the in-run and out-run stations of a gyro survey apart (``Pass``,
  ``Direction``, ``In/Out`` with values such as ``In``, ``Out``, ``RIH``, ``POOH``).

The axis convention of the readings (x and y cross-axial, z along the tool towards the bit)
matters only to inclination and azimuth recomputed from them, not to Gtotal, Btotal or dip
(:mod:`surveylab.calc.qc`). WITSML ``rawData`` is mapped by :mod:`surveylab.parsers.witsml`:
``Tran1`` is x, ``Tran2`` y (normal to Tran1) and ``Axial`` z.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from surveylab.models.survey import ParsedSurvey
from surveylab.parsers.terms import fold

__all__ = [
    "RAW_FIELDS",
    "SensorColumns",
    "is_sensor_name",
    "pass_column",
    "sensor_columns",
]

#: The six readings, in order: accelerometers then magnetometers.
RAW_FIELDS = ("gx", "gy", "gz", "bx", "by", "bz")

_GRAVITY_PREFIX = ("g", "acc", "accel", "accelerometer", "grav", "gravity", "a")
_MAGNETIC_PREFIX = ("b", "h", "m", "mag", "magnetometer", "magnetic", "bfield")
_RAW_WORD = re.compile(r"^(?:raw|uncorrected)|(?:raw|uncorrected)$")


def _key(name: str) -> str:
    """A column name folded to letters and digits (``"G_x (raw)"`` -> ``"gxraw"``)."""
    return re.sub(r"[^a-z0-9]", "", fold(name))


def _role(name: str) -> str | None:
    """``gx``..``bz`` when ``name`` names a raw reading, else None."""
    key = _RAW_WORD.sub("", _key(name))
    if len(key) < 2 or key[-1] not in "xyz":
        return None
    axis, prefix = key[-1], key[:-1]
    if prefix in _GRAVITY_PREFIX:
        return "g" + axis
    if prefix in _MAGNETIC_PREFIX:
        return "b" + axis
    return None


def is_sensor_name(name: str) -> bool:
    """Whether a column name names a raw sensor reading (Gx..Bz in any of the styles above)."""
    return _role(name) is not None


@dataclass(frozen=True)
class SensorColumns:
    """Where a file's raw readings are: column names and the unit each states.

    Attributes
    ----------
    names : dict of str to str
        ``gx``..``bz`` -> the column's name in :attr:`ParsedSurvey.extra_columns`.
    units : dict of str to str or None
        ``gx``..``bz`` -> the unit text the file states for the column, None where it
        states none.
    """

    names: dict[str, str]
    units: dict[str, str | None]

    def values(self, extra: pd.DataFrame, field: str) -> np.ndarray:
        """The readings of one field as floats (NaN where a cell is empty or not a number)."""
        return pd.to_numeric(extra[self.names[field]], errors="coerce").to_numpy(dtype=float)


def sensor_columns(parsed: ParsedSurvey) -> SensorColumns | None:
    """The raw-reading columns of a parsed file, when it has all six (else None).

    Parameters
    ----------
    parsed : ParsedSurvey
        A parsed survey; its extra columns are searched.

    Returns
    -------
    SensorColumns or None
        None when any of Gx, Gy, Gz, Bx, By, Bz is missing or not numeric.
    """
    extra = parsed.extra_columns
    if extra is None or extra.empty:
        return None
    names: dict[str, str] = {}
    for col in extra.columns:
        role = _role(str(col))
        if role is None or role in names:
            continue
        if not pd.api.types.is_numeric_dtype(extra[col]):
            continue
        names[role] = str(col)
    if set(names) != set(RAW_FIELDS):
        return None
    units = {f: parsed.extra_units.get(names[f]) or None for f in RAW_FIELDS}
    return SensorColumns(names, units)


_PASS_NAMES = frozenset(
    (
        "pass",
        "survey pass",
        "pass direction",
        "direction",
        "run direction",
        "survey direction",
        "in/out",
        "in out",
        "inout",
        "in-out",
        "in/out run",
        "trip",
        "trip direction",
    )
)
_IN_WORDS = frozenset(("in", "in run", "inrun", "in-run", "rih", "running in", "down", "inrun"))
_OUT_WORDS = frozenset(("out", "out run", "outrun", "out-run", "pooh", "pulling out", "up"))


def pass_column(parsed: ParsedSurvey) -> tuple[str, np.ndarray] | None:
    """The column marking in-run and out-run stations of a gyro survey, when there is one
    with both passes.

    Returns
    -------
    tuple of (str, numpy.ndarray) or None
        The column's name and, per station, ``"in"``, ``"out"`` or ``""`` (neither); None
        when no such column holds both an in-run and an out-run station.
    """
    extra = parsed.extra_columns
    if extra is None or extra.empty:
        return None
    for col in extra.columns:
        if re.sub(r"\s+", " ", fold(str(col))).strip() not in _PASS_NAMES:
            continue
        words = [
            re.sub(r"\s+", " ", fold(str(v))).strip() if v is not None else "" for v in extra[col]
        ]
        marks = np.array(
            ["in" if w in _IN_WORDS else "out" if w in _OUT_WORDS else "" for w in words],
            dtype=object,
        )
        if (marks == "in").any() and (marks == "out").any():
            return str(col), marks
    return None
