"""Raw-sensor QC of magnetic (MWD) surveys: each station's measured field against a reference.

From the raw accelerometer (Gx, Gy, Gz) and magnetometer (Bx, By, Bz) readings of a station:

- Gtotal = |G|, Btotal = |B| and dip = asin(G.B / (|G| |B|)) (positive when the field points
  below the horizontal, as in the northern hemisphere). None of the three depends on how the
  sensors are oriented in the tool, only on the readings being those of a right-angled triad.
- Inclination and azimuth recomputed from the readings. These do depend on the axis
  convention, which is: x and y cross-axial, z along the tool axis towards the bit, (x, y, z)
  right-handed; G is the gravity vector as the accelerometers report it (a tool hanging
  vertical reads Gz = +1 g), B the field vector (pointing to magnetic north and, in the
  northern hemisphere, down). Then

      inclination = atan2(sqrt(Gx^2 + Gy^2), Gz)
      azimuth     = atan2((Gx By - Gy Bx) |G|, Bz (Gx^2 + Gy^2) - Gz (Gx Bx + Gy By))

  the azimuth from magnetic north: the standard formulas of MWD surveying (A. Jamieson,
  "Introduction to Wellbore Positioning", the ISCWSA eBook, 2012). Their signs agree with the
  accelerometer-bias weighting functions ABX, ABY, ABZ of the ISCWSA MWD error model
  (H. S. Williamson, "Accuracy Prediction for Directional Measurement While Drilling",
  SPE 67616, 2000), which are their derivatives; tests/calc/test_calc_qc.py checks that, and
  that a left-handed triad would give the azimuth's negative.

The limits (``QCLimits``): Btotal within 300 nT and dip within 0.25 deg of the reference
(ISCWSA eBook, 22.1 "Checking raw data"), Gtotal within 0.0025 g of local gravity (a common
static limit; vendors use 2.5-3 mg); recomputed against reported inclination 0.1 deg and
azimuth 0.5 deg. Every limit is configurable per tool.

The reference field is what the caller states (:class:`ReferenceField`), or the offline
geomagnetic model already used for declination (:func:`surveylab.calc.north.magnetic_field`,
IGRF) with the WGS 84 normal gravity at the place (:func:`normal_gravity`): see
:func:`reference_from_model`. Without one, :func:`field_qc` still computes the totals and dip
and says "no reference".
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import VERTICAL_INC_LIMIT, wrap_180, wrap_360
from surveylab.calc.errors import SurveyInputError, station_label
from surveylab.calc.north import magnetic_field
from surveylab.units import UnitError
from surveylab.units.sensors import (
    STANDARD_GRAVITY,
    GravityUnit,
    MagneticUnit,
    gravity_to_g,
    magnetic_to_nt,
    parse_gravity_unit,
    parse_magnetic_unit,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ISCWSA_RAW_LIMITS",
    "NO_REFERENCE",
    "AngleQC",
    "FieldQC",
    "QCLimits",
    "RawAngles",
    "RawReadings",
    "ReferenceField",
    "angle_qc",
    "angles_from_raw",
    "field_qc",
    "infer_gravity_unit",
    "infer_magnetic_unit",
    "normal_gravity",
    "raw_readings",
    "reference_from_model",
]

#: ``FieldQC.status`` when there is no reference field to compare with.
NO_REFERENCE = "no reference"

# Median magnitude ranges [unit of the readings] that identify each unit. The Earth's gravity
# is 9.78-9.83 m/s² (about 1 g), its main field 22,000-67,000 nT (22-67 µT, 0.22-0.67 G); the
# ranges are generous and do not overlap.
_GRAVITY_RANGES = (
    (GravityUnit.G, 0.5, 2.0),
    (GravityUnit.M_PER_S2, 5.0, 20.0),
    (GravityUnit.MILLI_G, 500.0, 2000.0),
)
_MAGNETIC_RANGES = (
    (MagneticUnit.GAUSS, 0.05, 2.0),
    (MagneticUnit.UT, 5.0, 200.0),
    (MagneticUnit.NT, 5000.0, 200000.0),
)
# a difference equal to a limit passes despite rounding (as surveylab.calc.compare does)
_SLACK = 1 + 1e-9

# WGS 84 normal gravity (NIMA TR8350.2, 3rd edition, 2000, eq. 4-1 and 4-3)
_WGS84_A = 6378137.0  # semi-major axis [m]
_WGS84_F = 1.0 / 298.257223563  # flattening [-]
_WGS84_M = 0.00344978650684  # omega^2 a^2 b / GM [-]
_WGS84_GAMMA_E = 9.7803253359  # normal gravity at the equator [m/s²]
_WGS84_K = 0.00193185265241  # Somigliana's constant [-]
_WGS84_E2 = 0.00669437999013  # first eccentricity squared [-]


@dataclass(frozen=True, slots=True)
class QCLimits:
    """Largest allowed differences of one tool's raw-data QC.

    Attributes
    ----------
    btotal_nt : float
        Total magnetic field against the reference [nT].
    dip_deg : float
        Dip against the reference [deg].
    gtotal_g : float
        Total gravity against the reference [g].
    inc_deg : float
        Inclination recomputed from the readings against the reported one [deg].
    azi_deg : float
        Azimuth recomputed from the readings against the reported one [deg].
    """

    btotal_nt: float = 300.0
    dip_deg: float = 0.25
    gtotal_g: float = 0.0025
    inc_deg: float = 0.1
    azi_deg: float = 0.5

    def __post_init__(self) -> None:
        values = (self.btotal_nt, self.dip_deg, self.gtotal_g, self.inc_deg, self.azi_deg)
        if not all(math.isfinite(v) and v >= 0 for v in values):
            raise SurveyInputError(
                f"QC limits must be non-negative numbers: {self}", field="limits"
            )


#: The default limits (ISCWSA eBook 22.1 for Btotal and dip; see the module docstring).
ISCWSA_RAW_LIMITS = QCLimits()


@dataclass(frozen=True, slots=True)
class ReferenceField:
    """The field a station's readings should show, and where those numbers come from.

    Attributes
    ----------
    btotal_nt : float
        Total magnetic field [nT], > 0.
    dip_deg : float
        Magnetic dip [deg], positive down, in [-90, 90].
    gtotal_g : float
        Local gravity [g], > 0.
    source : str
        Where the three numbers come from ("stated in the file", a model and place, ...).
    """

    btotal_nt: float
    dip_deg: float
    gtotal_g: float
    source: str

    def __post_init__(self) -> None:
        b, d, g = self.btotal_nt, self.dip_deg, self.gtotal_g
        if not (all(math.isfinite(v) for v in (b, d, g)) and b > 0 and g > 0 and -90 <= d <= 90):
            raise SurveyInputError(
                f"reference field needs Btotal > 0 nT, dip in [-90, 90] deg and Gtotal > 0 g, "
                f"got {b}, {d}, {g}",
                field="reference",
            )
        if not self.source.strip():
            raise SurveyInputError("reference field needs its source", field="reference")

    def to_dict(self) -> dict[str, Any]:
        """``{"btotal_nt", "dip_deg", "gtotal_g", "source"}``."""
        return {
            "btotal_nt": self.btotal_nt,
            "dip_deg": self.dip_deg,
            "gtotal_g": self.gtotal_g,
            "source": self.source,
        }


def normal_gravity(lat_deg: float, height_m: float = 0.0) -> float:
    """WGS 84 normal gravity at a latitude and height [m/s²].

    Somigliana's closed formula on the ellipsoid, gamma = gamma_e (1 + k sin^2 phi) /
    sqrt(1 - e^2 sin^2 phi), then the free-air correction to second order in the height,
    gamma_h = gamma (1 - 2/a (1 + f + m - 2 f sin^2 phi) h + 3 h^2 / a^2) (NIMA TR8350.2,
    "Department of Defense World Geodetic System 1984", 3rd edition, 2000, eq. 4-1 and 4-3).

    Parameters
    ----------
    lat_deg : float
        Geodetic latitude [deg], -90..90.
    height_m : float
        Height above the ellipsoid [m] (elevation above sea level is close enough here: 30 m
        of geoid height changes gravity by 1e-5 g).

    Returns
    -------
    float
        Normal gravity [m/s²].
    """
    if not (math.isfinite(lat_deg) and -90.0 <= lat_deg <= 90.0 and math.isfinite(height_m)):
        raise SurveyInputError(
            f"normal gravity needs a latitude in [-90, 90] and a finite height, got "
            f"{lat_deg}, {height_m}",
            field="reference",
        )
    s2 = math.sin(math.radians(lat_deg)) ** 2
    gamma = _WGS84_GAMMA_E * (1.0 + _WGS84_K * s2) / math.sqrt(1.0 - _WGS84_E2 * s2)
    h = height_m
    a = _WGS84_A
    return gamma * (
        1.0 - 2.0 / a * (1.0 + _WGS84_F + _WGS84_M - 2.0 * _WGS84_F * s2) * h + 3.0 * h * h / a**2
    )


def reference_from_model(
    lat: float,
    lon: float,
    date: _dt.date | _dt.datetime | str,
    *,
    height_m: float = 0.0,
) -> ReferenceField:
    """The reference field from the offline geomagnetic model and WGS 84 normal gravity.

    Parameters
    ----------
    lat : float
        Geodetic latitude [deg].
    lon : float
        Longitude [deg], positive east.
    date : datetime.date, datetime.datetime or str
        Survey date (ISO text accepted), within the model's validity.
    height_m : float
        Height above the ellipsoid [m] of the place evaluated (usually the well's surface;
        the field changes by a few nT per km of depth).

    Returns
    -------
    ReferenceField
        With a source naming the model, place, date and the gravity formula.

    Raises
    ------
    NorthReferenceError
        The model cannot be evaluated there (place or date out of range): never a made-up
        value.
    """
    fld = magnetic_field(lat, lon, date, altitude_km=height_m / 1000.0)
    g = normal_gravity(lat, height_m) / STANDARD_GRAVITY
    source = (
        f"{fld.model} at lat {fld.latitude:.5f}, lon {fld.longitude:.5f}, height {height_m:g} m, "
        f"{fld.date.isoformat()}; gravity: WGS 84 normal gravity (Somigliana, free-air "
        "correction to second order)"
    )
    return ReferenceField(fld.total_field, fld.dip, g, source)


@dataclass(frozen=True, eq=False)
class RawReadings:
    """Raw sensor readings of a survey's stations, in g and nT.

    Attributes
    ----------
    gx, gy, gz : numpy.ndarray
        Accelerometer readings [g] per station (axis convention: see the module docstring).
    bx, by, bz : numpy.ndarray
        Magnetometer readings [nT] per station.
    gravity_unit, magnetic_unit : GravityUnit, MagneticUnit
        Units the readings came in (converted to g and nT here).
    gravity_unit_inferred, magnetic_unit_inferred : bool
        True where the unit was not stated and was inferred from the magnitude of the
        readings (the caller records a finding saying so).
    md : numpy.ndarray or None
        Measured depth of each station [depth unit], for messages and tables.
    """

    gx: np.ndarray
    gy: np.ndarray
    gz: np.ndarray
    bx: np.ndarray
    by: np.ndarray
    bz: np.ndarray
    gravity_unit: GravityUnit
    magnetic_unit: MagneticUnit
    gravity_unit_inferred: bool
    magnetic_unit_inferred: bool
    md: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.gx.size)

    def inference_notes(self) -> list[str]:
        """One sentence per unit that was inferred rather than stated (for a finding)."""
        notes = []
        if self.gravity_unit_inferred:
            notes.append(
                f"gravity unit not stated: {self.gravity_unit} inferred from the magnitude of "
                "the accelerometer readings"
            )
        if self.magnetic_unit_inferred:
            notes.append(
                f"magnetic-field unit not stated: {self.magnetic_unit} inferred from the "
                "magnitude of the magnetometer readings"
            )
        return notes


_RAW_FIELDS = ("gx", "gy", "gz", "bx", "by", "bz")
_RAW_LABELS = {"gx": "Gx", "gy": "Gy", "gz": "Gz", "bx": "Bx", "by": "By", "bz": "Bz"}


def raw_readings(
    gx: npt.ArrayLike,
    gy: npt.ArrayLike,
    gz: npt.ArrayLike,
    bx: npt.ArrayLike,
    by: npt.ArrayLike,
    bz: npt.ArrayLike,
    *,
    gravity_unit: GravityUnit | str | None = None,
    magnetic_unit: MagneticUnit | str | None = None,
    md: npt.ArrayLike | None = None,
) -> RawReadings:
    """Check raw readings and convert them to g and nT.

    Parameters
    ----------
    gx, gy, gz : array_like
        Accelerometer readings per station [``gravity_unit``].
    bx, by, bz : array_like
        Magnetometer readings per station [``magnetic_unit``].
    gravity_unit : GravityUnit or str, optional
        g, mG or m/s2; None: inferred from the median |G| (see :func:`infer_gravity_unit`).
    magnetic_unit : MagneticUnit or str, optional
        nT, uT or gauss; None: inferred from the median |B|.
    md : array_like, optional
        Measured depth of each station [depth unit] (named in messages).

    Returns
    -------
    RawReadings

    Raises
    ------
    SurveyInputError
        Naming the field (and station): arrays of different lengths or not 1-D, no stations,
        a value that is not a number, a zero gravity or field vector, an unknown unit, or a
        magnitude that matches no unit when the unit is to be inferred.
    """
    arrays = {}
    for name, values in zip(_RAW_FIELDS, (gx, gy, gz, bx, by, bz), strict=True):
        arrays[name] = _column(values, _RAW_LABELS[name])
    md_a = None if md is None else _column(md, "MD")
    sizes = {k: a.size for k, a in arrays.items()}
    if md_a is not None:
        sizes["md"] = md_a.size
    n = arrays["gx"].size
    for name, size in sizes.items():
        if size != n:
            label = _RAW_LABELS.get(name, "MD")
            raise SurveyInputError(
                f"{label} has {size} values but Gx has {n}: every reading needs one value per "
                "station",
                field=name,
            )
    if n == 0:
        raise SurveyInputError("no raw readings given", field="gx")
    for name, arr in (*arrays.items(), *((("md", md_a),) if md_a is not None else ())):
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.argmax(bad))
            label = _RAW_LABELS.get(name, "MD")
            raise SurveyInputError(
                f"{_where(i, md_a)}: {label} is {arr[i]} (not a number)", station=i, field=name
            )
    g_mag = np.sqrt(arrays["gx"] ** 2 + arrays["gy"] ** 2 + arrays["gz"] ** 2)
    b_mag = np.sqrt(arrays["bx"] ** 2 + arrays["by"] ** 2 + arrays["bz"] ** 2)
    for mag, name, what in ((g_mag, "gx", "accelerometers"), (b_mag, "bx", "magnetometers")):
        if not (mag > 0).all():
            i = int(np.argmax(~(mag > 0)))
            raise SurveyInputError(
                f"{_where(i, md_a)}: the {what} read zero in all three axes", station=i, field=name
            )
    try:
        g_unit = None if gravity_unit is None else parse_gravity_unit(gravity_unit)
        b_unit = None if magnetic_unit is None else parse_magnetic_unit(magnetic_unit)
    except UnitError as exc:
        field = "gravity_unit" if "gravity" in str(exc) else "magnetic_unit"
        raise SurveyInputError(str(exc), field=field) from None
    g_inferred, b_inferred = g_unit is None, b_unit is None
    if g_unit is None:
        g_unit = infer_gravity_unit(g_mag)
    if b_unit is None:
        b_unit = infer_magnetic_unit(b_mag)
    return RawReadings(
        gx=gravity_to_g(arrays["gx"], g_unit),
        gy=gravity_to_g(arrays["gy"], g_unit),
        gz=gravity_to_g(arrays["gz"], g_unit),
        bx=magnetic_to_nt(arrays["bx"], b_unit),
        by=magnetic_to_nt(arrays["by"], b_unit),
        bz=magnetic_to_nt(arrays["bz"], b_unit),
        gravity_unit=g_unit,
        magnetic_unit=b_unit,
        gravity_unit_inferred=g_inferred,
        magnetic_unit_inferred=b_inferred,
        md=md_a,
    )


def _column(values: npt.ArrayLike, label: str) -> np.ndarray:
    field = label.lower()
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SurveyInputError(f"{label} values are not numbers: {exc}", field=field) from None
    if arr.ndim != 1:
        raise SurveyInputError(
            f"{label} must be a 1-D sequence, got shape {arr.shape}", field=field
        )
    return arr


def _where(i: int, md: np.ndarray | None) -> str:
    return f"station {i + 1}" if md is None else station_label(i, float(md[i]))


def infer_gravity_unit(magnitudes: npt.ArrayLike) -> GravityUnit:
    """The gravity unit whose range holds the median of ``magnitudes`` (|G| per station).

    g for 0.5-2, m/s2 for 5-20, mG for 500-2,000 (the Earth's gravity is about 1 g).

    Raises
    ------
    SurveyInputError
        The median matches none of them: the unit must be stated.
    """
    return _infer(magnitudes, _GRAVITY_RANGES, "gravity", "accelerometer", "gx")


def infer_magnetic_unit(magnitudes: npt.ArrayLike) -> MagneticUnit:
    """The magnetic-field unit whose range holds the median of ``magnitudes`` (|B|).

    gauss for 0.05-2, uT for 5-200, nT for 5,000-200,000 (the Earth's main field is
    22,000-67,000 nT).

    Raises
    ------
    SurveyInputError
        The median matches none of them: the unit must be stated.
    """
    return _infer(magnitudes, _MAGNETIC_RANGES, "magnetic-field", "magnetometer", "bx")


_U = TypeVar("_U", GravityUnit, MagneticUnit)


def _infer(
    magnitudes: npt.ArrayLike,
    ranges: tuple[tuple[_U, float, float], ...],
    what: str,
    sensor: str,
    field: str,
) -> _U:
    median = float(np.median(np.asarray(magnitudes, dtype=np.float64)))
    for unit, lo, hi in ranges:
        if lo <= median < hi:
            return unit
    known = ", ".join(f"{u} ({lo:g}-{hi:g})" for u, lo, hi in ranges)
    raise SurveyInputError(
        f"cannot infer the {what} unit: the median {sensor} magnitude {median:g} is in no "
        f"known range ({known}); state the unit",
        field=field,
    )


@dataclass(frozen=True, eq=False)
class FieldQC:
    """Each station's measured field against the reference (``measured - reference``).

    Attributes
    ----------
    md : numpy.ndarray or None
        Measured depths [depth unit] when the readings carried them.
    gtotal_g, btotal_nt, dip_deg : numpy.ndarray
        Measured total gravity [g], total field [nT] and dip [deg] per station.
    d_gtotal_g, d_btotal_nt, d_dip_deg : numpy.ndarray
        Differences from the reference [g, nT, deg]; NaN without a reference.
    gtotal_ok, btotal_ok, dip_ok : numpy.ndarray or None
        Per station, each difference within its limit (bool); None without a reference.
    used : numpy.ndarray
        Stations that count towards the verdict (bool).
    reference : ReferenceField or None
        What the readings were compared with; None: no reference (``status`` says so).
    limits : QCLimits
        The limits applied.
    readings : RawReadings
        The readings (in g and nT) and the units they came in.
    """

    md: np.ndarray | None
    gtotal_g: np.ndarray
    btotal_nt: np.ndarray
    dip_deg: np.ndarray
    d_gtotal_g: np.ndarray
    d_btotal_nt: np.ndarray
    d_dip_deg: np.ndarray
    gtotal_ok: np.ndarray | None
    btotal_ok: np.ndarray | None
    dip_ok: np.ndarray | None
    used: np.ndarray
    reference: ReferenceField | None
    limits: QCLimits
    readings: RawReadings

    @property
    def station_passed(self) -> np.ndarray | None:
        """Per station: all three differences within their limits (bool); None without a
        reference."""
        if self.gtotal_ok is None or self.btotal_ok is None or self.dip_ok is None:
            return None
        return self.gtotal_ok & self.btotal_ok & self.dip_ok

    @property
    def failures(self) -> np.ndarray:
        """Indices of the used stations outside a limit (empty without a reference)."""
        ok = self.station_passed
        if ok is None:
            return np.zeros(0, dtype=np.intp)
        return np.flatnonzero(self.used & ~ok)

    @property
    def passed(self) -> bool | None:
        """Every used station within the limits; None without a reference."""
        ok = self.station_passed
        return None if ok is None else bool(ok[self.used].all())

    @property
    def status(self) -> str:
        """``"pass"``, ``"fail"`` or :data:`NO_REFERENCE`."""
        verdict = self.passed
        if verdict is None:
            return NO_REFERENCE
        return "pass" if verdict else "fail"

    def stations(self) -> list[dict[str, Any]]:
        """One dict per station: md, gtotal_g, btotal_nt, dip_deg, d_gtotal_g, d_btotal_nt,
        d_dip_deg, pass (None where there is no reference or MD), used."""
        ok = self.station_passed
        rows = []
        for i in range(self.gtotal_g.size):
            has_ref = self.reference is not None
            rows.append(
                {
                    "md": None if self.md is None else float(self.md[i]),
                    "gtotal_g": float(self.gtotal_g[i]),
                    "btotal_nt": float(self.btotal_nt[i]),
                    "dip_deg": float(self.dip_deg[i]),
                    "d_gtotal_g": float(self.d_gtotal_g[i]) if has_ref else None,
                    "d_btotal_nt": float(self.d_btotal_nt[i]) if has_ref else None,
                    "d_dip_deg": float(self.d_dip_deg[i]) if has_ref else None,
                    "pass": None if ok is None else bool(ok[i]),
                    "used": bool(self.used[i]),
                }
            )
        return rows

    def summary(self) -> str:
        """One line: verdict, reference source, stations and the worst differences."""
        n = int(self.used.sum())
        if self.reference is None:
            return f"{NO_REFERENCE}: {n} stations with raw readings, nothing to compare with"
        bad = self.failures
        text = (
            f"{self.status}: {n} stations against {self.reference.source}; worst |dGtotal| "
            f"{_worst(self.d_gtotal_g, self.used):.4f} g (limit {self.limits.gtotal_g:g}), "
            f"|dBtotal| {_worst(self.d_btotal_nt, self.used):.0f} nT (limit "
            f"{self.limits.btotal_nt:g}), |dDip| {_worst(self.d_dip_deg, self.used):.3f} deg "
            f"(limit {self.limits.dip_deg:g})"
        )
        if bad.size:
            first = _where(int(bad[0]), self.md)
            text += f"; {bad.size} station(s) outside, first {first}"
        return text

    def to_frame(self) -> pd.DataFrame:
        """The per-station table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(self.stations())


def _worst(values: np.ndarray, used: np.ndarray) -> float:
    v = np.abs(values[used])
    return float(v.max()) if v.size else float("nan")


def _totals(r: RawReadings) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    g = np.sqrt(r.gx**2 + r.gy**2 + r.gz**2)
    b = np.sqrt(r.bx**2 + r.by**2 + r.bz**2)
    dot = r.gx * r.bx + r.gy * r.by + r.gz * r.bz
    dip = np.degrees(np.arcsin(np.clip(dot / (g * b), -1.0, 1.0)))
    return g, b, dip


def _used_mask(used: npt.ArrayLike | None, n: int) -> np.ndarray:
    if used is None:
        return np.ones(n, dtype=bool)
    mask = np.asarray(used, dtype=bool)
    if mask.shape != (n,):
        raise SurveyInputError(
            f"used has {mask.size} values but there are {n} stations", field="used"
        )
    return mask


def field_qc(
    readings: RawReadings,
    reference: ReferenceField | None,
    *,
    limits: QCLimits = ISCWSA_RAW_LIMITS,
    used: npt.ArrayLike | None = None,
) -> FieldQC:
    """Gtotal, Btotal and dip of every station against the reference field.

    Parameters
    ----------
    readings : RawReadings
        From :func:`raw_readings` [g, nT].
    reference : ReferenceField or None
        The field to compare with; None: there is none (the result's status says
        :data:`NO_REFERENCE` and no station passes or fails).
    limits : QCLimits, optional
        The tool's limits; default :data:`ISCWSA_RAW_LIMITS`.
    used : array_like of bool, optional
        Stations that count towards the verdict (default all).

    Returns
    -------
    FieldQC
    """
    g, b, dip = _totals(readings)
    mask = _used_mask(used, g.size)
    if reference is None:
        nan = np.full(g.size, np.nan)
        return FieldQC(
            md=readings.md,
            gtotal_g=g,
            btotal_nt=b,
            dip_deg=dip,
            d_gtotal_g=nan,
            d_btotal_nt=nan.copy(),
            d_dip_deg=nan.copy(),
            gtotal_ok=None,
            btotal_ok=None,
            dip_ok=None,
            used=mask,
            reference=None,
            limits=limits,
            readings=readings,
        )
    dg, db, dd = g - reference.gtotal_g, b - reference.btotal_nt, dip - reference.dip_deg
    return FieldQC(
        md=readings.md,
        gtotal_g=g,
        btotal_nt=b,
        dip_deg=dip,
        d_gtotal_g=dg,
        d_btotal_nt=db,
        d_dip_deg=dd,
        gtotal_ok=np.abs(dg) <= limits.gtotal_g * _SLACK,
        btotal_ok=np.abs(db) <= limits.btotal_nt * _SLACK,
        dip_ok=np.abs(dd) <= limits.dip_deg * _SLACK,
        used=mask,
        reference=reference,
        limits=limits,
        readings=readings,
    )


class RawAngles(NamedTuple):
    """Inclination and magnetic azimuth recomputed from raw readings [deg].

    Attributes
    ----------
    inc : numpy.ndarray
        Inclination [deg] in [0, 180].
    azi : numpy.ndarray
        Azimuth from magnetic north [deg] in [0, 360) (meaningless where ``inc`` is 0).
    """

    inc: np.ndarray
    azi: np.ndarray


def angles_from_raw(readings: RawReadings) -> RawAngles:
    """Inclination and magnetic azimuth of each station from its raw readings.

    The axis convention and formulas are those of the module docstring: x and y cross-axial,
    z along the tool towards the bit, right-handed.

    Parameters
    ----------
    readings : RawReadings
        [g, nT].

    Returns
    -------
    RawAngles
        inc [deg], azi [deg from magnetic north, [0, 360)].
    """
    r = readings
    gxy2 = r.gx**2 + r.gy**2
    g = np.sqrt(gxy2 + r.gz**2)
    inc = np.degrees(np.arctan2(np.sqrt(gxy2), r.gz))
    y = (r.gx * r.by - r.gy * r.bx) * g
    x = r.bz * gxy2 - r.gz * (r.gx * r.bx + r.gy * r.by)
    return RawAngles(inc, wrap_360(np.degrees(np.arctan2(y, x))))


@dataclass(frozen=True, eq=False)
class AngleQC:
    """Angles recomputed from raw readings against the reported ones (``raw - reported``).

    Attributes
    ----------
    md : numpy.ndarray or None
        Measured depths [depth unit] when the readings carried them.
    inc_raw, azi_raw : numpy.ndarray
        Recomputed inclination [deg] and azimuth [deg, in the reported azimuths' reference,
        after ``azimuth_correction``].
    inc_reported, azi_reported : numpy.ndarray
        The reported angles [deg].
    d_inc, d_azi : numpy.ndarray
        Differences [deg]; ``d_azi`` wrapped into (-180, 180], NaN where either inclination
        is vertical (no azimuth there).
    inc_ok, azi_ok : numpy.ndarray
        Per station, within the limit (bool; the azimuth check does not apply where vertical).
    used : numpy.ndarray
        Stations that count towards the verdict (bool).
    azimuth_correction : numpy.ndarray
        Correction added to the magnetic azimuth [deg] (0 when the reported azimuths are
        magnetic; declination for true, declination - convergence for grid).
    limits : QCLimits
    """

    md: np.ndarray | None
    inc_raw: np.ndarray
    azi_raw: np.ndarray
    inc_reported: np.ndarray
    azi_reported: np.ndarray
    d_inc: np.ndarray
    d_azi: np.ndarray
    inc_ok: np.ndarray
    azi_ok: np.ndarray
    used: np.ndarray
    azimuth_correction: np.ndarray
    limits: QCLimits

    @property
    def within(self) -> np.ndarray:
        """Per station: both differences within their limits (bool)."""
        return self.inc_ok & self.azi_ok

    @property
    def failures(self) -> np.ndarray:
        """Indices of the used stations outside a limit."""
        return np.flatnonzero(self.used & ~self.within)

    @property
    def passed(self) -> bool:
        """Every used station within both limits."""
        return bool(self.within[self.used].all())


def angle_qc(
    readings: RawReadings,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    *,
    azimuth_correction: npt.ArrayLike,
    limits: QCLimits = ISCWSA_RAW_LIMITS,
    used: npt.ArrayLike | None = None,
) -> AngleQC:
    """Inclination and azimuth recomputed from the raw readings against the reported ones.

    Parameters
    ----------
    readings : RawReadings
        [g, nT], one per reported station.
    inc, azi : array_like
        Reported inclination [deg, 0..180] and azimuth [deg] per station.
    azimuth_correction : float or array_like
        Added to the recomputed magnetic azimuth to reach the reported azimuths' north
        reference [deg]: 0 for magnetic, the declination for true, the total correction
        (declination - convergence) for grid. Required: never taken as 0 by default.
    limits : QCLimits, optional
        ``inc_deg`` and ``azi_deg`` apply; default :data:`ISCWSA_RAW_LIMITS`.
    used : array_like of bool, optional
        Stations that count towards the verdict (default all).

    Returns
    -------
    AngleQC

    Raises
    ------
    SurveyInputError
        Reported angles of another length than the readings, not numbers, an inclination
        outside [0, 180] or a correction that is not a number, naming the field and station.
    """
    n = len(readings)
    inc_r, azi_r = _column(inc, "inc"), _column(azi, "azi")
    for arr, name in ((inc_r, "inc"), (azi_r, "azi")):
        if arr.size != n:
            raise SurveyInputError(
                f"{name} has {arr.size} values but there are {n} stations with raw readings",
                field=name,
            )
        bad = ~np.isfinite(arr) | ((arr < 0) | (arr > 180) if name == "inc" else False)
        if np.any(bad):
            i = int(np.argmax(bad))
            raise SurveyInputError(
                f"{_where(i, readings.md)}: reported {name} {arr[i]} is not a valid angle",
                station=i,
                field=name,
            )
    corr = np.broadcast_to(np.asarray(azimuth_correction, dtype=np.float64), (n,))
    if not np.isfinite(corr).all():
        raise SurveyInputError(
            "azimuth correction must be a number (0 when the azimuths are magnetic)",
            field="azimuth_correction",
        )
    mask = _used_mask(used, n)
    raw = angles_from_raw(readings)
    azi_raw = wrap_360(raw.azi + corr)
    d_inc = raw.inc - inc_r
    vertical = (raw.inc <= VERTICAL_INC_LIMIT) | (inc_r <= VERTICAL_INC_LIMIT)
    d_azi = np.where(vertical, np.nan, wrap_180(azi_raw - azi_r))
    return AngleQC(
        md=readings.md,
        inc_raw=raw.inc,
        azi_raw=azi_raw,
        inc_reported=inc_r,
        azi_reported=wrap_360(azi_r),
        d_inc=d_inc,
        d_azi=d_azi,
        inc_ok=np.abs(d_inc) <= limits.inc_deg * _SLACK,
        azi_ok=vertical | (np.abs(np.nan_to_num(d_azi)) <= limits.azi_deg * _SLACK),
        used=mask,
        azimuth_correction=np.array(corr),
        limits=limits,
    )
