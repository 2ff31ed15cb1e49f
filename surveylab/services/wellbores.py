"""Wellbores: a well's main bore (made with the well) and its sidetracks.

A sidetrack has a parent wellbore and a kick-off MD (in a stated depth unit); its definitive
survey ties on to its parent's at the kick-off (:mod:`surveylab.services.definitive`).
"""

from __future__ import annotations

import math
import uuid

from surveylab.auth import Permission
from surveylab.models import Actor, DepthUnit
from surveylab.models.records import WellboreRecord, WellRecord
from surveylab.repositories import DuplicateError, UnitOfWork
from surveylab.services.common import Conflict, NotFound, ServiceError, audit_ok, guard
from surveylab.services.runs import find_well

__all__ = [
    "MAIN_WELLBORE",
    "create_wellbore",
    "ensure_main_wellbore",
    "find_wellbore",
    "list_wellbores",
    "split_ref",
]

#: Name of the main wellbore every well gets.
MAIN_WELLBORE = "main"


def split_ref(ref: str) -> tuple[str, str | None]:
    """``"WELL/WELLBORE"`` -> (well, wellbore); ``"WELL"`` -> (well, None).

    The last ``/`` separates them, so a well named ``15/9-F-12`` is written
    ``15/9-F-12/main``; a bare name that is a well is resolved by :func:`find_wellbore`.
    """
    if "/" in ref:
        well, bore = ref.rsplit("/", 1)
        return well, bore or None
    return ref, None


def ensure_main_wellbore(uow: UnitOfWork, well: WellRecord, created_by: uuid.UUID | None):
    """The well's main wellbore, made now when it has none (inside the caller's work)."""
    main = uow.wellbores.main(well.id)
    if main is None:
        main = uow.wellbores.add(well_id=well.id, name=MAIN_WELLBORE, created_by=created_by)
    return main


def find_wellbore(uow: UnitOfWork, well: str | uuid.UUID, wellbore: str | None) -> WellboreRecord:
    """A wellbore by well (name or id) and wellbore name; None: the main wellbore.

    A ``well`` text holding ``/`` that names no well is read as ``WELL/WELLBORE``.

    Raises
    ------
    NotFound
        Unknown well or wellbore (naming both).
    """
    try:
        well_rec = find_well(uow, well)
    except NotFound:
        if wellbore is None and isinstance(well, str) and "/" in well:
            name, bore = split_ref(well)
            return find_wellbore(uow, name, bore)
        raise
    if wellbore is None:
        main = uow.wellbores.main(well_rec.id)
        if main is None:
            raise NotFound(f"well {well_rec.well_name} has no main wellbore")
        return main
    found = uow.wellbores.by_name(well_rec.id, wellbore)
    if found is None:
        names = ", ".join(b.name for b in uow.wellbores.for_well(well_rec.id)) or "none"
        raise NotFound(
            f"well {well_rec.well_name} has no wellbore {wellbore!r} (wellbores: {names})"
        )
    return found


def create_wellbore(
    uow: UnitOfWork,
    actor: Actor | None,
    *,
    well: str | uuid.UUID,
    name: str,
    parent: str | None = None,
    kickoff_md: float | None = None,
    depth_unit: str | None = None,
) -> WellboreRecord:
    """Create a wellbore of a well: a sidetrack when ``parent`` is given (then ``kickoff_md``
    is required, in ``depth_unit``, default the unit of the parent's definitive survey, else
    of the parent's sidetrack kick-off).

    Raises
    ------
    PermissionDenied
        The actor may not do survey work.
    ServiceError
        Empty or taken name; a parent without a kick-off MD or the reverse; an unknown
        parent; a kick-off MD that is not a positive number, or whose unit is not known.
    """
    with uow:
        actor = guard(uow, actor, Permission.SURVEY_WRITE, action="create wellbores")
        well_rec = find_well(uow, well)
        text = (name or "").strip()
        if not text or "/" in text or len(text) > 255:
            raise ServiceError(
                f"wellbore name must be 1 to 255 characters without '/', got {name!r}"
            )
        if (parent is None) != (kickoff_md is None):
            raise ServiceError(
                "a sidetrack needs both its parent wellbore (--parent) and its kick-off MD "
                "(--kickoff-md); a main wellbore neither"
            )
        parent_rec = None
        unit = None
        if parent is not None:
            assert kickoff_md is not None
            parent_rec = uow.wellbores.by_name(well_rec.id, parent)
            if parent_rec is None:
                raise ServiceError(f"well {well_rec.well_name} has no wellbore {parent!r}")
            if not (math.isfinite(float(kickoff_md)) and float(kickoff_md) > 0):
                raise ServiceError(f"kick-off MD must be a positive number, got {kickoff_md!r}")
            unit = depth_unit or _parent_unit(uow, parent_rec)
            if unit is None:
                raise ServiceError(
                    f"the kick-off MD's depth unit is unknown: give it (m, ft or usft); "
                    f"wellbore {parent_rec.name} has no definitive survey to take it from"
                )
            try:
                unit = DepthUnit(unit).value
            except ValueError:
                raise ServiceError(f"depth unit must be m, ft or usft, got {unit!r}") from None
        try:
            bore = uow.wellbores.add(
                well_id=well_rec.id,
                name=text,
                created_by=actor.id,
                parent_id=None if parent_rec is None else parent_rec.id,
                kickoff_md=None if kickoff_md is None else float(kickoff_md),
                depth_unit=unit,
            )
        except DuplicateError as exc:
            raise Conflict(f"well {well_rec.well_name}: {exc}") from None
        what = (
            f"sidetrack of {parent_rec.name} at MD {kickoff_md:g} {unit}"
            if parent_rec is not None
            else "wellbore"
        )
        audit_ok(
            uow,
            actor,
            "create wellbore",
            target_type="wellbore",
            target_id=bore.id,
            detail=f"{well_rec.well_name}/{bore.name}: {what}",
        )
        uow.commit()
        return bore


def _parent_unit(uow: UnitOfWork, parent: WellboreRecord) -> str | None:
    if parent.definitive_id is not None:
        d = uow.definitive.get(parent.definitive_id)
        if d is not None:
            return str(d.depth_unit)
    return parent.depth_unit


def list_wellbores(
    uow: UnitOfWork, actor: Actor | None, well: str | uuid.UUID
) -> list[WellboreRecord]:
    """A well's wellbores: the main one first, then sidetracks by kick-off MD."""
    with uow:
        guard(uow, actor, Permission.READ, action="read wells")
        return uow.wellbores.for_well(find_well(uow, well).id)


def get_wellbore(
    uow: UnitOfWork, actor: Actor | None, well: str | uuid.UUID, wellbore: str | None = None
) -> WellboreRecord:
    """One wellbore (None: the well's main wellbore; ``well`` may be ``WELL/WELLBORE``)."""
    with uow:
        guard(uow, actor, Permission.READ, action="read wells")
        return find_wellbore(uow, well, wellbore)


def wellbore_dict(b: WellboreRecord) -> dict[str, object]:
    """JSON-ready wellbore: ``id``, ``well``, ``name``, ``parent``, ``kickoff_md``,
    ``depth_unit``, ``definitive`` (has a definitive survey)."""
    return {
        "id": str(b.id),
        "well": b.well_name,
        "name": b.name,
        "parent": b.parent_name,
        "kickoff_md": b.kickoff_md,
        "depth_unit": b.depth_unit,
        "definitive": b.definitive_id is not None,
    }
