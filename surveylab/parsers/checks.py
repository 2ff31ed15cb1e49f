"""Checks every parsed survey gets: findings, never exceptions.

MD not increasing, duplicate MDs, inclination out of range, azimuth normalised, projected
stations, unknown north reference or depth unit, DLS spikes, and vendor TVD/N/E that a
minimum-curvature recomputation does not reproduce within the file's printed precision.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from surveylab.calc.errors import SurveyInputError
from surveylab.calc.mincurve import minimum_curvature
from surveylab.models import DepthUnit, Finding, NorthReference, Severity
from surveylab.models.survey import SurveyHeader
from surveylab.parsers.findings import (
    MAX_LISTED,
    StationNote,
    Summary,
    md_range,
    station_finding,
    summarised,
)
from surveylab.parsers.raw import RawSurvey

#: DLS above this [deg per 30 m, or per 100 ft in feet surveys] is reported as a spike.
DLS_SPIKE_LIMIT = 25.0

#: Codes of the findings these checks make (overrides re-run the checks and replace them).
CHECK_CODES = frozenset(
    (
        "azimuth_normalised",
        "inclination_out_of_range",
        "md_not_increasing",
        "duplicate_md",
        "duplicate_md_flagged",
        "projected_station",
        "station_not_used",
        "north_reference_unknown",
        "depth_unit_unknown",
        "angle_unit_unstated",
        "geometry_not_computable",
        "dls_spike",
        "vendor_position_mismatch",
    )
)


def _line(raw: RawSurvey | None, i: int) -> int | None:
    if raw is None or not raw.lines or i >= len(raw.lines):
        return None
    return raw.lines[i]


def _emit(
    findings: list[Finding],
    severity: Severity,
    code: str,
    items: Sequence[tuple[int, float | None, str]],
    raw: RawSurvey | None,
    md: np.ndarray,
    field: str | None = None,
    summary: Summary | None = None,
) -> None:
    """One finding for the stations ``items`` (station, value, message), when there are any."""
    if not len(items):
        return
    notes = [StationNote(i, _line(raw, i), float(md[i]), v, msg) for i, v, msg in items]
    findings.append(station_finding(severity, code, notes, field=field, summary=summary))


def _emit_at(
    findings: list[Finding],
    severity: Severity,
    code: str,
    idx: np.ndarray,
    values: np.ndarray | None,
    message: Callable[[int], str],
    raw: RawSurvey | None,
    md: np.ndarray,
    field: str | None = None,
    summary: Summary | None = None,
) -> None:
    """One finding for the stations ``idx`` (values aligned with it): the messages of only the
    stations listed (and the first, last and worst) are written."""
    if not idx.size:
        return

    def note(k: int) -> StationNote:
        i = int(idx[k])
        v = None if values is None else float(values[k])
        return StationNote(i, _line(raw, i), float(md[i]), v, message(k))

    listed = [note(k) for k in range(min(idx.size, MAX_LISTED))]
    last = listed[-1] if idx.size <= MAX_LISTED else note(idx.size - 1)
    worst = None
    if values is not None:
        mag = np.abs(values)
        ok = np.isfinite(mag)
        if ok.any():
            worst = note(int(np.flatnonzero(ok)[np.argmax(mag[ok])]))
    findings.append(
        summarised(
            severity,
            code,
            count=int(idx.size),
            first=listed[0],
            last=last,
            worst=worst,
            listed=listed,
            field=field,
            summary=summary,
        )
    )


def _summary(what: str, worst_label: str | None = None, unit: str = "") -> Summary:
    """A message for an aggregated finding: ``what`` at N stations, MD range, worst value."""

    def build(count: int, first: StationNote, last: StationNote, worst: StationNote | None) -> str:
        msg = f"{what}: {count} stations, {md_range(first, last)}"
        if worst_label and worst is not None and worst.value is not None:
            msg += (
                f"; {worst_label} {worst.value:.4g}{unit} at MD {worst.md:g} "
                f"(station {worst.station + 1})"
            )
        return msg

    return build


def run_checks(
    header: SurveyHeader,
    stations: pd.DataFrame,
    vendor: pd.DataFrame,
    raw: RawSurvey | None,
    findings: list[Finding],
) -> None:
    """Check a survey in place: normalise azimuths into [0, 360) and append findings.

    Parameters
    ----------
    header : SurveyHeader
        Header metadata (depth unit, north reference, tie-on) [-].
    stations : pandas.DataFrame
        md [depth unit], inc [deg], azi [deg], projected, used; ``azi`` is normalised in place.
    vendor : pandas.DataFrame
        Vendor columns tvd, north, east [depth unit], vs, dls, row-aligned with ``stations``.
    raw : RawSurvey or None
        Source lines and printed precision of the vendor columns [-].
    findings : list of Finding
        Appended to.
    """
    azi = stations["azi"].to_numpy(dtype=float)
    norm = check_stations(
        header,
        stations["md"].to_numpy(dtype=float),
        stations["inc"].to_numpy(dtype=float),
        azi,
        stations["projected"].to_numpy(dtype=bool),
        stations["used"].to_numpy(dtype=bool),
        {str(c): vendor[c].to_numpy(dtype=float) for c in vendor.columns},
        raw,
        findings,
    )
    if norm is not azi:
        stations["azi"] = norm


def check_stations(
    header: SurveyHeader,
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    projected: np.ndarray,
    used: np.ndarray,
    vendor: dict[str, np.ndarray],
    raw: RawSurvey | None,
    findings: list[Finding],
) -> np.ndarray:
    """The checks of :func:`run_checks` on plain arrays; returns the normalised azimuths.

    Parameters
    ----------
    header : SurveyHeader
        Header metadata (depth unit, north reference, tie-on) [-].
    md : numpy.ndarray
        Measured depths [depth unit].
    inc : numpy.ndarray
        Inclinations [deg].
    azi : numpy.ndarray
        Azimuths [deg], as read.
    projected, used : numpy.ndarray
        Station flags (bool) [-].
    vendor : dict of str to numpy.ndarray
        Vendor columns tvd, north, east [depth unit], vs, dls, aligned with ``md``.
    raw : RawSurvey or None
        Source lines and printed precision of the vendor columns [-].
    findings : list of Finding
        Appended to.

    Returns
    -------
    numpy.ndarray
        Azimuths in [0, 360) [deg]: ``azi`` itself when no value needed normalising.
    """
    n = md.size
    # the common case, a clean listing, in a few reductions: none of the per-station findings
    clean = (
        bool(used.all())
        and not projected.any()
        and _MIN(azi) >= 0.0
        and _MAX(azi) < 360.0
        and _MIN(inc) >= 0.0
        and _MAX(inc) <= 180.0
        and math.isfinite(md[0])
        and math.isfinite(md[-1])
        and (n == 1 or bool(np.greater(md[1:], md[:-1]).all()))
    )
    if clean:
        idx, valid = np.arange(n), True
    else:
        azi, idx, valid = _station_findings(md, inc, azi, projected, used, raw, findings)
    if header.azimuth_reference is NorthReference.UNKNOWN:
        findings.append(
            Finding(
                Severity.WARNING,
                "north_reference_unknown",
                "the file does not say whether azimuths are from true, grid or magnetic north",
            )
        )
    if header.depth_unit is None:
        findings.append(
            Finding(
                Severity.WARNING,
                "depth_unit_unknown",
                "the file does not state its depth unit (m, ft or US ft)",
            )
        )
    if header.angle_unit is None:
        findings.append(
            Finding(
                Severity.INFO,
                "angle_unit_unstated",
                "the file does not state its angle unit; the values are read as degrees",
            )
        )

    if valid:
        _geometry_checks(header, md, inc, azi, vendor, raw, findings, idx)
    return azi


_MIN = np.minimum.reduce
_MAX = np.maximum.reduce


def _station_findings(
    md: np.ndarray,
    inc: np.ndarray,
    azi: np.ndarray,
    projected: np.ndarray,
    used: np.ndarray,
    raw: RawSurvey | None,
    findings: list[Finding],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """Per-station findings; returns normalised azimuths, used stations, whether computable."""
    out = (azi < 0) | (azi >= 360)
    if out.any():
        norm = np.mod(azi, 360.0)
        norm[norm >= 360.0] = 0.0
        at = np.flatnonzero(out)
        _emit_at(
            findings,
            Severity.INFO,
            "azimuth_normalised",
            at,
            azi[at],
            lambda k: f"azimuth {azi[at[k]]:g} normalised to {norm[at[k]]:g}",
            raw,
            md,
            "azi",
            _summary("azimuths outside [0, 360) normalised", "farthest outside:", " deg"),
        )
        azi = norm

    bad_inc = (inc < 0) | (inc > 180)
    at_inc = np.flatnonzero(bad_inc)
    _emit_at(
        findings,
        Severity.ERROR,
        "inclination_out_of_range",
        at_inc,
        inc[at_inc],
        lambda k: f"inclination {inc[at_inc[k]]:g} is outside 0..180",
        raw,
        md,
        "inc",
        _summary("inclination outside 0..180", "worst", " deg"),
    )

    idx = np.flatnonzero(used)
    dmd = np.diff(md[idx])
    back = np.flatnonzero(dmd < 0)
    _emit_at(
        findings,
        Severity.ERROR,
        "md_not_increasing",
        idx[back + 1],
        dmd[back],
        lambda k: f"MD {md[idx[back[k] + 1]]:g} is less than the previous {md[idx[back[k]]]:g}",
        raw,
        md,
        "md",
        _summary("MD goes back", "largest step back"),
    )
    # records at one MD anywhere in the file (a gyro and an MWD survey overlapping): the use
    # flag says which counts; two used records at one MD are a real duplicate
    dups: list[tuple[int, float | None, str]] = []
    dup_flagged: list[tuple[int, float | None, str]] = []
    order = np.argsort(md, kind="stable")
    same = np.flatnonzero(np.diff(md[order]) == 0)
    seen: set[int] = set()
    for k in same:
        group = [int(order[k])]
        j = k
        while j < len(order) - 1 and md[order[j + 1]] == md[order[k]]:
            group.append(int(order[j + 1]))
            j += 1
        group.sort()
        if group[0] in seen:
            continue
        seen.update(group)
        n_used = int(used[group].sum())
        for i in group[1:]:
            if n_used > 1 and used[i]:
                dups.append((i, None, f"MD {md[i]:g} repeats an earlier station"))
            elif n_used <= 1:
                dup_flagged.append(
                    (
                        i,
                        None,
                        f"MD {md[i]:g} is recorded {len(group)} times; the use flag says "
                        "which record counts",
                    )
                )
    dups.sort()
    dup_flagged.sort()
    _emit(
        findings,
        Severity.WARNING,
        "duplicate_md",
        dups,
        raw,
        md,
        "md",
        _summary("MD repeats an earlier station"),
    )
    _emit(
        findings,
        Severity.INFO,
        "duplicate_md_flagged",
        dup_flagged,
        raw,
        md,
        "md",
        _summary("MDs recorded more than once, the use flag saying which record counts"),
    )

    at_proj = np.flatnonzero(projected)
    _emit_at(
        findings,
        Severity.INFO,
        "projected_station",
        at_proj,
        None,
        lambda k: f"station at MD {md[at_proj[k]]:g} is projected, not surveyed",
        raw,
        md,
        summary=_summary("projected (not surveyed) stations"),
    )
    not_used = np.flatnonzero(~used)
    _emit_at(
        findings,
        Severity.INFO,
        "station_not_used",
        not_used,
        None,
        lambda k: f"station at MD {md[not_used[k]]:g} is flagged not used",
        raw,
        md,
        summary=_summary("stations flagged not used"),
    )

    valid = (
        len(idx) >= 1
        and not bad_inc[idx].any()
        and bool(np.all(np.diff(md[idx]) > 0))
        and bool(np.all(np.isfinite(md[idx])))
    )
    return azi, idx, bool(valid)


def _geometry_checks(
    header: SurveyHeader,
    md_all: np.ndarray,
    inc_all: np.ndarray,
    azi_all: np.ndarray,
    vendor: dict[str, np.ndarray],
    raw: RawSurvey | None,
    findings: list[Finding],
    idx: np.ndarray,
) -> None:
    all_used = idx.size == md_all.size
    md = md_all if all_used else md_all[idx]
    inc = inc_all if all_used else inc_all[idx]
    azi = azi_all if all_used else azi_all[idx]
    tie = header.tie_on
    if tie is not None and tie.md > md[0]:
        tie = None
    try:
        pos = minimum_curvature(md, inc, azi, tie_on=tie)
    except SurveyInputError as exc:
        findings.append(
            Finding(Severity.ERROR, "geometry_not_computable", f"minimum curvature fails: {exc}")
        )
        return
    unit = header.depth_unit or DepthUnit.M
    course = 30.0 if unit is DepthUnit.M else 100.0
    dmd = np.diff(md, prepend=np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        dls = np.asarray(pos.dogleg, dtype=float) * course / dmd
    rate = f"deg/{course:g} {unit.value}"
    spikes = np.flatnonzero(dls > DLS_SPIKE_LIMIT)  # NaN compares False
    _emit_at(
        findings,
        Severity.WARNING,
        "dls_spike",
        idx[spikes],
        dls[spikes],
        lambda k: (
            f"DLS {dls[spikes[k]]:.2f} {rate} at MD {md[spikes[k]]:g} exceeds {DLS_SPIKE_LIMIT:g}"
        ),
        raw,
        md_all,
        "dls",
        _summary(f"DLS above {DLS_SPIKE_LIMIT:g} {rate}", "highest", f" {rate}"),
    )

    for col, calc in (("tvd", pos.tvd), ("north", pos.north), ("east", pos.east)):
        if col not in vendor:
            continue
        given = vendor[col] if all_used else vendor[col][idx]
        printed = raw.vendor_decimals.get(col) if raw is not None else None
        tol = max(5.0 * 10.0 ** -(printed if printed is not None else 3), 1e-3)
        diff = np.abs(np.asarray(calc, dtype=float) - given)
        over = diff > tol
        if not over.any():
            continue
        bad = np.flatnonzero(over & np.isfinite(diff))
        _emit_at(
            findings,
            Severity.WARNING,
            "vendor_position_mismatch",
            idx[bad],
            np.asarray(calc, dtype=float)[bad] - given[bad],
            _mismatch_message(col, given, np.asarray(calc, dtype=float), bad, tol),
            raw,
            md_all,
            col,
            _summary(
                f"vendor {col.upper()} not reproduced by minimum curvature (tolerance {tol:g})",
                "largest difference",
            ),
        )


def _mismatch_message(
    col: str, given: np.ndarray, calc: np.ndarray, bad: np.ndarray, tol: float
) -> Callable[[int], str]:
    def message(k: int) -> str:
        i = bad[k]
        return (
            f"vendor {col.upper()} {given[i]:g} is not reproduced by minimum curvature "
            f"({calc[i]:.4f}; tolerance {tol:g})"
        )

    return message
