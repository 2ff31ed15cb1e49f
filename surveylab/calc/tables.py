"""Station tables: a survey's stations as a pandas DataFrame, one row per station.

The columns are those of :attr:`surveylab.session.SurveyView.stations`: ``md``, ``inc``,
``azi``, ``tvd``, ``north``, ``east``, ``vs`` [depth unit, deg] and ``dls``, ``build_rate``,
``turn_rate`` [deg per course length]. The dashboards, the reports and the notebooks all use
these: the table in another depth unit, the calculations' :class:`Stations` of a table, and the
listing with units in its column labels.

Light on purpose (pandas and :mod:`surveylab.units`): the dashboards import it when their
kernel starts.
"""

from __future__ import annotations

from typing import NamedTuple

import pandas as pd

from surveylab.calc.derived import closure, vertical_section
from surveylab.calc.interpolate import Stations
from surveylab.models import DepthUnit
from surveylab.units import convert, dls_course_length, to_metres, unit_label

__all__ = [
    "LENGTH_COLUMNS",
    "RATE_COLUMNS",
    "AtTD",
    "at_td",
    "convert_stations",
    "listing_frame",
    "stations_of",
    "with_vertical_section",
]

#: Station columns holding lengths [depth unit] and rates [deg per course length].
LENGTH_COLUMNS = ("md", "tvd", "north", "east", "vs")
RATE_COLUMNS = ("dls", "build_rate", "turn_rate")


def convert_stations(
    stations: pd.DataFrame, from_unit: DepthUnit | str, to_unit: DepthUnit | str
) -> tuple[pd.DataFrame, float]:
    """Stations in another depth unit; rates re-expressed per that unit's course length."""
    out = stations.copy()
    if str(from_unit) == str(to_unit):
        return out, dls_course_length(to_unit)
    for c in LENGTH_COLUMNS:
        if c in out:
            out[c] = convert(out[c].to_numpy(dtype=float), from_unit, to_unit)
    k = float(to_metres(dls_course_length(to_unit), to_unit)) / float(
        to_metres(dls_course_length(from_unit), from_unit)
    )
    for c in RATE_COLUMNS:
        if c in out:
            out[c] = out[c].to_numpy(dtype=float) * k
    return out, dls_course_length(to_unit)


def listing_frame(view_stations: pd.DataFrame, unit: str, course: float) -> pd.DataFrame:
    """The survey listing with units in the column labels, rounded for reading."""
    u = unit_label(unit)
    cols = {
        "md": f"MD [{u}]",
        "inc": "Inc [deg]",
        "azi": "Azi [deg]",
        "tvd": f"TVD [{u}]",
        "north": f"N [{u}]",
        "east": f"E [{u}]",
        "vs": f"VS [{u}]",
        "dls": f"DLS [deg/{course:g} {u}]",
        "build_rate": f"Build [deg/{course:g} {u}]",
        "turn_rate": f"Turn [deg/{course:g} {u}]",
    }
    df = view_stations[[c for c in cols if c in view_stations]].rename(columns=cols)
    return df


def stations_of(frame: pd.DataFrame) -> Stations:
    """The used stations of a station table as :class:`surveylab.calc.Stations`.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns md, inc, azi, tvd, north, east [depth unit, deg]; an optional boolean ``used``
        column drops the copies a use-flag set aside.

    Returns
    -------
    Stations
    """
    if "used" in frame:
        frame = frame[frame["used"].fillna(True).astype(bool)]
    return Stations(*(frame[c].to_numpy(dtype=float) for c in Stations._fields))


def with_vertical_section(
    stations: pd.DataFrame, azimuth: float, origin: tuple[float, float] = (0.0, 0.0)
) -> pd.DataFrame:
    """A copy of a station table whose ``vs`` column is the vertical section along
    ``azimuth`` from ``origin`` (:func:`surveylab.calc.vertical_section`), on every row.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns ``north``, ``east`` [depth unit] at least.
    azimuth : float
        Vertical-section azimuth [deg], the same north reference as the offsets.
    origin : tuple of float
        (N0, E0) of the section [depth unit]; default the wellhead (0, 0).

    Returns
    -------
    pandas.DataFrame
        The same rows and columns, ``vs`` [depth unit] filled (added if missing).
    """
    out = stations.copy()
    out["vs"] = vertical_section(
        stations["north"].to_numpy(dtype=float),
        stations["east"].to_numpy(dtype=float),
        float(azimuth),
        origin,
    )
    return out


class AtTD(NamedTuple):
    """The last station of a survey (total depth as surveyed) and its closure.

    Lengths in the survey's depth unit, angles in degrees; azimuths and the closure direction
    in the survey's north reference, in [0, 360).
    """

    md: float
    inc: float
    azi: float
    tvd: float
    north: float
    east: float
    vs: float
    closure_distance: float
    closure_direction: float


def at_td(
    stations: pd.DataFrame, vs_azimuth: float, origin: tuple[float, float] = (0.0, 0.0)
) -> AtTD:
    """The last station of ``stations`` with its vertical section and closure.

    Parameters
    ----------
    stations : pandas.DataFrame
        Columns md, inc, azi, tvd, north, east [depth unit, deg]; at least one row.
    vs_azimuth : float
        Vertical-section azimuth [deg].
    origin : tuple of float
        (N0, E0) of the vertical section [depth unit].

    Returns
    -------
    AtTD
        Closure distance sqrt(N^2 + E^2) [depth unit] and direction atan2(E, N) [deg] from
        the wellhead (0, 0), whatever the section's origin.

    Raises
    ------
    ValueError
        ``stations`` has no rows.
    """
    if len(stations) == 0:
        raise ValueError("a survey without stations has no total depth")
    last = stations.iloc[-1]
    n, e = float(last["north"]), float(last["east"])
    distance, direction = closure(n, e)
    vs = vertical_section([n], [e], float(vs_azimuth), origin)[0]
    return AtTD(
        md=float(last["md"]),
        inc=float(last["inc"]),
        azi=float(last["azi"]),
        tvd=float(last["tvd"]),
        north=n,
        east=e,
        vs=float(vs),
        closure_distance=float(distance),
        closure_direction=float(direction),
    )
