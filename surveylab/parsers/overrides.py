"""Header fields set by the user: applied to a parsed survey, recorded in plain words.

A user sets a field the file did not state (or got wrong) before an import: the depth unit,
the north reference, the declination... :func:`apply_overrides` sets it, removes the findings it
answers ("the file does not state its depth unit"), runs the station checks again, and records
each change in plain words ("depth unit set to m by surveyor; the file did not state it").

Azimuths follow the corrections (sign conventions of :mod:`surveylab.calc.north`: true =
magnetic + declination, grid = true - convergence):

- azimuths from magnetic north with a declination set are converted to true north (and to grid
  north when a convergence is set too), by :func:`surveylab.calc.north.convert_azimuth`;
- azimuths the file corrected with a declination, convergence or total correction it states
  are re-corrected by the difference when the user sets another value;
- azimuths referenced to true or grid north by a file that does not state the correction it
  applied are left as they are (that is said too).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from surveylab.calc.derived import wrap_360
from surveylab.calc.north import convert_azimuth
from surveylab.models import DepthUnit, Finding, NorthReference, Severity, TieOn
from surveylab.models.survey import ParsedSurvey
from surveylab.parsers.checks import CHECK_CODES, check_stations
from surveylab.parsers.findings import aggregate
from surveylab.parsers.header import field_of
from surveylab.parsers.numbers import POINT, parse_angle, parse_quantity
from surveylab.parsers.raw import RawSurvey
from surveylab.parsers.terms import depth_unit_from_text

__all__ = ["OVERRIDABLE", "OverrideError", "apply_overrides", "normalise_overrides"]

#: Header fields a user may set at import.
OVERRIDABLE = (
    "depth_unit",
    "azimuth_reference",
    "declination",
    "grid_convergence",
    "total_correction",
    "tie_on",
    "vs_azimuth",
    "depth_datum",
    "datum_elevation",
)

_WORDS = {
    "depth_unit": "depth unit",
    "azimuth_reference": "north reference",
    "declination": "declination",
    "grid_convergence": "grid convergence",
    "total_correction": "total correction",
    "tie_on": "tie-on",
    "vs_azimuth": "vertical-section azimuth",
    "depth_datum": "depth datum",
    "datum_elevation": "datum elevation",
}
#: Findings a field set by the user answers.
_ANSWERS = {
    "depth_unit": {"depth_unit_unknown", "depth_unit_conflict"},
    "azimuth_reference": {"north_reference_unknown", "north_reference_conflict"},
    "tie_on": {"no_tie_on", "tie_on_incomplete", "tie_on_position_missing", "tie_on_first_station"},
}
_ANGLES = ("declination", "grid_convergence", "total_correction", "vs_azimuth")


class OverrideError(ValueError):
    """A header value set by the user that cannot be used (names the field and the value)."""


def normalise_overrides(overrides: Mapping[str, Any] | None) -> dict[str, Any]:
    """The overrides as plain JSON values (unit and reference names, numbers, tie-on dict).

    Empty values are dropped; the result is what a survey revision records and what tells two
    imports of the same bytes apart.

    Raises
    ------
    OverrideError
        A field that cannot be set, or a value that is not understood.
    """
    out: dict[str, Any] = {}
    for key, value in (overrides or {}).items():
        if key not in OVERRIDABLE:
            raise OverrideError(f"header field {key!r} cannot be set at import")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        out[key] = _plain(key, value)
    return out


def _plain(key: str, value: Any) -> Any:
    if key == "depth_unit":
        unit = value if isinstance(value, DepthUnit) else depth_unit_from_text(str(value))
        if unit is None:
            raise OverrideError(f"depth_unit must be m, ft or usft, got {value!r}")
        return unit.value
    if key == "azimuth_reference":
        try:
            return NorthReference(str(value).strip().lower()).value
        except ValueError:
            raise OverrideError(
                f"azimuth_reference must be true, grid, magnetic or unknown, got {value!r}"
            ) from None
    if key == "tie_on":
        return _tie_on(value)
    if key == "depth_datum":
        return str(value).strip()
    if key in _ANGLES:
        return _angle(key, value)
    return _number(key, value)


def _angle(key: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
    else:
        try:
            a = parse_angle(str(value), POINT)
        except ValueError:
            raise OverrideError(
                f"{key} must be a number of degrees (e.g. 2.35 or 2° 21' W), got {value!r}"
            ) from None
        v = a.value
        if a.hemisphere is not None:
            if a.hemisphere not in "EW" or v < 0 or key == "vs_azimuth":
                raise OverrideError(f"{key}: {value!r} is not a {key.replace('_', ' ')}")
            v = -v if a.hemisphere == "W" else v
    if not math.isfinite(v) or abs(v) > 360:
        raise OverrideError(f"{key} must be an angle in degrees, got {value!r}")
    return v


def _number(key: str, value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool):
        v = float(value)
    else:
        try:
            v, unit = parse_quantity(str(value), POINT)
        except ValueError:
            raise OverrideError(f"{key} must be a number, got {value!r}") from None
        if unit is not None:
            raise OverrideError(f"{key} must be a number in the survey's depth unit, got {value!r}")
    if not math.isfinite(v):
        raise OverrideError(f"{key} must be a finite number, got {value!r}")
    return v


def _tie_on(value: Any) -> dict[str, float]:
    keys = ("md", "inc", "azi", "tvd", "north", "east")
    vals: list[Any]
    if isinstance(value, TieOn):
        vals = [value.md, value.inc, value.azi, value.tvd, value.north, value.east]
    elif isinstance(value, Mapping):
        missing = [k for k in keys if k not in value]
        if missing:
            raise OverrideError(f"tie_on needs {', '.join(keys)}; missing {', '.join(missing)}")
        vals = [value[k] for k in keys]
    elif isinstance(value, str | Sequence):
        parts = value.split(",") if isinstance(value, str) else list(value)
        if len(parts) != 6:
            raise OverrideError(f"tie_on needs 6 numbers (MD, Inc, Azi, TVD, N, E), got {value!r}")
        vals = list(parts)
    else:
        raise OverrideError(f"tie_on needs 6 numbers (MD, Inc, Azi, TVD, N, E), got {value!r}")
    try:
        nums = [float(v) for v in vals]
    except (TypeError, ValueError):
        raise OverrideError(f"tie_on values must be numbers, got {value!r}") from None
    if not all(math.isfinite(v) for v in nums) or not 0 <= nums[1] <= 180:
        raise OverrideError(f"tie_on values must be finite, inclination in 0..180: {value!r}")
    return dict(zip(keys, nums, strict=True))


def _shown(key: str, value: Any, unit: DepthUnit | None) -> str:
    """A header value in words: ``m``, ``grid north``, ``2.35°``, ``MD 500, Inc 2 ...``."""
    if value is None or value == NorthReference.UNKNOWN:
        return ""
    if key == "depth_unit":
        return str(DepthUnit(value).value)
    if key == "azimuth_reference":
        return f"{NorthReference(value).value} north"
    if key == "tie_on":
        t = value if isinstance(value, TieOn) else TieOn(**value)
        u = f" {unit.value}" if unit is not None else ""
        return (
            f"MD {t.md:g}{u}, Inc {t.inc:g}°, Azi {t.azi:g}°, TVD {t.tvd:g}{u}, "
            f"N {t.north:g}{u}, E {t.east:g}{u}"
        )
    if key in _ANGLES:
        return f"{float(value):g}°"
    if key == "datum_elevation":
        return f"{float(value):g}" + (f" {unit.value}" if unit is not None else "")
    return str(value)


def apply_overrides(
    parsed: ParsedSurvey, overrides: Mapping[str, Any] | None, *, by: str = "the user"
) -> list[Finding]:
    """Set header fields a user supplied, convert azimuths they change, re-run the checks.

    Parameters
    ----------
    parsed : ParsedSurvey
        Changed in place: header fields, ``stations["azi"]`` [deg] when a correction changes
        them, ``findings`` (those the overrides answer removed, the checks run again) and
        ``header.extra["overrides"]`` (the plain values, see :func:`normalise_overrides`).
    overrides : mapping
        Field -> value; fields of :data:`OVERRIDABLE`. Angles [deg] (numbers or text such as
        ``2° 21' W``), lengths in the survey's depth unit, the tie-on as 6 numbers or a dict.
    by : str
        Who set them, for the record (a user name) [-].

    Returns
    -------
    list of Finding
        One ``header_set_by_user`` info finding per changed field, in plain words, and one
        ``azimuths_converted`` when azimuths were converted.

    Raises
    ------
    OverrideError
        A field that cannot be set or a value that is not understood.
    """
    values = normalise_overrides(overrides)
    header = parsed.header
    before = {k: getattr(header, k) for k in OVERRIDABLE}
    notes: list[Finding] = []
    answered: set[str] = set()
    for key, plain in values.items():
        new: Any = plain
        if key == "depth_unit":
            new = DepthUnit(plain)
        elif key == "azimuth_reference":
            new = NorthReference(plain)
        elif key == "tie_on":
            new = TieOn(**plain)
        old = before[key]
        answered |= _ANSWERS.get(key, set())
        if old == new:
            continue
        setattr(header, key, new)
        if key == "declination":
            header.declination_source = f"set by {by}"
        elif key == "grid_convergence":
            header.convergence_source = f"set by {by}"
        was = _shown(key, old, header.depth_unit)
        said = f"the file said {was}" if was else "the file did not state it"
        notes.append(
            Finding(
                Severity.INFO,
                "header_set_by_user",
                f"{_WORDS[key]} set to {_shown(key, new, header.depth_unit)} by {by}; {said}",
                field=key,
            )
        )
    header.extra["overrides"] = {**header.extra.get("overrides", {}), **values}
    rotated = _convert_azimuths(parsed, values, before, by, notes)
    _recheck(parsed, values, answered, rotated)
    return notes


def _convert_azimuths(
    parsed: ParsedSurvey,
    values: dict[str, Any],
    before: dict[str, Any],
    by: str,
    notes: list[Finding],
) -> bool:
    """Convert or re-correct the azimuths the changed corrections affect; True when changed."""
    h = parsed.header
    ref = h.azimuth_reference
    azi = parsed.stations["azi"].to_numpy(dtype=float)
    new = None
    what = ""
    d_set, c_set = "declination" in values, "grid_convergence" in values
    if ref is NorthReference.MAGNETIC and d_set:
        if c_set:
            new = convert_azimuth(
                azi,
                NorthReference.MAGNETIC,
                NorthReference.GRID,
                declination=h.declination,
                convergence=h.grid_convergence,
            )
            h.azimuth_reference = NorthReference.GRID
            what = (
                f"azimuths converted from magnetic to grid north with the declination "
                f"{h.declination:g}° and the grid convergence {h.grid_convergence:g}° "
                f"set by {by}"
            )
        else:
            new = convert_azimuth(
                azi, NorthReference.MAGNETIC, NorthReference.TRUE, declination=h.declination
            )
            h.azimuth_reference = NorthReference.TRUE
            what = (
                f"azimuths converted from magnetic to true north with the declination "
                f"{h.declination:g}° set by {by}"
            )
    elif ref in (NorthReference.TRUE, NorthReference.GRID):
        shift = 0.0
        parts: list[str] = []
        skipped: list[str] = []
        for key, sign in (("declination", 1.0), ("grid_convergence", -1.0)):
            if key not in values or (key == "grid_convergence" and ref is NorthReference.TRUE):
                continue
            old, cur = before[key], getattr(h, key)
            if old is None:
                skipped.append(_WORDS[key])
            elif cur != old:
                shift += sign * (cur - old)
                parts.append(f"{_WORDS[key]} {old:g}° -> {cur:g}°")
        if (
            ref is NorthReference.GRID
            and "total_correction" in values
            and not (d_set or c_set)
            and before["total_correction"] is not None
            and h.total_correction != before["total_correction"]
        ):
            shift += h.total_correction - before["total_correction"]
            parts.append(
                f"total correction {before['total_correction']:g}° -> {h.total_correction:g}°"
            )
        if shift:
            new = wrap_360(azi + shift)
            what = (
                f"azimuths re-corrected for the {', '.join(parts)} set by {by}: every azimuth "
                f"{shift:+g}°"
            )
        if skipped:
            notes.append(
                Finding(
                    Severity.INFO,
                    "azimuths_not_converted",
                    f"the azimuths are referenced to {ref.value} north and the file does not "
                    f"state the {' or '.join(skipped)} it applied: they are kept as read",
                )
            )
    if new is None:
        return False
    parsed.stations["azi"] = np.asarray(new, dtype=float)
    notes.append(Finding(Severity.INFO, "azimuths_converted", what, field="azi"))
    return True


def _recheck(
    parsed: ParsedSurvey, values: dict[str, Any], answered: set[str], rotated: bool
) -> None:
    """Drop the findings the overrides answer and run the station checks again."""
    set_fields = set(values)
    kept: list[Finding] = []
    old_vendor: list[Finding] = []
    for f in parsed.findings:
        if f.code in answered:
            continue
        if f.code == "header_value_unreadable" and f.field and field_of(f.field) in set_fields:
            continue
        if f.code == "vendor_position_mismatch":
            old_vendor.append(f)
            continue
        if f.code in CHECK_CODES:
            continue
        kept.append(f)
    st = parsed.stations
    vendor = {
        str(c): parsed.vendor[c].to_numpy(dtype=float)
        for c in parsed.vendor.columns
        if not rotated  # printed positions refer to the file's own azimuths
    }
    raw = RawSurvey(lines=list(parsed.lines), vendor_decimals=dict(parsed.vendor_decimals))
    fresh: list[Finding] = []
    azi = check_stations(
        parsed.header,
        st["md"].to_numpy(dtype=float),
        st["inc"].to_numpy(dtype=float),
        st["azi"].to_numpy(dtype=float),
        st["projected"].to_numpy(dtype=bool),
        st["used"].to_numpy(dtype=bool),
        vendor,
        raw,
        fresh,
    )
    st["azi"] = azi
    if rotated:
        fresh.extend(old_vendor)
    parsed.findings = aggregate(kept + fresh, st["md"].to_numpy(dtype=float))
