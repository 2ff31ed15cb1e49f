"""North references, grid factors and the geomagnetic field.

Sign conventions (README, "Units and north references"): true = magnetic + declination
(declination positive east); grid = true - convergence (convergence positive when grid north
is east of true north); magnetic -> grid total correction = declination - convergence. A
correction that is needed and not given raises: it is never taken as 0.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import wrap_360
from surveylab.models import NorthReference

__all__ = [
    "GridFactors",
    "MagneticField",
    "NorthReferenceError",
    "convert_azimuth",
    "grid_convergence_and_scale",
    "magnetic_field",
    "to_grid_offsets",
]


class NorthReferenceError(ValueError):
    """A north-reference conversion that cannot be done as asked (names what is missing)."""


def _ref(value: NorthReference | str) -> NorthReference:
    try:
        ref = NorthReference(value.lower() if isinstance(value, str) else value)
    except ValueError:
        raise NorthReferenceError(
            f"unknown north reference {value!r}: expected true, grid or magnetic"
        ) from None
    if ref is NorthReference.UNKNOWN:
        raise NorthReferenceError("north reference is unknown: cannot convert azimuths")
    return ref


def convert_azimuth(
    azi: npt.ArrayLike,
    from_ref: NorthReference | str,
    to_ref: NorthReference | str,
    *,
    declination: float | None = None,
    convergence: float | None = None,
) -> np.ndarray | float:
    """Convert azimuths between magnetic, true and grid north.

    Parameters
    ----------
    azi : float or array_like
        Azimuths [deg] relative to ``from_ref``.
    from_ref, to_ref : NorthReference or str
        "magnetic", "true" or "grid".
    declination : float, optional
        Magnetic declination [deg], positive east; required when magnetic is involved.
    convergence : float, optional
        Grid convergence [deg], positive when grid north is east of true north; required when
        grid is involved.

    Returns
    -------
    float or numpy.ndarray
        Azimuths [deg] relative to ``to_ref``, in [0, 360).

    Raises
    ------
    NorthReferenceError
        Unknown reference, or a needed correction that is None (never assumed 0).
    """
    src, dst = _ref(from_ref), _ref(to_ref)
    a = np.asarray(azi, dtype=np.float64)
    if src is not dst:
        needed = {"declination": declination} if NorthReference.MAGNETIC in (src, dst) else {}
        if NorthReference.GRID in (src, dst):
            needed["convergence"] = convergence
        for name, value in needed.items():
            if value is None or not math.isfinite(value):
                raise NorthReferenceError(
                    f"converting {src.value} to {dst.value} azimuths needs the {name} "
                    "(none given; it is never assumed 0)"
                )
    # each reference's azimuth offset to true north
    to_true = {
        NorthReference.TRUE: 0.0,
        NorthReference.MAGNETIC: declination or 0.0,
        NorthReference.GRID: convergence or 0.0,
    }
    shift = to_true[src] - to_true[dst] if src is not dst else 0.0
    out = wrap_360(a + shift)
    return float(out) if out.ndim == 0 else out


@dataclass(frozen=True, slots=True)
class GridFactors:
    """Grid convergence [deg, positive when grid north is east of true north] and point scale
    factor [-] of a projected CRS at a location, with the CRS name and geographic position."""

    convergence: float
    scale_factor: float
    crs_name: str
    longitude: float
    latitude: float


def grid_convergence_and_scale(crs: Any, x: float, y: float) -> GridFactors:
    """Grid convergence and scale factor of a projected CRS at a surface location.

    Parameters
    ----------
    crs : str, int or pyproj.CRS
        A projected CRS (e.g. "EPSG:32631", 32631).
    x, y : float
        Surface location in the CRS's own coordinates: easting, northing [CRS unit].

    Returns
    -------
    GridFactors

    Raises
    ------
    NorthReferenceError
        A CRS that is not projected, not conformal (no single scale factor), or unknown.
    """
    import pyproj  # heavy: imported where used

    try:
        c = pyproj.CRS.from_user_input(crs)
    except pyproj.exceptions.CRSError as exc:
        raise NorthReferenceError(f"unknown CRS {crs!r}: {exc}") from None
    if not c.is_projected:
        raise NorthReferenceError(f"CRS {c.name!r} is not projected: no grid north")
    if not (math.isfinite(x) and math.isfinite(y)):
        raise NorthReferenceError(f"surface location ({x}, {y}) must be numbers")
    to_geo = pyproj.Transformer.from_crs(c, c.geodetic_crs, always_xy=True)
    lon, lat = to_geo.transform(x, y)
    f = pyproj.Proj(c).get_factors(lon, lat)
    if not math.isfinite(f.meridian_convergence):
        raise NorthReferenceError(f"({x}, {y}) is outside the domain of CRS {c.name!r}")
    if abs(f.meridional_scale - f.parallel_scale) > 1e-9 * f.meridional_scale:
        raise NorthReferenceError(
            f"CRS {c.name!r} is not conformal: no single scale factor at ({x}, {y})"
        )
    # PROJ's meridian convergence is the grid bearing of true north taken with the opposite
    # sign, i.e. positive when grid north lies east of true north: the convention used here
    return GridFactors(float(f.meridian_convergence), float(f.meridional_scale), c.name, lon, lat)


def to_grid_offsets(
    north: npt.ArrayLike,
    east: npt.ArrayLike,
    convergence: float,
    scale_factor: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Rotate true-north offsets into grid axes and apply the scale factor.

    Parameters
    ----------
    north, east : array_like
        Offsets from the surface location relative to true north [depth unit].
    convergence : float
        Grid convergence [deg], positive when grid north is east of true north.
    scale_factor : float
        Point scale factor of the grid [-]; horizontal offsets only (TVD is never scaled).

    Returns
    -------
    grid_north, grid_east : numpy.ndarray
        Grid offsets [depth unit] (add them to the surface northing/easting).
    """
    if not (math.isfinite(convergence) and math.isfinite(scale_factor) and scale_factor > 0):
        raise NorthReferenceError(
            f"convergence {convergence} and scale factor {scale_factor} must be finite numbers "
            "(scale factor > 0)"
        )
    g = math.radians(convergence)
    n = np.asarray(north, dtype=np.float64)
    e = np.asarray(east, dtype=np.float64)
    c, s = math.cos(g), math.sin(g)
    return scale_factor * (n * c + e * s), scale_factor * (e * c - n * s)


@dataclass(frozen=True, slots=True)
class MagneticField:
    """Geomagnetic field from a model at a place and date.

    declination [deg, positive east], dip [deg, positive down], total_field and
    horizontal_field [nT], the model name (e.g. "IGRF-14") and the date evaluated.
    """

    declination: float
    dip: float
    total_field: float
    horizontal_field: float
    model: str
    date: _dt.date
    latitude: float
    longitude: float
    altitude_km: float


@lru_cache(maxsize=1)
def _igrf_model() -> tuple[str, str, _dt.date, _dt.date]:
    """(model name, coefficient file, first date, last date) of the IGRF that ppigrf ships."""
    import ppigrf

    fn = Path(ppigrf.ppigrf.shc_fn)
    with fn.open() as fh:
        head = fh.readline()
    words = head.lstrip("#").split()
    if len(words) < 2 or words[0] != "IGRF" or not words[1].isdigit():
        raise NorthReferenceError(f"cannot tell the IGRF generation of {fn.name}: {head.strip()!r}")
    g, _h = ppigrf.ppigrf.read_shc(str(fn))
    years = [d.year for d in g.index]
    return f"IGRF-{words[1]}", str(fn), _dt.date(min(years), 1, 1), _dt.date(max(years), 1, 1)


def magnetic_field(
    lat: float,
    lon: float,
    date: _dt.date | _dt.datetime | str,
    altitude_km: float = 0.0,
) -> MagneticField:
    """Declination, dip and total field from the IGRF shipped offline with ppigrf.

    Parameters
    ----------
    lat : float
        Geodetic latitude [deg], -90..90.
    lon : float
        Longitude [deg], positive east.
    date : datetime.date, datetime.datetime or str
        Date (ISO text accepted) within the model's validity.
    altitude_km : float
        Height above the ellipsoid [km].

    Returns
    -------
    MagneticField
        With ``model`` naming the generation read from the coefficient file ("IGRF-14").

    Raises
    ------
    NorthReferenceError
        Location or date out of range (including dates past the model's last epoch: the
        model is never extrapolated, and no value is ever assumed 0).
    """
    import ppigrf

    if isinstance(date, str):
        try:
            date = _dt.date.fromisoformat(date.strip()[:10])
        except ValueError:
            raise NorthReferenceError(f"date {date!r} is not an ISO date (YYYY-MM-DD)") from None
    day = date.date() if isinstance(date, _dt.datetime) else date
    if not (math.isfinite(lat) and math.isfinite(lon) and -90.0 <= lat <= 90.0):
        raise NorthReferenceError(f"location lat {lat}, lon {lon} is not valid")
    if not math.isfinite(altitude_km) or not -10.0 <= altitude_km <= 1000.0:
        raise NorthReferenceError(f"altitude {altitude_km} km outside [-10, 1000]")
    name, fn, first, last = _igrf_model()
    if not first <= day <= last:
        raise NorthReferenceError(
            f"date {day.isoformat()} outside {name}'s validity {first.isoformat()} to "
            f"{last.isoformat()}: a newer model is needed"
        )
    when = _dt.datetime(day.year, day.month, day.day)
    be, bn, bu = ppigrf.igrf(lon, lat, altitude_km, when, coeff_fn=fn)
    be, bn, bu = float(np.ravel(be)[0]), float(np.ravel(bn)[0]), float(np.ravel(bu)[0])
    horizontal = math.hypot(be, bn)
    return MagneticField(
        declination=math.degrees(math.atan2(be, bn)),
        dip=math.degrees(math.atan2(-bu, horizontal)),
        total_field=math.sqrt(be * be + bn * bn + bu * bu),
        horizontal_field=horizontal,
        model=name,
        date=day,
        latitude=float(lat),
        longitude=float(lon),
        altitude_km=float(altitude_km),
    )
