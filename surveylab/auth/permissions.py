"""Roles and permissions as data, and the checks every service call makes.

Any authenticated user reads (``IsOwnerOrReadOnly``); survey work needs
Admin, Engineer or Surveyor (``SurveyPermission``); changing or deleting an object needs its
owner (with :attr:`Permission.CHANGE_OWN`) or an Admin (:attr:`Permission.CHANGE_ANY`); user
management is Admin only; Viewer (managers) reads and runs reports. Approving survey revisions
and composing definitive surveys (:attr:`Permission.APPROVE_SURVEYS`) needs Admin or Engineer;
the approval service also refuses the person who imported the revision (four eyes).

A dashboard hiding a button is not a permission check: services call :func:`require`.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from types import MappingProxyType

from surveylab.auth.errors import AuthenticationError, PermissionDenied
from surveylab.models import Actor, Role


class Permission(enum.StrEnum):
    """What a role may do."""

    #: read anything (wells, runs, surveys, reports)
    READ = "read"
    #: run and download reports
    RUN_REPORT = "run_report"
    #: create runs, import surveys, create and update wells
    SURVEY_WRITE = "survey_write"
    #: update or delete objects the actor owns
    CHANGE_OWN = "change_own"
    #: update or delete anyone's objects
    CHANGE_ANY = "change_any"
    #: create, change, deactivate users and their roles
    MANAGE_USERS = "manage_users"
    #: approve survey revisions (never one's own import) and compose definitive surveys
    APPROVE_SURVEYS = "approve_surveys"


_SURVEY_WORK = frozenset(
    {Permission.READ, Permission.RUN_REPORT, Permission.SURVEY_WRITE, Permission.CHANGE_OWN}
)

#: The permissions of each role (read-only mapping).
ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = MappingProxyType(
    {
        Role.ADMIN: frozenset(Permission),
        Role.ENGINEER: _SURVEY_WORK | {Permission.APPROVE_SURVEYS},
        Role.SURVEYOR: _SURVEY_WORK,
        Role.VIEWER: frozenset({Permission.READ, Permission.RUN_REPORT}),
    }
)


def _permissions_of(actor: Actor) -> frozenset[Permission]:
    """The permissions of ``actor``'s role; an unknown role has none (fail closed)."""
    if not isinstance(actor, Actor):
        raise TypeError(f"actor must be an Actor, got {type(actor).__name__}")
    try:
        role = Role(actor.role)
    except ValueError:
        return frozenset()
    return ROLE_PERMISSIONS.get(role, frozenset())


def _as_permission(permission: Permission | str) -> Permission:
    try:
        return Permission(permission)
    except ValueError:
        raise ValueError(f"unknown permission {permission!r}") from None


def _role_name(actor: Actor) -> str:
    return str(actor.role.value if isinstance(actor.role, Role) else actor.role)


def has_permission(actor: Actor, permission: Permission | str) -> bool:
    """Whether ``actor``'s role grants ``permission``.

    Parameters
    ----------
    actor : Actor
        The authenticated user [Actor].
    permission : Permission or str
        The permission asked for [Permission or its value, e.g. ``"read"``].

    Returns
    -------
    bool
        True when the role grants it. A role outside :class:`Role` grants nothing.

    Raises
    ------
    TypeError
        ``actor`` is not an :class:`Actor`.
    ValueError
        ``permission`` is not a :class:`Permission` (a programming error, refused loudly).
    """
    wanted = _as_permission(permission)
    return wanted in _permissions_of(actor)


def can_change(actor: Actor, owner_id: uuid.UUID | None) -> bool:
    """Whether ``actor`` may update or delete an object owned by ``owner_id``.

    Parameters
    ----------
    actor : Actor
        The authenticated user [Actor].
    owner_id : uuid.UUID or None
        Id of the object's owner [UUID]; None for an object nobody owns (then only a holder of
        :attr:`Permission.CHANGE_ANY` may change it).

    Returns
    -------
    bool
        True for a holder of ``CHANGE_ANY``, or for the owner when the role has ``CHANGE_OWN``
        (a Viewer owning something still may not change it).

    Raises
    ------
    TypeError
        ``actor`` is not an :class:`Actor`, or ``owner_id`` is neither a UUID nor None (a string
        id would silently never match, so it is refused loudly).
    """
    if owner_id is not None and not isinstance(owner_id, uuid.UUID):
        raise TypeError(f"owner_id must be a uuid.UUID or None, got {type(owner_id).__name__}")
    granted = _permissions_of(actor)
    if Permission.CHANGE_ANY in granted:
        return True
    return Permission.CHANGE_OWN in granted and owner_id is not None and owner_id == actor.id


def require(
    actor: Actor | None,
    permission: Permission | str,
    *,
    owner_id: uuid.UUID | None = None,
    action: str,
    target: str | None = None,
) -> Actor:
    """Refuse unless ``actor`` holds ``permission`` (and, for changes, may change the object).

    Parameters
    ----------
    actor : Actor or None
        The authenticated user [Actor]; None when nobody is logged in.
    permission : Permission or str
        The permission the action needs [Permission or its value].
    owner_id : uuid.UUID or None, optional
        Owner of the object acted on [UUID]. When given, the actor must also pass
        :func:`can_change`. With ``permission=CHANGE_OWN`` the ownership check always applies,
        and None there means "owned by nobody" (only ``CHANGE_ANY``, i.e. Admin, may change it).
    action : str
        What is attempted, in words that complete "<Role> may not ..." [text], e.g.
        ``"import surveys"``.
    target : str, optional
        The object acted on [text], e.g. ``"run R-12"``; appended to the message.

    Raises
    ------
    AuthenticationError
        ``actor`` is None (``"not authenticated"``).
    PermissionDenied
        The role lacks ``permission``, or the actor may not change an object it does not own.
    TypeError, ValueError
        Programming errors: see :func:`has_permission` and :func:`can_change`.
    """
    wanted = _as_permission(permission)
    if actor is None:
        raise AuthenticationError("not authenticated")
    check_owner = owner_id is not None or wanted is Permission.CHANGE_OWN
    what = f"{action} {target}" if target else action
    role = _role_name(actor)
    if not has_permission(actor, wanted):
        raise PermissionDenied(action, f"{role} may not {what}")
    if check_owner and not can_change(actor, owner_id):
        raise PermissionDenied(action, f"{role} may not {what}: not the owner")
    return actor
