"""The single input gate: every public calculation passes its stations through here."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import wrap_360
from surveylab.calc.errors import SurveyInputError, station_label

__all__ = ["validate_stations"]


def _as_1d(values: npt.ArrayLike, name: str) -> np.ndarray:
    try:
        arr = np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise SurveyInputError(f"{name} values are not numbers: {exc}", field=name) from None
    if arr.ndim != 1:
        raise SurveyInputError(f"{name} must be a 1-D sequence, got shape {arr.shape}", field=name)
    return arr


def validate_stations(
    md: npt.ArrayLike, inc: npt.ArrayLike, azi: npt.ArrayLike
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Check survey stations and return them as float64 arrays.

    Parameters
    ----------
    md : array_like
        Measured depths [depth unit], strictly increasing.
    inc : array_like
        Inclinations [deg], each in [0, 180].
    azi : array_like
        Azimuths [deg]; any finite value is accepted (360 and negatives included) and
        normalised to [0, 360).

    Returns
    -------
    md, inc, azi : numpy.ndarray
        float64 arrays; ``md`` and ``inc`` are the inputs themselves when they already were
        float64 arrays, ``azi`` is normalised (a new array only when some value needed it).

    Raises
    ------
    SurveyInputError
        Naming the first offending station (1-based) and its MD: NaN or infinite values,
        MD not strictly increasing, inclination outside [0, 180], mismatched lengths,
        no stations at all.
    """
    md_a, inc_a, azi_a = _as_1d(md, "md"), _as_1d(inc, "inc"), _as_1d(azi, "azi")
    n = md_a.size
    if inc_a.size != n or azi_a.size != n:
        raise SurveyInputError(
            f"md, inc and azi must have the same length, got {n}, {inc_a.size}, {azi_a.size}"
        )
    if n == 0:
        raise SurveyInputError("no stations given", field="md")
    # Fast acceptance without full-length temporaries: MD strictly increasing with finite ends
    # is finite throughout; min and max are NaN when any value is. Only a refusal takes the
    # slow path, which names the first offending station.
    inc_lo, inc_hi = _MIN(inc_a), _MAX(inc_a)
    azi_lo, azi_hi = _MIN(azi_a), _MAX(azi_a)
    if not (
        _md_ok(md_a)
        and inc_lo >= 0.0
        and inc_hi <= 180.0
        and math.isfinite(azi_lo)
        and math.isfinite(azi_hi)
    ):
        _refuse(md_a, inc_a, azi_a)
    if azi_lo < 0.0 or azi_hi >= 360.0:
        azi_a = wrap_360(azi_a)
    return md_a, inc_a, azi_a


_MIN = np.minimum.reduce
_MAX = np.maximum.reduce
# MD pairs compared per step: the boolean temporary (64 KB) stays in the CPU cache
_MD_CHUNK = 65536


def _md_ok(md: np.ndarray) -> bool:
    """Whether MDs are finite and strictly increasing (NaN compares False)."""
    n = md.size
    if not (math.isfinite(md[0]) and math.isfinite(md[-1])):
        return False
    for lo in range(0, n - 1, _MD_CHUNK):
        hi = min(lo + _MD_CHUNK, n - 1)
        if not np.greater(md[lo + 1 : hi + 1], md[lo:hi]).all():
            return False
    return True


def _refuse(md_a: np.ndarray, inc_a: np.ndarray, azi_a: np.ndarray) -> None:
    """Raise the error naming the first offending station (the fast checks found one)."""
    for arr, name, what in (
        (md_a, "md", "MD"),
        (inc_a, "inc", "inclination"),
        (azi_a, "azi", "azimuth"),
    ):
        bad = ~np.isfinite(arr)
        if bad.any():
            i = int(np.argmax(bad))
            where = f"station {i + 1}" if name == "md" else station_label(i, md_a[i])
            raise SurveyInputError(
                f"{where}: {what} is {arr[i]} (not a number)", station=i, field=name
            )
    if md_a.size > 1:
        bad = np.diff(md_a) <= 0
        if bad.any():
            i = int(np.argmax(bad)) + 1
            raise SurveyInputError(
                f"{station_label(i, md_a[i])}: MD is not strictly increasing "
                f"(previous station {i} has MD {md_a[i - 1]:g})",
                station=i,
                field="md",
            )
    bad = (inc_a < 0.0) | (inc_a > 180.0)
    if bad.any():
        i = int(np.argmax(bad))
        raise SurveyInputError(
            f"{station_label(i, md_a[i])}: inclination {inc_a[i]} outside [0, 180]",
            station=i,
            field="inc",
        )
    raise AssertionError("unreachable: the fast checks refused valid stations")  # pragma: no cover
