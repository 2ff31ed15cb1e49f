"""Findings of one cause at many stations, gathered into one finding.

A surveyor wants one line per cause: how many stations, the MD range, the worst value and
where it is. The per-station detail stays in :attr:`~surveylab.models.Finding.stations`
(``inspect --json`` prints it), listed up to :data:`MAX_LISTED` stations.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from surveylab.models import Finding, Severity

#: Stations listed in one aggregated finding (the count is always exact) [-].
MAX_LISTED = 1000


@dataclass(frozen=True, slots=True)
class StationNote:
    """One station's part of a finding: where, and the value that matters [unit of the cause]."""

    station: int
    line: int | None
    md: float
    value: float | None
    message: str


#: Builds the message of an aggregated finding from (count, first note, last note, worst note).
Summary = Callable[[int, StationNote, StationNote, StationNote | None], str]


def md_range(first: StationNote, last: StationNote) -> str:
    """``"MD 100 to 250"`` for the first and last note (one MD when they are equal)."""
    a, b = first.md, last.md
    return f"MD {a:g}" if a == b else f"MD {a:g} to {b:g}"


def _worst(notes: Sequence[StationNote]) -> StationNote | None:
    best: StationNote | None = None
    for n in notes:
        if n.value is None or not np.isfinite(n.value):
            continue
        if best is None or abs(n.value) > abs(best.value):  # type: ignore[arg-type]
            best = n
    return best


def _generic(count: int, first: StationNote, last: StationNote, worst: StationNote | None) -> str:
    return f"{first.message} (and {count - 1} more like it: {count} stations, " + (
        f"{md_range(first, last)})"
    )


def station_finding(
    severity: Severity,
    code: str,
    notes: Sequence[StationNote],
    *,
    field: str | None = None,
    summary: Summary | None = None,
) -> Finding:
    """One finding for ``notes`` (at least one): per station when there is one, else aggregated.

    Parameters
    ----------
    severity : Severity
        Severity of the cause [-].
    code : str
        Stable code of the cause [-].
    notes : sequence of StationNote
        The stations where it was found, in station order [-].
    field : str, optional
        Column or element concerned [-].
    summary : callable, optional
        Message of the aggregated finding from (count, first, last, worst note); default
        names the first station's message, the count and the MD range.
    """
    return summarised(
        severity,
        code,
        count=len(notes),
        first=notes[0],
        last=notes[-1],
        worst=_worst(notes),
        listed=notes[:MAX_LISTED],
        field=field,
        summary=summary,
    )


def summarised(
    severity: Severity,
    code: str,
    *,
    count: int,
    first: StationNote,
    last: StationNote,
    worst: StationNote | None,
    listed: Sequence[StationNote],
    field: str | None = None,
    summary: Summary | None = None,
) -> Finding:
    """A finding of ``count`` stations from its first, last and worst notes and those listed
    (a cause at a million stations costs :data:`MAX_LISTED` notes, not a million)."""
    message = first.message if count == 1 else (summary or _generic)(count, first, last, worst)
    return Finding(
        severity,
        code,
        message,
        station=first.station,
        line=first.line,
        field=field,
        count=count,
        md_from=first.md,
        md_to=last.md,
        worst=None if worst is None else worst.value,
        worst_station=None if worst is None else worst.station,
        stations=tuple(
            {
                "station": n.station,
                "line": n.line,
                "md": n.md,
                "value": n.value,
                "message": n.message,
            }
            for n in listed[:MAX_LISTED]
        ),
    )


def aggregate(findings: list[Finding], md: np.ndarray) -> list[Finding]:
    """Gather per-station findings of one cause (code, severity, field) into one each.

    Findings already carrying a count, and findings about the whole file, are kept as they
    are; the first finding of each gathered cause keeps its place in the list.

    Parameters
    ----------
    findings : list of Finding
        Findings in the order they were made [-].
    md : numpy.ndarray
        Measured depths of the stations [depth unit], for the MD range.

    Returns
    -------
    list of Finding
        The findings with each cause found at several stations gathered into one.
    """
    groups: dict[tuple[str, Severity, str | None], list[Finding]] = {}
    for f in findings:
        if f.count is None and f.station is not None:
            groups.setdefault((f.code, f.severity, f.field), []).append(f)
    if not groups:
        return findings
    n = md.size
    out: list[Finding] = []
    done: set[tuple[str, Severity, str | None]] = set()
    for f in findings:
        if f.count is not None or f.station is None:
            out.append(f)
            continue
        key = (f.code, f.severity, f.field)
        if key in done:
            continue
        done.add(key)
        members = groups[key]
        notes = [
            StationNote(
                m.station,  # type: ignore[arg-type]
                m.line,
                float(md[m.station]) if m.station is not None and 0 <= m.station < n else np.nan,
                m.worst,
                m.message,
            )
            for m in members
        ]
        out.append(station_finding(f.severity, f.code, notes, field=f.field))
    return out


def with_md(finding: Finding, md: float) -> Finding:
    """The finding with its MD range set to one station's MD [depth unit]."""
    return replace(finding, md_from=md, md_to=md)
