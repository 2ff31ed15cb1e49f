"""The single input gate: every public calculation passes its stations through here."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from surveylab.calc.derived import wrap_360
from surveylab.calc.errors import SurveyInputError, station_label, well_label

__all__ = ["survey_offsets", "validate_many", "validate_stations"]


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
_GREATER = np.greater
# MD pairs compared per step: the boolean temporary (64 KB) stays in the CPU cache
_MD_CHUNK = 65536


def _md_ok(md: np.ndarray) -> bool:
    """Whether MDs are finite and strictly increasing (NaN compares False)."""
    n = md.size
    if not (math.isfinite(md[0]) and math.isfinite(md[-1])):
        return False
    if n <= _MD_CHUNK:  # one comparison, no loop (the common case: a few thousand stations)
        return bool(_GREATER(md[1:], md[:-1]).all())
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


def survey_offsets(
    n: int, *, lengths: npt.ArrayLike | None = None, offsets: npt.ArrayLike | None = None
) -> np.ndarray:
    """Where each survey starts and ends in stations laid end to end.

    Parameters
    ----------
    n : int
        Number of stations in all [-].
    lengths : array_like of int, optional
        Number of stations of each survey [-], in order.
    offsets : array_like of int, optional
        Index of each survey's first station, then ``n`` [-] (one more than the surveys).
        Give exactly one of ``lengths`` and ``offsets``.

    Returns
    -------
    numpy.ndarray
        Offsets (int, ``offsets[0] == 0``, ``offsets[-1] == n``): survey ``w`` is stations
        ``offsets[w]`` to ``offsets[w + 1] - 1``.

    Raises
    ------
    SurveyInputError
        Both or neither given, not whole numbers, a survey without stations (named), or
        lengths that do not add up to ``n``.
    """
    if (lengths is None) == (offsets is None):
        raise SurveyInputError("give the surveys' lengths or their offsets (one of the two)")
    name = "lengths" if offsets is None else "offsets"
    given = np.asarray(lengths if offsets is None else offsets)
    if given.ndim != 1 or given.size == 0 or given.dtype.kind not in "iu":
        raise SurveyInputError(
            f"{name} must be a non-empty 1-D sequence of whole numbers, got {given.dtype} "
            f"of shape {given.shape}",
            field=name,
        )
    if offsets is None:
        out = np.zeros(given.size + 1, dtype=np.intp)
        np.cumsum(given, out=out[1:])
        steps = given
    else:
        out = given.astype(np.intp)
        steps = np.diff(out)
        if out[0] != 0 or out.size < 2:
            raise SurveyInputError(
                f"offsets must start at 0 and hold one more value than there are surveys, "
                f"got {given[:3].tolist()}...",
                field=name,
            )
    if steps.size and int(steps.min()) < 1:
        w = int(np.argmax(steps < 1))
        raise SurveyInputError(f"{well_label(w)} has no stations", well=w, field=name)
    if int(out[-1]) != n:
        raise SurveyInputError(
            f"the surveys' {name} add up to {int(out[-1])} stations, but {n} were given",
            field=name,
        )
    return out


def validate_many(
    md: npt.ArrayLike,
    inc: npt.ArrayLike,
    azi: npt.ArrayLike,
    offsets: np.ndarray,
    names: Sequence[str] | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`validate_stations` for many surveys laid end to end, in one pass.

    Parameters
    ----------
    md, inc, azi : array_like
        Stations of every survey, concatenated: MD [depth unit] strictly increasing within
        each survey (any order from one survey to the next), inclination [deg] in [0, 180],
        azimuth [deg] (normalised to [0, 360)).
    offsets : numpy.ndarray
        From :func:`survey_offsets` for ``md.size`` stations.
    names : sequence of str, optional
        Names of the surveys, for the messages.

    Returns
    -------
    md, inc, azi : numpy.ndarray
        As :func:`validate_stations` returns them.

    Raises
    ------
    SurveyInputError
        As :func:`validate_stations`, naming the first offending survey (``well``, 0-based)
        and its station (``station``, 0-based within that survey; 1-based in the message).
    """
    md_a, inc_a, azi_a = _as_1d(md, "md"), _as_1d(inc, "inc"), _as_1d(azi, "azi")
    n = md_a.size
    if inc_a.size != n or azi_a.size != n:
        raise SurveyInputError(
            f"md, inc and azi must have the same length, got {n}, {inc_a.size}, {azi_a.size}"
        )
    if n == 0:
        raise SurveyInputError("no stations given", field="md")
    if offsets.size < 2 or int(offsets[-1]) != n:
        raise SurveyInputError(
            f"the offsets end at station {int(offsets[-1])}, but {n} were given", field="offsets"
        )
    starts = offsets[:-1]
    inc_lo, inc_hi = _MIN(inc_a), _MAX(inc_a)
    azi_lo, azi_hi = _MIN(azi_a), _MAX(azi_a)
    ends = np.concatenate((md_a[starts], md_a[offsets[1:] - 1]))
    if not (
        math.isfinite(_MIN(ends) + _MAX(ends))
        and _md_increasing_within(md_a, starts)
        and inc_lo >= 0.0
        and inc_hi <= 180.0
        and math.isfinite(azi_lo)
        and math.isfinite(azi_hi)
    ):
        _refuse_many(md_a, inc_a, azi_a, offsets, names)
    if azi_lo < 0.0 or azi_hi >= 360.0:
        azi_a = wrap_360(azi_a)
    return md_a, inc_a, azi_a


def _md_increasing_within(md: np.ndarray, starts: np.ndarray) -> bool:
    """Whether MDs increase strictly within each survey (NaN compares False)."""
    n = md.size
    for lo in range(0, n - 1, _MD_CHUNK):
        hi = min(lo + _MD_CHUNK, n - 1)
        up = np.greater(md[lo + 1 : hi + 1], md[lo:hi])
        a, b = np.searchsorted(starts, (lo + 1, hi + 1))
        up[starts[a:b] - lo - 1] = True  # from one survey's last station to the next's first
        if not up.all():
            return False
    return True


def _refuse_many(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    offsets: np.ndarray,
    names: Sequence[str] | None,
) -> None:
    """Raise the error naming the first offending survey and station (see :func:`_refuse`)."""
    bad = ~(np.isfinite(md) & np.isfinite(inc) & np.isfinite(azi) & (inc >= 0.0) & (inc <= 180.0))
    down = np.zeros(md.size, dtype=bool)
    down[1:] = md[1:] <= md[:-1]
    down[offsets[:-1]] = False
    bad |= down
    i = int(np.argmax(bad))
    w = int(np.searchsorted(offsets, i, side="right")) - 1
    a, b = int(offsets[w]), int(offsets[w + 1])
    try:
        _refuse(md[a:b], inc[a:b], azi[a:b])
    except SurveyInputError as exc:
        raise SurveyInputError(
            f"{well_label(w, names)}: {exc}", station=exc.station, field=exc.field, well=w
        ) from None
    raise AssertionError("unreachable: the fast checks refused valid stations")  # pragma: no cover
