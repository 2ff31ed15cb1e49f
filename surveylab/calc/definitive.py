"""The definitive survey of a wellbore: intervals of several surveys spliced into one.

A tool program is a list of intervals, each an MD range [md_from, md_to] of one computed
survey (run A from MD x to y, run B from y to TD). The composed survey is:

- the tie-on: the first survey's own station at the first interval's ``md_from`` (position
  included), or, for a sidetrack, its parent's definitive survey at the kick-off MD (given by
  the caller as ``tie_on``);
- for each interval, the survey's stations strictly inside (md_from, md_to), then its station
  at ``md_to``, interpolated along the minimum-curvature arc
  (:func:`surveylab.calc.interpolate_md`) where no station lies exactly there;
- so each interval ties on to the previous interval's station at its first MD, and only the
  inclination and azimuth of each survey are used: the positions of the whole composed list
  are computed again by minimum curvature from the tie-on (Sawaryn & Thorogood, SPE 84246).

A survey sampled from one continuous path and cut into intervals at any MDs therefore
composes back into that path's positions at its stations (interpolation along the arc lies on
the same arc). Lengths are in one depth unit and azimuths from one north reference: the caller
converts the surveys first.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from surveylab.calc.errors import SurveyInputError
from surveylab.calc.interpolate import StationPath, _path_arrays, interpolate_md
from surveylab.calc.trajectory import Trajectory, compute_trajectory
from surveylab.models import DepthUnit, TieOn

__all__ = ["ComposedSurvey", "Interval", "compose"]

# MDs closer than this (relative to their size, at least 1) are the same MD
_MD_RTOL = 1e-9


def _same_md(a: float, b: float) -> bool:
    return abs(a - b) <= _MD_RTOL * max(1.0, abs(a), abs(b))


@dataclass(frozen=True)
class Interval:
    """One interval of a tool program.

    Attributes
    ----------
    path : Trajectory or Stations
        The computed survey the interval comes from [depth unit, deg]; a ``tie_on``
        shallower than its first station extends its range up to the tie-on.
    md_from, md_to : float
        The interval [depth unit], ``md_from < md_to``.
    label : str
        How messages name the interval (e.g. "run R-12 revision 2").
    """

    path: StationPath
    md_from: float
    md_to: float
    label: str


@dataclass(frozen=True, eq=False)
class ComposedSurvey:
    """A composed (definitive) survey.

    Attributes
    ----------
    trajectory : Trajectory
        Stations and positions computed by minimum curvature from ``tie_on`` [depth unit,
        deg].
    interval : numpy.ndarray
        Index of the interval each station comes from (the first station, the tie-on, belongs
        to interval 0) [-].
    interpolated : numpy.ndarray
        True where the station is not one of its survey's own stations but interpolated
        along the arc at an interval's end (or the tie-on) [bool].
    tie_on : TieOn
        Where the composed survey starts [depth unit, deg].
    """

    trajectory: Trajectory
    interval: np.ndarray
    interpolated: np.ndarray
    tie_on: TieOn


def _range(path: StationPath) -> tuple[float, float]:
    p = _path_arrays(path)
    return float(p.md[0]), float(p.md[-1])


def _check(intervals: Sequence[Interval], tie_on: TieOn | None) -> None:
    if not intervals:
        raise SurveyInputError("a definitive survey needs at least one interval", field="interval")
    for k, iv in enumerate(intervals):
        if not (math.isfinite(iv.md_from) and math.isfinite(iv.md_to)):
            raise SurveyInputError(
                f"{iv.label}: interval MDs must be numbers, got {iv.md_from}, {iv.md_to}",
                field="interval",
            )
        if not iv.md_from < iv.md_to or _same_md(iv.md_from, iv.md_to):
            raise SurveyInputError(
                f"{iv.label}: interval from MD {iv.md_from:g} to {iv.md_to:g} is empty or "
                "reversed (MD from must be less than MD to)",
                field="interval",
            )
        if k and not _same_md(iv.md_from, intervals[k - 1].md_to):
            prev = intervals[k - 1]
            what = "gap" if iv.md_from > prev.md_to else "overlap"
            raise SurveyInputError(
                f"{iv.label}: starts at MD {iv.md_from:g} but {prev.label} ends at MD "
                f"{prev.md_to:g} (a {what}): each interval starts where the previous one ends",
                field="interval",
            )
        lo, hi = _range(iv.path)
        need_from = k > 0 or tie_on is None  # a sidetrack's first interval starts at the tie-on
        start = iv.md_from if need_from else max(iv.md_from, lo)
        if iv.md_to > hi and not _same_md(iv.md_to, hi):
            raise SurveyInputError(
                f"{iv.label}: the survey ends at MD {hi:g}, above the interval's end "
                f"MD {iv.md_to:g}",
                field="interval",
            )
        if start < lo and not _same_md(start, lo):
            raise SurveyInputError(
                f"{iv.label}: the survey starts at MD {lo:g}, below the interval's start "
                f"MD {iv.md_from:g}",
                field="interval",
            )
        if not need_from and iv.md_to <= lo and not _same_md(iv.md_to, lo):
            raise SurveyInputError(
                f"{iv.label}: the survey starts at MD {lo:g}, below the interval's end "
                f"MD {iv.md_to:g}",
                field="interval",
            )
    if tie_on is not None and not _same_md(tie_on.md, intervals[0].md_from):
        raise SurveyInputError(
            f"{intervals[0].label}: the first interval starts at MD {intervals[0].md_from:g} "
            f"but the tie-on is at MD {tie_on.md:g}",
            field="interval",
        )


def _at(path: StationPath, md: float) -> tuple[float, float, float, bool]:
    """(md, inc, azi, interpolated) of the path at ``md``: the station there when one is
    (its own MD), else interpolated along the arc."""
    p = _path_arrays(path)
    hit = np.flatnonzero(np.abs(p.md - md) <= _MD_RTOL * max(1.0, abs(md)))
    if hit.size:
        i = int(hit[0])
        return float(p.md[i]), float(p.inc[i]), float(p.azi[i]), False
    s = interpolate_md(p, [md])
    return float(md), float(s.inc[0]), float(s.azi[0]), True


def compose(
    intervals: Sequence[Interval],
    *,
    depth_unit: DepthUnit | str,
    tie_on: TieOn | None = None,
    vs_azimuth: float | None = None,
) -> ComposedSurvey:
    """Splice intervals of surveys into one survey and compute it by minimum curvature.

    Parameters
    ----------
    intervals : sequence of Interval
        Contiguous intervals in MD order (each starts where the previous one ends), in one
        depth unit and north reference.
    depth_unit : DepthUnit or str
        Unit of every length (m, ft, usft).
    tie_on : TieOn, optional
        Where the first interval starts, for a sidetrack: its parent's definitive survey at
        the kick-off MD (``tie_on.md`` must be the first interval's ``md_from``). Default: the
        first interval's own survey at its ``md_from``, position included.
    vs_azimuth : float, optional
        Vertical-section azimuth [deg] of the result.

    Returns
    -------
    ComposedSurvey

    Raises
    ------
    SurveyInputError
        No interval, an empty or reversed interval, a gap or an overlap between intervals, an
        interval outside its survey's MD range, or a tie-on at another MD; the message names
        the interval (its ``label``).
    """
    _check(intervals, tie_on)
    first = intervals[0]
    if tie_on is None:
        md0, _inc, _azi, interpolated0 = _at(first.path, first.md_from)
        s = interpolate_md(first.path, [md0])
        tie = TieOn(
            md=md0,
            inc=float(s.inc[0]),
            azi=float(s.azi[0]),
            tvd=float(s.tvd[0]),
            north=float(s.north[0]),
            east=float(s.east[0]),
            assumed=False,
        )
    else:
        tie, interpolated0 = tie_on, True
    md: list[float] = [tie.md]
    inc: list[float] = [tie.inc]
    azi: list[float] = [tie.azi]
    source: list[int] = [0]
    interp: list[bool] = [interpolated0]
    for k, iv in enumerate(intervals):
        p = _path_arrays(iv.path)
        lo, hi = iv.md_from, iv.md_to
        inside = (p.md > lo) & (p.md < hi)
        inside &= ~np.array([_same_md(float(m), lo) or _same_md(float(m), hi) for m in p.md])
        for i in np.flatnonzero(inside):
            md.append(float(p.md[i]))
            inc.append(float(p.inc[i]))
            azi.append(float(p.azi[i]))
            source.append(k)
            interp.append(False)
        end_md, end_inc, end_azi, end_interp = _at(iv.path, hi)
        md.append(end_md)
        inc.append(end_inc)
        azi.append(end_azi)
        source.append(k)
        interp.append(end_interp)
    try:
        traj = compute_trajectory(
            md, inc, azi, depth_unit=depth_unit, tie_on=tie, vs_azimuth=vs_azimuth
        )
    except SurveyInputError as exc:
        k = source[exc.station] if exc.station is not None and exc.station < len(source) else 0
        raise SurveyInputError(
            f"{intervals[k].label}: {exc}", station=exc.station, field=exc.field
        ) from None
    return ComposedSurvey(
        trajectory=traj,
        interval=np.asarray(source, dtype=np.int64),
        interpolated=np.asarray(interp, dtype=bool),
        tie_on=tie,
    )
