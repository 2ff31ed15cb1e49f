"""The definitive survey of a wellbore, composed from intervals of approved revisions.

:func:`compose` takes the tool program (run A from MD x to y, run B from y to TD...), checks
that every interval's revision is approved (or already definitive), converts the revisions to
one depth unit, splices them (:func:`surveylab.calc.definitive.compose`: each interval ties on
to the previous interval's station at its first MD, a sidetrack to its parent's definitive
survey at the kick-off MD) and stores the result as the wellbore's next version, which becomes
its one current definitive survey. The revisions it uses become ``definitive``; those the
previous version used and no current definitive survey uses any more are ``approved`` again.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import pandas as pd

from surveylab.auth import Permission
from surveylab.calc import SurveyInputError, compute_trajectory, interpolate_md
from surveylab.calc.definitive import Interval, compose
from surveylab.calc.interpolate import Stations
from surveylab.models import Actor, DepthUnit, SurveyStatus, TieOn
from surveylab.models.records import (
    DefinitiveInterval,
    DefinitiveSurveyRecord,
    RunRecord,
    SurveyRecord,
    WellboreRecord,
)
from surveylab.models.survey import ParsedSurvey, SurveyHeader
from surveylab.repositories import UnitOfWork
from surveylab.services.common import ServiceError, audit_ok, guard
from surveylab.services.runs import find_run
from surveylab.services.wellbores import find_wellbore
from surveylab.units import convert

__all__ = [
    "DefinitiveView",
    "IntervalSpec",
    "compose_definitive",
    "definitive_parsed",
    "definitive_versions",
    "get_definitive",
    "parse_interval",
]

_USABLE = (SurveyStatus.APPROVED, SurveyStatus.DEFINITIVE)
#: Station columns of the ``definitive show`` document [depth unit, deg].
_SHOWN = ("md", "inc", "azi", "tvd", "north", "east")


@dataclass(frozen=True)
class IntervalSpec:
    """One interval as a user names it: run (number or id), MD range [depth unit of the
    definitive survey], and the revision (None: the run's current one)."""

    run: str
    md_from: float
    md_to: float
    revision: int | None = None


def parse_interval(text: str) -> IntervalSpec:
    """``RUN:MD_FROM:MD_TO`` or ``RUN:MD_FROM:MD_TO:REVISION`` -> :class:`IntervalSpec`
    (``TD`` as MD_TO: the run's last station). The run number may itself hold ``:``; the
    numbers are taken from the end.

    Raises
    ------
    ServiceError
        Not of that form, naming the text.
    """
    parts = text.split(":")
    revision = None
    if len(parts) >= 4 and parts[-1].strip().isdigit() and _is_md(parts[-2]):
        revision = int(parts[-1])
        parts = parts[:-1]
    if len(parts) < 3:
        raise ServiceError(f"interval {text!r}: expected RUN:MD_FROM:MD_TO[:REVISION]")
    run = ":".join(parts[:-2]).strip()
    try:
        md_from = float(parts[-2])
        md_to = math.inf if parts[-1].strip().upper() == "TD" else float(parts[-1])
    except ValueError:
        raise ServiceError(
            f"interval {text!r}: MD_FROM and MD_TO must be numbers (or TD), "
            "expected RUN:MD_FROM:MD_TO[:REVISION]"
        ) from None
    if not run or not math.isfinite(md_from):
        raise ServiceError(f"interval {text!r}: expected RUN:MD_FROM:MD_TO[:REVISION]")
    return IntervalSpec(run, md_from, md_to, revision)


def _is_md(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return text.strip().upper() == "TD"
    return True


@dataclass
class DefinitiveView:
    """One version of a wellbore's definitive survey with its stations.

    ``stations`` has md, inc, azi, tvd, north, east, dogleg, dls, build_rate, turn_rate,
    toolface, vs [depth unit, deg], ``interval_seq``, ``interpolated`` and ``run`` (the run
    number of the station's interval).
    """

    wellbore: WellboreRecord
    record: DefinitiveSurveyRecord
    stations: pd.DataFrame

    @property
    def depth_unit(self) -> str:
        return str(self.record.depth_unit)

    def tool_program(self) -> list[dict[str, Any]]:
        """The intervals: ``run``, ``revision``, ``md_from``, ``md_to``, ``tool``,
        ``status`` (the revision's when composed)."""
        return [
            {
                "run": iv.run_number,
                "revision": iv.revision,
                "md_from": iv.md_from,
                "md_to": iv.md_to,
                "tool": iv.tool,
                "status": iv.status,
            }
            for iv in self.record.intervals
        ]

    def to_dict(self) -> dict[str, Any]:
        """The ``surveylab definitive show --json`` document: ``well``, ``wellbore``,
        ``version``, ``current``, ``depth_unit``, ``azimuth_reference``, ``note``,
        ``composed_by``, ``composed_at``, ``tie_on``, ``parent``, ``kickoff_md``,
        ``intervals`` (``run``, ``revision``, ``md_from``, ``md_to``, ``tool``, ``status``)
        and ``stations`` (``md``, ``inc``, ``azi``, ``tvd``, ``north``, ``east``, ``run``)."""
        st = self.stations
        cols = {c: st[c].to_numpy(dtype=float).tolist() for c in _SHOWN}
        stations = [
            {**{c: cols[c][i] for c in _SHOWN}, "run": run}
            for i, run in enumerate(st["run"].tolist())
        ]
        rec, bore = self.record, self.wellbore
        return {
            "well": bore.well_name,
            "wellbore": bore.name,
            "version": rec.version,
            "current": rec.is_current,
            "depth_unit": str(rec.depth_unit),
            "azimuth_reference": str(rec.azimuth_reference),
            "note": rec.note,
            "composed_by": rec.created_by_name,
            "composed_at": rec.created_at.isoformat(),
            "tie_on": rec.tie_on,
            "parent": bore.parent_name,
            "kickoff_md": bore.kickoff_md,
            "intervals": self.tool_program(),
            "stations": stations,
        }

    def marking(self) -> dict[str, Any]:
        """What exports and reports print about it: wellbore, version, composed by/at, and the
        tool program (see :func:`definitive_parsed`)."""
        rec, bore = self.record, self.wellbore
        return {
            "well": bore.well_name,
            "wellbore": bore.name,
            "version": rec.version,
            "current": rec.is_current,
            "composed_by": rec.created_by_name,
            "composed_at": rec.created_at.isoformat(),
            "note": rec.note,
            "tool_program": self.tool_program(),
        }


def find_definitive(
    uow: UnitOfWork, bore: WellboreRecord, version: int | None
) -> DefinitiveSurveyRecord:
    """A wellbore's definitive survey: its current one, or ``version``.

    Raises
    ------
    ServiceError
        The wellbore has none yet, or no such version.
    """
    where = f"{bore.well_name}/{bore.name}"
    if version is None:
        rec = uow.definitive.get(bore.definitive_id) if bore.definitive_id is not None else None
        if rec is None:
            raise ServiceError(f"wellbore {where} has no definitive survey yet")
        return rec
    rec = uow.definitive.by_version(bore.id, int(version))
    if rec is None:
        raise ServiceError(f"wellbore {where} has no definitive survey version {version}")
    return rec


def _view(uow: UnitOfWork, bore: WellboreRecord, rec: DefinitiveSurveyRecord) -> DefinitiveView:
    """The view of a version, each interval with its revision's status now (the status it was
    composed with when the revision is gone)."""
    live = []
    for iv in rec.intervals:
        s = uow.surveys.get(iv.survey_id) if iv.survey_id is not None else None
        live.append(replace(iv, status=s.status) if s is not None else iv)
    rec = replace(rec, intervals=live)
    st = uow.definitive.stations(rec.id)
    names = {iv.seq: iv.run_number for iv in rec.intervals}
    st["run"] = [names.get(int(k), "") for k in st["interval_seq"]]
    return DefinitiveView(bore, rec, st)


def get_definitive(
    uow: UnitOfWork,
    actor: Actor | None,
    well: str | uuid.UUID,
    wellbore: str | None = None,
    *,
    version: int | None = None,
) -> DefinitiveView:
    """A wellbore's definitive survey: the current one, or ``version``.

    Raises
    ------
    NotFound
        Unknown well or wellbore.
    ServiceError
        The wellbore has no definitive survey (or no such version).
    """
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        bore = find_wellbore(uow, well, wellbore)
        return _view(uow, bore, find_definitive(uow, bore, version))


def definitive_versions(
    uow: UnitOfWork, actor: Actor | None, well: str | uuid.UUID, wellbore: str | None = None
) -> list[DefinitiveSurveyRecord]:
    """Every version of a wellbore's definitive survey, oldest first."""
    with uow:
        guard(uow, actor, Permission.READ, action="read surveys")
        bore = find_wellbore(uow, well, wellbore)
        return uow.definitive.for_wellbore(bore.id)


# ---------------------------------------------------------------------------------- compose
@dataclass
class _Part:
    run: RunRecord
    survey: SurveyRecord
    stations: Stations
    tie_on: TieOn | None
    spec: IntervalSpec

    @property
    def label(self) -> str:
        return f"run {self.run.run_number} revision {self.survey.revision}"


def _part(
    uow: UnitOfWork, bore: WellboreRecord, spec: IntervalSpec
) -> tuple[RunRecord, SurveyRecord]:
    run = find_run(uow, spec.run)
    if run.well_id != bore.well_id:
        raise ServiceError(
            f"run {run.run_number} is not on well {bore.well_name} "
            f"(its well: {run.well_name or 'none'})"
        )
    if spec.revision is None:
        if run.current_survey_id is None:
            raise ServiceError(f"run {run.run_number} has no survey")
        survey = uow.surveys.get(run.current_survey_id)
    else:
        survey = uow.surveys.by_revision(run.id, spec.revision)
        if survey is None:
            raise ServiceError(f"run {run.run_number} has no revision {spec.revision}")
    assert survey is not None
    if survey.status not in _USABLE:
        raise ServiceError(
            f"run {run.run_number} revision {survey.revision} is {survey.status}, not approved: "
            "only approved revisions make a definitive survey"
        )
    return run, survey


def _in_unit(frame: pd.DataFrame, unit: DepthUnit, to: DepthUnit) -> Stations:
    def length(c: str):
        return convert(frame[c].to_numpy(dtype=float), unit, to)

    return Stations(
        length("md"),
        frame["inc"].to_numpy(dtype=float),
        frame["azi"].to_numpy(dtype=float),
        length("tvd"),
        length("north"),
        length("east"),
    )


def _tie_in_unit(tie: TieOn | None, unit: DepthUnit, to: DepthUnit) -> TieOn | None:
    if tie is None:
        return None
    c = lambda v: float(convert(v, unit, to))  # noqa: E731
    return TieOn(c(tie.md), tie.inc, tie.azi, c(tie.tvd), c(tie.north), c(tie.east), tie.assumed)


class _Path:
    """Stations plus the tie-on the revision was computed from (extends its MD range)."""

    def __init__(self, s: Stations, tie: TieOn | None) -> None:
        self.md, self.inc, self.azi = s.md, s.inc, s.azi
        self.tvd, self.north, self.east = s.tvd, s.north, s.east
        self.tie_on = tie


def compose_definitive(
    uow: UnitOfWork,
    actor: Actor | None,
    well: str | uuid.UUID,
    wellbore: str | None = None,
    *,
    intervals: Sequence[IntervalSpec | str],
    note: str,
) -> DefinitiveView:
    """Compose and store the wellbore's next definitive survey version (see the module
    docstring); it becomes the wellbore's one current definitive survey.

    Parameters
    ----------
    well : str or uuid.UUID
        Well name or id (or ``WELL/WELLBORE``).
    wellbore : str, optional
        Wellbore name; default the well's main wellbore.
    intervals : sequence of IntervalSpec or str
        The tool program in MD order (``"RUN:MD_FROM:MD_TO[:REVISION]"`` texts accepted).
        MDs are in the depth unit of the first interval's revision (a sidetrack: of its
        kick-off MD); ``md_to`` infinite: the run's last station.
    note : str
        Why (required; recorded with the version and in the status history).

    Raises
    ------
    PermissionDenied
        The actor is not an Engineer or Admin.
    ServiceError
        Empty note; a run not on the well, without the revision, or whose revision is not
        approved (one line naming the run); azimuths from different north references; a gap,
        overlap or MD outside a run's survey; a sidetrack whose parent has no definitive
        survey or whose first interval does not start at the kick-off MD.
    """
    specs = [parse_interval(i) if isinstance(i, str) else i for i in intervals]
    action = "compose definitive surveys"
    with uow:
        bore = find_wellbore(uow, well, wellbore)
        actor = guard(
            uow,
            actor,
            Permission.APPROVE_SURVEYS,
            action=action,
            target=f"of wellbore {bore.well_name}/{bore.name}",
            target_type="wellbore",
            target_id=bore.id,
        )
        text = (note or "").strip()
        if not text:
            raise ServiceError("a definitive survey needs a note (field 'note')")
        if not specs:
            raise ServiceError("a definitive survey needs at least one interval (--interval)")
        uow.wellbores.lock(bore.id)
        bore = uow.wellbores.get(bore.id) or bore
        picked = [_part(uow, bore, spec) for spec in specs]
        ref = picked[0][1].azimuth_reference
        for run, survey in picked:
            if survey.azimuth_reference != ref:
                raise ServiceError(
                    f"run {run.run_number} revision {survey.revision}: azimuths from "
                    f"{survey.azimuth_reference} north, the first interval's from {ref} north"
                )
        parent_tie, unit = _parent_tie(uow, bore, ref)
        unit = unit or picked[0][1].depth_unit
        parts = []
        for (run, survey), spec in zip(picked, specs, strict=True):
            frame = uow.surveys.stations(survey.id)
            tie = _tie_in_unit(survey.header.tie_on, survey.depth_unit, unit)
            parts.append(_Part(run, survey, _in_unit(frame, survey.depth_unit, unit), tie, spec))
        calc_intervals = []
        for p in parts:
            md_to = p.spec.md_to if math.isfinite(p.spec.md_to) else float(p.stations.md[-1])
            calc_intervals.append(
                Interval(_Path(p.stations, p.tie_on), p.spec.md_from, md_to, p.label)
            )
        try:
            composed = compose(calc_intervals, depth_unit=unit, tie_on=parent_tie, vs_azimuth=None)
        except SurveyInputError as exc:
            raise ServiceError(str(exc)) from None
        version = uow.definitive.next_version(bore.id)
        program = [
            DefinitiveInterval(
                seq=k,
                run_id=p.run.id,
                run_number=p.run.run_number,
                survey_id=p.survey.id,
                revision=p.survey.revision,
                md_from=iv.md_from,
                md_to=iv.md_to,
                tool=_tool(p.run, p.survey),
                status=SurveyStatus.DEFINITIVE,
            )
            for k, (p, iv) in enumerate(zip(parts, calc_intervals, strict=True))
        ]
        frame = composed.trajectory.to_frame()
        frame["interval_seq"] = composed.interval
        frame["interpolated"] = composed.interpolated
        tie = composed.tie_on
        tie_doc = {
            "md": tie.md,
            "inc": tie.inc,
            "azi": tie.azi,
            "tvd": tie.tvd,
            "north": tie.north,
            "east": tie.east,
            "source": (
                f"parent wellbore {bore.parent_name}'s definitive survey at the kick-off MD"
                if parent_tie is not None
                else f"{parts[0].label} at MD {tie.md:g}"
            ),
        }
        previous = bore.definitive_id
        rec = uow.definitive.add(
            wellbore_id=bore.id,
            version=version,
            depth_unit=DepthUnit(unit),
            azimuth_reference=ref,
            note=text,
            tie_on=tie_doc,
            intervals=program,
            stations=frame,
            created_by=actor.id,
            created_by_name=actor.username,
        )
        uow.wellbores.set_definitive(bore.id, rec.id)
        where = f"{bore.well_name}/{bore.name}"
        _mark_revisions(uow, actor, rec, previous, where, text)
        audit_ok(
            uow,
            actor,
            "compose definitive survey",
            target_type="wellbore",
            target_id=bore.id,
            detail=f"{where} version {version}: "
            + "; ".join(f"{iv.run_number} rev {iv.revision} MD {iv.md_from:g}-{iv.md_to:g}"
                        for iv in program)
            + f"; {text}",
        )  # fmt: skip
        uow.commit()
        fresh_bore = uow.wellbores.get(bore.id)
        fresh = uow.definitive.get(rec.id)
        assert fresh_bore is not None and fresh is not None
        return _view(uow, fresh_bore, fresh)


def _tool(run: RunRecord, survey: SurveyRecord) -> str:
    """The tool type of an interval: the run type, with the tool the file names [<= 50
    characters]."""
    named = (survey.header.tool or "").strip()
    text = run.run_type if not named or named == run.run_type else f"{run.run_type} ({named})"
    return text if len(text) <= 50 else text[:49] + "…"


def _parent_tie(
    uow: UnitOfWork, bore: WellboreRecord, ref: Any
) -> tuple[TieOn | None, DepthUnit | None]:
    """A sidetrack's tie-on: its parent's current definitive survey at the kick-off MD, in the
    parent's depth unit (which the sidetrack's definitive survey then uses)."""
    if bore.parent_id is None:
        return None, None
    parent = uow.wellbores.get(bore.parent_id)
    assert parent is not None
    if parent.definitive_id is None:
        raise ServiceError(
            f"sidetrack {bore.name} ties on to wellbore {parent.name}, which has no definitive "
            "survey yet: compose that first"
        )
    d = uow.definitive.get(parent.definitive_id)
    assert d is not None and bore.kickoff_md is not None and bore.depth_unit is not None
    if d.azimuth_reference != ref:
        raise ServiceError(
            f"sidetrack {bore.name}: its runs' azimuths are from {ref} north, its parent's "
            f"definitive survey's from {d.azimuth_reference} north"
        )
    st = uow.definitive.stations(d.id)
    kop = float(convert(bore.kickoff_md, bore.depth_unit, d.depth_unit))
    try:
        at = interpolate_md(_in_unit(st, d.depth_unit, d.depth_unit), [kop])
    except SurveyInputError:
        raise ServiceError(
            f"sidetrack {bore.name}: kick-off MD {bore.kickoff_md:g} {bore.depth_unit} is outside "
            f"wellbore {parent.name}'s definitive survey (MD {st['md'].iloc[0]:g} to "
            f"{st['md'].iloc[-1]:g} {d.depth_unit})"
        ) from None
    tie = TieOn(
        kop, float(at.inc[0]), float(at.azi[0]), float(at.tvd[0]), float(at.north[0]),
        float(at.east[0]), assumed=False,
    )  # fmt: skip
    return tie, d.depth_unit


def _mark_revisions(
    uow: UnitOfWork,
    actor: Actor,
    rec: DefinitiveSurveyRecord,
    previous: uuid.UUID | None,
    where: str,
    note: str,
) -> None:
    """Revisions of the new version: definitive; of the previous one, no longer used by any
    current definitive survey: approved again. Each change recorded."""
    used = {iv.survey_id for iv in rec.intervals if iv.survey_id is not None}
    for sid in used:
        s = uow.surveys.get(sid)
        if s is not None and s.status == SurveyStatus.APPROVED:
            uow.surveys.change_status(
                sid,
                expected=SurveyStatus.APPROVED,
                to=SurveyStatus.DEFINITIVE,
                by_id=actor.id,
                by_name=actor.username,
                note=f"in the definitive survey of {where} version {rec.version}: {note}",
            )
    if previous is None:
        return
    old = uow.definitive.get(previous)
    if old is None:
        return
    for iv in old.intervals:
        old_id = iv.survey_id
        if old_id is None or old_id in used or uow.definitive.current_using(old_id):
            continue
        s = uow.surveys.get(old_id)
        if s is not None and s.status == SurveyStatus.DEFINITIVE:
            uow.surveys.change_status(
                old_id,
                expected=SurveyStatus.DEFINITIVE,
                to=SurveyStatus.APPROVED,
                by_id=actor.id,
                by_name=actor.username,
                note=f"no longer in the definitive survey of {where} (version {rec.version} "
                "replaces it)",
            )


# ---------------------------------------------------------------------------------- exports
def definitive_parsed(view: DefinitiveView) -> tuple[ParsedSurvey, Any]:
    """The definitive survey as a parsed survey and its computed trajectory, for the
    exporters: the header marks it definitive (``extra["definitive"]``: wellbore, version and
    tool program, see :meth:`DefinitiveView.marking`)."""
    rec, st = view.record, view.stations
    tie = TieOn(**{k: rec.tie_on[k] for k in ("md", "inc", "azi", "tvd", "north", "east")})
    header = SurveyHeader(
        well_name=view.wellbore.well_name,
        wellbore_name=view.wellbore.name,
        run_name=f"definitive survey version {rec.version}",
        tool=", ".join(dict.fromkeys(iv.tool for iv in rec.intervals)),
        depth_unit=rec.depth_unit,
        azimuth_reference=rec.azimuth_reference,
        tie_on=tie,
        calculation_method="minimum curvature",
    )
    header.extra["definitive"] = view.marking()
    stations = pd.DataFrame(
        {
            "md": st["md"].to_numpy(dtype=float),
            "inc": st["inc"].to_numpy(dtype=float),
            "azi": st["azi"].to_numpy(dtype=float),
            "projected": False,
            "used": True,
        }
    )
    parsed = ParsedSurvey(
        format="definitive",
        source_name=f"{view.wellbore.well_name}/{view.wellbore.name} v{rec.version}",
        header=header,
        stations=stations,
    )
    traj = compute_trajectory(
        stations["md"].to_numpy(),
        stations["inc"].to_numpy(),
        stations["azi"].to_numpy(),
        depth_unit=rec.depth_unit,
        tie_on=tie,
    )
    return parsed, traj
