"""The single input gate: every public calculation passes its stations through here."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

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
    if n > 1:
        step = np.diff(md_a)
        bad = step <= 0
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
    if ((azi_a < 0.0) | (azi_a >= 360.0)).any():
        azi_a = np.mod(azi_a, 360.0)
        azi_a[azi_a >= 360.0] = 0.0  # np.mod(-1e-17, 360) rounds to 360.0
    return md_a, inc_a, azi_a
