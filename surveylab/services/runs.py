"""Wells and runs as use cases. Reads need any authenticated user; writes
need survey work (Admin, Engineer, Surveyor); changes and deletes need the owner or an Admin."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from surveylab.auth import Permission
from surveylab.models import Actor, RunType, SurveyStatus, WellType
from surveylab.models.records import RunRecord, SurveyRecord, WellRecord
from surveylab.repositories import DuplicateError, RunFilter, UnitOfWork
from surveylab.services.common import Conflict, NotFound, ServiceError, audit_ok, guard

_WELL_FIELDS = (
    "crs",
    "surface_x",
    "surface_y",
    "depth_datum",
    "datum_elevation",
    "elevation_unit",
)


def _text(value: str, field: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise ServiceError(f"{field} must not be empty")
    if len(value) > limit:
        raise ServiceError(f"{field} is longer than {limit} characters")
    return value


def _choice(value: str, enum_type, field: str) -> str:
    try:
        return enum_type(value).value
    except ValueError:
        allowed = ", ".join(e.value for e in enum_type)
        raise ServiceError(f"{field} must be one of {allowed}, got {value!r}") from None


# ---------------------------------------------------------------------------------------- wells
def create_well(
    uow: UnitOfWork, actor: Actor | None, *, well_name: str, well_type: str = "Oil", **extra: Any
) -> WellRecord:
    unknown = set(extra) - set(_WELL_FIELDS)
    if unknown:
        raise ServiceError(f"unknown well field(s): {', '.join(sorted(unknown))}")
    with uow:
        well = add_well(uow, actor, well_name=well_name, well_type=well_type, **extra)
        uow.commit()
        return well


def add_well(
    uow: UnitOfWork, actor: Actor | None, *, well_name: str, well_type: str = "Oil", **extra: Any
) -> WellRecord:
    """Create a well and its main wellbore inside the caller's open unit of work, not
    committed (the caller commits it with the rest of its work, or rolls everything back)."""
    guard(uow, actor, Permission.SURVEY_WRITE, action="create wells", target_type="well")
    name = _text(well_name, "well name", 255)
    wtype = _choice(well_type, WellType, "well type")
    try:
        well = uow.wells.add(name, wtype, actor.id if actor else None, **extra)
    except DuplicateError as exc:
        raise Conflict(str(exc)) from None
    # every well has its main wellbore
    uow.wellbores.add(well_id=well.id, name="main", created_by=actor.id if actor else None)
    audit_ok(uow, actor, "create well", target_type="well", target_id=well.id)
    return well


def list_wells(uow: UnitOfWork, actor: Actor | None) -> list[WellRecord]:
    with uow:
        guard(uow, actor, Permission.READ, action="read wells")
        return uow.wells.list()


def _find_well(uow: UnitOfWork, ref: str | uuid.UUID) -> WellRecord:
    well = None
    try:
        well = uow.wells.get(ref if isinstance(ref, uuid.UUID) else uuid.UUID(str(ref)))
    except ValueError:
        pass
    if well is None:
        well = uow.wells.by_name(str(ref))
    if well is None:
        raise NotFound(f"unknown well {str(ref)!r}")
    return well


#: A well by id or name (for other services).
find_well = _find_well


def _wellbore_id(
    uow: UnitOfWork, well_id: uuid.UUID | None, wellbore: str | None
) -> uuid.UUID | None:
    """The wellbore a run goes on: the one named, else the well's main wellbore."""
    if well_id is None:
        if wellbore:
            raise ServiceError("a run without a well cannot be put on a wellbore")
        return None
    if wellbore:
        bore = uow.wellbores.by_name(well_id, wellbore)
        if bore is None:
            raise ServiceError(f"the well has no wellbore {wellbore!r}")
        return bore.id
    main = uow.wellbores.main(well_id)
    return None if main is None else main.id


def get_well(uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID) -> WellRecord:
    with uow:
        guard(uow, actor, Permission.READ, action="read wells")
        return _find_well(uow, ref)


def update_well(
    uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID, **values: Any
) -> WellRecord:
    with uow:
        well = _find_well(uow, ref)
        guard(
            uow,
            actor,
            Permission.CHANGE_OWN,
            owner_id=well.created_by,
            action="change wells",
            target=f"well {well.well_name}",
            target_type="well",
            target_id=well.id,
        )
        allowed = {*_WELL_FIELDS, "well_name", "well_type"}
        unknown = set(values) - allowed
        if unknown:
            raise ServiceError(f"unknown well field(s): {', '.join(sorted(unknown))}")
        if "well_type" in values:
            values["well_type"] = _choice(values["well_type"], WellType, "well type")
        if "well_name" in values:
            values["well_name"] = _text(values["well_name"], "well name", 255)
            other = uow.wells.by_name(values["well_name"])
            if other is not None and other.id != well.id:
                raise Conflict(f"well name {values['well_name']!r} is taken")
        uow.wells.update(well.id, **values)
        audit_ok(uow, actor, "update well", target_type="well", target_id=well.id)
        uow.commit()
        updated = uow.wells.get(well.id)
        assert updated is not None, "the well was read in this unit of work"
        return updated


def delete_well(uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID) -> None:
    with uow:
        well = _find_well(uow, ref)
        guard(
            uow,
            actor,
            Permission.CHANGE_OWN,
            owner_id=well.created_by,
            action="delete wells",
            target=f"well {well.well_name}",
            target_type="well",
            target_id=well.id,
        )
        uow.wells.delete(well.id)
        audit_ok(uow, actor, "delete well", target_type="well", target_id=well.id)
        uow.commit()


# ----------------------------------------------------------------------------------------- runs
def find_run(uow: UnitOfWork, ref: str | uuid.UUID) -> RunRecord:
    """A run by id or by run number."""
    run = None
    if isinstance(ref, uuid.UUID):
        run = uow.runs.get(ref)
    else:
        try:
            run = uow.runs.get(uuid.UUID(str(ref)))
        except ValueError:
            run = None
        if run is None:
            run = uow.runs.by_number(str(ref))
    if run is None:
        raise NotFound(f"unknown run {str(ref)!r}")
    return run


@dataclass(frozen=True)
class NewRun:
    """A run to create together with its first survey (:func:`surveylab.services.surveys.
    import_survey` with ``run=NewRun(...)``): the run exists only once a file was imported into
    it, so a refused first import leaves no empty run behind.

    Attributes
    ----------
    run_number, run_name : str
        Unique run number and the run's name [text].
    run_type : str
        GTL, Gyro, MWD or Unknown; chosen by the user, never a default.
    well : str, uuid.UUID, WellRecord or None
        The well (name or id, or its record as read in the same unit of work), or None.
    wellbore : str or None
        The well's wellbore (name); None: its main wellbore.
    """

    run_number: str
    run_name: str
    run_type: str
    well: str | uuid.UUID | WellRecord | None = None
    wellbore: str | None = None


def add_run(uow: UnitOfWork, actor: Actor | None, new: NewRun) -> RunRecord:
    """Create a run owned by the actor inside the caller's open unit of work, not committed
    (the caller commits it with the rest of its work, or rolls everything back)."""
    actor = guard(uow, actor, Permission.SURVEY_WRITE, action="create runs", target_type="run")
    number = _text(new.run_number, "run number", 100)
    name = _text(new.run_name, "run name", 255)
    rtype = _choice(new.run_type, RunType, "run type")
    if isinstance(new.well, WellRecord):
        well_id: uuid.UUID | None = new.well.id
    else:
        well_id = _find_well(uow, new.well).id if new.well not in (None, "") else None
    wellbore_id = _wellbore_id(uow, well_id, new.wellbore)
    try:
        run = uow.runs.add(
            run_number=number,
            run_name=name,
            run_type=rtype,
            user_id=actor.id,
            well_id=well_id,
            wellbore_id=wellbore_id,
        )
    except DuplicateError as exc:
        raise Conflict(str(exc)) from None
    audit_ok(uow, actor, "create run", target_type="run", target_id=run.id)
    return run


def find_revision(uow: UnitOfWork, run: RunRecord, revision: int | None) -> SurveyRecord:
    """A run's survey revision by number; None: the run's current one.

    Raises
    ------
    ServiceError
        The run has no survey yet, or no such revision (naming the run).
    """
    if revision is None:
        if run.current_survey_id is None:
            raise ServiceError(f"run {run.run_number} has no survey yet")
        survey = uow.surveys.get(run.current_survey_id)
    else:
        survey = uow.surveys.by_revision(run.id, int(revision))
        if survey is None:
            raise ServiceError(f"run {run.run_number} has no revision {revision}")
    assert survey is not None, "a run's current survey exists"
    return survey


def create_run(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    run_number: str,
    run_name: str,
    run_type: str = "Unknown",
    well: str | uuid.UUID | None = None,
    wellbore: str | None = None,
) -> RunRecord:
    """Create a run owned by the actor, on ``well``'s wellbore ``wellbore`` (default its main
    wellbore)."""
    with uow:
        run = add_run(uow, actor, NewRun(run_number, run_name, run_type, well, wellbore))
        uow.commit()
        return run


def list_runs(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    mine: bool = False,
    well: str | uuid.UUID | None = None,
    run_type: str | None = None,
    owner: str | None = None,
    changed_since: datetime | None = None,
    search: str | None = None,
    status: str | None = None,
    order_by: str = "run_number",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> list[RunRecord]:
    """Runs, all or the actor's own (``mine``), filtered, sorted and paged; ``status``: the
    current revision's lifecycle status (:class:`surveylab.models.SurveyStatus`), or
    ``"none"`` for runs without a survey."""
    with uow:
        guard(uow, actor, Permission.READ, action="read runs")
        filters = _filters(uow, actor, mine, well, run_type, owner, changed_since, search, status)
        if filters is None:
            return []
        return uow.runs.list(
            **filters, order_by=order_by, descending=descending, limit=limit, offset=offset
        )


def list_runs_frame(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    mine: bool = False,
    well: str | uuid.UUID | None = None,
    run_type: str | None = None,
    owner: str | None = None,
    changed_since: datetime | None = None,
    search: str | None = None,
    status: str | None = None,
):
    """Runs as one DataFrame, for large listings (one query, no per-row objects on DuckDB)."""
    import pandas as pd

    with uow:
        guard(uow, actor, Permission.READ, action="read runs")
        filters = _filters(uow, actor, mine, well, run_type, owner, changed_since, search, status)
        frame = uow.runs.frame(**filters) if filters is not None else None
    columns = {
        "run_number": "run_number",
        "run_name": "run_name",
        "run_type": "run_type",
        "well_name": "well",
        "owner_name": "owner",
        "current_revision": "revision",
        "station_count": "stations",
        "worst_severity": "worst_finding",
        "updated_at": "updated",
        "id": "id",
    }
    if frame is None:
        return pd.DataFrame(columns=list(columns.values()))
    out = frame[list(columns)].rename(columns=columns)
    out["id"] = out["id"].astype(str)
    return out


def count_runs(uow: UnitOfWork, actor: Actor | None, **kw: Any) -> int:
    with uow:
        guard(uow, actor, Permission.READ, action="read runs")
        filters = _filters(
            uow,
            actor,
            kw.get("mine", False),
            kw.get("well"),
            kw.get("run_type"),
            kw.get("owner"),
            kw.get("changed_since"),
            kw.get("search"),
            kw.get("status"),
        )
        return 0 if filters is None else uow.runs.count(**filters)


def _filters(
    uow: UnitOfWork,
    actor: Actor | None,
    mine: bool,
    well: str | uuid.UUID | None,
    run_type: str | None,
    owner: str | None,
    changed_since: datetime | None,
    search: str | None,
    status: str | None = None,
) -> RunFilter | None:
    """The repository's filter for these choices; None when no run can match (an unknown
    owner, or ``mine`` with another owner).

    Raises
    ------
    ServiceError
        ``status`` is neither a survey status nor ``"none"``.
    """
    if status and status != "none" and status not in set(SurveyStatus):
        allowed = ", ".join([*SurveyStatus, "none"])
        raise ServiceError(f"status must be one of {allowed}, got {status!r}")
    owner_id = actor.id if mine and actor else None
    if owner:
        user = uow.users.by_username(owner)
        if user is None:
            return None
        if owner_id is not None and owner_id != user.id:
            return None
        owner_id = user.id
    well_id = _find_well(uow, well).id if well else None
    return {
        "owner_id": owner_id,
        "well_id": well_id,
        "run_type": run_type or None,
        "changed_since": changed_since,
        "search": search or None,
        "status": status or None,
    }


def get_user_runs(uow: UnitOfWork, actor: Actor | None) -> list[RunRecord]:
    """The runs the actor owns ("my runs")."""
    return list_runs(uow, actor, mine=True)


def get_run(uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID) -> RunRecord:
    with uow:
        guard(uow, actor, Permission.READ, action="read runs")
        return find_run(uow, ref)


def update_run(
    uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID, **values: Any
) -> RunRecord:
    with uow:
        run = find_run(uow, ref)
        guard(
            uow,
            actor,
            Permission.CHANGE_OWN,
            owner_id=run.user_id,
            action="change runs",
            target=f"run {run.run_number}",
            target_type="run",
            target_id=run.id,
        )
        allowed = {"run_number", "run_name", "run_type", "well", "wellbore"}
        unknown = set(values) - allowed
        if unknown:
            raise ServiceError(f"unknown run field(s): {', '.join(sorted(unknown))}")
        update: dict[str, Any] = {}
        if "run_type" in values:
            update["run_type"] = _choice(values["run_type"], RunType, "run type")
        if "well" in values:
            update["well_id"] = _find_well(uow, values["well"]).id if values["well"] else None
        if "well" in values or "wellbore" in values:
            well_id = update["well_id"] if "well" in values else run.well_id
            update["wellbore_id"] = _wellbore_id(uow, well_id, values.get("wellbore"))
        for key, label, limit in (("run_number", "run number", 100), ("run_name", "run name", 255)):
            if key in values:
                text = _text(values[key], label, limit)
                other = uow.runs.by_number(text) if key == "run_number" else uow.runs.by_name(text)
                if other is not None and other.id != run.id:
                    raise Conflict(f"{label} {text!r} is taken")
                update[key] = text
        uow.runs.update(run.id, **update)
        audit_ok(uow, actor, "update run", target_type="run", target_id=run.id)
        uow.commit()
        updated = uow.runs.get(run.id)
        assert updated is not None, "the run was read in this unit of work"
        return updated


def delete_run(uow: UnitOfWork, actor: Actor | None, ref: str | uuid.UUID) -> None:
    with uow:
        run = find_run(uow, ref)
        guard(
            uow,
            actor,
            Permission.CHANGE_OWN,
            owner_id=run.user_id,
            action="delete runs",
            target=f"run {run.run_number}",
            target_type="run",
            target_id=run.id,
        )
        uow.runs.delete(run.id)
        audit_ok(uow, actor, "delete run", target_type="run", target_id=run.id)
        uow.commit()
