"""What every service shares: error types and the permission gate that audits refusals."""

from __future__ import annotations

import uuid
from collections.abc import Callable

from surveylab.auth import AuthenticationError, Permission, PermissionDenied, require
from surveylab.models import Actor
from surveylab.repositories import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


class ServiceError(Exception):
    """An expected refusal of a use case (unknown run, name taken, bad value); plain words."""


class NotFound(ServiceError):
    """The object named does not exist."""


class Conflict(ServiceError):
    """A unique name (run number, run name, well name, username) is taken already."""


def guard(
    uow: UnitOfWork,
    actor: Actor | None,
    permission: Permission,
    *,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    target: str | None = None,
    owner_id: uuid.UUID | None = None,
) -> Actor:
    """Check a permission; a refusal is written to the audit log (and committed) then raised.

    Returns the actor, known from here on to be authenticated (not None).
    """
    try:
        return require(actor, permission, owner_id=owner_id, action=action, target=target)
    except (PermissionDenied, AuthenticationError) as exc:
        uow.rollback()
        uow.audit.add(
            actor_id=actor.id if actor else None,
            actor_name=actor.username if actor else None,
            action=action,
            outcome="denied",
            target_type=target_type,
            target_id=str(target_id) if target_id is not None else None,
            detail=str(exc),
        )
        uow.commit()
        raise


def audit_ok(
    uow: UnitOfWork,
    actor: Actor | None,
    action: str,
    *,
    target_type: str | None = None,
    target_id: object = None,
    detail: str | None = None,
) -> None:
    uow.audit.add(
        actor_id=actor.id if actor else None,
        actor_name=actor.username if actor else None,
        action=action,
        outcome="ok",
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        detail=detail,
    )
